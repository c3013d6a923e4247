import { describe, expect, it } from '@jest/globals';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { K8sObject } from '../types.js';
import { buildKustomization, validateManifestFiles, validateManifests } from './index.js';

const DEPLOY = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../deploy/k8s');
const SERVICES: Record<string, number> = { discovery: 3101, hub: 3102, 'agent-adapter': 3103, 'webhook-gateway': 3000, 'pipeline-worker': 3105 };

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e) ? [p] : [];
  });
}
type Container = { name: string; image: string; env?: Array<{ name: string; value?: string; valueFrom?: unknown }>; livenessProbe?: { httpGet?: { path: string } }; readinessProbe?: { httpGet?: { path: string } }; ports?: Array<{ containerPort: number }> };
const containers = (o: K8sObject): Container[] => (o['spec'] as { template: { spec: { containers: Container[] } } }).template.spec.containers;

describe('deploy/k8s', () => {
  it('has manifests', () => {
    expect(yamlFiles(DEPLOY).length).toBeGreaterThan(10);
  });

  it('every YAML file is valid (kustomization.yaml: its resources exist)', () => {
    const result = validateManifestFiles([DEPLOY]);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    const manifests = yamlFiles(DEPLOY).filter((f) => !f.endsWith('kustomization.yaml'));
    expect(result.files.map((f) => relative(DEPLOY, f)).sort()).toEqual(manifests.map((f) => relative(DEPLOY, f)).sort());
  });

  it.each([['base'], ['overlays/production']])('%s renders to a valid set', (dir) => {
    const build = buildKustomization(join(DEPLOY, dir));
    expect(build.issues).toEqual([]);
    expect(validateManifests(build.objects).errors).toEqual([]);
    for (const o of build.objects) if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('autoweave');
  });

  it('each service: Deployment with health probes and its port, Service, secrets only by secretKeyRef', () => {
    const { objects } = buildKustomization(join(DEPLOY, 'base'));
    for (const [name, port] of Object.entries(SERVICES)) {
      const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
      expect(dep).toBeDefined();
      const [c] = containers(dep!);
      expect(c!.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(c!.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(c!.ports?.[0]?.containerPort).toBe(port);
      expect(objects.some((o) => o.kind === 'Service' && o.metadata.name === name)).toBe(true);
      for (const e of c!.env ?? []) if (/SECRET|API_KEY|PASS|TOKEN/.test(e.name)) expect(e).toEqual({ name: e.name, valueFrom: { secretKeyRef: expect.any(Object) } });
    }
    const env = (n: string): string[] => (containers(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === n)!)[0]!.env ?? []).map((e) => e.name);
    expect(env('hub')).toContain('AUTOWEAVE_SECRET_KEY');
    expect(env('webhook-gateway')).toContain('AUTOWEAVE_ADMIN_API_KEY');
    const nats = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats');
    expect((nats!['spec'] as { replicas: number }).replicas).toBe(3);
  });

  it('production: replicas up, images pinned, HPAs and PDBs', () => {
    const { objects } = buildKustomization(join(DEPLOY, 'overlays/production'));
    for (const name of Object.keys(SERVICES)) {
      const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
      expect((dep['spec'] as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
      expect(containers(dep)[0]!.image).toMatch(/^autoweave\/[a-z-]+:\d+\.\d+\.\d+$/);
      expect(objects.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === name)).toBe(true);
    }
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').length).toBeGreaterThanOrEqual(2);
  });
});
