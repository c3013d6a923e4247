import {
  AppError,
  databaseIntegration,
  type DatabaseConfigDto,
  type IntegrationSyncResult,
  type PipelineView,
  type StoredIntegration,
  type TableSyncProblem,
  type TableSyncRun,
} from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { StorageAdapterFactory, StorageContext } from '@autoweave/storage';
import { secretFingerprint } from '../indexing/fingerprint.js';
import type { IntegrationWatch } from '../indexing/integration-watch.js';
import { MANAGED_KINDS, managedOf, type ManagedPipelines, type RunRequestOutcome } from '../indexing/managed-pipelines.js';
import { ReconcileQueue } from '../indexing/reconcile-queue.js';
import { sameTable, syncPipeline } from './sync-pipelines.js';
import { introspectTables, qualifiedName, type TableInfo } from './table-introspection.js';

export interface DatabaseSyncDeps {
  watch: IntegrationWatch;
  managed: ManagedPipelines;
  factory: StorageAdapterFactory;
  storage: StorageContext;
  /** The worker's embedder, for vector destinations that name none. */
  embedder: Record<string, unknown>;
  secretKey: string;
  logger: Logger;
  retryMs: number;
}

interface TablePipeline {
  table: string;
  pipeline: PipelineView;
  /** The run started because the pipeline was just created or changed. */
  run?: RunRequestOutcome;
}

interface Reconciled {
  pipelines: TablePipeline[];
  skipped: TableSyncProblem[];
}

/** Changing this makes every sync pipeline look at its database again. */
const CONFIG_VERSION = 1;

/**
 * Keeps the sync pipelines of `database` integrations in line with the
 * integrations bucket: one pipeline per synced table (see sync-pipelines.ts),
 * created when `syncEnabled` is set, rebuilt when the config changes,
 * deleted when sync is switched off, the integration is disabled or deleted
 * (what was synced stays in the destination). A new or changed pipeline runs
 * at once; afterwards its `syncSchedule` (cron) or `integration.admin.sync`
 * runs it.
 *
 * The database is introspected (tables, primary keys, column types, an
 * `updated_at` column) only when the integration's sync config changed or a
 * sync is asked for, not on every change of its record.
 */
export class DatabaseSync {
  private readonly queue: ReconcileQueue;
  /** Tables the last reconcile could not sync, per integration, for the sync reply and the logs. */
  private readonly problems = new Map<string, TableSyncProblem[]>();
  private unsubscribe?: () => void;

  constructor(private readonly deps: DatabaseSyncDeps) {
    this.queue = new ReconcileQueue({ reconcile: (id) => this.reconcile(id).then(() => undefined), retryMs: deps.retryMs, logger: deps.logger, what: 'database sync' });
  }

  listen(): void {
    this.unsubscribe = this.deps.watch.onChange((id) => this.queue.schedule(id));
  }

  /** After the watch's replay: sync pipelines whose integration is gone are removed too. */
  async sweepOrphans(): Promise<void> {
    for (const pipeline of await this.deps.managed.list(MANAGED_KINDS.databaseSync)) {
      const integrationId = managedOf(pipeline)!.integrationId;
      if (!this.deps.watch.get(integrationId)) this.queue.schedule(integrationId);
    }
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.queue.stop();
  }

  /**
   * `integration.admin.sync`: looks at the database again (new tables, new
   * columns), brings the pipelines in line and runs every table's pipeline
   * now (or right after the run in progress).
   */
  syncNow(id: string): Promise<IntegrationSyncResult> {
    return this.queue.exclusive(id, async () => {
      const stored = this.deps.watch.get(id);
      if (!stored) throw new AppError('NOT_FOUND', `integration ${id} not found`, { id });
      if (stored.record.type !== databaseIntegration.type) {
        throw new AppError('VALIDATION', `integration ${id} is of type ${stored.record.type}; only database integrations are synced`, { id });
      }
      if (!wantsSync(stored)) {
        const why = stored.record.status === 'disabled' ? 'the integration is disabled' : 'config.syncEnabled is not true';
        throw new AppError('CONFLICT', `integration ${stored.record.name} is not synced: ${why}`, { id, state: 'sync-disabled' });
      }
      const { pipelines, skipped } = await this.reconcile(id, true);
      if (pipelines.length === 0) {
        throw new AppError('VALIDATION', skipped.length > 0 ? skipped.map((s) => `${s.table}: ${s.reason}`).join('; ') : `integration ${stored.record.name} has no table to sync`, { id, skipped });
      }
      const tables: TableSyncRun[] = [];
      for (const { table, pipeline, run } of pipelines) {
        const outcome = run ?? (await this.deps.managed.run(pipeline.id, { queueIfBusy: true }));
        tables.push({ table, pipelineId: pipeline.id, ...outcome });
      }
      const config = stored.record.config as unknown as DatabaseConfigDto;
      return { integrationId: id, destination: String(config.syncDestination), tables, skipped };
    });
  }

