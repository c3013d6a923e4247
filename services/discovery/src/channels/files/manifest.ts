import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DiscoveredModule, DiscoverySource } from '@autoweave/contracts';
import { parse as parseYaml } from 'yaml';

/** Files read as integration manifests. */
export const MANIFEST_FILE = /\.integration\.(?:ya?ml|json)$/i;
export const INTEGRATION_TYPES = ['openapi', 'webhook', 'plugin', 'database'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_SPEC_BYTES = 20 * 1024 * 1024;
const MAX_DEPTH = 32;
/** Folders never descended into. */
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

/** What the file channels log through: a Nest Logger, a pino logger and console all fit. */
export interface FilesLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

export function sha256(...parts: Array<string | Buffer>): string {
  const hash = createHash('sha256');
  parts.forEach((part, i) => {
    if (i > 0) hash.update('\u0000');
    hash.update(part);
  });
  return hash.digest('hex');
}

/** True when `child` is `parent` or lies inside it (both absolute). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface WalkResult {
  /** Absolute paths of manifest files (as found, not resolved through symlinks), sorted. */
  files: string[];
  /** Every folder visited (for watching). */
  dirs: string[];
}

/**
 * Finds manifest files under `root`, recursively. node_modules and .git are skipped; a symlink
 * is followed only if its target lies inside `root`; each real folder is visited once.
 * A missing root yields nothing.
 */
export async function walkManifestFiles(root: string, logger?: FilesLogger): Promise<WalkResult> {
  const result: WalkResult = { files: [], dirs: [] };
  const absRoot = path.resolve(root);
  let realRoot: string;
  try {
    realRoot = await fs.realpath(absRoot);
  } catch {
    return result;
  }
  const visited = new Set<string>();

  const visit = async (dir: string, realDir: string, depth: number): Promise<void> => {
    if (visited.has(realDir) || depth > MAX_DEPTH) return;
    visited.add(realDir);
    result.dirs.push(dir);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      logger?.debug?.(`cannot read folder ${dir}: ${(err as Error).message}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await visit(full, path.join(realDir, entry.name), depth + 1);
      } else if (entry.isFile()) {
        if (MANIFEST_FILE.test(entry.name)) result.files.push(full);
      } else if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await fs.realpath(full);
        } catch {
          continue; // dangling link
        }
        if (!isInside(realRoot, target)) {
          logger?.debug?.(`not following ${full}: it points outside ${absRoot}`);
          continue;
        }
        const stat = await fs.stat(target).catch(() => undefined);
        if (stat?.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name)) await visit(full, target, depth + 1);
        } else if (stat?.isFile() && MANIFEST_FILE.test(entry.name)) {
          result.files.push(full);
        }
      }
    }
  };

  await visit(absRoot, realRoot, 0);
  result.files.sort();
  return result;
}

export interface ParseOptions {
  source: DiscoverySource;
  /** Name to use when the file names none (e.g. the name this file had before it broke). */
  fallbackName?: string;
}

/** `billing.integration.yaml` -> `billing` */
export function manifestBaseName(file: string): string {
  return path.basename(file).replace(MANIFEST_FILE, '') || path.basename(file);
}

/**
 * Reads one manifest file into a DiscoveredModule. Never throws: a file that cannot be used
 * yields a module with `error` naming the file and the problem. Returns undefined only when the
 * file vanished while being read.
 */
export async function readManifestFile(file: string, options: ParseOptions): Promise<DiscoveredModule | undefined> {
  const sourceRef = path.resolve(file);
  let raw: Buffer;
  try {
    const stat = await fs.stat(sourceRef);
    if (stat.size > MAX_MANIFEST_BYTES) {
      return failed(sourceRef, options, sha256(`${stat.size}:${stat.mtimeMs}`), undefined, `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
    }
    raw = await fs.readFile(sourceRef);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return failed(sourceRef, options, sha256(''), undefined, `cannot read: ${(err as Error).message}`);
  }
  const contentHash = sha256(raw);

  let parsed: unknown;
  try {
    parsed = parseDocument(sourceRef, raw.toString('utf8'));
  } catch (err) {
    return failed(sourceRef, options, contentHash, undefined, `invalid ${isJson(sourceRef) ? 'JSON' : 'YAML'}: ${firstLine((err as Error).message)}`);
  }
  if (!isPlainObject(parsed)) {
    return failed(sourceRef, options, contentHash, undefined, 'a manifest must be a mapping with name, type and config');
  }

  const problems = validateManifest(parsed);
  if (problems.length > 0) return failed(sourceRef, options, contentHash, parsed, problems.join('; '));

  const name = (parsed.name as string).trim();
  const type = parsed.type as IntegrationType;
  let config = parsed.config as Record<string, unknown>;
  let hash = contentHash;

  if (type === 'openapi' && config.openAPISpecFile !== undefined) {
    const inlined = await inlineSpecFile(sourceRef, config.openAPISpecFile);
    if ('problem' in inlined) return failed(sourceRef, options, contentHash, parsed, inlined.problem);
    const { openAPISpecFile: _file, ...rest } = config;
    config = { ...rest, openAPISpec: inlined.spec };
    // The spec is part of the content: a changed spec file is a changed module.
    hash = sha256(raw, inlined.raw);
  }

  const metadata: Record<string, unknown> = {
    ...(isPlainObject(parsed.metadata) ? parsed.metadata : {}),
    ...(typeof parsed.description === 'string' ? { description: parsed.description } : {}),
    ...(Array.isArray(parsed.tags) ? { tags: parsed.tags } : {}),
    manifestFile: sourceRef,
  };

  return {
    name,
    source: options.source,
    sourceRef,
    type,
    config,
    contentHash: hash,
    present: true,
    ...(Array.isArray(parsed.capabilities) ? { capabilities: parsed.capabilities as string[] } : {}),
    ...(Array.isArray(parsed.subscriptions) ? { subscriptions: parsed.subscriptions as string[] } : {}),
    metadata,
  };
}

