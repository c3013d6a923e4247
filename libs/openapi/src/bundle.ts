import { AppError } from '@autoweave/contracts';
import { fragmentToPointer, isRecord, joinPointer } from './pointer.js';

/**
 * Remote documents are copied into the main document under this root extension, so that every
 * `$ref` becomes internal before the validator and dereferencer see the document (they are run with
 * external resolution off, so they never touch the network or the disk themselves).
 */
export const EXTERNAL_KEY = 'x-autoweave-external';

/** Deepest nesting accepted in a document (objects and arrays). */
export const MAX_NESTING = 1000;

export interface BundleLimits {
  maxRefDepth: number;
  maxRemoteRefs: number;
}

/** Fetches and parses one remote document; throws an AppError saying which `$ref` failed. */
export type FetchDocument = (url: string, ref: string, referencedAt: string) => Promise<unknown>;

export interface BundleResult {
  document: Record<string, unknown>;
  /** Key under EXTERNAL_KEY -> the URL of that document. */
  externals: Map<string, string>;
}

function refused(message: string, location: string): AppError {
  return new AppError('VALIDATION', message, { location, problems: [{ message, location }] });
}

/** Visits every object holding a string `$ref`, in document order, with the object's pointer. */
export function visitRefs(doc: unknown, visit: (holder: Record<string, unknown>, ref: string, pointer: string) => void): void {
  const stack: Array<{ node: unknown; pointer: string; depth: number }> = [{ node: doc, pointer: '', depth: 0 }];
  while (stack.length) {
    const { node, pointer, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_NESTING) throw refused(`the document nests deeper than ${MAX_NESTING} levels`, pointer);
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], pointer: joinPointer(pointer, i), depth: depth + 1 });
      continue;
    }
    const rec = node as Record<string, unknown>;
    if (typeof rec.$ref === 'string') visit(rec, rec.$ref, pointer);
    const keys = Object.keys(rec);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (key !== '$ref') stack.push({ node: rec[key], pointer: joinPointer(pointer, key), depth: depth + 1 });
    }
  }
}

function stripHash(href: string): string {
  const i = href.indexOf('#');
  return i < 0 ? href : href.slice(0, i);
}

