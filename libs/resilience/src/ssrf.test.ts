import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { assertUrlAllowed, classifyAddress, guardedAgent, parseOutboundAllow, STRICT_OUTBOUND } from './ssrf.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.9', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12::1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.10', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

describe('parseOutboundAllow', () => {
  it('reads a list of classes and refuses unknown ones by name', () => {
    expect([...parseOutboundAllow(' loopback, private ').allow].sort()).toEqual(['loopback', 'private']);
    expect(parseOutboundAllow(undefined).allow.size).toBe(0);
    expect(() => parseOutboundAllow('loopback,intranet')).toThrow(/"intranet" is not an address class/);
  });
});

describe('assertUrlAllowed', () => {
  it('refuses private, loopback and metadata hosts with a reason naming the class', async () => {
    await expect(assertUrlAllowed('http://127.0.0.1:8080/x', STRICT_OUTBOUND)).rejects.toThrow(/loopback address/);
    await expect(assertUrlAllowed('http://localhost/x', STRICT_OUTBOUND)).rejects.toThrow(/loopback address/);
    await expect(assertUrlAllowed('http://[::ffff:10.0.0.1]/', STRICT_OUTBOUND)).rejects.toThrow(/private address/);
    await expect(assertUrlAllowed('http://169.254.169.254/latest/meta-data', parseOutboundAllow('linkLocal'))).rejects.toThrow(/metadata address/);
  });

  it('lets an allowed class through', async () => {
    await expect(assertUrlAllowed('http://127.0.0.1:8080/x', parseOutboundAllow('loopback'))).resolves.toBeUndefined();
  });
});

describe('guardedAgent', () => {
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses to connect to a loopback IP literal or a name resolving to one, and the server sees nothing', async () => {
    const agent = guardedAgent(STRICT_OUTBOUND);
    const before = hits;
    await expect(request(`http://127.0.0.1:${port}/`, { dispatcher: agent })).rejects.toThrow(/SSRF: 127\.0\.0\.1 is a loopback address/);
    await expect(request(`http://localhost:${port}/`, { dispatcher: agent })).rejects.toThrow(/SSRF: .* is a loopback address/);
    expect(hits).toBe(before);
    await agent.close();
  });

  it('connects when the class is allowed', async () => {
    const agent = guardedAgent(parseOutboundAllow('loopback'));
    const res = await request(`http://localhost:${port}/`, { dispatcher: agent });
    expect(await res.body.text()).toBe('ok');
    await agent.close();
  });
});
