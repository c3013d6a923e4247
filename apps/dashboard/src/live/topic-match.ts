/**
 * NATS wildcard matching, as the gateway does it: `*` one token, `>` (last) one or more.
 * A browser copy of libs/contracts `subjectMatches` (see topics.ts for why); `topics.test.ts` holds them equal.
 */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}
