import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { loadOpenApi, type ParsedApi } from '@autoweave/openapi';
import { parse, parseAllDocuments } from 'yaml';
import type { DeployConfig, GenerateInput, K8sObject, ManifestSet } from '../types.js';
import { manyPaths, manySchemes, noServers, petstore, serverVariables, shuffleKeys } from './__fixtures__/specs.js';
import { generateManifests, MANIFEST_FILES, toMultiDocYaml } from './index.js';

const RUNTIME = 'ghcr.io/autoweave/integration-runtime:1.4.0';

async function input(spec: unknown, deploy: DeployConfig = {}, extra: Partial<GenerateInput> = {}): Promise<GenerateInput> {
  const api = await loadOpenApi({ spec: structuredClone(spec) });
  return { name: 'Test API', integrationId: 'int-1', api, spec, deploy, runtimeImage: RUNTIME, ...extra };
}

function byKind(set: ManifestSet, kind: string): K8sObject & Record<string, any> {
  const obj = set.objects.find((o) => o.kind === kind);
  if (!obj) throw new Error(`no ${kind}`);
  return obj as K8sObject & Record<string, any>;
}
const container = (set: ManifestSet) => byKind(set, 'Deployment')['spec'].template.spec.containers[0];

interface Case {
  label: string;
  spec: unknown;
  deploy?: DeployConfig;
  port: number;
  health: { path: string; scheme: string } | 'tcp';
  secretKeys: string[];
  ingressPaths?: string[];
  metrics: boolean;
}

const cases: Case[] = [
  {
    label: 'petstore: https server with base path, apiKey, /health',
    spec: petstore,
    deploy: { ingress: { host: 'pets.example.com', tls: true, className: 'nginx' } },
    port: 443,
    health: { path: '/v1/health', scheme: 'HTTPS' },
    secretKeys: ['api-key-api-key'],
    ingressPaths: ['/v1/health', '/v1/pets'],
    metrics: false,
  },
  {
    label: 'no servers, no security, no health, templated first segment',
    spec: noServers,
    deploy: { ingress: { host: 'items.example.com' } },
    port: 8080,
    health: 'tcp',
    secretKeys: [],
    ingressPaths: ['/'],
    metrics: false,
  },
  {
    label: 'server variables',
    spec: serverVariables,
    deploy: { ingress: { host: 'orders.example.com' } },
    port: 9090,
    health: { path: '/api/status/ready', scheme: 'HTTP' },
    secretKeys: [],
    ingressPaths: ['/api/orders', '/api/status'],
    metrics: false,
  },
  {
    label: 'several security schemes',
    spec: manySchemes,
    deploy: { metricsPort: 9100 },
    port: 80,
    health: { path: '/healthz', scheme: 'HTTP' },
    secretKeys: [
      'apikeyauth-api-key',
      'basicauth-password',
      'basicauth-username',
      'bearer-token',
      'oauth-client-id',
      'oauth-client-secret',
    ],
    metrics: true,
  },
  {
    label: 'hundreds of paths, /metrics in the spec',
    spec: manyPaths(),
    deploy: { ingress: { host: 'big.example.com' }, port: 3000 },
    port: 3000,
    health: { path: '/healthz', scheme: 'HTTP' },
    secretKeys: [],
    ingressPaths: ['/healthz', '/metrics', ...Array.from({ length: 40 }, (_, i) => `/resource${String(i).padStart(2, '0')}`)],
    metrics: true,
  },
];

