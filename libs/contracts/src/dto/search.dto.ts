import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

/** Bounds of an endpoint search. */
export const SEARCH_LIMITS = {
  defaultLimit: 10,
  maxLimit: 50,
  maxQueryLength: 500,
} as const;

/**
 * `search.endpoints`: the operations of every OpenAPI integration that best
 * match a plain-language query (`GET /api/search?q=&limit=`), optionally
 * within one integration.
 */
export class SearchEndpointsDto {
  @IsString() @MaxLength(SEARCH_LIMITS.maxQueryLength) @Matches(/\S/, { message: 'q must contain at least one word' })
  q!: string;

  @IsOptional() @IsInt() @Min(1) @Max(SEARCH_LIMITS.maxLimit)
  limit?: number;

  @IsOptional() @IsUUID('4', { message: 'integrationId must be an integration id (a UUID)' })
  integrationId?: string;
}

/** One operation found, best first; `score` is the cosine similarity of the query and the operation (higher is nearer). */
export interface EndpointSearchHit {
  integrationId: string;
  integrationName: string;
  operationId: string;
  /** Upper case: GET, POST... */
  method: string;
  path: string;
  summary?: string;
  score: number;
}

/** The payload stored with each operation in the `endpoints` collection (the hit without its score). */
export type EndpointPayload = Omit<EndpointSearchHit, 'score'>;

/** The vector collection the endpoint index lives in. */
export const ENDPOINTS_COLLECTION = 'endpoints';