function validateManifest(m: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (m.name === undefined) problems.push('name is missing');
  else if (typeof m.name !== 'string' || m.name.trim() === '') problems.push('name must be a non-empty string');
  if (m.type === undefined) problems.push(`type is missing (one of ${INTEGRATION_TYPES.join(', ')})`);
  else if (!INTEGRATION_TYPES.includes(m.type as IntegrationType)) {
    problems.push(`type must be one of ${INTEGRATION_TYPES.join(', ')} (got ${JSON.stringify(m.type)})`);
  }
  if (m.config === undefined) problems.push('config is missing');
  else if (!isPlainObject(m.config)) problems.push('config must be an object');
  for (const field of ['capabilities', 'subscriptions', 'tags'] as const) {
    const value = m[field];
    if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      problems.push(`${field} must be a list of strings`);
    }
  }
  if (m.description !== undefined && typeof m.description !== 'string') problems.push('description must be a string');
  if (m.metadata !== undefined && !isPlainObject(m.metadata)) problems.push('metadata must be an object');
  return problems;
}

type Inlined = { spec: Record<string, unknown>; raw: Buffer } | { problem: string };

/** Reads `openAPISpecFile` (relative to the manifest, never outside the manifest's folder). */
async function inlineSpecFile(manifest: string, ref: unknown): Promise<Inlined> {
  if (typeof ref !== 'string' || ref.trim() === '') return { problem: 'config.openAPISpecFile must be a non-empty string' };
  const folder = path.dirname(manifest);
  const target = path.resolve(folder, ref);
  if (path.isAbsolute(ref) || !isInside(folder, target)) {
    return { problem: `config.openAPISpecFile "${ref}" must be a path inside the manifest's folder` };
  }
  let raw: Buffer;
  try {
    const [realFolder, realTarget] = await Promise.all([fs.realpath(folder), fs.realpath(target)]);
    if (!isInside(realFolder, realTarget)) {
      return { problem: `config.openAPISpecFile "${ref}" must be a path inside the manifest's folder (it links outside)` };
    }
    const stat = await fs.stat(realTarget);
    if (!stat.isFile()) return { problem: `config.openAPISpecFile "${ref}" is not a file` };
    if (stat.size > MAX_SPEC_BYTES) return { problem: `config.openAPISpecFile "${ref}" is larger than ${MAX_SPEC_BYTES} bytes` };
    raw = await fs.readFile(realTarget);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `config.openAPISpecFile "${ref}" does not exist` : `cannot read config.openAPISpecFile "${ref}": ${(err as Error).message}` };
  }
  let spec: unknown;
  try {
    spec = parseDocument(target, raw.toString('utf8'));
  } catch (err) {
    return { problem: `config.openAPISpecFile "${ref}" is not valid ${isJson(target) ? 'JSON' : 'YAML'}: ${firstLine((err as Error).message)}` };
  }
  if (!isPlainObject(spec)) return { problem: `config.openAPISpecFile "${ref}" must contain an object` };
  return { spec, raw };
}

function isJson(file: string): boolean {
  return file.toLowerCase().endsWith('.json');
}

function parseDocument(file: string, text: string): unknown {
  return isJson(file) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 1000 });
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function failed(
  sourceRef: string,
  options: ParseOptions,
  contentHash: string,
  parsed: Record<string, unknown> | undefined,
  problem: string,
): DiscoveredModule {
  const declaredName = typeof parsed?.name === 'string' && parsed.name.trim() !== '' ? parsed.name.trim() : undefined;
  const declaredType = INTEGRATION_TYPES.includes(parsed?.type as IntegrationType) ? (parsed?.type as IntegrationType) : undefined;
  return {
    name: declaredName ?? options.fallbackName ?? manifestBaseName(sourceRef),
    source: options.source,
    sourceRef,
    type: declaredType ?? 'openapi',
    config: {},
    contentHash,
    present: true,
    error: `${sourceRef}: ${problem}`,
  };
}
