import { describe, expect, it } from '@jest/globals';
import { loadOpenApi } from '@autoweave/openapi';
import { generateManifests, validateManifests, validateYamlDocuments, toMultiDocYaml, type DeployConfig } from './index.js';
import { manyPaths, manySchemes, noServers, petstore, serverVariables } from './generate/__fixtures__/specs.js';

const RUNTIME = 'ghcr.io/autoweave/integration-runtime:0.1.0';

/** What the agent adapter does: generate, then validate. Every generated set must pass the validator. */
describe('k8s - generated manifests pass the offline validator', () => {
  it.each<[string, Record<string, unknown>, DeployConfig]>([
    ['petstore with defaults (runtime image)', petstore, {}],
    ['no servers, own image', noServers, { image: 'registry.example.com/a:1.2.3' }],
    ['server variables, ingress with TLS', serverVariables, { image: 'example/b:2.0.0', ingress: { host: 'b.example.com', tls: true, className: 'nginx' } }],
    ['several security schemes, autoscaling, metrics', manySchemes, { image: 'example/c:3.0.0', autoscaling: { min: 2, max: 8, cpu: 60 }, metricsPort: 9464 }],
    ['hundreds of paths, Argo CD', manyPaths(80), { image: 'example/d:4.0.0', argocd: { repoURL: 'https://git.example.com/ops.git', path: 'apps/d' } }],
  ])('%s', async (_case, spec, deploy) => {
    const api = await loadOpenApi({ spec });
    const set = generateManifests({ name: `Shape ${_case}`, api, spec, deploy, runtimeImage: RUNTIME });
    const result = validateManifests(set.objects);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    // And the YAML a user downloads parses back to the same, valid objects.
    expect(validateYamlDocuments(toMultiDocYaml(set.objects)).errors).toEqual([]);
  });
});
