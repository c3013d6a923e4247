import { AppError, PLUGIN_ACTION, subjectFor, unwrap, type ExecuteRequestDto } from '@autoweave/contracts';
import type { Bus } from '@autoweave/messaging';
import type { StoredIntegration } from '../../registry/integration-record.js';
import type { PluginHost } from './plugin-host.js';

/** What an execute of a plugin answers: the shape of an upstream response, so every execute reply looks the same. */
export interface PluginCallResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  bytes: number;
}

export interface PluginCallsDeps {
  host: PluginHost;
  bus: Bus;
  defaultTimeoutMs: number;
}

/**
 * `integration.request.execute` on a plugin integration: the one action,
 * `processData`, runs the plugin on `params`. The replica that took the
 * request calls the plugin itself when it runs it, and otherwise asks the
 * replica that does on `plugin.call.<id>` (the lease holder subscribes it).
 */
export class PluginCalls {
  constructor(private readonly deps: PluginCallsDeps) {}

  async execute(stored: StoredIntegration, dto: ExecuteRequestDto): Promise<PluginCallResult> {
    const { record } = stored;
    if (dto.action !== PLUGIN_ACTION) {
      throw new AppError('NOT_FOUND', `plugin integrations have one action, "${PLUGIN_ACTION}"; got "${dto.action}"`, { field: 'action' });
    }
    if (record.status !== 'active') throw new AppError('UNAVAILABLE', `plugin ${record.name} is ${record.status}`, { id: record.id });
    const data = dto.params ?? {};
    const timeoutMs = dto.timeoutMs ?? this.deps.defaultTimeoutMs;
    const local = this.deps.host.local(record.id);
    const body = local ? await local.call(data, timeoutMs) : await this.remote(record.id, record.name, data, timeoutMs);
    return { status: 200, headers: {}, body, bytes: 0 };
  }

  private async remote(id: string, name: string, data: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const envelope = await this.deps.bus.request<unknown>(subjectFor.pluginCall(id), { data, timeoutMs }, { timeout: timeoutMs + 1000 });
    if (!envelope.ok && envelope.error.code === 'UNAVAILABLE' && /no service is answering/.test(envelope.error.message)) {
      throw new AppError('UNAVAILABLE', `plugin ${name} is not running on any hub replica (is AUTOWEAVE_PLUGINS_DIR set on the hub?)`, { id });
    }
    return unwrap(envelope);
  }
}
