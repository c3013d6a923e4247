// Golden YAML: the full file set of a few inputs, compared byte for byte.
// Regenerate after an intended change with
//   cd libs/k8s && UPDATE_GOLDEN=1 pnpm test -- src/generate/golden
// and review the diff of src/generate/__golden__/ before keeping it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { loadOpenApi } from '@autoweave/openapi';
import type { DeployConfig } from '../types.js';
import { manySchemes, noServers, petstore } from './__fixtures__/specs.js';
import { generateManifests } from './index.js';

const GOLDEN_DIR = fileURLToPath(new URL('./__golden__/', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const cases: Array<{ file: string; name: string; integrationId?: string; spec: unknown; deploy: DeployConfig }> = [
  {
    file: 'petstore.yaml',
    name: 'Petstore',
    integrationId: 'petstore',
    spec: petstore,
    deploy: {
      namespace: 'integrations',
      ingress: { host: 'pets.example.com', tls: true, className: 'nginx' },
      env: { LOG_LEVEL: 'info', FEATURE_X: 'on' },
      labels: { team: 'pets' },
      argocd: { repoURL: 'https://git.example.com/deploy.git', path: 'integrations/petstore', targetRevision: 'main' },
    },
  },
  {
    file: 'tenant-items.yaml',
    name: 'tenant-items',
    spec: noServers,
    deploy: { image: 'ghcr.io/acme/tenant-items:0.3.1', replicas: 1 },
  },
  {
    file: 'crm.yaml',
    name: 'CRM (many schemes)',
    integrationId: 'crm-7f3a',
    spec: manySchemes,
    deploy: {
      metricsPort: 9100,
      port: 8080,
      autoscaling: { min: 3, max: 12, cpu: 60 },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      ingress: { host: 'crm.example.com', tls: { secretName: 'crm-tls' } },
      networkPolicy: { platformNamespace: 'autoweave-system' },
    },
  },
];

describe('golden manifests', () => {
  it.each(cases)('$file', async (c) => {
    const api = await loadOpenApi({ spec: structuredClone(c.spec) });
    const set = generateManifests({
      name: c.name,
      ...(c.integrationId !== undefined ? { integrationId: c.integrationId } : {}),
      api,
      spec: c.spec,
      deploy: c.deploy,
      runtimeImage: 'ghcr.io/autoweave/integration-runtime:1.4.0',
    });
    const text = Object.entries(set.files)
      .map(([file, yaml]) => `---\n# file: ${file}\n${yaml}`)
      .join('');
    const path = `${GOLDEN_DIR}${c.file}`;
    if (UPDATE || !existsSync(path)) {
      if (!UPDATE) throw new Error(`golden file ${c.file} is missing: run with UPDATE_GOLDEN=1 to write it`);
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(path, text);
    }
    expect(text).toBe(readFileSync(path, 'utf8'));
  });
});
