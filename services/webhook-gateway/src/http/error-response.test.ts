import { describe, expect, it } from '@jest/globals';
import { AppError, ERROR_CODE_LIST, httpStatusOf } from '@autoweave/contracts';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { HttpStatusError } from '../errors.js';
import { toErrorResponse } from './error-response.js';

const options = { bodyLimitBytes: 2048 };
const fastifyError = (code: string, statusCode: number) =>
  new HttpException('fastify says', statusCode, { cause: Object.assign(new Error('x'), { code, statusCode, name: 'FastifyError' }) });

describe('toErrorResponse', () => {
  it.each(ERROR_CODE_LIST)('sends an AppError %s with the status of its code and its body', (code) => {
    const res = toErrorResponse(new AppError(code, 'm', { a: 1 }), options);
    expect(res.status).toBe(httpStatusOf(code));
    expect(res.body).toEqual({ error: { code, message: 'm', details: { a: 1 } } });
  });

  it('adds WWW-Authenticate: Bearer to every 401', () => {
    expect(toErrorResponse(new AppError('UNAUTHORIZED', 'no'), options).headers).toEqual({ 'www-authenticate': 'Bearer' });
  });

  it('keeps the status and headers of an HttpStatusError', () => {
    const res = toErrorResponse(new HttpStatusError('UNAUTHORIZED', 'scope', 403, undefined, { 'www-authenticate': 'Bearer error="insufficient_scope"' }), options);
    expect(res.status).toBe(403);
    expect(res.headers).toEqual({ 'www-authenticate': 'Bearer error="insufficient_scope"' });
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413, /exceeds the limit of 2048 bytes/],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415, /application\/json/],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400, /not valid JSON/],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400, /empty/],
  ])('maps Fastify %s to %i VALIDATION', (code, fastifyStatus, status, message) => {
    const res = toErrorResponse(fastifyError(code, fastifyStatus), options);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe('VALIDATION');
    expect(res.body.error.message).toMatch(message);
  });

  it('maps Nest 4xx exceptions to codes from the closed set', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x?token=1'), options)).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'no route matches this method and path' } },
    });
    expect(toErrorResponse(new BadRequestException('bad'), options).body.error.code).toBe('VALIDATION');
    expect(toErrorResponse(new HttpException('slow down', 429), options).body.error.code).toBe('RATE_LIMITED');
  });

  it('turns anything else into INTERNAL without its message, keeping it for the log', () => {
    const bug = new TypeError('password=hunter2 leaked');
    const res = toErrorResponse(bug, options);
    expect(res).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } }, internal: bug });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(toErrorResponse(new HttpException('db password in here', 503), options).body.error.message).toBe('internal error');
  });
});
