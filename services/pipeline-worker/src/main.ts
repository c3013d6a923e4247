import { runServiceMain } from '@autoweave/service-kit';
import { pipelineWorkerService } from './pipeline-worker.definition.js';

await runServiceMain(pipelineWorkerService);
