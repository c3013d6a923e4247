import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsObject, IsOptional, IsString, IsUrl, Matches, ValidateNested } from 'class-validator';
import { RetryPolicyDto } from './common.js';
import type { IntegrationTypeSpec } from './spec.js';

/** Pattern of a subscribed event topic: dot-separated tokens, NATS wildcards allowed. */
export const EVENT_PATTERN = /^(?:[A-Za-z0-9_-]+|\*)(?:\.(?:[A-Za-z0-9_-]+|\*))*(?:\.>)?$|^>$/;

/** An outbound webhook receiver: events matching `events` are delivered to `url`, signed. */
export class WebhookConfigDto {
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  url!: string;

  @ArrayMinSize(1) @ArrayMaxSize(100)
  @Matches(EVENT_PATTERN, { each: true, message: 'each of events must be a topic pattern such as user.* or order.>' })
  events!: string[];

  /** Standard Webhooks secret; generated when absent. */
  @IsOptional() @Matches(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'secret must be a Standard Webhooks secret (whsec_ followed by base64)' })
  secret?: string;

  @IsOptional() @IsObject()
  headers?: Record<string, string>;

  @IsOptional() @ValidateNested() @Type(() => RetryPolicyDto)
  retry?: RetryPolicyDto;

  @IsOptional() @IsString()
  description?: string;
}

export const webhookIntegration: IntegrationTypeSpec<WebhookConfigDto> = {
  type: 'webhook',
  description: 'An outbound webhook receiver, signed per Standard Webhooks',
  configDto: WebhookConfigDto,
  secretFields: ['secret', 'headers.*'],
};
