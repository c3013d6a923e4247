import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsUrl, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { AuthDto, HealthCheckDto, WithResilienceDto } from './common.js';
import type { IntegrationTypeSpec } from './spec.js';

const URL_OPTIONS = { protocols: ['http', 'https'], require_tld: false, require_protocol: true };

/** An HTTP API described by an OpenAPI document, inline or by URL. */
export class OpenApiConfigDto extends WithResilienceDto {
  @ValidateIf((c: OpenApiConfigDto) => c.openAPIUrl === undefined)
  @IsObject({ message: 'openAPISpec must be an object (or give openAPIUrl)' })
  openAPISpec?: Record<string, unknown>;

  @ValidateIf((c: OpenApiConfigDto) => c.openAPISpec === undefined)
  @IsUrl(URL_OPTIONS, { message: 'openAPIUrl must be an http(s) URL (or give openAPISpec)' })
  openAPIUrl?: string;

  @IsOptional() @IsUrl(URL_OPTIONS)
  baseUrl?: string;

  @IsOptional() @ValidateNested() @Type(() => AuthDto)
  auth?: AuthDto;

  @IsOptional() @IsInt() @Min(1) @Max(300_000)
  timeoutMs?: number;

  /** Probe the API periodically and publish integration.health.changed on transitions. */
  @IsOptional() @ValidateNested() @Type(() => HealthCheckDto)
  healthCheck?: HealthCheckDto;

  /** Values for the spec's server variables. */
  @IsOptional() @IsObject()
  serverVariables?: Record<string, string>;
}

export const openapiIntegration: IntegrationTypeSpec<OpenApiConfigDto> = {
  type: 'openapi',
  description: 'An HTTP API described by an OpenAPI 3.x (or Swagger 2.0) document',
  configDto: OpenApiConfigDto,
  secretFields: ['auth.apiKey', 'auth.token', 'auth.password', 'auth.clientSecret'],
};
