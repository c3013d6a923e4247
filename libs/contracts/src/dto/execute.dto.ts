import { IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

/**
 * `integration.request.execute`: call one operation of an OpenAPI integration.
 * `params` holds the operation's parameters by name and the JSON body under
 * `body` (grouped as {path, query, header, cookie} when names collide).
 */
export class ExecuteRequestDto {
  @IsUUID('4', { message: 'integrationId must be an integration id (a UUID)' })
  integrationId!: string;

  /** The operationId (or `METHOD /path` for an operation without one). */
  @IsString() @MaxLength(300)
  action!: string;

  @IsOptional() @IsObject()
  params?: Record<string, unknown>;

  /** Overrides the integration's timeout for this call. */
  @IsOptional() @IsInt() @Min(1) @Max(300_000)
  timeoutMs?: number;
}

export interface ExecuteResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Time spent on the upstream call, including waiting for the rate limit. */
  durationMs: number;
}

/** `details` of an UPSTREAM error: what the upstream answered. */
export interface UpstreamErrorDetails {
  status: number;
  body: unknown;
  durationMs: number;
}
