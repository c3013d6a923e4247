import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** Rate limit of calls to one integration: a token bucket. */
export class RateLimitDto {
  @IsInt() @Min(1) @Max(100_000)
  rps!: number;

  @IsOptional() @IsInt() @Min(1) @Max(100_000)
  burst?: number;

  /** Queue up to this many waiting calls instead of refusing them at once. */
  @IsOptional() @IsInt() @Min(0) @Max(100_000)
  queue?: number;
}

/** Circuit breaker settings for calls to one integration. */
export class BreakerDto {
  @IsOptional() @IsInt() @Min(1) @Max(300_000)
  timeoutMs?: number;

  @IsOptional() @IsInt() @Min(1) @Max(100)
  errorThresholdPercentage?: number;

  @IsOptional() @IsInt() @Min(100) @Max(3_600_000)
  resetTimeoutMs?: number;

  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  volumeThreshold?: number;
}

/** Retry policy: exponential backoff with full jitter. */
export class RetryPolicyDto {
  @IsOptional() @IsInt() @Min(1) @Max(50)
  maxAttempts?: number;

  @IsOptional() @IsInt() @Min(1) @Max(3_600_000)
  initialDelayMs?: number;

  @IsOptional() @IsInt() @Min(1) @Max(86_400_000)
  maxDelayMs?: number;
}

export const AUTH_TYPES = ['apiKey', 'bearer', 'basic', 'oauth2'] as const;

/** Credentials for an upstream API. Secret values are encrypted at rest and never read back. */
export class AuthDto {
  @IsIn(AUTH_TYPES)
  type!: (typeof AUTH_TYPES)[number];

  /** For apiKey: the spec's security scheme name, or where to put the key. */
  @IsOptional() @IsString() @MaxLength(200)
  scheme?: string;

  @IsOptional() @IsIn(['header', 'query', 'cookie'])
  in?: 'header' | 'query' | 'cookie';

  @IsOptional() @IsString() @MaxLength(200)
  name?: string;

  @IsOptional() @IsString() @MaxLength(8192)
  apiKey?: string;

  @IsOptional() @IsString() @MaxLength(8192)
  token?: string;

  @IsOptional() @IsString() @MaxLength(500)
  username?: string;

  @IsOptional() @IsString() @MaxLength(8192)
  password?: string;

  @IsOptional() @IsString() @MaxLength(500)
  clientId?: string;

  @IsOptional() @IsString() @MaxLength(8192)
  clientSecret?: string;

  @IsOptional() @IsString() @MaxLength(2000)
  tokenUrl?: string;

  @IsOptional() @IsString({ each: true })
  scopes?: string[];
}

export class WithResilienceDto {
  @IsOptional() @ValidateNested() @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto;

  @IsOptional() @ValidateNested() @Type(() => BreakerDto)
  breaker?: BreakerDto;

  @IsOptional() @IsBoolean()
  autoRegister?: boolean;
}

/** Periodic health probe of an integration. */
export class HealthCheckDto {
  /** Milliseconds between probes. */
  @IsInt() @Min(1000) @Max(86_400_000)
  interval!: number;

  /** An operationId to probe instead of the spec's health operation or the base URL. */
  @IsOptional() @IsString() @MaxLength(300)
  operationId?: string;
}
