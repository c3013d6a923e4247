import { AppError, httpStatusOf, isErrorBody, type ErrorBody, type ErrorCode } from '@autoweave/contracts';
import { HttpException } from '@nestjs/common';
import { HttpStatusError } from '../errors.js';

export interface ErrorResponse {
  status: number;
  body: { error: ErrorBody };
  headers: Record<string, string>;
  /** Set when the failure is ours (INTERNAL): the original error, to log and never to send. */
  internal?: unknown;
}

export interface ErrorMappingOptions {
  bodyLimitBytes: number;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION',
  401: 'UNAUTHORIZED',
  403: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  408: 'TIMEOUT',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
};

/**
 * Turns anything a request can fail with into the HTTP answer
 * `{error: {code, message, details}}`: an AppError gets the status of its
 * code, Nest's and Fastify's own 4xx errors (unknown route, unreadable body)
 * get a code from the closed set, and anything else is INTERNAL with a
 * generic message (its text may hold secrets or internals).
 */
export function toErrorResponse(exception: unknown, options: ErrorMappingOptions): ErrorResponse {
  const response = map(exception, options);
  if (response.status === 401 && !hasHeader(response.headers, 'www-authenticate')) {
    response.headers['www-authenticate'] = 'Bearer';
  }
  return response;
}

function map(exception: unknown, options: ErrorMappingOptions): ErrorResponse {
  if (exception instanceof HttpStatusError) {
    return { status: exception.httpStatus, body: { error: exception.toBody() }, headers: { ...exception.headers } };
  }
  if (exception instanceof AppError || isErrorBody(exception)) {
    const error = exception instanceof AppError ? exception : AppError.fromBody(exception);
    return { status: httpStatusOf(error.code), body: { error: error.toBody() }, headers: {} };
  }
  if (exception instanceof HttpException) return fromHttpException(exception, options);
  return internal(exception);
}

function fromHttpException(exception: HttpException, options: ErrorMappingOptions): ErrorResponse {
  const status = exception.getStatus();
  if (status >= 500) return internal(exception);
  const fastifyCode = (exception.cause as { code?: unknown } | undefined)?.code;
  switch (fastifyCode) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply(413, 'VALIDATION', `request body exceeds the limit of ${options.bodyLimitBytes} bytes`, {
        limitBytes: options.bodyLimitBytes,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply(415, 'VALIDATION', 'unsupported content type: send a JSON body with "Content-Type: application/json"');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply(400, 'VALIDATION', 'request body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply(400, 'VALIDATION', 'request body is empty but its content type is application/json');
    default:
      break;
  }
  const code = CODE_BY_STATUS[status] ?? 'VALIDATION';
  const message = status === 404 ? 'no route matches this method and path' : exception.message;
  return reply(status, code, message);
}

function reply(status: number, code: ErrorCode, message: string, details?: unknown): ErrorResponse {
  return { status, body: { error: new AppError(code, message, details).toBody() }, headers: {} };
}

function internal(cause: unknown): ErrorResponse {
  return { ...reply(500, 'INTERNAL', 'internal error'), internal: cause };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}
