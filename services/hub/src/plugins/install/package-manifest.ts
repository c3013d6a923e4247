import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '@autoweave/contracts';
import { isInside } from './paths.js';

/** What the hub reads from a plugin package's package.json. */
export interface PluginManifest {
  name: string;
  version?: string;
  /** Absolute path of the module the runner imports. */
  entry: string;
  /** `autoweave.subscriptions`: the event patterns the plugin asks for. */
  subscriptions?: string[];
}

const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;
const ENTRY_CONDITIONS = ['node', 'import', 'require', 'default'];

/**
 * Reads `<packageDir>/package.json` and finds the module to load: `exports`
 * (a string, or the `.` entry's node/import/require/default condition), else
 * `main`, else index.js. The entry must be a file inside the package.
 */
export async function readPluginManifest(packageDir: string): Promise<PluginManifest> {
  const file = path.join(packageDir, 'package.json');
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw invalid('has no package.json');
  if (stat.size > MAX_PACKAGE_JSON_BYTES) throw invalid(`has a package.json larger than ${MAX_PACKAGE_JSON_BYTES} bytes`);
  let pkg: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    pkg = parsed as Record<string, unknown>;
  } catch (err) {
    throw invalid(`has an invalid package.json: ${(err as Error).message}`);
  }
  if (typeof pkg.name !== 'string' || pkg.name.trim() === '') throw invalid('has no name in package.json');
  const autoweave = isObject(pkg.autoweave) ? pkg.autoweave : {};
  const subscriptions = autoweave.subscriptions;
  if (subscriptions !== undefined && !(Array.isArray(subscriptions) && subscriptions.every((s) => typeof s === 'string'))) {
    throw invalid('has autoweave.subscriptions that is not a list of strings');
  }
  return {
    name: pkg.name,
    ...(typeof pkg.version === 'string' ? { version: pkg.version } : {}),
    entry: await resolveEntry(packageDir, pkg),
    ...(subscriptions ? { subscriptions: subscriptions as string[] } : {}),
  };
}

async function resolveEntry(packageDir: string, pkg: Record<string, unknown>): Promise<string> {
  const declared = exportedEntry(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : undefined);
  const candidates = declared ? [declared, `${declared}.js`, path.join(declared, 'index.js')] : ['index.js'];
  const root = await fs.realpath(packageDir);
  for (const candidate of candidates) {
    const full = path.resolve(packageDir, candidate);
    if (!isInside(packageDir, full)) throw invalid(`declares its entry "${candidate}" outside the package`);
    const real = await fs.realpath(full).catch(() => undefined);
    if (!real) continue;
    if (!isInside(root, real)) throw invalid(`declares its entry "${candidate}" outside the package`);
    if ((await fs.stat(real)).isFile()) return full;
  }
  throw invalid(`has no entry module (looked for ${candidates.join(', ')})`);
}

function exportedEntry(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (!isObject(exports)) return undefined;
  const dot = '.' in exports ? exports['.'] : Object.keys(exports).some((k) => k.startsWith('.')) ? undefined : exports;
  if (typeof dot === 'string') return dot;
  if (!isObject(dot)) return undefined;
  for (const condition of ENTRY_CONDITIONS) {
    const target = dot[condition];
    if (typeof target === 'string') return target;
  }
  return undefined;
}

function invalid(why: string): AppError {
  return new AppError('VALIDATION', `the plugin package ${why}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
