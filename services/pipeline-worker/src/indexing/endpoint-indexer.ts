import { ENDPOINTS_COLLECTION, openapiIntegration } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { VectorStore } from '@autoweave/storage';
import { endpointPipeline, endpointPipelineName, type EndpointIndexSettings } from './endpoint-pipeline.js';
import type { IntegrationWatch } from './integration-watch.js';
import { isCode, MANAGED_KINDS, managedOf, type ManagedPipelines } from './managed-pipelines.js';
import { ReconcileQueue } from './reconcile-queue.js';

export interface EndpointIndexerDeps {
  watch: IntegrationWatch;
  managed: ManagedPipelines;
  vectorStore: VectorStore;
  settings: EndpointIndexSettings;
  logger: Logger;
  retryMs: number;
}

/**
 * Keeps one endpoint-indexing pipeline per OpenAPI integration (see
 * endpoint-pipeline.ts) in line with the integrations bucket: created and
 * run for a new integration, updated and rerun when its spec (content hash)
 * or the worker's embedder or graph settings change, deleted with its
 * entries when the integration is deleted (or stops being an OpenAPI one).
 *
 * Driven by the KV watch, which replays every record at start: integrations
 * registered, changed or deleted while the worker was down are caught up
 * with. On the first look at an integration in this process, an index with
 * no entry in the vector store (a fresh embedded store, a run that never
 * happened) is run again.
 *
 * Several replicas: each sees every change; the registry lets one of them
 * create or update the pipeline, that one starts the run, and the
 * pipeline's lease keeps a second run from overlapping it.
 */
export class EndpointIndexer {
  private readonly queue: ReconcileQueue;
  /** Integrations looked at once in this process (the entry check runs on the first look). */
  private readonly checked = new Set<string>();
  /** Fingerprint last made sure of, per integration: a record change that leaves it alone costs nothing. */
  private readonly ensured = new Map<string, string>();
  private unsubscribe?: () => void;

  constructor(private readonly deps: EndpointIndexerDeps) {
    this.queue = new ReconcileQueue({ reconcile: (id) => this.reconcile(id), retryMs: deps.retryMs, logger: deps.logger, what: 'endpoint indexing' });
  }

  /** Listens to the watch; call before the watch starts so its replay is seen. */
  listen(): void {
    this.unsubscribe = this.deps.watch.onChange((id) => this.queue.schedule(id));
  }

  /** After the watch's replay: index pipelines whose integration is gone are removed too. */
  async sweepOrphans(): Promise<void> {
    for (const pipeline of await this.deps.managed.list(MANAGED_KINDS.endpointIndex)) {
      const integrationId = managedOf(pipeline)!.integrationId;
      if (this.deps.watch.get(integrationId)?.record.type !== openapiIntegration.type) this.queue.schedule(integrationId);
    }
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.queue.stop();
  }

  private async reconcile(id: string): Promise<void> {
    const stored = this.deps.watch.get(id);
    if (!stored || stored.record.type !== openapiIntegration.type) return this.forget(id);
    const definition = endpointPipeline(stored.record, this.deps.settings);
    if (this.ensured.get(id) === definition.metadata.fingerprint) return;
    const { outcome, pipeline } = await this.deps.managed.ensure(definition);
    const firstLook = !this.checked.has(id);
    this.checked.add(id);
    if (outcome !== 'unchanged') {
      this.deps.logger.info({ integrationId: id, pipeline: pipeline.id, outcome, specHash: definition.metadata.specHash }, 'endpoint index pipeline saved; indexing');
      await this.deps.managed.runSaved(pipeline.id);
    } else if (firstLook && (await this.deps.vectorStore.count(ENDPOINTS_COLLECTION, { integrationId: id })) === 0) {
      await this.deps.managed.run(pipeline.id, { queueIfBusy: false }).catch((err: unknown) => {
        if (!isCode(err, 'CONFLICT')) throw err; // running (or paused by an operator): nothing to add
      });
    }
    this.ensured.set(id, definition.metadata.fingerprint);
  }

  /** The integration is gone (or not an OpenAPI one any more): its pipeline and its entries go too. */
  private async forget(id: string): Promise<void> {
    const pipeline = await this.deps.managed.find(endpointPipelineName(id));
    const known = this.ensured.has(id) || this.checked.has(id);
    this.ensured.delete(id);
    this.checked.delete(id);
    if (!pipeline && !known) return;
    if (pipeline) {
      await this.deps.managed.remove(pipeline);
      await this.deps.managed.settled(pipeline.id);
    }
    await this.deps.vectorStore.delete(ENDPOINTS_COLLECTION, { filter: { integrationId: id } });
    this.deps.logger.info({ integrationId: id }, 'endpoint index entries removed');
  }
}
