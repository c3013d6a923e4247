import { AppError } from '@autoweave/contracts';
import { dereference, validate, type ParserOptions, type ValidationResult } from '@readme/openapi-parser';
import { bundleExternalRefs, EXTERNAL_KEY, publicPointer, publicText, visitRefs } from './bundle.js';
import { convertSwagger2 } from './convert.js';
import { estimateDereferencedSize } from './expansion.js';
import { DocumentTooLargeError, fetchTextWithUndici } from './fetch.js';
import { firstLine, frameLine, mentionedPointer, stringifyLineMap } from './locate.js';
import { extractOperationsWith, extractSecuritySchemes, extractServers, toJsonTree } from './operations.js';
import { formatBytes, resolveLimits, type FetchText, type LoadOptions, type OpenApiSource, type ResolvedLimits } from './options.js';
import { parseDocumentText } from './parse-text.js';
import { isRecord } from './pointer.js';
import type { ParsedApi } from './types.js';

type ApiDocument = Parameters<typeof dereference>[0];

export interface Problem {
  message: string;
  /** A JSON pointer into the document ("" is the whole document), or "https://host/file.json#/pointer". */
  location?: string;
}

/** The details of every VALIDATION error loadOpenApi throws. */
export interface LoadErrorDetails {
  location?: string;
  problems: Problem[];
  url?: string;
}

function invalid(message: string, location?: string, problems?: Problem[], extra?: { url?: string; cause?: unknown }): AppError {
  const details: LoadErrorDetails = {
    problems: problems ?? [location === undefined ? { message } : { message, location }],
  };
  if (location !== undefined) details.location = location;
  if (extra?.url !== undefined) details.url = extra.url;
  return new AppError('VALIDATION', message, details, extra?.cause === undefined ? undefined : { cause: extra.cause });
}

class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/** One deadline for the whole load; aborts in-flight fetches when it passes or the load ends. */
class Deadline {
  readonly controller = new AbortController();
  private readonly at: number;
  private readonly timer: NodeJS.Timeout;
  private readonly expired: Promise<never>;

  constructor(readonly timeoutMs: number) {
    this.at = Date.now() + timeoutMs;
    let fail: (err: Error) => void = () => undefined;
    this.expired = new Promise<never>((_, reject) => {
      fail = reject;
    });
    this.expired.catch(() => undefined);
    this.timer = setTimeout(() => {
      const err = new DeadlineExceeded(`no complete answer within ${timeoutMs} ms`);
      this.controller.abort(err);
      fail(err);
    }, timeoutMs);
  }

  remaining(): number {
    return Math.max(1, this.at - Date.now());
  }

  race<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined);
    return Promise.race([work, this.expired]);
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted) this.controller.abort(new Error('the load is over'));
  }
}

interface Fetched {
  text?: string;
  failure?: string;
}

async function fetchWithLimits(url: string, fetchText: FetchText, limits: ResolvedLimits, deadline: Deadline): Promise<Fetched> {
  try {
    const text = await deadline.race(
      fetchText(url, { maxBytes: limits.maxBytes, timeoutMs: deadline.remaining(), signal: deadline.controller.signal }),
    );
    if (typeof text !== 'string') return { failure: 'the fetcher returned no text' };
    if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) return { failure: `document exceeds ${formatBytes(limits.maxBytes)}` };
    return { text };
  } catch (err) {
    if (err instanceof DeadlineExceeded || deadline.controller.signal.reason instanceof DeadlineExceeded) {
      return { failure: `no complete answer within ${deadline.timeoutMs} ms` };
    }
    if (err instanceof DocumentTooLargeError) return { failure: `document exceeds ${formatBytes(limits.maxBytes)}` };
    const e = err as Error & { code?: string; cause?: Error & { code?: string } };
    const message = e?.message || e?.code || String(err);
    const cause = e?.cause?.message ? ` (${e.cause.message})` : '';
    return { failure: `${message}${cause}` };
  }
}

