import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import { readSecretKeys, SecretBox } from './secret-box.js';
import { mapSecrets, maskedPaths, maskSecrets } from './secret-fields.js';

describe('SecretBox - AES-256-GCM at rest', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('hunter2');
    expect(sealed).not.toContain('hunter2');
    expect(box.isSealed(sealed)).toBe(true);
    expect(box.open(sealed)).toBe('hunter2');
    expect(box.seal('hunter2')).not.toBe(sealed); // fresh IV each time
  });

  it('refuses a tampered value and a value sealed with another key', () => {
    const sealed = box.seal('hunter2');
    const parts = sealed.split('.');
    parts[4] = Buffer.from('hunter3').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(/failed authentication/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/unknown key/);
  });

  it.each([
    ['base64', randomBytes(32).toString('base64'), true],
    ['hex', randomBytes(32).toString('hex'), true],
    ['too short', randomBytes(16).toString('base64'), false],
    ['garbage', 'not a key', false],
  ])('parses a %s key string: %s', (_kind, value, valid) => {
    if (valid) expect(SecretBox.fromString(value).keyId).toHaveLength(8);
    else expect(() => SecretBox.fromString(value)).toThrow(/32 bytes/);
  });
});

describe('SecretBox keyring - rotation', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new SecretBox(oldKey);
  const during = new SecretBox(newKey, [oldKey]);
  const after = new SecretBox(newKey);

  it('seals with the current key and opens with current and previous keys', () => {
    const old = before.seal('hunter2');
    const fresh = during.seal('hunter2');
    expect(during.sealedKeyId(old)).toBe(before.keyId);
    expect(during.sealedKeyId(fresh)).toBe(during.keyId);
    expect(during.keyId).not.toBe(before.keyId);
    expect(during.previousKeyIds).toEqual([before.keyId]);
    expect(during.open(old)).toBe('hunter2');
    expect(during.open(fresh)).toBe('hunter2');
    expect(after.open(fresh)).toBe('hunter2');
  });

  it('re-seals only values sealed with a previous key, under the current key', () => {
    const old = before.seal('hunter2');
    expect(during.needsReseal(old)).toBe(true);
    const resealed = during.reseal(old);
    expect(during.sealedKeyId(resealed)).toBe(during.keyId);
    expect(during.needsReseal(resealed)).toBe(false);
    expect(during.reseal(resealed)).toBe(resealed);
    expect(after.open(resealed)).toBe('hunter2');
    expect(during.needsReseal('plain text')).toBe(false);
  });

  it('refuses a value sealed with a key no longer configured, naming the key id and never the key', () => {
    const old = before.seal('hunter2');
    let thrown: unknown;
    try {
      after.open(old);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as AppError;
    expect(error.message).toContain(before.keyId);
    expect(error.message).toMatch(/AUTOWEAVE_SECRET_KEY_PREVIOUS/);
    expect(error.details).toEqual({ keyId: before.keyId });
    for (const key of [oldKey, newKey]) {
      expect(error.message).not.toContain(key.toString('base64'));
      expect(error.message).not.toContain(key.toString('hex'));
    }
  });

  it('keeps the keys out of JSON and inspection', () => {
    const text = JSON.stringify(during) + String(Object.values(during));
    expect(text).not.toContain(oldKey.toString('base64'));
    expect(Object.keys(during)).not.toContain('key');
  });
});

describe('readSecretKeys - AUTOWEAVE_SECRET_KEY and AUTOWEAVE_SECRET_KEY_PREVIOUS', () => {
  // The same contract as service-kit's EnvReader.parsed: the raw value (undefined when unset) through parse.
  const reader = (vars: Record<string, string>) => ({
    parsed<T>(name: string, parse: (value: string | undefined) => T): T {
      try {
        return parse(vars[name]);
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`);
      }
    },
  });
  const current = randomBytes(32).toString('base64');
  const hex = randomBytes(32).toString('hex');
  const b64 = randomBytes(32).toString('base64');

  it('reads the current key and a comma-separated list of previous keys in either format', () => {
    const keys = readSecretKeys(reader({ AUTOWEAVE_SECRET_KEY: current, AUTOWEAVE_SECRET_KEY_PREVIOUS: ` ${hex} , ${b64},` }));
    expect(keys).toEqual({ current, previous: [hex, b64] });
    const box = SecretBox.fromKeys(keys);
    expect(box.previousKeyIds).toEqual([SecretBox.fromString(hex).keyId, SecretBox.fromString(b64).keyId]);
    expect(readSecretKeys(reader({ AUTOWEAVE_SECRET_KEY: current }))).toEqual({ current, previous: [] });
  });

  it('names the variable and the entry of a bad previous key, without echoing it', () => {
    const bad = 'c2hvcnQ=';
    expect(() => readSecretKeys(reader({ AUTOWEAVE_SECRET_KEY: current, AUTOWEAVE_SECRET_KEY_PREVIOUS: `${hex},${bad}` }))).toThrow(
      /^AUTOWEAVE_SECRET_KEY_PREVIOUS: entry 2 of 2: the key must be 32 bytes/,
    );
    try {
      readSecretKeys(reader({ AUTOWEAVE_SECRET_KEY: current, AUTOWEAVE_SECRET_KEY_PREVIOUS: bad }));
    } catch (err) {
      expect((err as Error).message).not.toContain(bad);
    }
    expect(() => readSecretKeys(reader({}))).toThrow(/^AUTOWEAVE_SECRET_KEY: is required/);
  });

  it('ignores a previous key equal to the current one', () => {
    expect(SecretBox.fromString(current, [current]).previousKeyIds).toEqual([]);
  });
});

describe('secret fields - paths into a config', () => {
  const config = { url: 'https://x', auth: { type: 'bearer', token: 't0k' }, headers: { a: '1', b: '2' } };
  const paths = ['auth.token', 'auth.password', 'headers.*'];

  it('masks present secrets only and leaves the input untouched', () => {
    expect(maskSecrets(config, paths)).toEqual({ url: 'https://x', auth: { type: 'bearer', token: '***' }, headers: { a: '***', b: '***' } });
    expect(config.auth.token).toBe('t0k');
  });

  it('finds the paths a client sent back masked', () => {
    expect([...maskedPaths({ auth: { token: '***' }, headers: { a: 'new', b: '***' } }, paths)].sort()).toEqual(['auth.token', 'headers.b']);
  });

  it('maps with the full path of each value', () => {
    const seen: string[] = [];
    mapSecrets(config, paths, (v, p) => seen.push(`${p}=${String(v)}`));
    expect(seen.sort()).toEqual(['auth.token=t0k', 'headers.a=1', 'headers.b=2']);
  });
});
