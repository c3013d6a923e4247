import type { K8sObject } from '../types.js';
import { metadata, type GenContext } from './context.js';

/**
 * policy/v1 PodDisruptionBudget: minAvailable 1. When the HPA may scale down to a single pod,
 * minAvailable 1 would block every node drain, so it is maxUnavailable 1 then.
 */
export function pdb(ctx: GenContext): K8sObject {
  const budget = ctx.deploy.autoscaling.min >= 2 ? { minAvailable: 1 } : { maxUnavailable: 1 };
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(ctx, ctx.name),
    spec: { ...budget, selector: { matchLabels: { ...ctx.selector } } },
  };
}
