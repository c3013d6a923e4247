import { AppError } from '@autoweave/contracts';
import { createBreaker, RateLimiter, type Breaker, type BreakerMetrics } from '@autoweave/resilience';
import type { WebhookEndpoint } from '../endpoints.js';
import type { PostRequest, PostResult, WebhookSender } from './webhook-sender.js';

/** A POST through an endpoint's guards: the sender's result, or refused by the open breaker without a request. */
export type GuardedResult = PostResult | { kind: 'breakerOpen'; latencyMs: 0; error: string };

/** Receivers that fail this way say something about their health; a 4xx or an SSRF refusal does not. */
function isBreakerFailure(result: PostResult): boolean {
  return result.kind === 'timeout' || result.kind === 'network' || (result.kind === 'answered' && result.status >= 500);
}

/** Carries a failed result through opossum, which counts only rejections. */
class CountedFailure extends Error {
  constructor(readonly result: PostResult) {
    super('counted failure');
  }
}

interface Guards {
  /** The endpoint revision last seen with these guards. */
  endpoint: WebhookEndpoint;
  settings: string;
  breaker: Breaker<[PostRequest], PostResult>;
  limiter?: RateLimiter;
}

/** How often a caller waiting for the rate limit is told it is still alive (JetStream's ack timer is reset). */
const KEEP_ALIVE_MS = 1000;

/**
 * Per-endpoint circuit breaker and rate limit, per gateway replica. The rate
 * limit makes messages wait (in process, their ack timer kept alive) and never
 * costs an attempt; an open breaker refuses without a request (the caller
 * decides what that counts as). Guards are rebuilt only when an endpoint's
 * breaker or rateLimit settings change, not on every revision.
 */
export class EndpointGuards {
  private readonly guards = new Map<string, Guards>();

  constructor(
    private readonly sender: WebhookSender,
    private readonly metrics?: BreakerMetrics,
  ) {}

  post(endpoint: WebhookEndpoint, req: PostRequest, options: { bypassBreaker?: boolean; keepAlive?: () => void } = {}): Promise<GuardedResult> {
    const guards = this.guardsOf(endpoint);
    // Without a rate limit, no extra async step: this is the path of every delivery.
    if (!guards.limiter) return this.send(guards, req, options.bypassBreaker);
    return waitForToken(guards.limiter, options.keepAlive).then(
      () => this.send(guards, req, options.bypassBreaker),
      // Only when the endpoint was deleted while this message waited.
      (err: unknown): GuardedResult => ({ kind: 'network', latencyMs: 0, error: (err as Error).message }),
    );
  }

  private send(guards: Guards, req: PostRequest, bypassBreaker = false): Promise<GuardedResult> {
    if (bypassBreaker) return this.sender.post(req);
    const { breaker } = guards;
    // Open, half-open or shut down: the breaker decides (refusal, the one probe call).
    if (!breaker.admitsDirectCalls()) return breaker.fire(req).catch(refusal);
    // Closed, the path of nearly every delivery: the POST goes out directly and is counted as fire() would
    // (opossum's per-call machinery was a visible share of a delivery's cost).
    return this.sender.post(req).then((result) => {
      breaker.record({ failure: isBreakerFailure(result) ? new CountedFailure(result) : undefined, latencyMs: result.latencyMs });
      return result;
    });
  }

  /** The endpoint is gone: stop its breaker's timers. */
  forget(id: string): void {
    const guards = this.guards.get(id);
    this.guards.delete(id);
    if (!guards) return;
    guards.breaker.shutdown();
    guards.limiter?.close();
  }

  close(): void {
    for (const id of [...this.guards.keys()]) this.forget(id);
  }

  private guardsOf(endpoint: WebhookEndpoint): Guards {
    const existing = this.guards.get(endpoint.id);
    // The same endpoint object (registry revision) as last time: nothing to compare.
    if (existing?.endpoint === endpoint) return existing;
    const settings = JSON.stringify([endpoint.breaker ?? null, endpoint.rateLimit ?? null]);
    if (existing?.settings === settings) {
      existing.endpoint = endpoint;
      return existing;
    }
    // Calls still using the old guards finish with them; their timers stop after the longest call could take.
    if (existing) retire(existing, endpoint.timeoutMs + 1000);
    const { breaker: b, rateLimit: r } = endpoint;
    const guards: Guards = {
      endpoint,
      settings,
      breaker: createBreaker(
        `webhook:${endpoint.id}`,
        (req: PostRequest) =>
          this.sender.post(req).then((result) => {
            if (isBreakerFailure(result)) throw new CountedFailure(result);
            return result;
          }),
        {
          // The sender enforces the endpoint's own timeout; a breaker timeout would cut it short.
          timeout: false,
          errorThresholdPercentage: b?.errorThresholdPercentage,
          resetTimeout: b?.resetTimeoutMs,
          volumeThreshold: b?.volumeThreshold,
        },
        this.metrics,
      ),
      limiter: r ? new RateLimiter({ rate: r.rps, burst: r.burst ?? r.rps, queue: Number.MAX_SAFE_INTEGER }) : undefined,
    };
    this.guards.set(endpoint.id, guards);
    return guards;
  }
}

/** A rejection of the breaker: the failed result it carried, or a refusal without a request. */
function refusal(err: unknown): GuardedResult {
  if (err instanceof CountedFailure) return err.result;
  if (err instanceof AppError && err.code === 'UNAVAILABLE') return { kind: 'breakerOpen', latencyMs: 0, error: err.message };
  return { kind: 'network', latencyMs: 0, error: (err as Error).message };
}

async function waitForToken(limiter: RateLimiter, keepAlive?: () => void): Promise<void> {
  const ticker = keepAlive ? setInterval(keepAlive, KEEP_ALIVE_MS) : undefined;
  try {
    await limiter.acquire();
  } finally {
    clearInterval(ticker);
  }
}

/** Replaced guards: their breaker's timers stop once no call can still be using it; waiters on the old limiter drain at its rate. */
function retire(guards: Guards, afterMs: number): void {
  setTimeout(() => guards.breaker.shutdown(), afterMs).unref();
}
