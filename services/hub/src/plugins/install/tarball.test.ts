import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { craftTarball } from '../../testing/plugin-packages.js';
import { scanTarball } from './tarball.js';

const pkg = { path: 'package/package.json', content: '{"name":"p","version":"1.0.0"}' };
const limits = { maxBytes: 10_000 };

describe('plugin tarballs - what may reach the disk', () => {
  it('lists the entries of a well-formed package under its one top folder', () => {
    const scanned = scanTarball(craftTarball([pkg, { path: 'package/lib/index.js', content: 'x' }]), limits);
    expect(scanned.top).toBe('package');
    expect(scanned.entries.map((e) => e.path)).toEqual(['package/package.json', 'package/lib/index.js']);
  });

  it.each([
    ['a .. segment', [pkg, { path: 'package/../../etc/cron.d/x', content: 'x' }], /escapes the package folder/],
    ['an absolute path', [pkg, { path: '/etc/passwd', content: 'x' }], /absolute/],
    ['a symbolic link', [pkg, { path: 'package/link', type: 'symlink' as const, linkTarget: '/etc/passwd' }], /symbolic link/],
    ['two top folders', [pkg, { path: 'other/x.js', content: 'x' }], /one top folder/],
    ['no package.json', [{ path: 'package/index.js', content: 'x' }], /no package\/package.json/],
    ['more bytes than allowed', [pkg, { path: 'package/big.bin', content: 'x'.repeat(20_000) }], /more than 10000 bytes/],
  ])('refuses %s', (_case, entries, reason) => {
    expect(() => scanTarball(craftTarball(entries), limits)).toThrow(reason);
  });

  it('refuses what is not a gzip archive, and a corrupt header', () => {
    expect(() => scanTarball(Buffer.from('not gzip'), limits)).toThrow(/not a gzip archive/);
    const broken = Buffer.alloc(1024);
    broken.write('package/package.json');
    expect(() => scanTarball(gzipSync(broken), limits)).toThrow(/corrupt header/);
  });
});
