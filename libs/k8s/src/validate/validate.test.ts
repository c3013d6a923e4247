import { describe, expect, it } from '@jest/globals';
import type { K8sObject, ValidationIssue } from '../types.js';
import { DEFAULT_KUBERNETES_VERSION, validateManifests, validateYamlDocuments } from './index.js';

type Obj = K8sObject & Record<string, unknown>;
const labels = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'autoweave' };
const selector = { 'app.kubernetes.io/name': 'api' };

function deployment(): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'apps', labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'api', image: 'ghcr.io/acme/api:1.2.3', imagePullPolicy: 'IfNotPresent',
            ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }],
            env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api-credentials', key: 'token' } } }],
            livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
            readinessProbe: { tcpSocket: { port: 8080 } },
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 0.5, memory: '1Gi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  };
}
const service = (): Obj => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'apps', labels },
  spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9100, targetPort: 9100 }] },
});
const hpa = (): Obj => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'api', namespace: 'apps' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 2, maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
  },
});
const statefulSet = (): Obj => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'apps' },
  spec: {
    serviceName: 'db', replicas: 3, selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'nats:2.10-alpine', ports: [{ name: 'client', containerPort: 4222 }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }],
  },
});

const validObjects: Obj[] = [
  deployment(), service(), hpa(), statefulSet(),
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-spec', namespace: 'apps' }, data: { 'openapi.json': '{}' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-credentials', namespace: 'apps' }, type: 'Opaque', stringData: { token: 'x' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'apps' }, automountServiceAccountToken: false },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api', namespace: 'apps' }, spec: { minAvailable: 1, selector: { matchLabels: selector } } },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'apps' },
    spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'gw' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }] },
  },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'api', namespace: 'apps' },
    spec: { ingressClassName: 'nginx', tls: [{ hosts: ['api.example.com'], secretName: 'api-tls' }], rules: [{ host: 'api.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } }] } }] },
  },
  {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'api', namespace: 'apps' },
    spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }] },
  },
  {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'api', namespace: 'argocd' },
    spec: { project: 'default', source: { repoURL: 'https://git.example.com/acme/deploy.git', path: 'apps/api', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'apps' }, syncPolicy: { automated: { prune: true, selfHeal: true } } },
  },
];

describe('validateManifests: valid objects', () => {
  it('states the Kubernetes version of its schemas', () => {
    expect(DEFAULT_KUBERNETES_VERSION).toMatch(/^1\.\d+$/);
    expect(validateManifests([]).kubernetesVersion).toBe(DEFAULT_KUBERNETES_VERSION);
  });
  it.each(validObjects.map((o) => [o.kind, o] as const))('a valid %s passes', (_kind, obj) => {
    // Workload-dependent kinds are checked with their workloads present.
    const set = obj.kind === 'Service' || obj.kind === 'HorizontalPodAutoscaler' ? [deployment(), obj] : [obj];
    expect(validateManifests(set)).toEqual({ valid: true, kubernetesVersion: DEFAULT_KUBERNETES_VERSION, errors: [] });
  });
  it('the whole set passes together', () => {
    expect(validateManifests(validObjects).errors).toEqual([]);
  });
  it.each([['100m'], ['128Mi'], ['0.5'], ['1'], ['2Gi'], ['1e3'], ['500k']])('quantity %s is valid', (q) => {
    const d = deployment();
    (((d.spec as Obj['spec']) as { template: { spec: { containers: Array<{ resources: unknown }> } } }).template.spec.containers[0]!).resources = { requests: { cpu: q } };
    expect(validateManifests([d]).errors).toEqual([]);
  });
});

/** Applies `mutate` to a fresh valid set and expects exactly this one issue (message: a regexp). */
interface BrokenCase {
  name: string;
  objects: () => Obj[];
  expected: { kind: string; name: string; path: string; message: RegExp };
}
const containerOf = (d: Obj): Record<string, unknown> =>
  ((d.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0]!);
