import { EVENT_PATTERN, isValidTopic } from '@autoweave/contracts';

/**
 * True when every topic `requested` matches is matched by `declared` too
 * (NATS wildcards: `*` one token, `>` one or more trailing tokens). A plugin
 * may subscribe to what it declared or to a narrower pattern, never wider.
 */
export function patternCovers(declared: string, requested: string): boolean {
  const d = declared.split('.');
  const r = requested.split('.');
  for (let i = 0; i < d.length; i++) {
    if (d[i] === '>') return r.length > i;
    if (i >= r.length || r[i] === '>') return false;
    if (d[i] === '*') continue;
    if (r[i] === '*' || d[i] !== r[i]) return false;
  }
  return d.length === r.length;
}

export function isTopicPattern(pattern: unknown): pattern is string {
  return typeof pattern === 'string' && pattern.length <= 200 && EVENT_PATTERN.test(pattern);
}

/** A plugin may publish `<namespace>.<one or more tokens>` and nothing else. */
export function inNamespace(topic: unknown, namespace: string): topic is string {
  return isValidTopic(topic) && topic.startsWith(`${namespace}.`);
}