function checkHttpUrl(url: unknown): string {
  if (typeof url !== 'string' || url.trim() === '') throw invalid('openAPIUrl must be an http(s) URL', '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`openAPIUrl must be an http(s) URL, not "${url}"`, '');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(`openAPIUrl must be an http(s) URL, not ${parsed.protocol} (documents are never read from the hub's disk)`, '');
  }
  return parsed.href;
}

async function readRoot(
  source: OpenApiSource,
  limits: ResolvedLimits,
  fetchText: FetchText,
  deadline: Deadline,
): Promise<{ root: unknown; sourceUrl?: string; text?: string }> {
  if (!isRecord(source)) throw invalid('the OpenAPI source must be an object with spec, url or text');
  const sourceUrl = source.url === undefined ? undefined : checkHttpUrl(source.url);
  const withUrl = sourceUrl === undefined ? {} : { sourceUrl };
  if (source.spec !== undefined && source.text !== undefined) throw invalid('give the OpenAPI document as spec or as text, not both');

  if (source.spec !== undefined) {
    if (!isRecord(source.spec)) throw invalid('openAPISpec must be an object', '');
    let json: string;
    try {
      json = JSON.stringify(source.spec);
    } catch (err) {
      throw invalid(`openAPISpec must be plain JSON data: ${(err as Error).message}`, '');
    }
    if (Buffer.byteLength(json, 'utf8') > limits.maxBytes) throw invalid(`openAPISpec document exceeds ${formatBytes(limits.maxBytes)}`, '');
    return { root: JSON.parse(json) as unknown, ...withUrl };
  }

  if (source.text !== undefined) {
    if (typeof source.text !== 'string') throw invalid('the OpenAPI text must be a string', '');
    if (Buffer.byteLength(source.text, 'utf8') > limits.maxBytes) throw invalid(`the OpenAPI document exceeds ${formatBytes(limits.maxBytes)}`, '');
    try {
      return { root: parseDocumentText(source.text, sourceUrl), text: source.text, ...withUrl };
    } catch (err) {
      throw invalid(`the OpenAPI text is ${(err as Error).message}`, '');
    }
  }

  if (sourceUrl === undefined) throw invalid('give the OpenAPI document as spec, text or url');
  const fetched = await fetchWithLimits(sourceUrl, fetchText, limits, deadline);
  if (fetched.text === undefined) {
    throw invalid(`openAPIUrl could not be fetched: ${fetched.failure}`, '', undefined, { url: sourceUrl });
  }
  try {
    return { root: parseDocumentText(fetched.text, sourceUrl), sourceUrl, text: fetched.text };
  } catch (err) {
    throw invalid(`openAPIUrl did not return JSON or YAML: ${(err as Error).message}`, '', undefined, { url: sourceUrl });
  }
}

type Kind = '2.0' | '3.0' | '3.1';

function detectKind(doc: Record<string, unknown>): Kind {
  if (doc.swagger !== undefined) {
    if (doc.swagger === '2.0') return '2.0';
    throw invalid(`"swagger": ${JSON.stringify(doc.swagger)} is not supported (Swagger 2.0 and OpenAPI 3.0/3.1 are)`, '/swagger');
  }
  const version = doc.openapi;
  if (typeof version !== 'string') {
    throw invalid('not an OpenAPI document: the "openapi" version field (3.0.x or 3.1.x) is missing', '/openapi');
  }
  if (/^3\.0\.\d+/.test(version)) return '3.0';
  if (/^3\.1\.\d+/.test(version)) return '3.1';
  throw invalid(`OpenAPI ${version} is not supported (3.0.x and 3.1.x are, and Swagger 2.0)`, '/openapi');
}

const EXTERNAL_OFF = { external: false, file: false } as const;
/** Spec rules: duplicate operationIds are reported by extractOperations, which names both operations. */
const RULES: NonNullable<ParserOptions['validate']> = {
  rules: { openapi: { 'duplicate-operation-id': 'warning' }, swagger: { 'duplicate-operation-id': 'warning' } },
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function describeProblems(
  result: Extract<ValidationResult, { valid: false }>,
  bundled: Record<string, unknown>,
  externals: ReadonlyMap<string, string>,
): Promise<Problem[]> {
  let lines: string[] | undefined;
  if (result.errors.some((e) => frameLine(e.message) !== undefined)) {
    try {
      // The validator's code frames are drawn over JSON.stringify(document, null, 2) of the document
      // dereferenced this way; the same view maps a frame's line back to a pointer.
      const view = await dereference(structuredClone(bundled) as ApiDocument, { dereference: { circular: 'ignore' }, resolve: EXTERNAL_OFF });
      lines = stringifyLineMap(view);
    } catch {
      lines = undefined;
    }
  }
  return result.errors.map((e) => {
    const line = frameLine(e.message);
    let location = line !== undefined && lines ? lines[line - 1] : undefined;
    location ??= mentionedPointer(e.message, bundled);
    if (location === undefined) {
      const missing = /Missing \$ref pointer "([^"]+)"/.exec(e.message)?.[1];
      if (missing !== undefined) {
        visitRefs(bundled, (_holder, ref, pointer) => {
          if (location === undefined && (ref === missing || ref.endsWith(missing))) location = pointer;
        });
      }
    }
    const message = publicText(firstLine(e.message), externals);
    return location === undefined ? { message } : { message, location: publicPointer(location, externals) };
  });
}

async function validateDocument(
  bundled: Record<string, unknown>,
  externals: ReadonlyMap<string, string>,
  deadline: Deadline,
): Promise<void> {
  let result: ValidationResult;
  try {
    result = await deadline.race(
      validate(structuredClone(bundled) as ApiDocument, { validate: RULES, resolve: EXTERNAL_OFF, timeoutMs: deadline.remaining() }),
    );
  } catch (err) {
    if (err instanceof DeadlineExceeded) throw invalid(`the OpenAPI document could not be validated: ${err.message}`, '');
    throw invalid(`the OpenAPI document could not be validated: ${publicText(errorText(err), externals)}`, '', undefined, { cause: err });
  }
  if (result.valid) return;
  const problems = await describeProblems(result, bundled, externals);
  const extra = problems.length - 1 + result.additionalErrors;
  const first = problems[0] ?? { message: 'the validator gave no reason' };
  const where = first.location === undefined ? '' : ` at ${first.location === '' ? '/' : first.location}`;
  const more = extra > 0 ? ` (and ${extra} more problem${extra > 1 ? 's' : ''})` : '';
  throw invalid(`the OpenAPI document is invalid${where}: ${first.message}${more}`, first.location, problems);
}

async function dereferenceAll(
  doc: Record<string, unknown>,
  externals: ReadonlyMap<string, string>,
  deadline: Deadline,
): Promise<Record<string, unknown>> {
  try {
    const out = await deadline.race(
      dereference(doc as ApiDocument, { dereference: { circular: true }, resolve: EXTERNAL_OFF, timeoutMs: deadline.remaining() }),
    );
    return out as unknown as Record<string, unknown>;
  } catch (err) {
    if (err instanceof DeadlineExceeded) throw invalid(`the OpenAPI document could not be dereferenced: ${err.message}`, '');
    throw invalid(`the OpenAPI document could not be dereferenced: ${publicText(errorText(err), externals)}`, '', undefined, { cause: err });
  }
}

/** An OpenAPI document as read by readOpenApi: parsed, its version known, not validated. */
export interface ReadOpenApi {
  document: Record<string, unknown>;
  /** The text it was parsed from (undefined when it was given as an object). */
  text?: string;
  /** "2.0" is Swagger 2.0. */
  version: '2.0' | '3.0' | '3.1';
}

/**
 * Reads an OpenAPI document (object, JSON/YAML text or http(s) URL) the way loadOpenApi does, with
 * the same limits, deadline and errors, and checks that it says it is OpenAPI 3.0/3.1 or Swagger
 * 2.0, but neither validates it nor resolves its `$ref`s. For a caller that hands the document on
 * to be loaded elsewhere: discovery reads specs and announces them, and the hub loads (validates)
 * each as it registers it, so a spec is not validated twice on its way in.
 */
export async function readOpenApi(source: OpenApiSource, options: LoadOptions = {}): Promise<ReadOpenApi> {
  const limits = resolveLimits(options);
  const deadline = new Deadline(limits.timeoutMs);
  try {
    const { root, text } = await readRoot(source, limits, options.fetchText ?? fetchTextWithUndici, deadline);
    if (!isRecord(root)) throw invalid('the OpenAPI document must be a JSON/YAML object', '');
    const version = detectKind(root);
    return text === undefined ? { document: root, version } : { document: root, text, version };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalid(`the OpenAPI document could not be read: ${errorText(err)}`, '', undefined, { cause: err });
  } finally {
    deadline.dispose();
  }
}

/**
 * Loads an OpenAPI document from an object, JSON/YAML text or an http(s) URL; validates it
 * (OpenAPI 3.0 and 3.1 with @readme/openapi-parser; Swagger 2.0 is validated as such and then
 * converted to OpenAPI 3.0 with swagger2openapi); resolves every `$ref`; and returns what AutoWeave
 * keeps of it. See README.md for the limits and how remote and circular references are handled.
 * Every failure is an AppError VALIDATION whose details are LoadErrorDetails.
 */
export async function loadOpenApi(source: OpenApiSource, options: LoadOptions = {}): Promise<ParsedApi> {
  const limits = resolveLimits(options);
  const fetchText = options.fetchText ?? fetchTextWithUndici;
  const deadline = new Deadline(limits.timeoutMs);
  try {
    const { root, sourceUrl } = await readRoot(source, limits, fetchText, deadline);
    if (!isRecord(root)) throw invalid('the OpenAPI document must be a JSON/YAML object', '');
    if (Object.hasOwn(root, EXTERNAL_KEY)) throw invalid(`the root key "${EXTERNAL_KEY}" is reserved`, `/${EXTERNAL_KEY}`);
    const kind = detectKind(root);

    const { document: bundled, externals } = await bundleExternalRefs(
      root,
      sourceUrl,
      { maxRefDepth: limits.maxRefDepth, maxRemoteRefs: limits.maxRemoteRefs },
      async (url, ref, referencedAt) => {
        const fetched = await fetchWithLimits(url, fetchText, limits, deadline);
        if (fetched.text === undefined) {
          throw invalid(`$ref "${ref}" at ${referencedAt} could not be fetched from ${url}: ${fetched.failure}`, referencedAt, undefined, { url });
        }
        try {
          return parseDocumentText(fetched.text, url);
        } catch (err) {
          throw invalid(`$ref "${ref}" at ${referencedAt}: ${url} is ${(err as Error).message}`, referencedAt, undefined, { url });
        }
      },
    );

    const expanded = estimateDereferencedSize(bundled, limits.maxDereferencedBytes);
    if (expanded > limits.maxDereferencedBytes) {
      throw invalid(
        `the OpenAPI document grows past ${formatBytes(limits.maxDereferencedBytes)} once its $refs are resolved (maxDereferencedBytes)`,
        '',
      );
    }

    await validateDocument(bundled, externals, deadline);

    let doc = bundled;
    if (kind === '2.0') {
      // swagger2openapi converts what it sees in place (parameters, responses, schemas): give it the
      // document with every $ref replaced, except the ones that close a cycle (those are schemas,
      // which it rewrites from #/definitions/... to #/components/schemas/...).
      const tree = toJsonTree(await dereferenceAll(structuredClone(bundled), externals, deadline), limits.maxDereferencedBytes);
      try {
        doc = await convertSwagger2(tree);
      } catch (err) {
        throw invalid(`the Swagger 2.0 document could not be converted to OpenAPI 3.0: ${errorText(err)}`, '', undefined, { cause: err });
      }
    }
    const full = await dereferenceAll(doc, externals, deadline);
    const { operations, refSchemas } = extractOperationsWith(full, { externals, budget: limits.maxDereferencedBytes });
    const info = isRecord(full.info) ? full.info : {};
    const api: ParsedApi = {
      openapiVersion: kind === '3.1' ? '3.1' : '3.0',
      title: typeof info.title === 'string' ? info.title : '',
      version: typeof info.version === 'string' ? info.version : '',
      servers: extractServers(full),
      securitySchemes: extractSecuritySchemes(full),
      operations,
    };
    if (Object.keys(refSchemas).length > 0) api.refSchemas = refSchemas;
    if (sourceUrl !== undefined) api.sourceUrl = sourceUrl;
    if (kind === '2.0') api.convertedFrom = '2.0';
    return api;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalid(`the OpenAPI document could not be processed: ${errorText(err)}`, '', undefined, { cause: err });
  } finally {
    deadline.dispose();
  }
}
