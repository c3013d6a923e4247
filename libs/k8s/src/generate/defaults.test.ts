import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import type { DeployConfig } from '../types.js';
import { checkImage, defaultDeployConfig, resolveDeployConfig } from './defaults.js';
import { parseResourceQuantity as parseQuantity } from './quantity.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('VALIDATION');
    const field = (e.details as { field: string }).field;
    expect(e.message).toContain(field);
    return field;
  }
  return undefined;
}

describe('resolveDeployConfig', () => {
  it('applies the defaults', () => {
    const r = resolveDeployConfig({});
    expect(r.namespace).toBe(defaultDeployConfig.namespace);
    expect(r.replicas).toBe(2);
    expect(r.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(r.autoscaling).toEqual({ min: 2, max: 5, cpu: 70 });
    expect(r.env).toEqual([]);
    expect(r.port).toBeUndefined();
    expect(resolveDeployConfig(undefined)).toEqual(r);
  });

  it('derives the HPA from replicas when autoscaling is absent', () => {
    expect(resolveDeployConfig({ replicas: 1 }).autoscaling).toEqual({ min: 1, max: 5, cpu: 70 });
    expect(resolveDeployConfig({ replicas: 8 }).autoscaling).toEqual({ min: 8, max: 8, cpu: 70 });
  });

  it('merges partial resources and sorts env', () => {
    const r = resolveDeployConfig({ resources: { limits: { memory: '1Gi' } }, env: { ZED: '1', ALPHA: '2', _x: '' } });
    expect(r.resources.limits).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(r.env.map((e) => e.name)).toEqual(['ALPHA', 'ZED', '_x']);
  });

  const bad: Array<[string, unknown, string]> = [
    ['replicas 0', { replicas: 0 }, 'deploy.replicas'],
    ['replicas 101', { replicas: 101 }, 'deploy.replicas'],
    ['replicas 1.5', { replicas: 1.5 }, 'deploy.replicas'],
    ['replicas outside autoscaling', { replicas: 9, autoscaling: { min: 2, max: 4, cpu: 50 } }, 'deploy.replicas'],
    ['port 0', { port: 0 }, 'deploy.port'],
    ['port 65536', { port: 65536 }, 'deploy.port'],
    ['port string', { port: '8080' }, 'deploy.port'],
    ['metricsPort', { metricsPort: 70000 }, 'deploy.metricsPort'],
    ['autoscaling min > max', { autoscaling: { min: 5, max: 2, cpu: 50 } }, 'deploy.autoscaling.min'],
    ['autoscaling cpu 0', { autoscaling: { min: 1, max: 2, cpu: 0 } }, 'deploy.autoscaling.cpu'],
    ['autoscaling cpu 101', { autoscaling: { min: 1, max: 2, cpu: 101 } }, 'deploy.autoscaling.cpu'],
    ['requests.cpu > limits.cpu', { resources: { requests: { cpu: '2' }, limits: { cpu: '500m' } } }, 'deploy.resources.requests.cpu'],
    ['requests.cpu > default limit', { resources: { requests: { cpu: '1' } } }, 'deploy.resources.requests.cpu'],
    ['requests.memory > limits.memory', { resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } }, 'deploy.resources.requests.memory'],
    ['bad cpu quantity', { resources: { limits: { cpu: 'lots' } } }, 'deploy.resources.limits.cpu'],
    ['unknown resource', { resources: { requests: { gpu: '1' } } }, 'deploy.resources.requests.gpu'],
    ['host with underscore', { ingress: { host: 'bad_host.example.com' } }, 'deploy.ingress.host'],
    ['host uppercase', { ingress: { host: 'API.example.com' } }, 'deploy.ingress.host'],
    ['host single label', { ingress: { host: 'localhost' } }, 'deploy.ingress.host'],
    ['host with scheme', { ingress: { host: 'https://api.example.com' } }, 'deploy.ingress.host'],
    ['tls secret', { ingress: { host: 'a.example.com', tls: { secretName: 'Bad Secret' } } }, 'deploy.ingress.tls.secretName'],
    ['className', { ingress: { host: 'a.example.com', className: 'NGINX!' } }, 'deploy.ingress.className'],
    ['image latest', { image: 'ghcr.io/acme/api:latest' }, 'deploy.image'],
    ['image untagged', { image: 'ghcr.io/acme/api' }, 'deploy.image'],
    ['image registry port, untagged', { image: 'registry:5000/acme/api' }, 'deploy.image'],
    ['image with space', { image: 'acme/api :1.0' }, 'deploy.image'],
    ['image bad digest', { image: 'acme/api@sha256:xyz' }, 'deploy.image'],
    ['env name with dash', { env: { 'MY-VAR': 'x' } }, 'deploy.env.MY-VAR'],
    ['env name leading digit', { env: { '1VAR': 'x' } }, 'deploy.env.1VAR'],
    ['env reserved prefix', { env: { AUTOWEAVE_INTEGRATION_ID: 'x' } }, 'deploy.env.AUTOWEAVE_INTEGRATION_ID'],
    ['env value not string', { env: { A: 1 } }, 'deploy.env.A'],
    ['label key', { labels: { 'bad key': 'x' } }, 'deploy.labels.bad key'],
    ['label key prefix', { labels: { 'Bad_Prefix/x': 'x' } }, 'deploy.labels.Bad_Prefix/x'],
    ['label value too long', { labels: { team: 'x'.repeat(64) } }, 'deploy.labels.team'],
    ['label value chars', { labels: { team: 'a b' } }, 'deploy.labels.team'],
    ['reserved label', { labels: { 'app.kubernetes.io/name': 'x' } }, 'deploy.labels.app.kubernetes.io/name'],
    ['namespace', { namespace: 'Bad_NS' }, 'deploy.namespace'],
    ['unknown field', { replica: 3 }, 'deploy.replica'],
    ['argocd path', { argocd: { repoURL: 'https://git.example.com/r.git', path: '../x' } }, 'deploy.argocd.path'],
    ['platform namespace', { networkPolicy: { platformNamespace: 'A' } }, 'deploy.networkPolicy.platformNamespace'],
  ];

  it.each(bad)('%s -> VALIDATION naming %s', (_label, deploy, field) => {
    expect(fieldOf(() => resolveDeployConfig(deploy as DeployConfig))).toBe(field);
  });

  const good: DeployConfig[] = [
    { image: 'ghcr.io/acme/api:1.2.3' },
    { image: 'registry:5000/acme/api:v1' },
    { image: 'acme/api@sha256:' + 'a'.repeat(64) },
    { ingress: { host: '*.apps.example.com', tls: true, className: 'nginx' } },
    { labels: { 'example.com/team': 'payments', tier: '' } },
    { resources: { requests: { cpu: '0.5', memory: '256M' }, limits: { cpu: '1', memory: '1e9' } } },
    { replicas: 3, autoscaling: { min: 2, max: 6, cpu: 80 } },
  ];
  it.each(good)('accepts %j', (deploy) => {
    expect(() => resolveDeployConfig(deploy)).not.toThrow();
  });

  it('checkImage names the field it is given', () => {
    expect(fieldOf(() => checkImage('busybox', 'runtimeImage'))).toBe('runtimeImage');
  });
});

describe('parseQuantity', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['0.5', 0.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['500M', 5e8],
    ['1e3', 1000],
    ['1k', 1000],
  ])('%s = %d', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));
  it.each(['', 'abc', '1.2.3', '10 Mi', '-1', 'Mi'])('%s is not a quantity', (q) => expect(parseQuantity(q)).toBeUndefined());
});
