import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '@autoweave/contracts';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';

/**
 * Encrypts secret values at rest with AES-256-GCM. A sealed value is
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts); the key id lets a
 * later key rotation tell which key sealed a value.
 */
export class SecretBox {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
    this.key = key;
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  /** Accepts 32 bytes as base64 (44 characters) or hex (64 characters). */
  static fromString(value: string): SecretBox {
    const trimmed = value.trim();
    const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
    if (key.length !== 32) {
      throw new Error('the key must be 32 bytes, given as base64 or 64 hex characters (try: openssl rand -base64 32)');
    }
    return new SecretBox(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) {
      throw new AppError('INTERNAL', 'a stored secret is not in the sealed format');
    }
    if (keyId !== this.keyId) {
      throw new AppError('INTERNAL', `a stored secret was sealed with another key (${keyId}); is AUTOWEAVE_SECRET_KEY right?`);
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError('INTERNAL', 'a stored secret failed authentication (tampered or wrong key)');
    }
  }

  isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(`${VERSION}.`) && value.split('.').length === 5;
  }
}

/** Checks a configured key (AUTOWEAVE_SECRET_KEY) and returns it; throws naming what is wrong. */
export function requireSecretKey(value: string | undefined): string {
  if (value === undefined) throw new Error('is required (32 bytes as base64 or hex; try: openssl rand -base64 32)');
  SecretBox.fromString(value);
  return value;
}
