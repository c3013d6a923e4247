import { ApiError } from './errors.js';

export type KeySource = () => string | null;

/**
 * The gateway's REST API, same origin, with the session's key in the
 * x-api-key header. A 401 means the key is gone or revoked: `onUnauthorized`
 * sends the user back to the login page.
 */
export class ApiClient {
  constructor(
    private readonly key: KeySource,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** A text answer (the manifests' YAML). */
  async text(path: string): Promise<string> {
    const res = await this.send('GET', path);
    const text = await res.text();
    if (!res.ok) throw toError(res.status, text);
    return text;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await res.text();
    if (!res.ok) throw toError(res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const key = this.key();
    if (key) headers['x-api-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'UNAVAILABLE', 'the gateway cannot be reached');
    }
    if (res.status === 401) this.onUnauthorized();
    return res;
  }
}

function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function toError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.message) return new ApiError(status, body.error.code ?? 'INTERNAL', body.error.message, body.error.details);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(status, 'INTERNAL', `the gateway answered ${status}`);
}