/** A pointer as a `$ref` fragment: "%" is escaped since the dereferencer percent-decodes fragments. */
function pointerRef(pointer: string): string {
  return '#' + pointer.replace(/%/g, '%25');
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Resolves every remote `$ref` of `root` (relative ones against `rootUrl`), fetching each remote
 * document once, breadth first, so that a document's depth is its shortest distance from the main
 * document. Refuses `file:` and other non-http(s) references, relative references when there is no
 * URL to resolve them against, chains deeper than maxRefDepth and more than maxRemoteRefs documents.
 * Mutates `root` (and the fetched documents): every remote `$ref` is rewritten to point into
 * `root[EXTERNAL_KEY]`, where the fetched documents are put.
 */
export async function bundleExternalRefs(
  root: Record<string, unknown>,
  rootUrl: string | undefined,
  limits: BundleLimits,
  fetchDocument: FetchDocument,
): Promise<BundleResult> {
  const rootHref = rootUrl === undefined ? undefined : stripHash(new URL(rootUrl).href);
  const keyByUrl = new Map<string, string>();
  const externals = new Map<string, string>();
  const store: Record<string, unknown> = {};

  interface Doc {
    doc: unknown;
    key?: string;
    url?: string;
  }
  interface Pending {
    key: string;
    url: string;
    ref: string;
    referencedAt: string;
  }

  let level: Doc[] = [{ doc: root, url: rootHref }];
  for (let depth = 0; level.length > 0; depth++) {
    const pending: Pending[] = [];
    for (const item of level) {
      visitRefs(item.doc, (holder, ref, pointer) => {
        const where = item.key === undefined ? pointer : `${item.url}#${pointer}`;
        const hash = ref.indexOf('#');
        const base = hash < 0 ? ref : ref.slice(0, hash);
        const fragment = hash < 0 ? '' : ref.slice(hash);
        const targetPointer = fragmentToPointer(fragment);

        if (base === '') {
          if (item.key === undefined) return; // local to the main document: left to the dereferencer
          if (targetPointer === undefined) {
            throw refused(`$ref "${ref}" at ${where} uses a plain-name fragment; only JSON pointers are supported`, where);
          }
          holder.$ref = pointerRef(joinPointer('', EXTERNAL_KEY, item.key) + targetPointer);
          return;
        }

        let target: URL;
        try {
          if (ABSOLUTE.test(base)) target = new URL(base);
          else if (item.url !== undefined) target = new URL(base, item.url);
          else {
            throw refused(
              `$ref "${ref}" at ${where} is relative, but the document was not loaded from a URL to resolve it against`,
              where,
            );
          }
        } catch (err) {
          if (err instanceof AppError) throw err;
          throw refused(`$ref "${ref}" at ${where} is not a valid URL`, where);
        }
        if (target.protocol === 'file:') {
          throw refused(`$ref "${ref}" at ${where} is refused: file: references are not resolved (only http and https)`, where);
        }
        if (target.protocol !== 'http:' && target.protocol !== 'https:') {
          throw refused(`$ref "${ref}" at ${where} is refused: only http and https references are resolved, not ${target.protocol}`, where);
        }
        if (targetPointer === undefined) {
          throw refused(`$ref "${ref}" at ${where} uses a plain-name fragment; only JSON pointers are supported`, where);
        }
        const href = stripHash(target.href);
        if (href === rootHref) {
          holder.$ref = pointerRef(targetPointer);
          return;
        }
        let key = keyByUrl.get(href);
        if (key === undefined) {
          if (depth + 1 > limits.maxRefDepth) {
            throw refused(
              `$ref "${ref}" at ${where} goes deeper than maxRefDepth (${limits.maxRefDepth} levels of remote documents)`,
              where,
            );
          }
          if (keyByUrl.size + 1 > limits.maxRemoteRefs) {
            throw refused(`$ref "${ref}" at ${where} would fetch more than maxRemoteRefs (${limits.maxRemoteRefs}) remote documents`, where);
          }
          key = `r${keyByUrl.size + 1}`;
          keyByUrl.set(href, key);
          externals.set(key, href);
          pending.push({ key, url: href, ref, referencedAt: where });
        }
        holder.$ref = pointerRef(joinPointer('', EXTERNAL_KEY, key) + targetPointer);
      });
    }
    const docs = await Promise.all(pending.map((p) => fetchDocument(p.url, p.ref, p.referencedAt)));
    level = pending.map((p, i) => {
      store[p.key] = docs[i];
      return { doc: docs[i], key: p.key, url: p.url };
    });
  }
  if (externals.size > 0) {
    if (!isRecord(root)) throw refused('the document is not an object', '');
    root[EXTERNAL_KEY] = store;
  }
  return { document: root, externals };
}

/**
 * A pointer into the bundled document as a user sees it: "/x-autoweave-external/r1/a/b" becomes
 * "https://host/file.json#/a/b"; any other pointer is returned unchanged.
 */
export function publicPointer(pointer: string, externals: ReadonlyMap<string, string>): string {
  const prefix = `/${EXTERNAL_KEY}/`;
  if (!pointer.startsWith(prefix)) return pointer;
  const rest = pointer.slice(prefix.length);
  const slash = rest.indexOf('/');
  const key = slash < 0 ? rest : rest.slice(0, slash);
  const url = externals.get(key);
  if (url === undefined) return pointer;
  return `${url}#${slash < 0 ? '' : rest.slice(slash)}`;
}

/** Rewrites "#/x-autoweave-external/rN/..." mentions in a message to "https://host/file.json#/...". */
export function publicText(text: string, externals: ReadonlyMap<string, string>): string {
  if (externals.size === 0) return text;
  return text.replace(new RegExp(`#?/${EXTERNAL_KEY}/(r\\d+)((?:/[^\\s"'\`]*)?)`, 'g'), (whole, key: string, rest: string) => {
    const url = externals.get(key);
    return url === undefined ? whole : `${url}#${rest}`;
  });
}
