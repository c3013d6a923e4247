/**
 * The messages between the hub (host) and a plugin process (plugin-runner.mjs)
 * over the child-process IPC channel, JSON-serialised. The runner is plain
 * JavaScript and mirrors these shapes; a change here is a change there.
 *
 * Host -> plugin: start once, then calls, events, pings, replies to the
 * plugin's own requests, and destroy last. Plugin -> host: the outcome of
 * start, call results, event acknowledgements, pongs, logs, and requests
 * (publish/subscribe/unsubscribe) the host answers with `reply`.
 */

export interface ErrorInfo {
  message: string;
  name?: string;
  code?: string;
}

export type HostMessage =
  | {
      t: 'start';
      /** Absolute path of the module to import. */
      entry: string;
      /** `pluginConfig` of the integration, given to initialize({config}). */
      config: Record<string, unknown>;
      /** `secrets` of the integration, in clear (given to initialize({secrets}); never logged). */
      secrets: Record<string, unknown>;
      /** The integration name (for the plugin's own logs). */
      name: string;
      /** `plugins.<token>`: the topic prefix the plugin may publish under. */
      namespace: string;
    }
  | { t: 'call'; id: number; data: unknown }
  | { t: 'event'; sub: string; topic: string; data: unknown }
  | { t: 'ping'; n: number }
  | { t: 'reply'; id: number; ok: true; value?: unknown }
  | { t: 'reply'; id: number; ok: false; error: ErrorInfo }
  | { t: 'destroy' };

export type PluginMessage =
  | { t: 'started' }
  | { t: 'start-failed'; error: ErrorInfo }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: ErrorInfo }
  | { t: 'event-done' }
  | { t: 'pong'; n: number }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }
  | { t: 'publish'; id: number; topic: string; data: unknown }
  | { t: 'subscribe'; id: number; pattern: string }
  | { t: 'unsubscribe'; id: number; sub: string }
  | { t: 'destroyed'; error?: ErrorInfo };

export function isPluginMessage(value: unknown): value is PluginMessage {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}
