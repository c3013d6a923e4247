/** The shapes the dashboard reads, as the gateway documents them (libs/contracts). */

export interface Integration {
  id: string;
  name: string;
  type: string;
  description?: string;
  status: string;
  health: string;
  config: Record<string, unknown>;
  tags: string[];
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  revision: number;
  plugin?: { state?: string; [key: string]: unknown };
}

export interface IntegrationList {
  items: Integration[];
  total: number;
}

export interface IntegrationMetrics {
  integrationId: string;
  windowSeconds: number;
  requests: number;
  errors: number;
  errorRate: number;
  byOutcome: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number } | null;
}

export interface LogEntry {
  ts: string;
  level: string;
  integrationId: string;
  kind: 'request' | 'health';
  action: string;
  outcome: string;
  status?: number;
  durationMs: number;
  message?: string;
}

export interface DeliveryAttempt {
  msgId: string;
  integrationId: string;
  topic: string;
  attempt: number;
  outcome: string;
  trigger: string;
  status?: number;
  latencyMs: number;
  responseExcerpt?: string;
  error?: string;
  nextAttemptAt?: string;
  at: string;
}

export interface PipelineStage {
  type: string;
  config: Record<string, unknown>;
}

/** `GET /api/pipeline/components`: what a stage can be, with the JSON Schema of its config. */
export interface PipelineComponents {
  adapters: Array<{ type: string; description: string; roles: Array<'source' | 'destination'>; configSchema: Record<string, unknown> }>;
  processors: Array<{ type: string; description: string; configSchema: Record<string, unknown> }>;
}

export interface Pipeline {
  id: string;
  name: string;
  description?: string;
  source: PipelineStage;
  processors: PipelineStage[];
  destination: PipelineStage;
  batchSize: number;
  schedule: { type: string; everyMs?: number; cron?: string; timezone?: string; event?: string };
  enabled: boolean;
  paused: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RunSummary {
  runId: string;
  trigger: string;
  outcome?: string;
  stopReason?: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  read: number;
  written: number;
  failed: number;
  dropped: number;
  batches: number;
  error?: string;
}

export interface PipelineStatus {
  id: string;
  name: string;
  state: string;
  enabled: boolean;
  paused: boolean;
  currentRun?: RunSummary;
  lastRun?: RunSummary;
  lastError?: { message: string; runId: string; at: string };
  progress: { read: number; written: number; failed: number; dropped: number; batches: number };
  lag?: number;
  deadLetters: number;
}

export interface PipelineMetrics {
  pipelines: Array<{ id: string; name: string; state: string; meanBatchSeconds: number; lastRun?: RunSummary; totals: { runs: number; read: number; written: number; failedItems: number } }>;
}

export interface DeadLetter {
  seq: number;
  runId: string;
  stage: number;
  processor: string;
  error: string;
  item: Record<string, unknown>;
  attempts: number;
  at: string;
}

export interface SearchHit {
  integrationId: string;
  integrationName: string;
  operationId: string;
  method: string;
  path: string;
  summary?: string;
  score: number;
}
