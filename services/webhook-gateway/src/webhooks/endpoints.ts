import {
  DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  webhookIntegration,
  type BreakerDto,
  type IntegrationStatus,
  type PreviousSecretDto,
  type RateLimitDto,
  type StoredIntegration,
  type WebhookConfigDto,
  type WebhookRetryDto,
} from '@autoweave/contracts';
import type { KvSnapshot } from '@autoweave/messaging';
import { mapSecrets, type SecretBox } from '@autoweave/security';
import { secretKey } from './signature.js';

/** A webhook integration as the gateway uses it: secrets opened, defaults applied. */
export interface WebhookEndpoint {
  id: string;
  name: string;
  status: IntegrationStatus;
  /** Registry revision this view was built from. */
  revision: number;
  /** Absent for an inbound-only integration. */
  url?: string;
  events: string[];
  headers: Record<string, string>;
  /** Delays before attempts 2..n; attempts = length + 1. */
  retryScheduleMs: number[];
  ordered: boolean;
  timeoutMs: number;
  rateLimit?: RateLimitDto;
  breaker?: BreakerDto;
  /** Keys valid at `now`: the current secret's first, then unexpired previous ones. */
  keys(now?: number): Buffer[];
}

/** The explicit schedule, else exponential delays from the base policy, else Svix's schedule. */
export function retrySchedule(retry: WebhookRetryDto | undefined): number[] {
  if (retry?.scheduleMs) return retry.scheduleMs;
  if (!retry || (retry.maxAttempts === undefined && retry.initialDelayMs === undefined)) return [...DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS];
  const attempts = retry.maxAttempts ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS.length + 1;
  const initial = retry.initialDelayMs ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS[0];
  const max = retry.maxDelayMs ?? Math.max(initial, DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS.at(-1)!);
  return Array.from({ length: attempts - 1 }, (_, i) => Math.min(max, initial * 2 ** i));
}

type Listener = (id: string, endpoint: WebhookEndpoint | undefined) => void;

/**
 * The webhook integrations of the registry, read from this replica's watch of
 * the `integrations` bucket. Secrets are opened once per registry revision,
 * not per request; they stay in memory only.
 */
export class WebhookEndpoints {
  private readonly cache = new Map<string, WebhookEndpoint>();

  constructor(
    private readonly snapshot: KvSnapshot<StoredIntegration>,
    private readonly box: SecretBox,
  ) {}

  get(id: string): WebhookEndpoint | undefined {
    const stored = this.snapshot.get(id);
    if (!stored || stored.record.type !== webhookIntegration.type) return undefined;
    const cached = this.cache.get(id);
    if (cached && cached.revision === stored.revision) return cached;
    const endpoint = this.open(stored);
    this.cache.set(id, endpoint);
    return endpoint;
  }

  all(): WebhookEndpoint[] {
    return this.snapshot
      .all()
      .filter((s) => s.record.type === webhookIntegration.type)
      .map((s) => this.get(s.record.id)!)
      .filter(Boolean);
  }

  /** Called on every change of a webhook integration (undefined: deleted or no longer a webhook). */
  onChange(listener: Listener): () => void {
    return this.snapshot.onChange((id, stored) => {
      if (stored && stored.record.type !== webhookIntegration.type) return;
      if (!stored) this.cache.delete(id);
      listener(id, stored ? this.get(id) : undefined);
    });
  }

  private open({ record, revision }: StoredIntegration): WebhookEndpoint {
    const config = mapSecrets(record.config, webhookIntegration.secretFields, (value) =>
      this.box.isSealed(value) ? (JSON.parse(this.box.open(value)) as unknown) : value,
    ) as unknown as WebhookConfigDto;
    const current = config.secret ? [secretKey(config.secret)] : [];
    const previous: Array<{ key: Buffer; expiresAt: number }> = (config.previousSecrets ?? []).map((p: PreviousSecretDto) => ({
      key: secretKey(p.secret),
      expiresAt: Date.parse(p.expiresAt),
    }));
    return {
      id: record.id,
      name: record.name,
      status: record.status,
      revision,
      url: config.url,
      events: config.events ?? [],
      headers: config.headers ?? {},
      retryScheduleMs: retrySchedule(config.retry),
      ordered: config.ordered ?? false,
      timeoutMs: config.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
      rateLimit: config.rateLimit,
      breaker: config.breaker,
      keys: (now = Date.now()) => [...current, ...previous.filter((p) => p.expiresAt > now).map((p) => p.key)],
    };
  }
}
