import { BUCKETS, PING, QUEUE_GROUPS, STREAMS } from '@autoweave/contracts';
import type { ServiceDefinition } from '@autoweave/service-kit';
import { PipelineWorkerModule } from './pipeline-worker.module.js';

/** The pipeline-worker service as the service kit runs it; main.ts and the tests both start it from here. */
export const pipelineWorkerService: ServiceDefinition = {
  name: 'pipeline-worker',
  pingSubject: PING.pipelineWorker,
  queueGroup: QUEUE_GROUPS.pipelineWorker,
  defaultHealthPort: 3105,
  buckets: [BUCKETS.pipelines, BUCKETS.pipelineCursors],
  streams: [STREAMS.events, STREAMS.pipelineDlq],
  module: PipelineWorkerModule,
};
