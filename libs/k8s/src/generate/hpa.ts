import type { K8sObject } from '../types.js';
import { metadata, type GenContext } from './context.js';

/**
 * autoscaling/v2 HorizontalPodAutoscaler on CPU utilisation, always generated: deploy.autoscaling,
 * else min = deploy.replicas (default 2), max = max(5, min), cpu 70%.
 */
export function hpa(ctx: GenContext): K8sObject {
  const a = ctx.deploy.autoscaling;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadata(ctx, ctx.name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: ctx.name },
      minReplicas: a.min,
      maxReplicas: a.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpu } } }],
    },
  };
}
