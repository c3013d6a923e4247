import { describe, expect, it } from '@jest/globals';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { K8sObject } from '../types.js';
import { checkNatsConfig, SAMPLE_AUTH_CONF } from './__fixtures__/nats-config-check.js';
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

/** The Secret with one NKey seed per service (key = the service's bus user = its Deployment's name). */
const BUS_KEYS = 'autoweave-bus-keys';
/** The Secret with the nats-server authorization block (key auth.conf). */
const NATS_AUTH = 'nats-auth';

/**
 * Every place an object takes something from the Secret `secret`: the key for an env secretKeyRef,
 * '*' for a whole-Secret reference (envFrom, a volume), which would hand over every key in it.
 */
function secretReferences(node: unknown, secret: string): string[] {
  if (Array.isArray(node)) return node.flatMap((n) => secretReferences(n, secret));
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  const own: string[] = [];
  const keyRef = o['secretKeyRef'] as { name?: string; key?: string } | undefined;
  if (keyRef?.name === secret) own.push(keyRef.key ?? '');
  if ((o['secretRef'] as { name?: string } | undefined)?.name === secret) own.push('*');
  const volume = o['secret'] as { secretName?: string; name?: string } | undefined;
  if (volume?.secretName === secret || volume?.name === secret) own.push('*');
  return [...own, ...Object.values(o).flatMap((v) => secretReferences(v, secret))];
}

type Volume = { name: string; configMap?: { name: string }; secret?: { secretName: string; items?: Array<{ key: string; path: string }> } };
type Mount = { name: string; mountPath: string; readOnly?: boolean; subPath?: string };
type PodSpec = { containers: Array<Container & { args?: string[]; volumeMounts?: Mount[] }>; volumes?: Volume[] };

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

  it.each([['base'], ['overlays/production']])('%s: each service is its own bus user (NATS_NKEY_SEED from its own key only)', (dir) => {
    const { objects } = buildKustomization(join(DEPLOY, dir));
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(Object.keys(SERVICES).sort());
    for (const dep of deployments) {
      const name = dep.metadata.name;
      const env = containers(dep)[0]!.env ?? [];
      expect(env.find((e) => e.name === 'NATS_NKEY_SEED')).toEqual({ name: 'NATS_NKEY_SEED', valueFrom: { secretKeyRef: { name: BUS_KEYS, key: name } } });
      // No second credential that would win over (or add to) the key, and no other service's key.
      expect(env.filter((e) => /^NATS_(NKEY_SEED_FILE|CREDS|USER|PASS|TOKEN)$/.test(e.name))).toEqual([]);
      expect(secretReferences(dep, BUS_KEYS)).toEqual([name]);
    }
    // Nothing else (NATS included) gets a service's seed; the admin and app keys are not in the cluster.
    for (const o of objects.filter((x) => x.kind !== 'Deployment')) expect({ object: `${o.kind}/${o.metadata.name}`, refs: secretReferences(o, BUS_KEYS) }).toEqual({ object: `${o.kind}/${o.metadata.name}`, refs: [] });
  });

  it('NATS: its config includes the bus users from the nats-auth Secret, mounted read-only where the include points', () => {
    const { objects } = buildKustomization(join(DEPLOY, 'base'));
    const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats')!;
    const pod = (sts['spec'] as { template: { spec: PodSpec } }).template.spec;
    const nats = pod.containers.find((c) => c.name === 'nats')!;
    const configPath = nats.args![nats.args!.indexOf('--config') + 1]!;
    const mountOf = (volume: Volume | undefined): Mount | undefined => nats.volumeMounts?.find((m) => m.name === volume?.name);

    // The ConfigMap holding the config file is mounted at the file's folder.
    const configVolume = pod.volumes?.find((v) => v.configMap);
    expect(mountOf(configVolume)?.mountPath).toBe(posix.dirname(configPath));
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configVolume!.configMap!.name)!;
    const config = (configMap['data'] as Record<string, string>)[posix.basename(configPath)]!;
    expect(config).toBeDefined();

    // The Secret's auth.conf, as a whole volume (an updated Secret reaches the pod; subPath would not).
    const authVolume = pod.volumes?.find((v) => v.secret?.secretName === NATS_AUTH);
    expect(authVolume).toBeDefined();
    const authMount = mountOf(authVolume)!;
    expect(authMount).toEqual({ name: authVolume!.name, mountPath: expect.any(String), readOnly: true });
    const item = authVolume!.secret!.items?.find((i) => i.key === 'auth.conf');
    if (authVolume!.secret!.items) expect(item).toBeDefined();
    const authFile = posix.join(authMount.mountPath, item?.path ?? 'auth.conf');

    // nats-server resolves include from the including file's folder: it must land on the mounted file.
    const includes = [...config.matchAll(/^\s*include\s+"?([^"\s]+)"?/gm)].map((m) => posix.resolve(posix.dirname(configPath), m[1]!));
    expect(includes).toEqual([authFile]);
    expect(config).not.toMatch(/no_auth_user/);
    // The monitor port (probes, scrapes) stays open without credentials.
    expect(config).toMatch(/^\s*http_port:\s*8222\s*$/m);

    // The real nats-server loads it with the mounts in place, and refuses to start without auth.conf.
    const env = { SERVER_NAME: 'nats-0' };
    const loaded = checkNatsConfig({ [configPath]: config, [authFile]: SAMPLE_AUTH_CONF }, configPath, env);
    expect(loaded).toEqual({ ok: true, output: expect.stringContaining('valid') });
    const withoutAuth = checkNatsConfig({ [configPath]: config }, configPath, env);
    expect(withoutAuth.ok).toBe(false);
    expect(withoutAuth.output).toContain('auth.conf');
  });

  it('NATS: only nats pods reach the cluster route port; clients and the monitor port stay reachable', () => {
    const { objects } = buildKustomization(join(DEPLOY, 'base'));
    type Rule = { from?: Array<{ podSelector?: { matchLabels?: Record<string, string> } }>; ports?: Array<{ port: number }> };
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && (o['spec'] as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels['app.kubernetes.io/name'] === 'nats');
    expect(policy).toBeDefined();
    const rules = (policy!['spec'] as { ingress: Rule[] }).ingress;
    const rulesFor = (port: number) => rules.filter((r) => r.ports?.some((p) => p.port === port));
    expect(rulesFor(6222).map((r) => r.from)).toEqual([[{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } } }]]);
    for (const port of [4222, 8222]) expect(rulesFor(port).some((r) => r.from === undefined)).toBe(true);
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
