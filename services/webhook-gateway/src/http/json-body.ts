import { AppError } from '@autoweave/contracts';
import { Body, Injectable, type PipeTransform } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NOT_AN_OBJECT = 'request body must be a JSON object';

/**
 * Only JSON bodies are accepted (Fastify answers 415 for other content types,
 * text/plain included), and a JSON body must be an object: an array, string,
 * number or null is refused with VALIDATION before any handler runs. What the
 * object holds is validated by the service that owns it (the hub for
 * integrations).
 */
export function installJsonBodyCheck(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('preValidation', async (request) => {
    if (request.body !== undefined && !isJsonObject(request.body)) throw new AppError('VALIDATION', NOT_AN_OBJECT);
  });
}

@Injectable()
export class RequireJsonObjectPipe implements PipeTransform {
  transform(value: unknown): JsonObject {
    if (!isJsonObject(value)) throw new AppError('VALIDATION', NOT_AN_OBJECT);
    return value;
  }
}

/** `@JsonBody() body`: the request body, which must be present and a JSON object. */
export const JsonBody = (): ParameterDecorator => Body(new RequireJsonObjectPipe());