const specOf = (o: Obj): Record<string, unknown> => o.spec as Record<string, unknown>;

const broken: BrokenCase[] = [
  {
    name: 'misspelt field (spec.replica)',
    objects: () => { const d = deployment(); const s = specOf(d); s['replica'] = s['replicas']; delete s['replicas']; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/replica', message: /unknown field "replica".*did you mean "replicas"/ },
  },
  {
    name: 'misspelt container field (imagePullPolicyy)',
    objects: () => { const d = deployment(); containerOf(d)['imagePullPolicyy'] = 'Always'; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/template/spec/containers/0/imagePullPolicyy', message: /unknown field "imagePullPolicyy"/ },
  },
  {
    name: 'unknown field in a CRD (ServiceMonitor)',
    objects: () => { const o = validObjects.find((v) => v.kind === 'ServiceMonitor')!; return [{ ...structuredClone(o), spec: { ...specOf(o), endpoint: [] } }]; },
    expected: { kind: 'ServiceMonitor', name: 'api', path: '/spec/endpoint', message: /unknown field "endpoint".*did you mean "endpoints"/ },
  },
  {
    name: 'wrong type',
    objects: () => { const d = deployment(); specOf(d)['replicas'] = 'two'; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/replicas', message: /spec\.replicas must be an integer \(got the string "two"\)/ },
  },
  {
    name: 'wrong int-or-string',
    objects: () => { const s = service(); (specOf(s)['ports'] as Array<Record<string, unknown>>)[0]!['targetPort'] = true; return [deployment(), s]; },
    expected: { kind: 'Service', name: 'api', path: '/spec/ports/0/targetPort', message: /targetPort must be .*(integer|string)/ },
  },
  {
    name: 'enum',
    objects: () => { const d = deployment(); containerOf(d)['imagePullPolicy'] = 'Sometimes'; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/template/spec/containers/0/imagePullPolicy', message: /must be one of "Always", "IfNotPresent", "Never"/ },
  },
  {
    name: 'missing required field',
    objects: () => { const d = deployment(); delete specOf(d)['selector']; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/selector', message: /spec\.selector is required/ },
  },
  {
    name: 'bad quantity',
    objects: () => { const d = deployment(); containerOf(d)['resources'] = { limits: { cpu: 'abc' } }; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/template/spec/containers/0/resources/limits/cpu', message: /"abc" is not a valid quantity/ },
  },
  {
    name: 'selector mismatch',
    objects: () => { const d = deployment(); specOf(d)['selector'] = { matchLabels: { 'app.kubernetes.io/name': 'other' } }; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/selector', message: /does not match the pod template labels: app\.kubernetes\.io\/name=other \(template has app\.kubernetes\.io\/name=api\)/ },
  },
  {
    name: 'probe on a missing port',
    objects: () => { const d = deployment(); containerOf(d)['readinessProbe'] = { httpGet: { path: '/ready', port: 'admin' } }; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/template/spec/containers/0/readinessProbe/httpGet/port', message: /readinessProbe\.httpGet\.port "admin" is not a port of the container/ },
  },
  {
    name: 'Service targetPort missing on the pods',
    objects: () => { const s = service(); (specOf(s)['ports'] as Array<Record<string, unknown>>)[1]!['targetPort'] = 9999; return [deployment(), s]; },
    expected: { kind: 'Service', name: 'api', path: '/spec/ports/1/targetPort', message: /targetPort 9999 is not a container port of Deployment "api"/ },
  },
  {
    name: 'Service selecting no workload',
    objects: () => { const s = service(); specOf(s)['selector'] = { app: 'nobody' }; return [deployment(), s]; },
    expected: { kind: 'Service', name: 'api', path: '/spec/selector', message: /selects no workload in the set/ },
  },
  {
    name: 'HPA target missing',
    objects: () => { const h = hpa(); (specOf(h)['scaleTargetRef'] as Record<string, unknown>)['name'] = 'gone'; return [deployment(), h]; },
    expected: { kind: 'HorizontalPodAutoscaler', name: 'api', path: '/spec/scaleTargetRef/name', message: /Deployment "gone", which is not in the set/ },
  },
  {
    name: 'requests > limits',
    objects: () => { const d = deployment(); containerOf(d)['resources'] = { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '500m', memory: '2Gi' } }; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/template/spec/containers/0/resources/requests/cpu', message: /requests\.cpu \(1\) is greater than limits\.cpu \(500m\)/ },
  },
  {
    name: ':latest image',
    objects: () => { const d = deployment(); containerOf(d)['image'] = 'ghcr.io/acme/api:latest'; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/template/spec/containers/0/image', message: /uses the :latest tag/ },
  },
  {
    name: 'image without a tag',
    objects: () => { const d = deployment(); containerOf(d)['image'] = 'localhost:5000/acme/api'; return [d]; },
    expected: { kind: 'Deployment', name: 'api', path: '/spec/template/spec/containers/0/image', message: /has no tag/ },
  },
  {
    name: 'invalid name',
    objects: () => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'My_Config' }, data: {} }],
    expected: { kind: 'ConfigMap', name: 'My_Config', path: '/metadata/name', message: /"My_Config" is not a valid DNS-1123 subdomain/ },
  },
  {
    name: 'invalid label value',
    objects: () => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { team: 'a b' } }, data: {} }],
    expected: { kind: 'ConfigMap', name: 'c', path: '/metadata/labels/team', message: /label "team" has an invalid value "a b"/ },
  },
  {
    name: 'duplicate kind+name',
    objects: () => [deployment(), deployment()],
    expected: { kind: 'Deployment', name: 'api', path: '/metadata/name', message: /duplicate Deployment "api"/ },
  },
  {
    name: 'unknown kind',
    objects: () => [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }],
    expected: { kind: 'Widget', name: 'w', path: '/kind', message: /unknown kind "Widget"/ },
  },
  {
    name: 'known kind, wrong apiVersion',
    objects: () => [{ ...deployment(), apiVersion: 'extensions/v1beta1' }],
    expected: { kind: 'Deployment', name: 'api', path: '/apiVersion', message: /use apps\/v1/ },
  },
];

describe('validateManifests: broken manifests are rejected', () => {
  it.each(broken.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = validateManifests(c.objects());
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(1);
    const [issue] = result.errors as [ValidationIssue];
    expect({ kind: issue.kind, name: issue.name, path: issue.path }).toEqual({ kind: c.expected.kind, name: c.expected.name, path: c.expected.path });
    expect(issue.message).toMatch(c.expected.message);
  });
});

describe('options', () => {
  it('accepts the bundled version in its spellings and refuses others', () => {
    expect(validateManifests([], { kubernetesVersion: `v${DEFAULT_KUBERNETES_VERSION}.2` }).kubernetesVersion).toBe(DEFAULT_KUBERNETES_VERSION);
    expect(() => validateManifests([], { kubernetesVersion: '1.12' })).toThrow(/not available offline/);
  });
});

describe('validateYamlDocuments', () => {
  it('parses and validates multi-document YAML', () => {
    const text = ['---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: a}', 'data: {k: v}', '---', '', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: b}', 'dta: {k: v}', ''].join('\n');
    const r = validateYamlDocuments(text);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(r.errors).toEqual([{ kind: 'ConfigMap', name: 'b', path: '/dta', message: expect.stringMatching(/unknown field "dta".*did you mean "data"/) }]);
  });
  it('reports YAML errors as issues with the line', () => {
    const r = validateYamlDocuments('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n');
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatchObject({ kind: '', name: '', path: '', message: expect.stringMatching(/YAML error in document 1 at line \d+/) });
  });
  it('reports a document that is not an object', () => {
    const r = validateYamlDocuments('- a\n- b\n');
    expect(r.errors[0]?.message).toMatch(/document 1 is a list, not a Kubernetes object/);
  });
});
