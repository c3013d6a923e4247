import { escapeToken, isRecord, joinPointer } from './pointer.js';

/**
 * For each line of `JSON.stringify(data, null, 2)` (index 0 is line 1), the JSON pointer of the
 * value or member that starts on that line (a closing bracket maps to its container). The validator
 * shows its problems as code frames over exactly that text, so this turns a frame's line number back
 * into a location.
 */
export function stringifyLineMap(data: unknown): string[] {
  const lines: string[] = [''];
  const walk = (value: unknown, pointer: string): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      if (value.length === 0) return;
      value.forEach((item, i) => {
        const p = joinPointer(pointer, i);
        lines.push(p);
        walk(item, p);
      });
      lines.push(pointer);
      return;
    }
    const rec = value as Record<string, unknown>;
    const keys = Object.keys(rec).filter((k) => {
      const t = typeof rec[k];
      return t !== 'undefined' && t !== 'function' && t !== 'symbol';
    });
    if (keys.length === 0) return;
    for (const key of keys) {
      const p = joinPointer(pointer, key);
      lines.push(p);
      walk(rec[key], p);
    }
    lines.push(pointer);
  };
  walk(data, '');
  return lines;
}

/** The line number marked with ">" in a code frame ("> 11 |   ..."), if any. */
export function frameLine(message: string): number | undefined {
  const m = /^>\s*(\d+)\s*\|/m.exec(message);
  return m ? Number(m[1]) : undefined;
}

/**
 * The validator names operations and components as "/paths/pets/{id}/get" (the path not escaped).
 * Turns the first such mention in a message into a proper JSON pointer, using the document's paths.
 */
export function mentionedPointer(message: string, doc: unknown): string | undefined {
  const m = /`(\/(?:paths|components|definitions|securityDefinitions)\/[^`]*)`/.exec(message);
  if (!m) return undefined;
  const mention = m[1]!;
  if (!mention.startsWith('/paths/')) return mention;
  const rest = mention.slice('/paths'.length);
  const paths = isRecord(doc) && isRecord(doc.paths) ? Object.keys(doc.paths) : [];
  const match = paths
    .filter((p) => rest === p || rest.startsWith(p + '/'))
    .sort((a, b) => b.length - a.length)[0];
  if (match === undefined) return undefined;
  const tail = rest.slice(match.length);
  return '/paths/' + escapeToken(match) + tail;
}

/** The first sentence-ish line of a validator message, without the code frame and the keyword prefix. */
export function firstLine(message: string): string {
  const line = message.split('\n')[0]!.trim();
  return line.replace(/^[A-Z][A-Z ]*[A-Z] (?=[a-z])/, '');
}
