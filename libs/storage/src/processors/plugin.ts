import {
  AppError,
  INTEGRATION_ADMIN,
  INTEGRATION_REQUEST,
  PLUGIN_ACTION,
  type ExecuteRequestDto,
  type ExecuteResult,
  type IntegrationList,
} from '@autoweave/contracts';
import type { Bus } from '@autoweave/messaging';
import type { ConfigSchema, Item, ProcessorDefinition, ProcessorResult } from '../types.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Added to the call's own timeout for the bus request: the hub answers TIMEOUT itself first. */
const BUS_MARGIN_MS = 5_000;

const pluginConfigSchema: ConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    /** The plugin integration's name. */
    name: { type: 'string', minLength: 1, maxLength: 100 },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 300_000 },
  },
};

/**
 * `{type: 'plugin', name}`: each item goes through a plugin integration's
 * processData, run by the hub in the plugin's own process
 * (`integration.request.execute`, action processData, the item as params).
 * The plugin returns the item (changed or not), an array of items, or null to
 * drop it; a plugin error sends the item to the dead-letter stream.
 */
export const pluginProcessor: Omit<ProcessorDefinition, 'type'> = {
  description: "Run each item through a plugin integration's processData (in the plugin's own process, through the hub)",
  configSchema: pluginConfigSchema,
  async create(config, context) {
    const name = config.name as string;
    const timeoutMs = (config.timeoutMs as number | undefined) ?? DEFAULT_TIMEOUT_MS;
    const bus = context.bus;
    if (!bus) throw new AppError('UNAVAILABLE', 'the plugin processor needs the NATS bus (StorageContext.bus)');
    const integrationId = await pluginIdByName(bus, name);
    return async (item) => {
      const request: ExecuteRequestDto = { integrationId, action: PLUGIN_ACTION, params: item, timeoutMs };
      const reply = await bus.request<ExecuteResult>(INTEGRATION_REQUEST.execute, request, { timeout: timeoutMs + BUS_MARGIN_MS });
      if (!reply.ok) throw AppError.fromBody(reply.error);
      return resultOf(name, reply.data.body);
    };
  },
};

/** The id of the plugin integration with this name (names are unique, case-insensitively). */
async function pluginIdByName(bus: Bus, name: string): Promise<string> {
  const reply = await bus.request<IntegrationList>(INTEGRATION_ADMIN.list, { type: 'plugin' });
  if (!reply.ok) throw AppError.fromBody(reply.error);
  const found = reply.data.items.find((i) => i.name.toLowerCase() === name.trim().toLowerCase());
  if (!found) throw new AppError('NOT_FOUND', `no plugin integration named "${name}"`, { field: 'config.name' });
  return found.id;
}

function resultOf(name: string, body: unknown): ProcessorResult {
  if (body === null || body === undefined) return null;
  if (isItem(body)) return body;
  if (Array.isArray(body) && body.every(isItem)) return body;
  throw new AppError('UPSTREAM', `plugin ${name} returned ${Array.isArray(body) ? 'an array that is not all objects' : typeof body}; a processor plugin returns an object, an array of objects, or null`);
}

function isItem(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
