import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, SEARCH, type EndpointSearchHit } from '@autoweave/contracts';
import { SecretBox } from '@autoweave/security';
import { runService, type RunningService } from '@autoweave/service-kit';
import { LexicalEmbedder } from '@autoweave/storage';
import { putIntegrationRecord, startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { Kvm } from '@nats-io/kv';
import type { PipelineWorkerConfig } from '../config.js';
import { petstoreSpec } from '../indexing/testing/petstore-spec.js';
import { pipelineWorkerService } from '../pipeline-worker.definition.js';
import { SECRET_KEY, TestClient, workerEnv } from '../testing/harness.js';

/**
 * AUTOWEAVE_EMBEDDER=openai: the index and the queries are embedded by an
 * OpenAI-compatible `/v1/embeddings` server (here a real local HTTP server
 * answering with lexical vectors, so rankings can be checked), reached
 * through the outbound policy (AUTOWEAVE_OUTBOUND_ALLOW=loopback).
 */
describe('endpoint search with an OpenAI-compatible embedding server', () => {
  let nats: NatsServerHandle;
  let server: Server;
  let worker: RunningService<PipelineWorkerConfig>;
  let client: TestClient;
  const requests: Array<{ model: string; input: string[]; auth?: string }> = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'aw-openai-'));
  const lexical = new LexicalEmbedder(64);

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        void (async () => {
          const { model, input } = JSON.parse(body) as { model: string; input: string[] };
          requests.push({ model, input, auth: req.headers.authorization });
          const vectors = await lexical.embed(input);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ object: 'list', model, data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })) }));
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    nats = await startNatsServer();
    worker = await runService(
      pipelineWorkerService,
      workerEnv(nats.url, {
        AUTOWEAVE_DATA_DIR: dataDir,
        AUTOWEAVE_EMBEDDER: 'openai',
        AUTOWEAVE_EMBEDDER_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        AUTOWEAVE_EMBEDDER_MODEL: 'test-embedding-model',
        AUTOWEAVE_EMBEDDER_API_KEY: 'sk-embed-test',
        AUTOWEAVE_EMBEDDER_DIMENSIONS: '64',
        AUTOWEAVE_OUTBOUND_ALLOW: 'loopback',
      }),
    );
    client = await TestClient.connect(nats.url);
  });

  afterAll(async () => {
    await client?.close();
    await worker?.stop();
    await nats?.stop();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('embeds the operations and the query with the configured model', async () => {
    const kv = await new Kvm(client.nc).open(BUCKETS.integrations);
    await putIntegrationRecord(kv, SecretBox.fromString(SECRET_KEY), { name: 'petstore', type: 'openapi', config: { openAPISpec: petstoreSpec() } });
    const hits = await waitFor(async () => {
      const found = await client.ok<EndpointSearchHit[]>(SEARCH.endpoints, { q: 'find pets by status' });
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 20_000, what: 'the operations to be indexed through the embedding server' });
    expect(hits[0]!.operationId).toBe('findPetsByStatus');
    // The index went out in merged requests (one per batch, not one per operation), then the query alone.
    expect(requests.some((r) => r.input.length > 1 && r.input.some((t) => t.startsWith('Finds Pets by status')))).toBe(true);
    expect(requests.at(-1)!.input).toEqual(['find pets by status']);
    expect(requests.every((r) => r.model === 'test-embedding-model' && r.auth === 'Bearer sk-embed-test')).toBe(true);
  });
});
