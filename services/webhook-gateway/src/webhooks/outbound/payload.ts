/**
 * The Standard Webhooks body of an event: `{"type": <topic>, "timestamp":
 * <ISO time of the event>, "data": <event data>}`. The data goes in as the
 * bytes stored in EVENTS: EventBus.publish stores JSON, so an object or array
 * is embedded as is, without parsing and serialising it again. Anything else
 * (a message put on `events.*` by another client) is checked; what is not JSON
 * is sent as a JSON string, so the body is always JSON.
 */
const CLOSE = Buffer.from('}');
const EMPTY = Buffer.from('null');

export function webhookBody(topic: string, timestampIso: string, data: Uint8Array): Buffer {
  const head = `{"type":${JSON.stringify(topic)},"timestamp":${JSON.stringify(timestampIso)},"data":`;
  const json = jsonData(data);
  // One allocation: the head, the data bytes and the closing brace written into it.
  const headBytes = Buffer.byteLength(head);
  const body = Buffer.allocUnsafe(headBytes + json.byteLength + 1);
  body.write(head, 0);
  body.set(json, headBytes);
  body[body.length - 1] = CLOSE[0]!;
  return body;
}

function jsonData(data: Uint8Array): Uint8Array {
  if (isJsonContainer(data)) return data;
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8').trim();
  if (text.length === 0) return EMPTY;
  try {
    JSON.parse(text);
    return Buffer.from(text);
  } catch {
    return Buffer.from(JSON.stringify(text));
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** First and last non-blank bytes are `{`/`}` or `[`/`]`: what encodeJson produces for objects and arrays. */
function isJsonContainer(data: Uint8Array): boolean {
  let start = 0;
  let end = data.byteLength - 1;
  while (start <= end && WHITESPACE.has(data[start]!)) start++;
  while (end >= start && WHITESPACE.has(data[end]!)) end--;
  if (end <= start) return false;
  return (data[start] === 0x7b && data[end] === 0x7d) || (data[start] === 0x5b && data[end] === 0x5d);
}

/** The time JetStream stored a message, as an ISO string. */
export function isoFromNanos(nanos: bigint): string {
  return isoFromMs(Number(nanos / 1_000_000n));
}

let lastMs = NaN;
let lastIso = '';
let otherMs = NaN;
let otherIso = '';

/**
 * A millisecond time as an ISO string. The last two answers are remembered: a
 * burst of events (or of attempts) shares its millisecond, and formatting a
 * Date per message was a visible part of a delivery's cost. Two, because a
 * delivery asks for its event's stored time and for now in turn, and one entry
 * would be replaced at every call.
 */
export function isoFromMs(ms: number): string {
  if (ms === lastMs) return lastIso;
  if (ms !== otherMs) {
    otherMs = ms;
    otherIso = new Date(ms).toISOString();
  }
  // The hit becomes the first entry, the previous first the second.
  const iso = otherIso;
  otherMs = lastMs;
  otherIso = lastIso;
  lastMs = ms;
  lastIso = iso;
  return iso;
}
