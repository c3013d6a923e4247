import type { BucketName, StreamSpec } from '@autoweave/contracts';
import { jetstreamManager, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@autoweave/observability';

const NANOS_PER_MS = 1_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface StreamLimits {
  maxAgeMs?: number;
  maxBytes?: number;
  /** Window in which a repeated Nats-Msg-Id is dropped. */
  duplicateWindowMs?: number;
}

const DEFAULT_LIMITS: Required<StreamLimits> = { maxAgeMs: 7 * DAY_MS, maxBytes: -1, duplicateWindowMs: 2 * 60 * 1000 };

/** How new streams and buckets are laid out on the NATS cluster. */
export interface ProvisionOptions {
  /**
   * Copies of each new stream and bucket (AUTOWEAVE_JETSTREAM_REPLICAS): 3 on a
   * 3-node cluster, 1 on a single server. Existing streams keep theirs (raise
   * them once with `nats stream edit <name> --replicas 3`).
   */
  replicas?: number;
}

/**
 * Creates each stream, or brings an existing one's subjects up to date. Safe
 * to run from every replica at every start.
 */
export async function provisionStreams(
  nc: NatsConnection,
  streams: ReadonlyArray<StreamSpec & { limits?: StreamLimits }>,
  logger: Logger,
  options: ProvisionOptions = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const spec of streams) {
    const limits = { ...DEFAULT_LIMITS, ...spec.limits };
    const config: Partial<StreamConfig> & { name: string } = {
      name: spec.name,
      subjects: [...spec.subjects],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: limits.maxAgeMs * NANOS_PER_MS,
      max_bytes: limits.maxBytes,
      duplicate_window: limits.duplicateWindowMs * NANOS_PER_MS,
      num_replicas: options.replicas ?? 1,
    };
    const existing = await jsm.streams.info(spec.name).catch(() => undefined);
    if (!existing) {
      await jsm.streams.add(config).catch(async (err: Error) => {
        // Another replica may have created it between our check and our add.
        if (!(await jsm.streams.info(spec.name).catch(() => undefined))) throw err;
      });
      logger.info({ stream: spec.name }, 'stream created');
    } else if (!sameSubjects(existing.config.subjects, spec.subjects)) {
      await jsm.streams.update(spec.name, { ...existing.config, subjects: [...spec.subjects] });
      logger.info({ stream: spec.name }, 'stream subjects updated');
    }
  }
}

function sameSubjects(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return (a ?? []).length === b.length && b.every((s) => a?.includes(s));
}

export interface BucketSpec {
  name: BucketName;
  /** Revisions kept per key (default 5). */
  history?: number;
  /** Entries older than this are removed (default: kept). */
  ttlMs?: number;
}

/** Opens each KV bucket, creating it when absent. Idempotent. */
export async function provisionBuckets(
  nc: NatsConnection,
  buckets: ReadonlyArray<BucketName | BucketSpec>,
  logger: Logger,
  options: ProvisionOptions = {},
): Promise<Map<BucketName, KV>> {
  const kvm = new Kvm(nc);
  const out = new Map<BucketName, KV>();
  for (const bucket of buckets) {
    const spec = typeof bucket === 'string' ? { name: bucket } : bucket;
    out.set(spec.name, await kvm.create(spec.name, { history: spec.history ?? 5, replicas: options.replicas ?? 1, ...(spec.ttlMs ? { ttl: spec.ttlMs } : {}) }));
    logger.debug({ bucket: spec.name }, 'bucket ready');
  }
  return out;
}
