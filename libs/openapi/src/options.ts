/** Limits handed to a fetcher for one document. */
export interface FetchLimits {
  /** Refuse (and stop reading) a body larger than this many bytes. */
  maxBytes: number;
  /** Time left for this fetch, in milliseconds (the whole load shares one deadline). */
  timeoutMs: number;
  /** Aborted when the load's deadline passes or the load fails. */
  signal: AbortSignal;
}

/**
 * Fetches one document as text. The default is an undici GET that follows up to 5 redirects
 * (http and https only), stops reading past `maxBytes` and gives up at `timeoutMs`. A replacement
 * (for instance one that applies an SSRF policy) should honour the limits too; loadOpenApi enforces
 * the size and the deadline on whatever it returns anyway.
 */
export type FetchText = (url: string, limits: FetchLimits) => Promise<string>;

export interface LoadOptions {
  /** Largest accepted document, for the main document and each remote `$ref` document. Default 5 MiB. */
  maxBytes?: number;
  /** Longest chain of documents referencing documents (the main document is depth 0). Default 20. */
  maxRefDepth?: number;
  /** One deadline for the whole load: the document, every remote `$ref` and the processing. Default 10000 ms. */
  timeoutMs?: number;
  /** Most distinct remote documents fetched for `$ref`s. Default 50. */
  maxRemoteRefs?: number;
  /**
   * Largest size (about the JSON length) the document may grow to once its `$ref`s are
   * replaced by their targets, which guards against "billion laughs" reference bombs.
   * Default 8 x maxBytes (40 MiB).
   */
  maxDereferencedBytes?: number;
  /** Injectable fetcher; see FetchText. */
  fetchText?: FetchText;
}

/** Where the document comes from: an object (`openAPISpec`), a URL (`openAPIUrl`) or JSON/YAML text. */
export interface OpenApiSource {
  /** The document as an object. */
  spec?: unknown;
  /**
   * Where to fetch the document (http/https). Given together with `spec` or `text`, nothing is
   * fetched for the main document: the URL is then only the base for relative `$ref`s and servers.
   */
  url?: string;
  /** The document as JSON or YAML text. */
  text?: string;
}

export interface ResolvedLimits {
  maxBytes: number;
  maxRefDepth: number;
  timeoutMs: number;
  maxRemoteRefs: number;
  maxDereferencedBytes: number;
}

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_REF_DEPTH = 20;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REMOTE_REFS = 50;

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`LoadOptions.${name} must be an integer >= ${min}`);
  return value;
}

export function resolveLimits(options: LoadOptions): ResolvedLimits {
  const maxBytes = positiveInt('maxBytes', options.maxBytes, DEFAULT_MAX_BYTES);
  return {
    maxBytes,
    maxRefDepth: positiveInt('maxRefDepth', options.maxRefDepth, DEFAULT_MAX_REF_DEPTH, 0),
    timeoutMs: positiveInt('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS),
    maxRemoteRefs: positiveInt('maxRemoteRefs', options.maxRemoteRefs, DEFAULT_MAX_REMOTE_REFS, 0),
    maxDereferencedBytes: positiveInt('maxDereferencedBytes', options.maxDereferencedBytes, 8 * maxBytes),
  };
}

/** "5 MiB", "512 KiB", "1000 bytes". */
export function formatBytes(bytes: number): string {
  const KiB = 1024;
  const MiB = KiB * KiB;
  if (bytes >= MiB) return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= KiB) return bytes % KiB === 0 ? `${bytes / KiB} KiB` : `${(bytes / KiB).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
