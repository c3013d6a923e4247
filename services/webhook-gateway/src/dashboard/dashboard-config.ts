import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EnvReader } from '@autoweave/service-kit';

/** Where the dashboard's built files are, and whether the gateway serves them at `/`. */
export interface DashboardConfig {
  enabled: boolean;
  /** The folder holding index.html and assets/ (the @autoweave/dashboard package's dist/). */
  dir: string | undefined;
}

export function loadDashboardConfig(env: EnvReader): DashboardConfig {
  return {
    enabled: env.bool('AUTOWEAVE_DASHBOARD', true),
    dir: env.optional('AUTOWEAVE_DASHBOARD_DIR') ?? packagedDashboardDir(),
  };
}

/** The dist/ of the @autoweave/dashboard dependency (a workspace link, or a copy after `pnpm deploy`). */
function packagedDashboardDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@autoweave/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}
