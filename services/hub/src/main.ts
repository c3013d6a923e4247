import { runServiceMain } from '@autoweave/service-kit';
import { hubService } from './hub.definition.js';

await runServiceMain(hubService);
