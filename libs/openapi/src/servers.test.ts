import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { resolveServerUrl, type ApiServer, type ParsedApi } from './index.js';

function api(servers: ApiServer[], sourceUrl?: string): ParsedApi {
  return {
    openapiVersion: '3.0',
    title: 't',
    version: '1',
    servers,
    securitySchemes: {},
    operations: [],
    ...(sourceUrl === undefined ? {} : { sourceUrl }),
  };
}

const templated: ApiServer = {
  url: 'https://{env}.example.com:{port}/{basePath}',
  variables: { env: { default: 'api', enum: ['api', 'staging'] }, port: { default: '443' }, basePath: { default: 'v1' } },
};

describe('resolveServerUrl', () => {
  it.each([
    ['defaults', [templated], undefined, 0, undefined, 'https://api.example.com:443/v1'],
    ['given values win over defaults', [templated], undefined, 0, { env: 'staging', basePath: 'v2' }, 'https://staging.example.com:443/v2'],
    ['unknown given variables are ignored', [templated], undefined, 0, { other: 'x' }, 'https://api.example.com:443/v1'],
    ['a trailing slash is removed', [{ url: 'https://api.example.com/', variables: {} }], undefined, 0, undefined, 'https://api.example.com'],
    ['the second server', [templated, { url: 'https://b.example.com/v2', variables: {} }], undefined, 1, undefined, 'https://b.example.com/v2'],
    ['a relative URL against the document URL', [{ url: '/v1', variables: {} }], 'http://svc:3000/docs/openapi.json', 0, undefined, 'http://svc:3000/v1'],
    ['a path-relative URL against the document URL', [{ url: 'v1', variables: {} }], 'http://svc:3000/docs/openapi.json', 0, undefined, 'http://svc:3000/docs/v1'],
    ['the default server "/" against the document URL', [{ url: '/', variables: {} }], 'http://svc:3000/openapi.json', 0, undefined, 'http://svc:3000'],
    ['a relative URL without a document URL stays relative', [{ url: '/v1', variables: {} }], undefined, 0, undefined, '/v1'],
    ['an absolute URL ignores the document URL', [{ url: 'https://x.example.com/v1', variables: {} }], 'http://svc:3000/openapi.json', 0, undefined, 'https://x.example.com/v1'],
    ['no such server', [templated], undefined, 5, undefined, undefined],
    ['no servers at all', [], undefined, 0, undefined, undefined],
  ])('%s', (_label, servers, sourceUrl, index, variables, expected) => {
    expect(resolveServerUrl(api(servers, sourceUrl), index, variables)).toBe(expected);
  });

  it.each([
    ['a value outside the enum', [templated], { env: 'prod' }, /server variable "env" must be one of "api", "staging", not "prod"/, '/servers/0/variables/env'],
    ['a variable with no definition and no value', [{ url: 'https://{tenant}.example.com', variables: {} }], undefined, /"tenant" .* has no value and no default/, '/servers/0/variables/tenant'],
  ])('throws VALIDATION for %s', (_label, servers, variables, reason, location) => {
    let error: unknown;
    try {
      resolveServerUrl(api(servers), 0, variables);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION');
    expect((error as AppError).message).toMatch(reason);
    expect((error as AppError).details).toMatchObject({ location });
  });

  it('takes a value for a variable the server does not define', () => {
    expect(resolveServerUrl(api([{ url: 'https://{tenant}.example.com', variables: {} }]), 0, { tenant: 'acme' })).toBe('https://acme.example.com');
  });
});
