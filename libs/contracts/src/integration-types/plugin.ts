import { IsIn, IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateIf } from 'class-validator';
import { EVENT_PATTERN } from './webhook.js';
import type { IntegrationTypeSpec } from './spec.js';

export const PLUGIN_SOURCES = ['npm', 'local', 'url'] as const;

/** Third-party code run in its own process by the hub's plugin host. */
export class PluginConfigDto {
  @IsIn(PLUGIN_SOURCES)
  source!: (typeof PLUGIN_SOURCES)[number];

  @IsString() @MaxLength(214) @Matches(/^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/, { message: 'name must be a valid npm package name' })
  name!: string;

  /** npm: an exact version (ranges would make installs unreproducible). */
  @ValidateIf((c: PluginConfigDto) => c.source === 'npm' || c.version !== undefined)
  @Matches(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, { message: 'version must be an exact semver version such as 1.2.3' })
  version?: string;

  @ValidateIf((c: PluginConfigDto) => c.source === 'local' || c.path !== undefined)
  @IsString({ message: 'path is required for a local plugin' }) @MaxLength(1000)
  path?: string;

  @ValidateIf((c: PluginConfigDto) => c.source === 'url' || c.url !== undefined)
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true }, { message: 'url must be an http(s) URL of a tarball' })
  url?: string;

  @ValidateIf((c: PluginConfigDto) => c.source === 'url' || c.integrity !== undefined)
  @Matches(/^sha512-[A-Za-z0-9+/]+={0,2}$/, { message: 'integrity must be a sha512 SRI hash (sha512-...)' })
  integrity?: string;

  @IsOptional() @IsObject()
  pluginConfig?: Record<string, unknown>;

  /** Credentials the plugin needs, by name: sealed at rest, masked on every read, given to initialize({secrets}). */
  @IsOptional() @IsObject()
  secrets?: Record<string, string>;

  @IsOptional() @Matches(EVENT_PATTERN, { each: true, message: 'each of subscriptions must be a topic pattern' })
  subscriptions?: string[];
}

export const pluginIntegration: IntegrationTypeSpec<PluginConfigDto> = {
  type: 'plugin',
  description: 'A plugin package (npm, local folder or tarball URL) run isolated from the hub',
  configDto: PluginConfigDto,
  secretFields: ['secrets.*'],
};
