import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import type { IntegrationTypeSpec } from './spec.js';

export const DB_TYPES = ['postgres'] as const;
/**
 * Where a database integration's tables can be synced: `vector` is the
 * pipeline worker's own vector store (Qdrant when it is configured with one,
 * else the embedded store), the others are the storage adapters of that name
 * (`memgraph` speaks Bolt through the neo4j adapter).
 */
export const SYNC_DESTINATIONS = ['vector', 'qdrant', 'neo4j', 'memgraph', 'postgres', 'nats'] as const;
export type SyncDestination = (typeof SYNC_DESTINATIONS)[number];

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** How one table is read when it is synced; by default the key is its primary key and the cursor `updated_at` when it has one. */
export class TableSyncOptionsDto {
  /** The table these options are for, as in `tables` (`users` or `public.users`). */
  @IsString() @Matches(TABLE_NAME, { message: 'table must be a table name such as public.users' })
  table!: string;

  @IsOptional() @ArrayMinSize(1) @ArrayMaxSize(16) @Matches(COLUMN_NAME, { each: true, message: 'each of keyColumns must be a column name' })
  keyColumns?: string[];

  /** A column that grows whenever a row changes; rows are then read incrementally. */
  @IsOptional() @Matches(COLUMN_NAME, { message: 'cursorColumn must be a column name' })
  cursorColumn?: string;

  /** `full` reads the whole table on every run even when a cursor column exists. */
  @IsOptional() @IsIn(['incremental', 'full'])
  mode?: 'incremental' | 'full';
}

/** A database whose tables can be synced into another store by the pipeline worker. */
export class DatabaseConfigDto {
  @IsIn(DB_TYPES)
  dbType!: (typeof DB_TYPES)[number];

  @IsString() @MaxLength(4096)
  @Matches(/^postgres(?:ql)?:\/\//, { message: 'connectionString must be a postgres:// or postgresql:// URL' })
  connectionString!: string;

  /** Tables to sync; absent: every table of the `public` schema. */
  @IsOptional() @Matches(TABLE_NAME, { each: true, message: 'each of tables must be a table name such as public.users' })
  tables?: string[];

  @IsOptional() @IsBoolean()
  syncEnabled?: boolean;

  @ValidateIf((c: DatabaseConfigDto) => c.syncEnabled === true || c.syncDestination !== undefined)
  @IsIn(SYNC_DESTINATIONS, { message: `syncDestination must be one of ${SYNC_DESTINATIONS.join(', ')} (required with syncEnabled)` })
  syncDestination?: SyncDestination;

  /**
   * The destination's settings (a Qdrant URL, Neo4j credentials, a target
   * database...). Checked by the pipeline worker against the destination
   * adapter's schema when it builds the sync pipelines; secret fields
   * (connectionString, password, apiKey) are sealed at rest and masked on reads.
   */
  @IsOptional() @IsObject()
  syncDestinationConfig?: Record<string, unknown>;

  /** Per-table key and cursor columns, where the defaults do not fit. */
  @IsOptional() @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => TableSyncOptionsDto)
  tableOptions?: TableSyncOptionsDto[];

  /** A cron expression (5 or 6 fields, UTC); absent: synced on change and on `integration.admin.sync` only. */
  @IsOptional() @IsString() @MaxLength(100)
  syncSchedule?: string;
}

export const databaseIntegration: IntegrationTypeSpec<DatabaseConfigDto> = {
  type: 'database',
  description: 'A PostgreSQL database whose tables can be synced to vector, graph or relational stores',
  configDto: DatabaseConfigDto,
  secretFields: [
    'connectionString',
    'syncDestinationConfig.connectionString',
    'syncDestinationConfig.password',
    'syncDestinationConfig.apiKey',
    'syncDestinationConfig.embedder.apiKey',
  ],
};
