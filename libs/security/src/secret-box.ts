import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '@autoweave/contracts';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';

/**
 * Encrypts secret values at rest with AES-256-GCM. A sealed value is
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts).
 *
 * The box is a keyring: the current key seals; the current key and any
 * previous keys open (the key id in a sealed value says which one). A rotation
 * configures the new key as current and the old one as previous until every
 * stored value has been re-sealed (see `reseal`, `needsReseal`).
 */
export class SecretBox {
  // ES private fields: the keys stay out of JSON.stringify, util.inspect and logs.
  readonly #current: Buffer;
  readonly #keys: ReadonlyMap<string, Buffer>;
  /** Id of the key that seals. */
  readonly keyId: string;
  /** Ids of the previous keys, which only open. */
  readonly previousKeyIds: readonly string[];

  constructor(key: Buffer, previous: readonly Buffer[] = []) {
    for (const k of [key, ...previous]) {
      if (k.length !== 32) throw new Error('the secret key must be 32 bytes');
    }
    this.#current = key;
    this.keyId = keyIdOf(key);
    const keys = new Map<string, Buffer>([[this.keyId, key]]);
    for (const k of previous) {
      const id = keyIdOf(k);
      if (!keys.has(id)) keys.set(id, k);
    }
    this.#keys = keys;
    this.previousKeyIds = [...keys.keys()].filter((id) => id !== this.keyId);
  }

  /** Accepts 32 bytes as base64 (44 characters) or hex (64 characters), for the current and each previous key. */
  static fromString(value: string, previous: readonly string[] = []): SecretBox {
    return new SecretBox(parseKey(value), previous.map(parseKey));
  }

  /** The keyring of a service's configuration (see `readSecretKeys`). */
  static fromKeys(keys: SecretKeys): SecretBox {
    return SecretBox.fromString(keys.current, keys.previous);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.#current, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !keyId || !iv || !tag || ciphertext === undefined) {
      throw new AppError('INTERNAL', 'a stored secret is not in the sealed format');
    }
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new AppError(
        'INTERNAL',
        `a stored secret was sealed with an unknown key (id ${keyId}); the configured keys are ${[this.keyId, ...this.previousKeyIds].join(', ')}. ` +
          'Is AUTOWEAVE_SECRET_KEY right, or does AUTOWEAVE_SECRET_KEY_PREVIOUS need the key it was rotated from?',
        { keyId },
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError('INTERNAL', `a stored secret failed authentication with key ${keyId} (tampered or wrong key)`, { keyId });
    }
  }

  isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(`${VERSION}.`) && value.split('.').length === 5;
  }

  /** Id of the key that sealed a value, undefined when it is not a sealed value. */
  sealedKeyId(value: unknown): string | undefined {
    return this.isSealed(value) ? value.split('.')[1] : undefined;
  }

  /** A sealed value that was sealed with another key than the current one. */
  needsReseal(value: unknown): value is string {
    return this.isSealed(value) && this.sealedKeyId(value) !== this.keyId;
  }

  /** The value sealed with the current key: opened and sealed again when another key sealed it, else itself. */
  reseal(sealed: string): string {
    return this.needsReseal(sealed) ? this.seal(this.open(sealed)) : sealed;
  }
}

/** The configured keys, as given (base64 or hex). */
export interface SecretKeys {
  /** AUTOWEAVE_SECRET_KEY: seals and opens. */
  current: string;
  /** AUTOWEAVE_SECRET_KEY_PREVIOUS: open only, while values sealed with them are re-sealed. */
  previous: string[];
}

/** What `readSecretKeys` needs of a service's env reader (service-kit's EnvReader has it). */
export interface SecretKeyEnv {
  parsed<T>(name: string, parse: (value: string | undefined) => T): T;
}

/**
 * Reads AUTOWEAVE_SECRET_KEY and AUTOWEAVE_SECRET_KEY_PREVIOUS (comma-separated),
 * checking each; a bad value is a ConfigError naming the variable (and the
 * position in the list), never the key.
 */
export function readSecretKeys(env: SecretKeyEnv): SecretKeys {
  const current = env.parsed('AUTOWEAVE_SECRET_KEY', requireSecretKey);
  const previous = env.parsed('AUTOWEAVE_SECRET_KEY_PREVIOUS', parsePreviousKeys);
  return { current, previous };
}

/** Checks a configured key (AUTOWEAVE_SECRET_KEY) and returns it; throws naming what is wrong. */
export function requireSecretKey(value: string | undefined): string {
  if (value === undefined) throw new Error('is required (32 bytes as base64 or hex; try: openssl rand -base64 32)');
  parseKey(value);
  return value.trim();
}

/** A comma-separated list of keys (AUTOWEAVE_SECRET_KEY_PREVIOUS); empty or unset is none. */
export function parsePreviousKeys(value: string | undefined): string[] {
  const keys = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  keys.forEach((key, i) => {
    try {
      parseKey(key);
    } catch (err) {
      throw new Error(`entry ${i + 1} of ${keys.length}: ${(err as Error).message}`);
    }
  });
  return keys;
}

function parseKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error('the key must be 32 bytes, given as base64 or 64 hex characters (try: openssl rand -base64 32)');
  }
  return key;
}

/** The id written into sealed values: the first 8 hex characters of the key's sha256 (names a key without revealing it). */
function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}
