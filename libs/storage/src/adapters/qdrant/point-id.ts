import { createHash } from 'node:crypto';

/**
 * The namespace of AutoWeave point ids: the RFC 4122 name-based UUID (v5) of
 * "autoweave.point" in the URL namespace. Fixed forever: changing it would
 * give every existing point a new id and duplicate collections on re-sync.
 */
export const POINT_ID_NAMESPACE = 'bee0bbd9-6f56-583d-9289-cc26b2236563';

/** RFC 4122 version 5 UUID: SHA-1 over namespace bytes + name, version and variant bits set. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`"${namespace}" is not a UUID`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Qdrant point id of an item key: the same key always gives the same id, so writes are upserts. */
export function pointIdOf(key: string): string {
  return uuidV5(key, POINT_ID_NAMESPACE);
}
