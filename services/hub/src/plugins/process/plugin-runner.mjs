// @ts-check
/**
 * The program of every plugin process. The hub's plugin host forks it with
 * Node's permission model on (it may read its own file and the plugin's
 * install folder, nothing else; no writes, no child processes, no workers)
 * and a heap cap. It loads the plugin package's main export, a class with
 * initialize({eventBus, logger, config, secrets}), processData(data) and destroy(),
 * and speaks the protocol of ipc-protocol.ts with the host: plain JavaScript,
 * node built-ins only, so it runs as it is from src/ and in the image.
 */
import { pathToFileURL } from 'node:url';

/** @type {any} */
let plugin;
/** Requests this process made to the host, by id. */
const pending = new Map();
/** Event handlers by the host's subscription id. */
const handlers = new Map();
let nextId = 1;

/** @param {Record<string, unknown>} message @param {() => void} [done] */
function send(message, done) {
  if (!process.connected || !process.send) return;
  try {
    process.send(message, undefined, {}, done);
  } catch {
    // The channel closed under us: the host is going away, and so will we.
  }
}

/** @param {unknown} err */
function errorInfo(err) {
  const e = /** @type {{message?: unknown, name?: unknown, code?: unknown}} */ (err ?? {});
  return {
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.name === 'string' ? { name: e.name } : {}),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
  };
}

/** A request to the host, answered by a `reply` message. @param {string} t @param {Record<string, unknown>} body */
function request(t, body) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    send({ t, id, ...body });
  });
}

/** Values cross the channel as JSON: undefined becomes null, a value JSON cannot hold is an error. @param {unknown} value */
function jsonValue(value) {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('the value cannot be represented as JSON');
  return JSON.parse(text);
}

/** @param {string} level */
function logAt(level) {
  /** Accepts (message), (message, fields) and pino's (fields, message). @param {unknown} a @param {unknown} [b] */
  return (a, b) => {
    const fieldsFirst = typeof a === 'object' && a !== null;
    const msg = String(fieldsFirst ? (b ?? '') : a);
    const fields = fieldsFirst ? a : typeof b === 'object' && b !== null ? b : undefined;
    let safe;
    try {
      safe = fields === undefined ? undefined : jsonValue(fields);
    } catch {
      safe = undefined;
    }
    send({ t: 'log', level, msg, ...(safe ? { fields: safe } : {}) });
  };
}

const logger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') };

/** @param {string} namespace */
function eventBus(namespace) {
  return {
    /** Topics this plugin may publish under: `${namespace}.<anything>`. */
    namespace,
    /** Publishes an event (to `events.<topic>`); refused unless the topic is under the namespace. @param {string} topic @param {unknown} data */
    async publish(topic, data) {
      await request('publish', { topic, data: jsonValue(data) });
    },
    /**
     * Receives events whose topic matches `pattern` (which the plugin must
     * have declared in its subscriptions); resolves to an unsubscribe function.
     * @param {string} pattern @param {(data: unknown, meta: {topic: string}) => unknown} handler
     */
    async subscribe(pattern, handler) {
      if (typeof handler !== 'function') throw new TypeError('subscribe(pattern, handler): handler must be a function');
      const { sub } = /** @type {{sub: string}} */ (await request('subscribe', { pattern }));
      handlers.set(sub, handler);
      return async () => {
        handlers.delete(sub);
        await request('unsubscribe', { sub });
      };
    },
  };
}

/** The main export: a class (instantiated), or an object with processData. @param {any} mod */
function instantiate(mod) {
  const candidates = [mod.default, mod.default?.default, mod.Plugin, mod.default?.Plugin];
  for (const candidate of candidates) {
    if (typeof candidate === 'function') return new candidate();
    if (candidate && typeof candidate === 'object' && typeof candidate.processData === 'function') return candidate;
  }
  throw new TypeError('the package main export is not a plugin (a class with processData(data), or an object with it)');
}

/** @param {{entry: string, config: Record<string, unknown>, secrets: Record<string, unknown>, namespace: string}} message */
async function start(message) {
  try {
    const mod = await import(pathToFileURL(message.entry).href);
    plugin = instantiate(mod);
    if (typeof plugin.processData !== 'function') throw new TypeError('the plugin has no processData(data) method');
    if (typeof plugin.initialize === 'function') {
      await plugin.initialize({ eventBus: eventBus(message.namespace), logger, config: message.config ?? {}, secrets: message.secrets ?? {} });
    }
    send({ t: 'started' });
  } catch (err) {
    send({ t: 'start-failed', error: errorInfo(err) });
  }
}

/** @param {number} id @param {unknown} data */
async function call(id, data) {
  try {
    const value = jsonValue(await plugin.processData(data));
    send({ t: 'result', id, ok: true, value });
  } catch (err) {
    send({ t: 'result', id, ok: false, error: errorInfo(err) });
  }
}

/** @param {string} sub @param {string} topic @param {unknown} data */
async function deliver(sub, topic, data) {
  const handler = handlers.get(sub);
  try {
    if (handler) await handler(data, { topic });
  } catch (err) {
    logger.error({ topic, error: errorInfo(err).message }, 'event handler failed');
  } finally {
    send({ t: 'event-done' });
  }
}

async function destroy() {
  let error;
  try {
    if (plugin && typeof plugin.destroy === 'function') await plugin.destroy();
  } catch (err) {
    error = errorInfo(err);
  }
  send({ t: 'destroyed', ...(error ? { error } : {}) }, () => process.exit(0));
}

process.on('message', (raw) => {
  const message = /** @type {any} */ (raw);
  switch (message?.t) {
    case 'start':
      void start(message);
      break;
    case 'call':
      void call(message.id, message.data);
      break;
    case 'event':
      void deliver(message.sub, message.topic, message.data);
      break;
    case 'ping':
      send({ t: 'pong', n: message.n });
      break;
    case 'reply': {
      const waiter = pending.get(message.id);
      if (!waiter) break;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(Object.assign(new Error(message.error?.message ?? 'refused'), { code: message.error?.code }));
      break;
    }
    case 'destroy':
      void destroy();
      break;
    default:
      break;
  }
});

// The hub went away (or closed the channel): nothing is left to serve.
process.on('disconnect', () => process.exit(0));

// A throw nobody catches is a crash: the host sees the exit and restarts the plugin with backoff.
process.on('uncaughtException', (err) => {
  send({ t: 'log', level: 'error', msg: `uncaught exception: ${errorInfo(err).message}` }, () => process.exit(70));
  setTimeout(() => process.exit(70), 200).unref();
});

// A rejected promise nobody handles is reported, not fatal (a refused publish left un-awaited, say).
process.on('unhandledRejection', (reason) => {
  logger.error({ error: errorInfo(reason).message }, 'unhandled promise rejection in the plugin');
});
