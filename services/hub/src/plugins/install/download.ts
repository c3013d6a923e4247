import { AppError } from '@autoweave/contracts';
import { guardedAgent, type OutboundPolicy } from '@autoweave/resilience';
import { request } from 'undici';

export interface DownloadOptions {
  policy: OutboundPolicy;
  maxBytes: number;
  timeoutMs: number;
}

const MAX_REDIRECTS = 3;

/**
 * Fetches a tarball through the SSRF guard (every connection, redirects
 * included, is checked on the address it dials), refusing bodies over the
 * cap. Errors name the host, never the full URL (a query may hold a token).
 */
export async function downloadTarball(url: string, options: DownloadOptions): Promise<Buffer> {
  const agent = guardedAgent(options.policy, { connections: 1 });
  const signal = AbortSignal.timeout(options.timeoutMs);
  let target = parseHttpUrl(url);
  try {
    for (let hop = 0; ; hop++) {
      let res;
      try {
        res = await request(target, { dispatcher: agent, method: 'GET', signal, headers: { accept: 'application/octet-stream, application/gzip, */*' } });
      } catch (err) {
        throw downloadError(target, err, options.timeoutMs);
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof res.headers.location === 'string') {
        await res.body.dump();
        if (hop >= MAX_REDIRECTS) throw new AppError('VALIDATION', `the plugin URL redirects more than ${MAX_REDIRECTS} times`);
        target = parseHttpUrl(new URL(res.headers.location, target).toString());
        continue;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new AppError('VALIDATION', `the plugin URL answered ${res.statusCode} (host ${target.host})`, { status: res.statusCode });
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        await res.body.dump().catch(() => undefined);
        throw tooLarge(options.maxBytes);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > options.maxBytes) {
            res.body.destroy();
            throw tooLarge(options.maxBytes);
          }
          chunks.push(chunk as Buffer);
        }
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw downloadError(target, err, options.timeoutMs);
      }
      return Buffer.concat(chunks);
    }
  } finally {
    void agent.close().catch(() => undefined);
  }
}

function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('VALIDATION', 'config.url is not a URL', { field: 'config.url' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AppError('VALIDATION', 'config.url must be http(s)', { field: 'config.url' });
  return parsed;
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('VALIDATION', `the plugin tarball is larger than ${maxBytes} bytes`);
}

function downloadError(target: URL, err: unknown, timeoutMs: number): AppError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  if (code === 'ESSRF' || e.cause?.code === 'ESSRF') return new AppError('VALIDATION', `config.url: ${(e.cause ?? e).message}`, { field: 'config.url' });
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new AppError('TIMEOUT', `downloading the plugin from ${target.host} took longer than ${timeoutMs} ms`);
  return new AppError('UNAVAILABLE', `cannot download the plugin from ${target.host}: ${code ?? e.message}`);
}
