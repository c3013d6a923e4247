import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '@autoweave/contracts';

export interface NpmInstallOptions {
  /** The folder npm installs into (its node_modules); made a private package first. */
  prefix: string;
  /** What to install: `name@1.2.3`, or the path of a tarball. */
  spec: string;
  cacheDir: string;
  timeoutMs: number;
  registry?: string;
}

export interface NpmInstalled {
  /** The installed package's folder: `<prefix>/node_modules/<name>`. */
  packageDir: string;
  /** The integrity npm recorded for it (sha512 SRI). */
  integrity?: string;
}

/** Characters of npm's output kept for the error message. */
const OUTPUT_TAIL = 2000;

/**
 * `npm install` with install scripts off (no code of the package runs at
 * install), no bin links (no symlinks in the install), production
 * dependencies only, the exact spec saved. The environment passed to npm
 * leaves out AutoWeave's own settings (secrets, NATS credentials).
 */
export async function npmInstall(packageName: string, options: NpmInstallOptions): Promise<NpmInstalled> {
  await fs.writeFile(path.join(options.prefix, 'package.json'), JSON.stringify({ name: 'autoweave-plugin-install', private: true }));
  const args = [
    'install',
    '--ignore-scripts',
    '--no-bin-links',
    '--no-audit',
    '--no-fund',
    '--no-update-notifier',
    '--save-exact',
    '--omit=dev',
    '--omit=peer',
    '--loglevel=error',
    '--cache',
    options.cacheDir,
    ...(options.registry ? ['--registry', options.registry] : []),
    options.spec,
  ];
  await run(args, options);
  const packageDir = path.join(options.prefix, 'node_modules', ...packageName.split('/'));
  if (!(await fs.stat(path.join(packageDir, 'package.json')).catch(() => undefined))) {
    throw new AppError('VALIDATION', `npm installed ${options.spec}, but it is not the package "${packageName}"`);
  }
  return { packageDir, ...(await lockedIntegrity(options.prefix, packageName)) };
}

async function lockedIntegrity(prefix: string, packageName: string): Promise<{ integrity?: string }> {
  try {
    const lock = JSON.parse(await fs.readFile(path.join(prefix, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { integrity?: string }> };
    const integrity = lock.packages?.[`node_modules/${packageName}`]?.integrity;
    return typeof integrity === 'string' ? { integrity } : {};
  } catch {
    return {};
  }
}

function run(args: string[], options: NpmInstallOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd: options.prefix, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new AppError('TIMEOUT', `npm install ${options.spec} took longer than ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new AppError('UNAVAILABLE', `cannot run npm: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      reject(npmFailure(options.spec, code, output));
    });
  });
}

/** A package or version that does not exist, or fails its integrity check, is the caller's problem; anything else is npm or the registry being unreachable. */
function npmFailure(spec: string, code: number | null, output: string): AppError {
  const summary = output.split('\n').map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim()).filter(Boolean).slice(-6).join('; ');
  const callerProblem = /E404|ETARGET|notarget|EINTEGRITY|EINVALIDPACKAGENAME|ENOVERSIONS|EBADPLATFORM|Invalid package|No matching version/i.test(output);
  return new AppError(callerProblem ? 'VALIDATION' : 'UNAVAILABLE', `npm install ${spec} failed (exit ${code ?? 'signal'}): ${summary || 'no output'}`);
}

/** npm gets the process environment minus AutoWeave's and NATS settings and Node options meant for the hub. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AUTOWEAVE_|NATS_)/.test(key) || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}
