import { BUCKETS, PING, QUEUE_GROUPS, STREAMS } from '@autoweave/contracts';
import type { ServiceDefinition } from '@autoweave/service-kit';
import { loadPipelineWorkerConfig, type PipelineWorkerConfig } from './config.js';
import { PipelineWorkerModule } from './pipeline-worker.module.js';

/**
 * The pipeline-worker service as the service kit runs it; main.ts and the
 * tests both start it from here. The `pipeline_leases` bucket is opened by
 * the worker itself (its max_age is the configured lease TTL). `integrations`
 * is only read (watched): the hub writes it.
 */
export const pipelineWorkerService: ServiceDefinition<PipelineWorkerConfig> = {
  name: 'pipeline-worker',
  pingSubject: PING.pipelineWorker,
  queueGroup: QUEUE_GROUPS.pipelineWorker,
  defaultHealthPort: 3105,
  buckets: [BUCKETS.pipelines, BUCKETS.pipelineCursors, BUCKETS.integrations],
  streams: [STREAMS.events, STREAMS.pipelineDlq],
  module: PipelineWorkerModule,
  loadConfig: loadPipelineWorkerConfig,
};
