import type { K8sObject } from '../types.js';
import { SPEC_MOUNT_DIR, metadata, type GenContext } from './context.js';
import { probes } from './probes.js';
import { containerSecurityContext, podSecurityContext } from './security.js';

export const CONTAINER_NAME = 'integration';
export const SPEC_ANNOTATION = 'autoweave.io/openapi-sha256';

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string; optional: false } } };

/**
 * The container's environment, sorted by name: deploy.env, the integration's identity and spec path
 * (runtime image only), and one secretKeyRef per credential part of every security scheme the
 * spec's operations need (never a value).
 */
export function containerEnv(ctx: GenContext): EnvVar[] {
  const env: EnvVar[] = ctx.deploy.env.map((e) => ({ name: e.name, value: e.value }));
  if (ctx.usesRuntimeImage) {
    if (ctx.integrationId !== undefined) env.push({ name: 'AUTOWEAVE_INTEGRATION_ID', value: ctx.integrationId });
    env.push({ name: 'AUTOWEAVE_INTEGRATION_NAME', value: ctx.integrationName });
    env.push({ name: 'AUTOWEAVE_OPENAPI_PATH', value: `${SPEC_MOUNT_DIR}/${ctx.spec.key}` });
  }
  for (const c of ctx.credentials) {
    env.push({ name: c.env, valueFrom: { secretKeyRef: { name: ctx.credentialsSecretName, key: c.key, optional: false } } });
  }
  return env.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * apps/v1 Deployment. `spec.replicas` is left out on purpose: the HorizontalPodAutoscaler (always
 * generated) owns the replica count, and a replicas field would make every re-apply (kubectl, Argo CD)
 * fight the autoscaler. A new Deployment starts with one pod and the HPA raises it to minReplicas.
 */
export function deployment(ctx: GenContext): K8sObject {
  const ports: Array<Record<string, unknown>> = [{ name: 'http', containerPort: ctx.facts.port, protocol: 'TCP' }];
  if (ctx.metrics?.port !== undefined) ports.push({ name: 'metrics', containerPort: ctx.metrics.port, protocol: 'TCP' });
  const volumeMounts: Array<Record<string, unknown>> = [{ name: 'tmp', mountPath: '/tmp' }];
  const volumes: Array<Record<string, unknown>> = [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }];
  if (ctx.usesRuntimeImage) {
    volumeMounts.push({ name: 'openapi', mountPath: SPEC_MOUNT_DIR, readOnly: true });
    volumes.push({ name: 'openapi', configMap: { name: ctx.configMapName, items: [{ key: ctx.spec.key, path: ctx.spec.key }] } });
  }
  const { livenessProbe, readinessProbe } = probes(ctx);
  const r = ctx.deploy.resources;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(ctx, ctx.name),
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...ctx.selector } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { ...ctx.labels }, annotations: { [SPEC_ANNOTATION]: ctx.spec.sha256 } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(),
          containers: [
            {
              name: CONTAINER_NAME,
              image: ctx.image,
              imagePullPolicy: 'IfNotPresent',
              ports,
              env: containerEnv(ctx),
              resources: {
                requests: { cpu: r.requests.cpu, memory: r.requests.memory },
                limits: { cpu: r.limits.cpu, memory: r.limits.memory },
              },
              livenessProbe,
              readinessProbe,
              securityContext: containerSecurityContext(),
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}
