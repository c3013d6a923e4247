import { runServiceMain } from '@autoweave/service-kit';
import { discoveryService } from './discovery.definition.js';

await runServiceMain(discoveryService);
