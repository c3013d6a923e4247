import { isRecord } from './pointer.js';

/**
 * Converts a Swagger 2.0 document to OpenAPI 3.0 with swagger2openapi (loaded on first use).
 * It is given a document whose `$ref`s are all internal; it resolves nothing itself (`resolve:
 * false`), patches small mistakes instead of failing (`patch`, `warnOnly`) and copies objects that
 * appear more than once (`anchors`) instead of refusing them.
 */
export async function convertSwagger2(document: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { default: swagger2openapi } = await import('swagger2openapi');
  const converted = await swagger2openapi.convertObj(document, {
    patch: true,
    warnOnly: true,
    resolve: false,
    anchors: true,
    direct: true,
  });
  if (!isRecord(converted)) throw new Error('swagger2openapi returned no document');
  return converted;
}
