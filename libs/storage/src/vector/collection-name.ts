import { AppError } from '@autoweave/contracts';

/**
 * Collection names become folder names (embedded store) and URL segments
 * (Qdrant): letters, digits, `_`, `-` and `.`, starting with a letter or
 * digit, so `..` or `/` can never reach the file system.
 */
export const COLLECTION_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$';
const COLLECTION_NAME = new RegExp(COLLECTION_NAME_PATTERN);

export const collectionNameSchema = { type: 'string', pattern: COLLECTION_NAME_PATTERN } as const;

export function assertCollectionName(name: unknown, field = 'collection'): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new AppError('VALIDATION', `${field} must match ${COLLECTION_NAME_PATTERN}`, { field });
  }
}
