import { subjectTokensMatch } from '@autoweave/contracts';

/** Topics whose answer is remembered; the topics of a system are few and repeat. */
const CACHE_LIMIT = 1024;

/**
 * Whether a topic matches any of an endpoint's patterns. Literal patterns are
 * a set lookup; answers are cached per topic.
 */
export class TopicMatcher {
  readonly patterns: readonly string[];
  private readonly literals: ReadonlySet<string>;
  private readonly wildcards: ReadonlyArray<readonly string[]>;
  private readonly cache = new Map<string, boolean>();

  constructor(patterns: readonly string[]) {
    this.patterns = [...new Set(patterns)];
    this.literals = new Set(this.patterns.filter((p) => !isWildcard(p)));
    this.wildcards = this.patterns.filter(isWildcard).map((p) => p.split('.'));
  }

  matches(topic: string): boolean {
    const cached = this.cache.get(topic);
    if (cached !== undefined) return cached;
    const tokens = topic.split('.');
    const answer = this.literals.has(topic) || this.wildcards.some((pattern) => subjectTokensMatch(pattern, tokens));
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(topic, answer);
    return answer;
  }
}

export function isWildcard(pattern: string): boolean {
  return pattern.split('.').some((token) => token === '*' || token === '>');
}
