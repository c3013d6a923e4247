import type { K8sObject } from '../types.js';
import { metadata, type GenContext } from './context.js';

/**
 * v1 ConfigMap `<name>-openapi` holding the spec as JSON with sorted keys (input.spec when given,
 * else the ParsedApi): key openapi.json, or openapi.json.gz (base64 gzip, binaryData) when the JSON
 * would not fit into a ConfigMap.
 */
export function configMap(ctx: GenContext): K8sObject {
  const obj: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(ctx, ctx.configMapName) };
  if (ctx.spec.data !== undefined) obj['data'] = { [ctx.spec.key]: ctx.spec.data };
  else obj['binaryData'] = { [ctx.spec.key]: ctx.spec.binaryData };
  return obj;
}
