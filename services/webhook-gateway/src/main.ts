import { runServiceMain } from '@autoweave/service-kit';
import { gatewayService } from './gateway.definition.js';

await runServiceMain(gatewayService);
