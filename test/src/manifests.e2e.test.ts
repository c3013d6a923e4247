import { describe, expect, it } from '@jest/globals';
import { AGENT, type Envelope, type IntegrationView, type ManifestsResult } from '@autoweave/contracts';
import { waitFor } from '@autoweave/testing';
import { useBackend } from './support/backend.js';

const spec = {
  openapi: '3.0.3',
  info: { title: 'Orders', version: '2.1.0' },
  servers: [{ url: 'http://orders.internal:8081/v1' }],
  components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
  security: [{ token: [] }],
  paths: {
    '/orders': { get: { operationId: 'listOrders', responses: { 200: { description: 'ok' } } } },
    '/orders/{id}': { get: { operationId: 'getOrder', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } },
    '/health': { get: { operationId: 'health', security: [], responses: { 200: { description: 'ok' } } } },
  },
};

describe('manifests end to end: an OpenAPI integration gets validated Kubernetes manifests', () => {
  const backend = useBackend();

  const ask = async <T>(payload: unknown): Promise<Envelope<T>> =>
    JSON.parse(new TextDecoder().decode((await backend.nc.request(AGENT.generateManifests, JSON.stringify(payload), { timeout: 10_000 })).data)) as Envelope<T>;

  it('generates and stores manifests when an OpenAPI integration is registered', async () => {
    const registered = await backend.api.call<IntegrationView>('POST', '/api/integration/register', {
      name: 'Orders API',
      type: 'openapi',
      config: { openAPISpec: spec },
      metadata: { image: 'registry.example.com/orders:2.1.0', deploy: { ingress: { host: 'orders.example.com' } } },
    });
    expect(registered.status).toBe(201);
    const yaml = await waitFor(async () => {
      const res = await fetch(`${backend.stack.gatewayUrl}/api/integration/${registered.body.id}/manifests`, { headers: { authorization: `Bearer ${backend.stack.adminKey}` } });
      return res.status === 200 ? { type: res.headers.get('content-type'), text: await res.text() } : undefined;
    }, { timeoutMs: 20_000, what: 'manifests to be stored' });
    expect(yaml.type).toMatch(/yaml/);
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Ingress']) {
      expect(yaml.text).toContain(`kind: ${kind}`);
    }
    expect(yaml.text).toContain('registry.example.com/orders:2.1.0');
    expect(yaml.text).toContain('host: orders.example.com');
    const json = await backend.api.call<ManifestsResult>('GET', `/api/integration/${registered.body.id}/manifests?format=json`);
    expect(json.body.validation).toMatchObject({ valid: true, errors: [] });
    expect(Object.keys(json.body.files)).toContain('kustomization.yaml');

    // A new spec (integration.openapi.updated) regenerates them: the Ingress gains the new path.
    const current = (await backend.api.call<IntegrationView>('GET', `/api/integration/${registered.body.id}`)).body;
    const newSpec = { ...spec, paths: { ...spec.paths, '/invoices': { get: { operationId: 'listInvoices', responses: { 200: { description: 'ok' } } } } } };
    expect((await backend.api.call('PUT', `/api/integration/${registered.body.id}`, { revision: current.revision, config: { ...current.config, openAPISpec: newSpec } })).status).toBe(200);
    await waitFor(async () => {
      const res = await fetch(`${backend.stack.gatewayUrl}/api/integration/${registered.body.id}/manifests`, { headers: { authorization: `Bearer ${backend.stack.adminKey}` } });
      return (await res.text()).includes('/v1/invoices');
    }, { timeoutMs: 20_000, what: 'manifests regenerated with the new path' });
  });

  it('answers agent.manifests.generate for an inline spec, deterministically', async () => {
    const a = await ask<ManifestsResult>({ name: 'Inline', openAPISpec: spec, deploy: { image: 'example/inline:1.0.0' } });
    const b = await ask<ManifestsResult>({ name: 'Inline', openAPISpec: spec, deploy: { image: 'example/inline:1.0.0' } });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(a.data.yaml).toBe(b.data.yaml);
  });

  it('refuses a deploy config that would make invalid manifests with VALIDATION naming the field', async () => {
    const reply = await ask({ name: 'Broken', openAPISpec: spec, deploy: { image: 'example/x:latest' } });
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('VALIDATION');
      expect(reply.error.message).toContain('image');
    }
  });

  it('answers 404 for an integration without manifests', async () => {
    const res = await backend.api.call('GET', '/api/integration/6f1c7c1e-2f44-4d7e-9b8a-3c3e1f0a9b11/manifests');
    expect(res.status).toBe(404);
  });
});
