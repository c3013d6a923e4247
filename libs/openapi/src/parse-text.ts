import { parse as parseYaml, YAMLParseError } from 'yaml';

/** The extension of a URL's path ("" when none), lower-cased, e.g. ".yaml". */
function extensionOf(url: string | undefined): string {
  if (!url) return '';
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return '';
  }
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash ? path.slice(dot).toLowerCase() : '';
}

/**
 * Parses a document that is JSON or YAML. JSON is tried when the URL ends in .json or the text
 * starts with "{" or "[" (and the URL does not end in .yaml/.yml); YAML otherwise (YAML 1.2 core
 * schema with `<<` merge keys, at most 100 aliases, duplicate keys refused).
 * Throws an Error whose message says what is wrong and where (line and column).
 */
export function parseDocumentText(text: string, url?: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const ext = extensionOf(url);
  const head = body.trimStart()[0];
  const asJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && (head === '{' || head === '['));
  if (asJson) {
    try {
      return JSON.parse(body) as unknown;
    } catch (err) {
      throw new Error(`not valid JSON: ${(err as Error).message}`);
    }
  }
  if (body.trim() === '') throw new Error('the document is empty');
  try {
    return parseYaml(body, { merge: true, maxAliasCount: 100, uniqueKeys: true, prettyErrors: true }) as unknown;
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const first = err.message.split('\n')[0] ?? err.message;
      throw new Error(`not valid YAML${where}: ${first.replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    throw new Error(`not valid YAML: ${(err as Error).message}`);
  }
}
