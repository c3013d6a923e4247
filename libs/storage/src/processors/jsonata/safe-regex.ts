/**
 * A regular expression runs in one synchronous call that no time limit can
 * interrupt, so patterns prone to catastrophic backtracking are refused up
 * front: a repeated group (`*`, `+`, `{n,}`, `{n,m}` with m > 1) that itself
 * contains a quantifier or an alternation, such as `(a+)+`, `(a|aa)*` or
 * `(\w+\s?)*`. Plain patterns (`^GET /pets`, `[a-z]+@example\.com`,
 * `(foo|bar)`) pass. Conservative by design: a few harmless patterns are
 * refused too, and the error says how to rewrite them.
 */
export function unsafeRegexReason(source: string): string | undefined {
  const groups: { risky: boolean }[] = [{ risky: false }];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '[') {
      i = skipClass(source, i);
      continue;
    }
    if (c === '(') {
      groups.push({ risky: false });
      i = skipGroupPrefix(source, i + 1);
      continue;
    }
    if (c === ')') {
      const group = groups.length > 1 ? groups.pop()! : { risky: false };
      i++;
      const quantifier = quantifierAt(source, i);
      if (quantifier) {
        if (group.risky && quantifier.repeats) {
          return `a repeated group contains a quantifier or alternation ("${source.slice(0, 60)}"), which can backtrack catastrophically; rewrite it without nesting repetition`;
        }
        i += quantifier.length;
        groups[groups.length - 1]!.risky = true;
      } else if (group.risky) {
        groups[groups.length - 1]!.risky = true;
      }
      continue;
    }
    if (c === '|') {
      groups[groups.length - 1]!.risky = true;
      i++;
      continue;
    }
    const quantifier = quantifierAt(source, i);
    if (quantifier) {
      groups[groups.length - 1]!.risky = true;
      i += quantifier.length;
      continue;
    }
    i++;
  }
  return undefined;
}

function skipClass(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Skips `?:`, `?=`, `?!`, `?<=`, `?<!` and `?<name>` after an opening parenthesis. */
function skipGroupPrefix(source: string, i: number): number {
  if (source[i] !== '?') return i;
  const match = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(source.slice(i));
  return match ? i + match[0].length : i + 1;
}

function quantifierAt(source: string, i: number): { length: number; repeats: boolean } | undefined {
  const c = source[i];
  let length = 0;
  let repeats = false;
  if (c === '*' || c === '+') {
    length = 1;
    repeats = true;
  } else if (c === '?') {
    length = 1;
  } else if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!match) return undefined;
    length = match[0].length;
    const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3]);
    repeats = max > 1;
  } else {
    return undefined;
  }
  if (source[i + length] === '?') length++; // lazy
  return { length, repeats };
}
