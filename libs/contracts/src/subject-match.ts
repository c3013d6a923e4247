/**
 * NATS subject matching, the one implementation the services share: tokens
 * are separated by `.`, `*` matches exactly one token, `>` (last) one or more.
 * `user.*` matches `user.created` but not `user` or `user.a.b`; `order.>`
 * matches `order.paid` and `order.item.shipped` but not `order`.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  return subjectTokensMatch(pattern.split('.'), subject.split('.'));
}

/** The same on subjects already split, for callers that match one pattern many times. */
export function subjectTokensMatch(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const token = pattern[i];
    if (token === '>') return subject.length > i;
    if (i >= subject.length || (token !== '*' && token !== subject[i])) return false;
  }
  return pattern.length === subject.length;
}
