/** A named readiness check: resolves true (or a detail string) when healthy, false or throws when not. */
export type HealthCheck = () => Promise<boolean> | boolean;

export interface HealthReport {
  status: 'ok' | 'fail';
  checks: Record<string, { ok: boolean; error?: string }>;
}

/** The readiness checks of one service: NATS and whatever stores it owns. */
export class HealthChecks {
  private readonly checks = new Map<string, HealthCheck>();

  constructor(private readonly timeoutMs = 2000) {}

  add(name: string, check: HealthCheck): this {
    this.checks.set(name, check);
    return this;
  }

  async run(): Promise<HealthReport> {
    const entries = await Promise.all([...this.checks].map(async ([name, check]) => [name, await this.runOne(check)] as const));
    const checks = Object.fromEntries(entries);
    return { status: entries.every(([, r]) => r.ok) ? 'ok' : 'fail', checks };
  }

  private async runOne(check: HealthCheck): Promise<{ ok: boolean; error?: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`check timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      const ok = await Promise.race([Promise.resolve(check()), timeout]);
      return ok ? { ok: true } : { ok: false, error: 'not ready' };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
