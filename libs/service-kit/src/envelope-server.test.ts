import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError, HEADERS, type Envelope } from '@autoweave/contracts';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Inject, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsInt, IsString, Min } from 'class-validator';
import { currentCorrelationId } from '@autoweave/observability';
import { RUNTIME, runService, type RunningService, type ServiceRuntime } from './index.js';

class EchoDto {
  @IsString() name!: string;
  @IsInt() @Min(1) count!: number;
}

@Controller()
class ToyController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @MessagePattern('toy.echo')
  echo(@Payload() dto: EchoDto) {
    return { name: dto.name, count: dto.count, isDto: dto instanceof EchoDto };
  }

  @MessagePattern('toy.conflict')
  conflict(): never {
    throw new AppError('CONFLICT', 'stale revision', { revision: 3 });
  }

  @MessagePattern('toy.bug')
  bug(): never {
    throw new TypeError('secret-db-password leaked in a bug');
  }

  @MessagePattern('toy.correlation')
  correlation() {
    return { correlationId: currentCorrelationId() };
  }

  @MessagePattern('toy.slow')
  async slow() {
    await new Promise((r) => setTimeout(r, 300));
    return { done: true, service: this.runtime.name };
  }
}

@Module({ controllers: [ToyController] })
class ToyModule {}

const decode = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as Envelope<Record<string, unknown>>;

describe('service-kit - envelope transport over a real nats-server', () => {
  let nats: NatsServerHandle;
  let service: RunningService;
  let client: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    service = await runService(
      { name: 'toy', pingSubject: 'toy.ping', queueGroup: 'toy', defaultHealthPort: 0, module: ToyModule },
      { NATS_URL: nats.url, AUTOWEAVE_HEALTH_PORT: '0', AUTOWEAVE_MAX_MESSAGE_BYTES: '4096', LOG_LEVEL: 'silent' },
    );
    client = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await nats?.stop();
  });

  const ask = async (subject: string, body: string | Uint8Array, h?: ReturnType<typeof headers>) =>
    decode((await client.request(subject, body, { timeout: 2000, headers: h })).data);

  it('answers a plain JSON request with a success envelope and a validated DTO instance', async () => {
    expect(await ask('toy.echo', JSON.stringify({ name: 'a', count: 2 }))).toEqual({
      ok: true,
      data: { name: 'a', count: 2, isDto: true },
    });
  });

  it.each([
    ['malformed JSON', '{"name":', /not valid JSON/],
    ['a missing field', JSON.stringify({ name: 'a' }), /count/],
    ['a wrong type', JSON.stringify({ name: 'a', count: 'two' }), /count/],
    ['an unknown field', JSON.stringify({ name: 'a', count: 1, extra: true }), /extra/],
    ['a JSON array', '[1,2]', /object/],
    ['an oversized message', JSON.stringify({ name: 'x'.repeat(5000), count: 1 }), /exceeds the limit/],
  ])('replies VALIDATION to %s and keeps serving', async (_case, body, message) => {
    const reply = await ask('toy.echo', body);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('VALIDATION');
    expect(reply.error.message).toMatch(message);
    expect((await ask('toy.echo', JSON.stringify({ name: 'b', count: 1 }))).ok).toBe(true);
  });

  it('keeps the code and details of an AppError', async () => {
    expect(await ask('toy.conflict', '')).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'stale revision', details: { revision: 3 } },
    });
  });

  it('turns an unexpected error into INTERNAL without its message', async () => {
    const reply = await ask('toy.bug', '');
    expect(reply).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    expect(JSON.stringify(reply)).not.toContain('secret-db-password');
  });

  it('carries the correlation id from the request headers into the handler', async () => {
    const h = headers();
    h.set(HEADERS.correlationId, 'corr-123');
    expect(await ask('toy.correlation', '', h)).toEqual({ ok: true, data: { correlationId: 'corr-123' } });
  });

  it('answers its ping subject', async () => {
    const reply = await ask('toy.ping', '');
    expect(reply.ok && reply.data.service).toBe('toy');
  });

  it('Bus.request returns UNAVAILABLE when nobody answers and TIMEOUT when the answer is late', async () => {
    const bus = service.runtime.bus;
    const none = await bus.request('toy.nobody', {});
    expect(!none.ok && none.error.code).toBe('UNAVAILABLE');
    const late = await bus.request('toy.slow', {}, { timeout: 50 });
    expect(!late.ok && late.error.code).toBe('TIMEOUT');
  });

  it('finishes a message in flight before stopping', async () => {
    const second = await runService(
      { name: 'toy', pingSubject: 'toy.ping', queueGroup: 'toy-2', defaultHealthPort: 0, module: ToyModule },
      { NATS_URL: nats.url, AUTOWEAVE_HEALTH_PORT: '0', LOG_LEVEL: 'silent' },
    );
    const pending = client.request('toy.slow', '', { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all([second.stop(), service.stop()]);
    expect(decode((await pending).data)).toEqual({ ok: true, data: { done: true, service: 'toy' } });
  });
});
