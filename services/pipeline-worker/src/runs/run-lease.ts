import type { KV } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import { isWrongRevision } from '../pipelines/pipeline.repository.js';

/** What a lease entry says: who runs the pipeline, which run, and until when without renewal. */
export interface LeaseValue {
  owner: string;
  runId: string;
  acquiredAt: string;
  /** Wall-clock expiry; used only when the bucket has no max_age of its own. */
  expiresAt: number;
}

/**
 * One run of a pipeline at a time across every worker replica: a key per
 * pipeline in the `pipeline_leases` bucket, taken with KV create (atomic) and
 * renewed with compare-and-set on its revision.
 *
 * nats-server 2.9 has no per-key TTL, so the bucket's max_age is the lease
 * TTL: a lease that is not renewed disappears on the server, whatever the
 * clocks of the replicas say, and the next create wins. Renewals run every
 * third of the TTL. If the bucket was created earlier with a longer max_age
 * (or none), the value's `expiresAt` lets an expired lease be taken over with
 * a compare-and-set instead.
 */
export class LeaseManager {
  private constructor(
    private readonly kv: KV,
    readonly owner: string,
    /** Lease lifetime without renewal. */
    readonly ttlMs: number,
    /** True when the server expires leases (bucket max_age <= ttl). */
    private readonly serverExpiry: boolean,
    private readonly logger: Logger,
  ) {}

  /** Reads the bucket's max_age: the effective TTL is the shorter of it and the configured one. */
  static async open(kv: KV, owner: string, ttlMs: number, logger: Logger): Promise<LeaseManager> {
    const status = await kv.status();
    const bucketTtl = status.ttl ?? 0;
    if (bucketTtl > 0 && bucketTtl < ttlMs) {
      logger.warn({ bucketTtlMs: bucketTtl, configuredMs: ttlMs }, 'pipeline_leases was created with a shorter max_age; using it as the lease TTL');
    }
    const effective = bucketTtl > 0 ? Math.min(bucketTtl, ttlMs) : ttlMs;
    return new LeaseManager(kv, owner, effective, bucketTtl > 0 && bucketTtl <= ttlMs, logger);
  }

  /** Takes the lease of a pipeline for a run; undefined when another run holds it. */
  async acquire(pipelineId: string, runId: string): Promise<Lease | undefined> {
    const value = this.valueFor(runId);
    const sentAt = performance.now();
    try {
      const entry = await this.kv.get(pipelineId);
      if (entry && entry.operation === 'PUT' && entry.length > 0) {
        const held = entry.json<LeaseValue>();
        if (this.serverExpiry || held.expiresAt > Date.now()) return undefined;
        const revision = await this.kv.update(pipelineId, JSON.stringify(value), entry.revision);
        this.logger.info({ pipeline: pipelineId, previousOwner: held.owner }, 'took over an expired pipeline lease');
        return new Lease(this, pipelineId, runId, revision, sentAt);
      }
      const revision = await this.kv.create(pipelineId, JSON.stringify(value));
      return new Lease(this, pipelineId, runId, revision, sentAt);
    } catch (err) {
      if (isWrongRevision(err)) return undefined; // another replica was faster
      throw err;
    }
  }

  /** Who holds a pipeline's lease now, if anyone. */
  async holder(pipelineId: string): Promise<LeaseValue | undefined> {
    const entry = await this.kv.get(pipelineId);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    const value = entry.json<LeaseValue>();
    return this.serverExpiry || value.expiresAt > Date.now() ? value : undefined;
  }

  /** @internal compare-and-set renewal; resolves to the new revision. */
  async renew(pipelineId: string, runId: string, revision: number): Promise<number> {
    return this.kv.update(pipelineId, JSON.stringify(this.valueFor(runId)), revision);
  }

  /** @internal deletes the key only if it is still at our revision. */
  async release(pipelineId: string, revision: number): Promise<void> {
    await this.kv.delete(pipelineId, { previousSeq: revision });
  }

  private valueFor(runId: string): LeaseValue {
    return { owner: this.owner, runId, acquiredAt: new Date().toISOString(), expiresAt: Date.now() + this.ttlMs };
  }
}

/**
 * A held lease. Renewed in the background every quarter of the TTL; a run
 * calls `ensure()` before each checkpoint, so a run that lost its lease
 * (stalled longer than the renewals allow, partitioned) stops before it can
 * move the checkpoint under another replica's run.
 */
export class Lease {
  private timer?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private lostReason?: string;
  private released = false;
  /** When the last successful renewal (or the acquire) was sent: the lease is ours for a TTL after it. */
  private confirmedAt: number;

  constructor(
    private readonly manager: LeaseManager,
    readonly pipelineId: string,
    readonly runId: string,
    private revision: number,
    sentAt = performance.now(),
  ) {
    this.confirmedAt = sentAt;
    const every = Math.max(100, Math.floor(manager.ttlMs / 4));
    this.timer = setInterval(() => void this.confirm().catch(() => undefined), every);
    this.timer.unref();
  }

  get lost(): boolean {
    return this.lostReason !== undefined;
  }

  /**
   * True while the lease is surely ours: without a round trip when it was
   * renewed less than a third of the TTL ago (nobody can take it before the
   * TTL has passed since that renewal), else after renewing it now.
   */
  ensure(): Promise<boolean> {
    if (this.lostReason || this.released) return Promise.resolve(false);
    if (performance.now() - this.confirmedAt < this.manager.ttlMs / 3) return Promise.resolve(true);
    return this.confirm();
  }

  /** Renews now (compare-and-set); resolves true while the lease is ours. */
  confirm(): Promise<boolean> {
    const next = this.chain.then(async () => {
      if (this.lostReason || this.released) return false;
      try {
        const sentAt = performance.now();
        this.revision = await this.manager.renew(this.pipelineId, this.runId, this.revision);
        this.confirmedAt = sentAt;
        return true;
      } catch (err) {
        if (isWrongRevision(err)) {
          this.lostReason = 'another run holds the lease';
          clearInterval(this.timer);
          return false;
        }
        throw err; // NATS unreachable: not known to be lost; the caller decides
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Gives the lease up (only if still ours). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.chain;
    if (this.released || this.lostReason) return;
    this.released = true;
    await this.manager.release(this.pipelineId, this.revision).catch(() => undefined);
  }
}
