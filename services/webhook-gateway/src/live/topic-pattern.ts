/**
 * NATS subject patterns as live clients write them: dot-separated tokens,
 * `*` for exactly one token, `>` (last) for one or more. Plain string work,
 * no regular expressions built from client input.
 */

/** Longest pattern a client may send. */
export const MAX_PATTERN_LENGTH = 256;

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Why `pattern` is not a valid subscription pattern, or undefined when it is. */
export function patternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'a topic pattern must be a non-empty string';
  if (pattern.length > MAX_PATTERN_LENGTH) return `a topic pattern is at most ${MAX_PATTERN_LENGTH} characters`;
  const tokens = pattern.split('.');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '*') continue;
    if (token === '>') {
      if (i !== tokens.length - 1) return `"${pattern}": ">" may only be the last token`;
      continue;
    }
    if (!TOKEN.test(token)) return `"${pattern}": tokens are letters, digits, _ and -, or the wildcards * and >`;
  }
  return undefined;
}

/**
 * True when some subject matches both patterns: decides which families a
 * client's pattern can ever receive (e.g. `>` overlaps every family,
 * `integration.*.request` overlaps only the call events).
 */
export function overlaps(a: string, b: string): boolean {
  return tokensOverlap(a.split('.'), 0, b.split('.'), 0);
}

function tokensOverlap(a: readonly string[], i: number, b: readonly string[], j: number): boolean {
  for (;;) {
    const x = a[i];
    const y = b[j];
    if (x === '>' ) return j < b.length; // `>` needs at least one more token, which the other side has or can make
    if (y === '>') return i < a.length;
    if (x === undefined || y === undefined) return x === undefined && y === undefined;
    if (x !== '*' && y !== '*' && x !== y) return false;
    i++;
    j++;
  }
}
