/** What became of one table's pipeline when a database integration was synced now. */
export interface TableSyncRun {
  /** `schema.table` */
  table: string;
  pipelineId: string;
  /** `started`: a run began (`runId`); `queued`: one is running, another follows it. */
  state: 'started' | 'queued';
  runId?: string;
}

/** A table that is not synced, and why (no primary key, a bad destination setting...). */
export interface TableSyncProblem {
  table: string;
  reason: string;
}

/** Reply of `integration.admin.sync` (`POST /api/integration/:id/sync`), answered by the pipeline worker. */
export interface IntegrationSyncResult {
  integrationId: string;
  /** The configured destination type. */
  destination: string;
  tables: TableSyncRun[];
  skipped: TableSyncProblem[];
}
