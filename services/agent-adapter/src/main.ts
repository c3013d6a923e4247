import { runServiceMain } from '@autoweave/service-kit';
import { agentAdapterService } from './agent-adapter.definition.js';

await runServiceMain(agentAdapterService);
