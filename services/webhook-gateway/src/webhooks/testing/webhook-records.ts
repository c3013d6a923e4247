import { randomBytes } from 'node:crypto';

/** A fresh Standard Webhooks secret, as the hub generates them (test support). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
