import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { Counter } from 'prom-client';
import {
  acceptCorrelationId,
  createLogger,
  createMetricsRegistry,
  HealthChecks,
  runWithCorrelation,
  startHealthServer,
} from './index.js';

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ service: 'svc', level: 'info', destination }), lines };
}

describe('observability - logger', () => {
  it('writes JSON with the service and the current correlation id', () => {
    const { logger, lines } = captureLogger();
    runWithCorrelation('corr-7', () => logger.info('inside'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({ service: 'svc', correlationId: 'corr-7', msg: 'inside', level: 'info' });
    expect(lines[1]).not.toHaveProperty('correlationId');
  });

  it('redacts secret-looking keys wherever they sit in the first levels', () => {
    const { logger, lines } = captureLogger();
    logger.info({ password: 'p1', config: { auth: { token: 't1' }, connectionString: 'postgres://u:p2@h' }, headers: { authorization: 'Bearer k' } }, 'x');
    const text = JSON.stringify(lines[0]);
    for (const secret of ['p1', 't1', 'p2@h', 'Bearer k']) expect(text).not.toContain(secret);
  });

  it.each([
    ['abc-123', true],
    ['a'.repeat(200), false],
    ['bad id\nwith newline', false],
    [undefined, false],
  ])('accepts the incoming correlation id %j only when sane', (id, kept) => {
    expect(acceptCorrelationId(id) === id).toBe(kept);
  });
});

describe('observability - health and metrics endpoints', () => {
  it('serves live, ready (200 then 503 when a check fails or hangs) and metrics', async () => {
    let up = true;
    const checks = new HealthChecks(200).add('dep', () => up).add('hang', () => new Promise<boolean>((r) => setTimeout(() => r(true), up ? 0 : 1000)));
    const registry = createMetricsRegistry('svc');
    new Counter({ name: 'autoweave_test_total', help: 'x', registers: [registry] }).inc();
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', checks, registry });
    const url = (p: string) => `http://127.0.0.1:${server.port}${p}`;
    try {
      expect((await fetch(url('/health/live'))).status).toBe(200);
      expect((await fetch(url('/health/ready'))).status).toBe(200);
      up = false;
      const down = await fetch(url('/health/ready'));
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'fail', checks: { dep: { ok: false }, hang: { ok: false, error: expect.stringMatching(/timed out/) } } });
      const metrics = await (await fetch(url('/metrics'))).text();
      expect(metrics).toContain('autoweave_test_total{service="svc"} 1');
      expect(metrics).toContain('autoweave_process_cpu_seconds_total');
      expect((await fetch(url('/nope'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
