import { AppError } from '@autoweave/contracts';
import type { ParsedApi } from './types.js';

/**
 * The base URL of server `index` (default the first): each `{variable}` replaced by the value given
 * in `variables`, else the variable's default; a value outside the variable's `enum` is VALIDATION,
 * and so is a `{variable}` that has neither. A relative URL ("/v1", "v1") is resolved against
 * `api.sourceUrl` when the document came from a URL (as the specification says), and returned as it
 * is otherwise. A trailing "/" is removed, so that `base + operation.path` is the request URL.
 * Undefined when there is no such server.
 */
export function resolveServerUrl(api: ParsedApi, index = 0, variables?: Record<string, string>): string | undefined {
  const server = api.servers[index];
  if (server === undefined) return undefined;
  const problems: Array<{ message: string; location: string }> = [];
  const substituted = server.url.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const definition = Object.hasOwn(server.variables, name) ? server.variables[name] : undefined;
    const given = variables !== undefined && Object.hasOwn(variables, name) ? variables[name] : undefined;
    const value = given ?? definition?.default;
    const location = `/servers/${index}/variables/${name}`;
    if (value === undefined) {
      problems.push({ message: `server variable "${name}" of ${server.url} has no value and no default`, location });
      return whole;
    }
    if (definition?.enum && definition.enum.length > 0 && !definition.enum.includes(value)) {
      problems.push({
        message: `server variable "${name}" must be one of ${definition.enum.map((e) => `"${e}"`).join(', ')}, not "${value}"`,
        location,
      });
      return whole;
    }
    return value;
  });
  if (problems.length > 0) {
    throw new AppError('VALIDATION', problems.map((p) => p.message).join('; '), { location: problems[0]!.location, problems });
  }
  let url = substituted;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && api.sourceUrl !== undefined) {
    url = new URL(url, api.sourceUrl).href;
  }
  return url.length > 1 && url.endsWith('/') ? url.replace(/\/+$/, '') : url;
}
