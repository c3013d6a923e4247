import { createHash } from 'node:crypto';
import { fetchTextWithUndici, readOpenApi, type FetchText, type ReadOpenApi } from '@autoweave/openapi';
import { createBreaker, type Breaker } from '@autoweave/resilience';

/** An OpenAPI document fetched and read (see fetchSpec): the parsed document, its text and the sha256 of the text. */
export interface FetchedSpec {
  url: string;
  document: Record<string, unknown>;
  text: string;
  contentHash: string;
}

/**
 * Why a spec could not be used. `unreachable` (connection refused, timeout, reset) counts against the
 * service's breaker; `invalid` (an HTTP error status, not JSON/YAML, not a valid OpenAPI document)
 * says the service answered, so it does not.
 */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    readonly kind: 'unreachable' | 'invalid',
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Joins a service URL and a path: `http://h:1/base` + `/openapi.json` -> `http://h:1/base/openapi.json`. */
export function joinUrl(base: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Fetches `url` and reads it with libs/openapi (size limit, one deadline of `timeoutMs`): JSON or
 * YAML that says it is OpenAPI 3.0/3.1 or Swagger 2.0. It is not validated here: the hub loads and
 * validates every announced spec as it registers it (and publishes integration.failed with the
 * reason when it is invalid), so validating here as well would only do the work twice.
 * `fetchText` is how documents are read (default: a new connection per fetch).
 */
export async function fetchSpec(url: string, timeoutMs: number, fetchText: FetchText = fetchTextWithUndici): Promise<FetchedSpec> {
  const target = new URL(url).href;
  let transportFailure: string | undefined;
  let read: ReadOpenApi;
  try {
    read = await readOpenApi(
      { url },
      {
        timeoutMs,
        fetchText: async (at, limits) => {
          try {
            return await fetchText(at, limits);
          } catch (err) {
            const message = (err as Error).message ?? String(err);
            if (at === target && !/^HTTP \d+/.test(message) && !/document exceeds/.test(message)) transportFailure = message;
            throw err;
          }
        },
      },
    );
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    const unreachable = transportFailure !== undefined || /no complete answer within/.test(message);
    throw new SpecError(unreachable ? 'unreachable' : 'invalid', `${url}: ${message}`, url);
  }
  if (read.text === undefined) throw new SpecError('invalid', `${url}: no document text was read`, url);
  return { url, document: read.document, text: read.text, contentHash: sha256(read.text) };
}

export interface ProbeOptions {
  paths: readonly string[];
  timeoutMs: number;
  /** How documents are read (default: a new connection per fetch). */
  fetchText?: FetchText;
}

/**
 * Finds a service's spec by trying the usual paths in order, each with a short timeout, through a
 * per-service circuit breaker: a service that does not answer at all opens it, and later probes
 * fail fast instead of waiting out every path's timeout. The first path answering an OpenAPI
 * document (JSON or YAML with an OpenAPI 3.0/3.1 or Swagger 2.0 version) wins.
 */
export class SpecProber {
  private readonly breakers = new Map<string, Breaker<[string], FetchedSpec>>();

  constructor(private readonly options: ProbeOptions) {}

  async probe(serviceName: string, baseUrl: string): Promise<FetchedSpec> {
    const breaker = this.breakerFor(serviceName);
    const failures: string[] = [];
    for (const path of this.options.paths) {
      const url = joinUrl(baseUrl, path);
      try {
        return await breaker.fire(url);
      } catch (err) {
        if (err instanceof SpecError) {
          failures.push(err.message);
          // Nothing listens: the other paths will not answer either.
          if (err.kind === 'unreachable') throw new SpecError('unreachable', `no OpenAPI document found: ${err.message}`, baseUrl);
          continue;
        }
        throw new SpecError('unreachable', `no OpenAPI document found at ${baseUrl}: ${(err as Error).message}`, baseUrl);
      }
    }
    throw new SpecError('invalid', `no valid OpenAPI document at ${baseUrl} (tried ${this.options.paths.join(', ')}): ${failures.join('; ')}`, baseUrl);
  }

  forget(serviceName: string): void {
    this.breakers.get(serviceName)?.shutdown();
    this.breakers.delete(serviceName);
  }

  close(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private breakerFor(serviceName: string): Breaker<[string], FetchedSpec> {
    let breaker = this.breakers.get(serviceName);
    if (!breaker) {
      breaker = createBreaker(`discovery-probe:${serviceName}`, (url: string) => fetchSpec(url, this.options.timeoutMs, this.options.fetchText), {
        timeout: this.options.timeoutMs + 1_000,
        volumeThreshold: 3,
        resetTimeout: 30_000,
        errorFilter: (err) => err instanceof SpecError && err.kind === 'invalid',
      });
      this.breakers.set(serviceName, breaker);
    }
    return breaker;
  }
}

/** Reads an OpenAPI document given as text (for a spec answered over NATS), as fetchSpec does; `label` names it in errors. */
export async function specFromText(text: string, label: string, timeoutMs: number): Promise<FetchedSpec> {
  let read: ReadOpenApi;
  try {
    read = await readOpenApi({ text }, { timeoutMs });
  } catch (err) {
    throw new SpecError('invalid', `${label}: ${(err as Error).message}`, label);
  }
  return { url: label, document: read.document, text, contentHash: sha256(text) };
}