describe('generateManifests over specs of several shapes', () => {
  it.each(cases)('$label', async (c) => {
    const set = generateManifests(await input(c.spec, c.deploy));
    const kinds = set.objects.map((o) => o.kind);
    const expectedKinds = ['ConfigMap', 'Service', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy'];
    if (c.ingressPaths) expectedKinds.push('Ingress');
    if (c.metrics) expectedKinds.push('ServiceMonitor');
    expect(kinds).toEqual(expectedKinds);
    expect(Object.keys(set.files)).toEqual([...kinds.map((k) => MANIFEST_FILES[k]), 'kustomization.yaml']);

    // every object: conventional key order, name, namespace, standard labels
    for (const obj of set.objects) {
      expect(Object.keys(obj).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
      expect(obj.metadata.namespace).toBe('autoweave');
      expect(obj.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': expect.stringMatching(/^test-api-[0-9a-f]{8}$/),
        'app.kubernetes.io/instance': 'int-1',
        'app.kubernetes.io/part-of': 'autoweave',
        'app.kubernetes.io/managed-by': 'autoweave-agent-adapter',
      });
      expect(parse(set.files[MANIFEST_FILES[obj.kind]!]!)).toEqual(obj);
    }

    // selector matches the pod template; Service, PDB, NetworkPolicy, ServiceMonitor select the same pods
    const dep = byKind(set, 'Deployment');
    const selector = dep['spec'].selector.matchLabels;
    expect(Object.keys(selector)).toEqual(['app.kubernetes.io/name', 'app.kubernetes.io/instance']);
    expect(dep['spec'].template.metadata.labels).toMatchObject(selector);
    expect(byKind(set, 'Service')['spec'].selector).toEqual(selector);
    expect(byKind(set, 'PodDisruptionBudget')['spec'].selector.matchLabels).toEqual(selector);
    expect(byKind(set, 'NetworkPolicy')['spec'].podSelector.matchLabels).toEqual(selector);
    expect(dep['spec'].replicas).toBeUndefined(); // the HPA owns it
    expect(byKind(set, 'HorizontalPodAutoscaler')['spec'].scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name });

    // port and probes
    const ctr = container(set);
    expect(ctr.ports[0]).toEqual({ name: 'http', containerPort: c.port, protocol: 'TCP' });
    expect(byKind(set, 'Service')['spec'].ports[0]).toEqual({ name: 'http', port: c.port, targetPort: 'http', protocol: 'TCP' });
    for (const probe of [ctr.livenessProbe, ctr.readinessProbe]) {
      if (c.health === 'tcp') {
        expect(probe.tcpSocket).toEqual({ port: 'http' });
        expect(probe.httpGet).toBeUndefined();
      } else {
        expect(probe.httpGet).toEqual({ path: c.health.path, port: 'http', scheme: c.health.scheme });
      }
    }

    // security context
    expect(ctr.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const pod = dep['spec'].template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(ctr.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(ctr.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });

    // credentials: a secretKeyRef per scheme part, never a value
    const secretRefs = ctr.env.filter((e: any) => e.valueFrom);
    expect(secretRefs.map((e: any) => e.valueFrom.secretKeyRef.key).sort()).toEqual(c.secretKeys);
    for (const e of secretRefs) {
      expect(e.value).toBeUndefined();
      expect(e.valueFrom.secretKeyRef).toEqual({ name: `${dep.metadata.name}-credentials`, key: expect.any(String), optional: false });
    }
    const envNames = ctr.env.map((e: any) => e.name);
    expect(envNames).toEqual([...envNames].sort());

    // ingress paths
    if (c.ingressPaths) {
      const paths = byKind(set, 'Ingress')['spec'].rules[0].http.paths;
      expect(paths.map((p: any) => p.path)).toEqual(c.ingressPaths);
      for (const p of paths) expect(p).toEqual({ path: p.path, pathType: 'Prefix', backend: { service: { name: dep.metadata.name, port: { name: 'http' } } } });
    }
  });
});

describe('generateManifests details', () => {
  it('configures the runtime image: identity env and the spec ConfigMap mounted at /etc/autoweave/openapi.json', async () => {
    const set = generateManifests(await input(petstore));
    const ctr = container(set);
    expect(ctr.image).toBe(RUNTIME);
    expect(ctr.env).toEqual(
      expect.arrayContaining([
        { name: 'AUTOWEAVE_INTEGRATION_ID', value: 'int-1' },
        { name: 'AUTOWEAVE_INTEGRATION_NAME', value: 'Test API' },
        { name: 'AUTOWEAVE_OPENAPI_PATH', value: '/etc/autoweave/openapi.json' },
      ]),
    );
    const cm = byKind(set, 'ConfigMap');
    expect(JSON.parse(cm['data']['openapi.json'])).toEqual(petstore);
    const pod = byKind(set, 'Deployment')['spec'].template.spec;
    expect(ctr.volumeMounts).toContainEqual({ name: 'openapi', mountPath: '/etc/autoweave', readOnly: true });
    expect(pod.volumes).toContainEqual({
      name: 'openapi',
      configMap: { name: cm.metadata.name, items: [{ key: 'openapi.json', path: 'openapi.json' }] },
    });
  });

  it('uses deploy.image as it is, without the runtime configuration', async () => {
    const set = generateManifests(await input(petstore, { image: 'ghcr.io/acme/pets:2.0.1', env: { B: '2', A: '1' } }));
    const ctr = container(set);
    expect(ctr.image).toBe('ghcr.io/acme/pets:2.0.1');
    expect(ctr.env.map((e: any) => e.name)).toEqual(['A', 'AUTOWEAVE_AUTH_API_KEY_API_KEY', 'B']);
    expect(ctr.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('keeps the ParsedApi in the ConfigMap when the raw spec is not given', async () => {
    const i = await input(petstore);
    delete i.spec;
    const cm = byKind(generateManifests(i), 'ConfigMap');
    expect(JSON.parse(cm['data']['openapi.json']).title).toBe('Petstore');
  });

  it('compresses a spec too large for a ConfigMap', async () => {
    const big = manyPaths(40);
    (big as any).info.description = 'x'.repeat(1_200_000);
    const set = generateManifests(await input(big));
    const cm = byKind(set, 'ConfigMap');
    expect(cm['data']).toBeUndefined();
    expect(Object.keys(cm['binaryData'])).toEqual(['openapi.json.gz']);
    expect(container(set).env).toContainEqual({ name: 'AUTOWEAVE_OPENAPI_PATH', value: '/etc/autoweave/openapi.json.gz' });
  });

  it('HPA: always made, with deploy.autoscaling or from replicas; PDB adapts to a single replica', async () => {
    let set = generateManifests(await input(petstore));
    expect(byKind(set, 'HorizontalPodAutoscaler')['spec']).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
    expect(byKind(set, 'HorizontalPodAutoscaler')['spec'].metrics[0].resource.target).toEqual({ type: 'Utilization', averageUtilization: 70 });
    expect(byKind(set, 'PodDisruptionBudget')['spec'].minAvailable).toBe(1);
    set = generateManifests(await input(petstore, { autoscaling: { min: 3, max: 10, cpu: 60 } }));
    expect(byKind(set, 'HorizontalPodAutoscaler')['spec']).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    set = generateManifests(await input(petstore, { replicas: 1 }));
    expect(byKind(set, 'HorizontalPodAutoscaler')['spec']).toMatchObject({ minReplicas: 1, maxReplicas: 5 });
    expect(byKind(set, 'PodDisruptionBudget')['spec']).toEqual({ maxUnavailable: 1, selector: expect.anything() });
  });

  it('NetworkPolicy: gateway and hub pods, the ingress controller with an Ingress, monitoring with metrics', async () => {
    let np = byKind(generateManifests(await input(petstore)), 'NetworkPolicy');
    expect(np['spec'].policyTypes).toEqual(['Ingress']);
    expect(np['spec'].ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/part-of': 'autoweave' },
              matchExpressions: [
                { key: 'app.kubernetes.io/name', operator: 'In', values: ['hub', 'webhook-gateway'] },
                { key: 'app.kubernetes.io/component', operator: 'NotIn', values: ['integration'] },
              ],
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 'http' }],
      },
    ]);
    np = byKind(
      generateManifests(
        await input(manySchemes, {
          metricsPort: 9100,
          ingress: { host: 'crm.example.com', controllerNamespace: 'traefik' },
          networkPolicy: { platformNamespace: 'autoweave-system' },
        }),
      ),
      'NetworkPolicy',
    );
    expect(np['spec'].ingress[0].from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'autoweave-system' } });
    expect(np['spec'].ingress[1]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } }],
      ports: [{ protocol: 'TCP', port: 'http' }],
    });
    expect(np['spec'].ingress[2]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ protocol: 'TCP', port: 'metrics' }],
    });
  });

  it('metrics port: Service and container get a metrics port, the ServiceMonitor scrapes it', async () => {
    const set = generateManifests(await input(manySchemes, { metricsPort: 9100 }));
    expect(byKind(set, 'Service')['spec'].ports[1]).toEqual({ name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' });
    expect(container(set).ports[1]).toEqual({ name: 'metrics', containerPort: 9100, protocol: 'TCP' });
    expect(byKind(set, 'ServiceMonitor')['spec']).toEqual({
      selector: { matchLabels: byKind(set, 'Deployment')['spec'].selector.matchLabels },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
    });
  });

  it('Ingress tls and class; https upstream annotation', async () => {
    const ing = byKind(generateManifests(await input(petstore, { ingress: { host: 'pets.example.com', tls: { secretName: 'pets-cert' }, className: 'nginx' } })), 'Ingress');
    expect(ing['spec'].ingressClassName).toBe('nginx');
    expect(ing['spec'].tls).toEqual([{ hosts: ['pets.example.com'], secretName: 'pets-cert' }]);
    expect(ing.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' });
  });

  it('kustomization lists the files (not the Argo CD Application), with the namespace', async () => {
    const set = generateManifests(
      await input(petstore, { namespace: 'team-a', argocd: { repoURL: 'https://git.example.com/deploy.git', path: 'integrations/pets' } }),
    );
    const k = parse(set.files['kustomization.yaml']!);
    expect(k).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: 'team-a',
      resources: ['configmap.yaml', 'service.yaml', 'deployment.yaml', 'hpa.yaml', 'pdb.yaml', 'networkpolicy.yaml'],
    });
    const app = byKind(set, 'Application');
    expect(app.metadata.namespace).toBe('argocd');
    expect(app['spec'].destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'team-a' });
    expect(set.files['argocd-application.yaml']).toBeDefined();
  });

  it('never writes a secret value: nothing but secretKeyRefs for credentials', async () => {
    const set = generateManifests(await input(manySchemes));
    const all = toMultiDocYaml(set.objects.filter((o) => o.kind !== 'ConfigMap'));
    expect(all).not.toMatch(/\b(password|token|secret|api-?key)"?:/i);
    const auth = container(set).env.filter((e: any) => e.name.startsWith('AUTOWEAVE_AUTH_'));
    expect(auth.length).toBeGreaterThan(0);
    for (const e of auth) expect(Object.keys(e)).toEqual(['name', 'valueFrom']);
    expect(set.objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('refuses bad input with VALIDATION naming the field', async () => {
    const i = await input(petstore, { resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } });
    expect(() => generateManifests(i)).toThrow(AppError);
    try {
      generateManifests(i);
    } catch (err) {
      expect((err as AppError).details).toEqual({ field: 'deploy.resources.requests.cpu' });
    }
    const j = await input(petstore, {}, { runtimeImage: 'ghcr.io/autoweave/runtime:latest' });
    expect(() => generateManifests(j)).toThrow(/runtimeImage/);
  });
});

describe('determinism', () => {
  const deploy: DeployConfig = {
    namespace: 'integrations',
    env: { ZETA: 'z', ALPHA: 'a', MID: 'yes' },
    labels: { team: 'payments', 'example.com/cost-center': 'cc-1' },
    ingress: { host: 'crm.example.com', tls: true, className: 'nginx' },
    autoscaling: { min: 2, max: 8, cpu: 65 },
    metricsPort: 9100,
    argocd: { repoURL: 'https://git.example.com/deploy.git', path: 'crm', targetRevision: 'main' },
  };

  it.each([
    ['petstore', petstore],
    ['many schemes', manySchemes],
    ['many paths', manyPaths()],
  ])('%s: same input, byte-identical files, whatever the key order', async (_l, spec) => {
    const a = generateManifests(await input(spec, deploy));
    const b = generateManifests(await input(spec, deploy));
    expect(b.files).toEqual(a.files);
    const shuffled = generateManifests(await input(shuffleKeys(spec), shuffleKeys(deploy)));
    expect(Object.keys(shuffled.files)).toEqual(Object.keys(a.files));
    for (const file of Object.keys(a.files)) expect(shuffled.files[file]).toBe(a.files[file]);
    expect(toMultiDocYaml(shuffled.objects)).toBe(toMultiDocYaml(a.objects));
    // operations in a different document order
    const api: ParsedApi = (await input(spec, deploy)).api;
    const reversed = generateManifests({ ...(await input(spec, deploy)), api: { ...api, operations: [...api.operations].reverse() } });
    expect(reversed.files).toEqual(a.files);
  });

  it('toMultiDocYaml: one document per object, no anchors', async () => {
    const set = generateManifests(await input(petstore, deploy));
    const text = toMultiDocYaml(set.objects);
    const docs = parseAllDocuments(text);
    expect(docs).toHaveLength(set.objects.length);
    expect(docs.map((d) => d.toJS())).toEqual(set.objects);
    expect(text).not.toMatch(/[&*][a-z]+\d*\s*$/m);
    expect(text.startsWith('---\n')).toBe(true);
  });
});
