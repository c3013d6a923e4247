import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { secretKey, sign, signedHeaders, verify } from './signature.js';
import { newWebhookSecret } from './testing/webhook-records.js';

const SECRET = newWebhookSecret();
const OTHER = newWebhookSecret();
const KEY = secretKey(SECRET);
const OTHER_KEY = secretKey(OTHER);
const NOW = Math.floor(Date.now() / 1000);
// Whitespace, key order and non-ASCII are all part of what is signed.
const BODY = Buffer.from('{ "type":"user.created",\n  "data": {"z": 1, "a": "é"} ,"timestamp":"2026-01-01T00:00:00Z"}');

describe('webhook signatures - interoperability with the standardwebhooks package', () => {
  it('accepts what standardwebhooks signs', () => {
    const theirs = new Webhook(SECRET);
    const signature = theirs.sign('msg_1', new Date(NOW * 1000), BODY.toString());
    const result = verify([KEY], { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW), 'webhook-signature': signature }, BODY, NOW);
    expect(result).toEqual({ ok: true, timestamp: NOW });
  });

  it('signs what standardwebhooks accepts, with each of several keys', () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders([OTHER_KEY, KEY], 'msg_2', now, BODY);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(SECRET).verify(BODY.toString(), { ...headers })).toEqual(JSON.parse(BODY.toString()));
    expect(new Webhook(OTHER).verify(BODY.toString(), { ...headers })).toEqual(JSON.parse(BODY.toString()));
    expect(() => new Webhook(newWebhookSecret()).verify(BODY.toString(), { ...headers })).toThrow(/No matching signature/);
  });
});

describe('webhook signatures - verify', () => {
  const headersFor = (overrides: Record<string, string | undefined> = {}, body: Buffer = BODY) => ({
    ...signedHeaders([KEY], 'msg_3', NOW, body),
    ...overrides,
  });

  it('accepts a header with several signatures when any one matches, and ignores other versions', () => {
    const good = sign([KEY], 'msg_3', NOW, BODY);
    const wrong = sign([OTHER_KEY], 'msg_3', NOW, BODY);
    const header = `v2,${good.slice(3)} ${wrong} ${good}`;
    expect(verify([KEY], headersFor({ 'webhook-signature': header }), BODY, NOW).ok).toBe(true);
    expect(verify([KEY], headersFor({ 'webhook-signature': `v2,${good.slice(3)}` }), BODY, NOW)).toEqual({ ok: false, reason: 'webhook-signature holds no v1 signature' });
  });

  it('accepts any of the keys it is given (rotation) and refuses when none matches', () => {
    expect(verify([OTHER_KEY, KEY], headersFor(), BODY, NOW).ok).toBe(true);
    expect(verify([OTHER_KEY], headersFor(), BODY, NOW)).toEqual({ ok: false, reason: 'no signature in webhook-signature matches the secret' });
    expect(verify([], headersFor(), BODY, NOW).ok).toBe(false);
  });

  it.each<[string, Buffer]>([
    ['re-serialised (whitespace dropped)', Buffer.from(JSON.stringify(JSON.parse(BODY.toString())))],
    ['keys reordered', Buffer.from('{"data": {"a": "é", "z": 1}, "type":"user.created","timestamp":"2026-01-01T00:00:00Z"}')],
    ['one byte more', Buffer.concat([BODY, Buffer.from(' ')])],
    ['empty', Buffer.alloc(0)],
  ])('refuses a body that is not the signed bytes: %s', (_name, body) => {
    expect(verify([KEY], headersFor(), body, NOW)).toEqual({ ok: false, reason: 'no signature in webhook-signature matches the secret' });
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['no webhook-id', { 'webhook-id': undefined }, /missing header\(s\): webhook-id$/],
    ['no headers at all', { 'webhook-id': undefined, 'webhook-timestamp': undefined, 'webhook-signature': undefined }, /webhook-id, webhook-timestamp, webhook-signature/],
    ['a timestamp that is not a number', { 'webhook-timestamp': 'yesterday' }, /whole seconds/],
    ['a timestamp in milliseconds', { 'webhook-timestamp': String(NOW * 1000) }, /whole seconds|future/],
    ['a signature without version', { 'webhook-signature': 'abc' }, /no v1 signature/],
  ])('refuses %s with a reason', (_name, overrides, reason) => {
    const result = verify([KEY], headersFor(overrides), BODY, NOW);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it.each<[string, number, boolean, RegExp | undefined]>([
    ['at the edge in the past', NOW - 300, true, undefined],
    ['just older than the tolerance', NOW - 301, false, /older than the 300 s tolerance/],
    ['at the edge in the future', NOW + 300, true, undefined],
    ['just further in the future', NOW + 301, false, /more than 300 s in the future/],
  ])('checks the timestamp against the tolerance: %s', (_name, timestamp, ok, reason) => {
    const headers = signedHeaders([KEY], 'msg_4', timestamp, BODY);
    const result = verify([KEY], headers, BODY, NOW, 300);
    expect(result.ok).toBe(ok);
    if (reason) expect(!result.ok && result.reason).toMatch(reason);
  });

  it('refuses a secret with no key', () => {
    expect(() => secretKey('whsec_')).toThrow(/non-empty/);
  });
});
