import { AppError, type OpenApiConfigDto } from '@autoweave/contracts';
import { resolveServerUrl, type ParsedApi } from '@autoweave/openapi';

/** Where an integration's calls go: `config.baseUrl`, else the spec's first server with its variables. */
export function baseUrlOf(api: ParsedApi, config: Pick<OpenApiConfigDto, 'baseUrl' | 'serverVariables'>): string {
  const url = config.baseUrl ?? resolveServerUrl(api, 0, config.serverVariables);
  if (!url) throw new AppError('VALIDATION', 'the spec has no servers and config.baseUrl is not set: set config.baseUrl');
  return url;
}
