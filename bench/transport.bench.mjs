// How much does a request cost through AutoWeave's EnvelopeServer transport,
// compared with a bare nats.js responder (the floor) and with NestJS's own
// NATS transport, all on one private nats-server in this process?
// Prints one JSON line; `ratio` = envelope rps / bare nats.js rps.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Transport } from '@nestjs/microservices';
import { connect } from '@nats-io/transport-node';
import { runService } from '@autoweave/service-kit';
import { startNatsServer } from '@autoweave/testing';
import { medianOf, runLoad, numberArg } from './load.mjs';

if (process.argv.includes('--help')) {
  console.log('usage: node bench/transport.bench.mjs [--requests N] [--concurrency C]\nPrints one JSON line: rps, p50/p99 latency per transport and ratio (envelope / bare nats.js).');
  process.exit(0);
}
const requests = numberArg('requests', 20000);
const concurrency = numberArg('concurrency', 64);
const payload = JSON.stringify({ name: 'bench', count: 1, tags: ['a', 'b'] });

function echoModule(subject) {
  class Echo {
    echo(data) {
      return data;
    }
  }
  Reflect.decorate([MessagePattern(subject)], Echo.prototype, 'echo', Object.getOwnPropertyDescriptor(Echo.prototype, 'echo'));
  Controller()(Echo);
  class EchoModule {}
  Module({ controllers: [Echo] })(EchoModule);
  return EchoModule;
}

const nats = await startNatsServer();
const client = await connect({ servers: nats.url });
const stops = [];
try {
  // 1. bare nats.js responder: the floor
  const server = await connect({ servers: nats.url });
  server.subscribe('bench.bare', { queue: 'q', callback: (_e, m) => m.respond(`{"ok":true,"data":${new TextDecoder().decode(m.data)}}`) });
  stops.push(() => server.drain());

  // 2. AutoWeave's envelope transport, booted the way every service is
  const svc = await runService(
    { name: 'bench', pingSubject: 'bench.ping', queueGroup: 'bench', defaultHealthPort: 0, module: echoModule('bench.envelope') },
    { NATS_URL: nats.url, AUTOWEAVE_HEALTH_PORT: '0', LOG_LEVEL: 'silent' },
  );
  stops.push(() => svc.stop());

  // 3. NestJS's built-in NATS transport (packet format {pattern, data, id})
  const nest = await NestFactory.createMicroservice(echoModule('bench.nest'), { transport: Transport.NATS, options: { servers: [nats.url], queue: 'nest' }, logger: false });
  await nest.listen();
  stops.push(() => nest.close());

  const nestPacket = (i) => JSON.stringify({ pattern: 'bench.nest', data: JSON.parse(payload), id: String(i) });
  const load = (subject, body) => medianOf(3, () => runLoad({ requests, concurrency, send: (i) => client.request(subject, body(i), { timeout: 10000 }) }));

  const bare = await load('bench.bare', () => payload);
  const envelope = await load('bench.envelope', () => payload);
  const nestNats = await load('bench.nest', nestPacket);
  console.log(JSON.stringify({
    bench: 'transport',
    requests,
    concurrency,
    bareNats: bare,
    envelopeServer: envelope,
    nestNatsTransport: nestNats,
    ratio: Number((envelope.rps / bare.rps).toFixed(3)),
    ratioVsNestTransport: Number((envelope.rps / nestNats.rps).toFixed(3)),
  }));
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await client.close();
  await nats.stop();
}
