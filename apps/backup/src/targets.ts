import { BUCKETS, STREAMS } from '@autoweave/contracts';

/** One JetStream stream a backup covers: a stream of the catalogue, or the stream behind a KV bucket. */
export interface BackupTarget {
  /** The JetStream stream name (`KV_<bucket>` for a bucket). */
  stream: string;
  kind: 'stream' | 'bucket';
  /** The bucket's name, for a bucket. */
  bucket?: string;
}

/** nats.js and the server name the stream behind KV bucket `b` `KV_b`. */
export const KV_STREAM_PREFIX = 'KV_';

/** Every stream and bucket AutoWeave keeps state in, in catalogue order. */
export function backupTargets(): BackupTarget[] {
  return [
    ...Object.values(STREAMS).map((spec): BackupTarget => ({ stream: spec.name, kind: 'stream' })),
    ...Object.values(BUCKETS).map((bucket): BackupTarget => ({ stream: `${KV_STREAM_PREFIX}${bucket}`, kind: 'bucket', bucket })),
  ];
}
