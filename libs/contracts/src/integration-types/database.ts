import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { IntegrationTypeSpec } from './spec.js';

export const DB_TYPES = ['postgres'] as const;
export const SYNC_DESTINATIONS = ['qdrant', 'neo4j', 'memgraph', 'postgres', 'pgvector', 'nats'] as const;

/** A database whose tables can be synced into another store by the pipeline worker. */
export class DatabaseConfigDto {
  @IsIn(DB_TYPES)
  dbType!: (typeof DB_TYPES)[number];

  @IsString() @MaxLength(4096)
  @Matches(/^postgres(?:ql)?:\/\//, { message: 'connectionString must be a postgres:// or postgresql:// URL' })
  connectionString!: string;

  @IsOptional() @Matches(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/, { each: true, message: 'each of tables must be a table name such as public.users' })
  tables?: string[];

  @IsOptional() @IsBoolean()
  syncEnabled?: boolean;

  @IsOptional() @IsIn(SYNC_DESTINATIONS)
  syncDestination?: (typeof SYNC_DESTINATIONS)[number];

  /** A cron expression. */
  @IsOptional() @IsString() @MaxLength(100)
  syncSchedule?: string;
}

export const databaseIntegration: IntegrationTypeSpec<DatabaseConfigDto> = {
  type: 'database',
  description: 'A PostgreSQL database whose tables can be synced to vector, graph or relational stores',
  configDto: DatabaseConfigDto,
  secretFields: ['connectionString'],
};
