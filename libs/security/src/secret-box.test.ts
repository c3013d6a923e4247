import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';
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
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/another key/);
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