  private async reconcile(id: string, force = false): Promise<Reconciled> {
    const stored = this.deps.watch.get(id);
    const existing = await this.deps.managed.list(MANAGED_KINDS.databaseSync, id);
    if (!stored || stored.record.type !== databaseIntegration.type || !wantsSync(stored)) {
      for (const pipeline of existing) await this.deps.managed.remove(pipeline);
      this.problems.delete(id);
      return { pipelines: [], skipped: [] };
    }
    const config = this.deps.watch.reveal(stored.record) as unknown as DatabaseConfigDto;
    const configPrint = secretFingerprint(this.deps.secretKey, { version: CONFIG_VERSION, config: syncRelevant(config), embedder: this.deps.embedder, name: stored.record.name });
    const unchanged = existing.length > 0 && existing.every((p) => managedOf(p)?.configFingerprint === configPrint);
    if (unchanged && !force) return { pipelines: existing.map((p) => ({ table: String(managedOf(p)!.table), pipeline: p })), skipped: this.problems.get(id) ?? [] };

    const tables = await this.selectTables(config);
    const skipped: TableSyncProblem[] = [...tables.missing];
    const pipelines: TablePipeline[] = [];
    for (const table of tables.found) {
      const qualified = `${table.schema}.${table.table}`;
      try {
        const definition = syncPipeline({
          integration: { id, name: stored.record.name },
          config,
          table,
          tableCount: tables.found.length + tables.missing.length,
          embedder: this.deps.embedder,
          secretKey: this.deps.secretKey,
        });
        // The config's print is part of the definition's: a config change always reaches the stored pipelines.
        definition.metadata.configFingerprint = configPrint;
        definition.metadata.fingerprint = secretFingerprint(this.deps.secretKey, [definition.metadata.fingerprint, configPrint]);
        const { outcome, pipeline } = await this.deps.managed.ensure(definition);
        const entry: TablePipeline = { table: qualified, pipeline };
        if (outcome !== 'unchanged') {
          this.deps.logger.info({ integrationId: id, table: qualified, pipeline: pipeline.id, outcome }, 'database sync pipeline saved; syncing');
          entry.run = await this.deps.managed.runSaved(pipeline.id);
        }
        pipelines.push(entry);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'VALIDATION') throw err;
        skipped.push({ table: qualified, reason: err.message.replace(/\bdestination\.config\./g, 'syncDestinationConfig.') });
      }
    }
    const kept = new Set(pipelines.map((p) => p.pipeline.id));
    for (const pipeline of existing) if (!kept.has(pipeline.id)) await this.deps.managed.remove(pipeline);
    if (skipped.length > 0) this.deps.logger.warn({ integrationId: id, skipped }, 'some tables of a database integration cannot be synced');
    this.problems.set(id, skipped);
    return { pipelines, skipped };
  }

  /** The configured tables (all of `public` when none), found in the database or reported missing. */
  private async selectTables(config: DatabaseConfigDto): Promise<{ found: TableInfo[]; missing: TableSyncProblem[] }> {
    const all = await introspectTables(this.deps.factory, this.deps.storage, config.connectionString);
    if (!config.tables || config.tables.length === 0) return { found: all.filter((t) => t.schema === 'public'), missing: [] };
    const found: TableInfo[] = [];
    const missing: TableSyncProblem[] = [];
    for (const name of new Set(config.tables)) {
      const table = all.find((t) => sameTable(name, t));
      if (table) found.push(table);
      else {
        const q = qualifiedName(name);
        missing.push({ table: `${q.schema}.${q.table}`, reason: 'no such table (or the connecting role cannot see it)' });
      }
    }
    return { found, missing };
  }
}

function wantsSync(stored: StoredIntegration): boolean {
  return stored.record.status !== 'disabled' && (stored.record.config as { syncEnabled?: unknown }).syncEnabled === true;
}

/** The parts of a database config that change what is synced (not its description, tags or health). */
function syncRelevant(config: DatabaseConfigDto): Record<string, unknown> {
  const { connectionString, tables, syncDestination, syncDestinationConfig, tableOptions, syncSchedule } = config;
  return { connectionString, tables, syncDestination, syncDestinationConfig, tableOptions, syncSchedule };
}
