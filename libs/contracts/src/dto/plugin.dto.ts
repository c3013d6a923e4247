import { ArrayMaxSize, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { INTEGRATION_NAME } from './integration.dto.js';

/**
 * `integration.admin.install` (`POST /api/integration/install`): install a
 * plugin package and register it as a plugin integration in one step. `config`
 * is a plugin config (source npm|url|local, name, version, ...); `name`
 * defaults to the package name.
 */
export class InstallPluginDto {
  @IsOptional() @IsString() @MaxLength(100)
  @Matches(INTEGRATION_NAME, { message: 'name must start with a letter or digit (after an optional npm scope such as @acme/) and contain only letters, digits, spaces, dots, dashes and underscores' })
  name?: string;

  /** Accepted so a register body can be sent as it is; an install is always a plugin. */
  @IsOptional() @IsIn(['plugin'], { message: 'type must be plugin (or left out)' })
  type?: 'plugin';

  @IsOptional() @IsString() @MaxLength(2000)
  description?: string;

  @IsObject()
  config!: Record<string, unknown>;

  @IsOptional() @ArrayMaxSize(50) @MaxLength(50, { each: true }) @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { each: true, message: 'each of tags must be letters, digits, dots, dashes, colons or underscores' })
  tags?: string[];

  @IsOptional() @IsObject()
  metadata?: Record<string, unknown>;
}

/** How long a caller should wait for an install reply by default (npm can be slow). */
export const DEFAULT_PLUGIN_INSTALL_TIMEOUT_MS = 120_000;

/** The one action a plugin integration has: `integration.request.execute` {action: 'processData', params}. */
export const PLUGIN_ACTION = 'processData';

/** Payload of a `plugin.call.<id>` request (from the replica that took the execute request to the one running the plugin). */
export class PluginCallDto {
  @IsObject()
  data!: Record<string, unknown>;

  @IsOptional() @IsInt() @Min(1) @Max(300_000)
  timeoutMs?: number;
}

export const PLUGIN_STATES = ['installing', 'starting', 'running', 'restarting', 'stopped', 'failed'] as const;
export type PluginState = (typeof PLUGIN_STATES)[number];

/** What the registry shows of a plugin's process (`IntegrationView.plugin`), written by the replica running it. */
export interface PluginRuntimeStatus {
  state: PluginState;
  /** The package version that process runs. */
  version?: string;
  /** The hub replica (instance id) that runs it. */
  replica?: string;
  /** Restarts since the replica running it started it (crashes, hangs, failed starts). */
  restarts: number;
  lastError?: string;
  since: string;
}

/**
 * The token of a plugin's topic namespace (`plugins.<token>.>`), from its
 * integration name: lower case, a leading npm scope's `@` dropped, every run
 * of characters other than letters, digits, `_` and `-` made one `-`.
 * `@acme/Slack Bot` -> `acme-slack-bot`. Two plugins may not share a token.
 */
export function pluginToken(name: string): string {
  const token = name.trim().toLowerCase().replace(/^@/, '').replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return token.length > 0 ? token : 'plugin';
}
