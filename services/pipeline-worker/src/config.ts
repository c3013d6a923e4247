import { resolve } from 'node:path';
import { readSecretKeys, type SecretKeys } from '@autoweave/security';
import { type BaseConfig, type EnvReader } from '@autoweave/service-kit';
import { loadSearchSettings, type SearchSettings } from './search/search-config.js';

export interface PipelineWorkerConfig extends BaseConfig {
  /** AES-256-GCM keys (base64 or hex) sealing secret fields of stage configs at rest: AUTOWEAVE_SECRET_KEY seals, AUTOWEAVE_SECRET_KEY_PREVIOUS only opens. */
  secretKeys: SecretKeys;
  /** How long a run lease lives without renewal; a dead worker's run is taken over after this. */
  leaseTtlMs: number;
  /** How often each replica looks at schedules, queued runs and orphaned runs. */
  tickMs: number;
  /** Runs one replica takes on at once; beyond it, scheduled runs are left to other replicas. */
  maxConcurrentRuns: number;
  /** Attempts of a destination write before the run fails (exponential backoff between them). */
  writeAttempts: number;
  /** Quiet time after an event before the run it triggers starts (a burst becomes one run). */
  eventDebounceMs: number;
  /** Folder for file-backed stores (the embedded vector store). */
  dataDir: string;
  /** Endpoint indexing, search and database sync (src/search/search-config.ts). */
  search: SearchSettings;
}

export function loadPipelineWorkerConfig(env: EnvReader, base: BaseConfig): PipelineWorkerConfig {
  const secretKeys = readSecretKeys(env);
  return {
    ...base,
    secretKeys,
    leaseTtlMs: env.int('AUTOWEAVE_PIPELINE_LEASE_TTL_MS', 15_000, { min: 1000, max: 600_000 }),
    tickMs: env.int('AUTOWEAVE_PIPELINE_TICK_MS', 1000, { min: 20, max: 60_000 }),
    maxConcurrentRuns: env.int('AUTOWEAVE_PIPELINE_MAX_CONCURRENT_RUNS', 4, { min: 1, max: 256 }),
    writeAttempts: env.int('AUTOWEAVE_PIPELINE_WRITE_ATTEMPTS', 3, { min: 1, max: 20 }),
    eventDebounceMs: env.int('AUTOWEAVE_PIPELINE_EVENT_DEBOUNCE_MS', 200, { min: 0, max: 60_000 }),
    dataDir: resolve(env.string('AUTOWEAVE_DATA_DIR', '.autoweave'), 'pipelines'),
    search: loadSearchSettings(env),
  };
}
