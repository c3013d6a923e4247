import path from 'node:path';
import type { DiscoveredModule } from '@autoweave/contracts';
import { FileStateChannel, type Snapshot } from './file-state-channel.js';
import { readManifestFile, walkManifestFiles, type FilesLogger } from './manifest.js';

export interface ManifestFilesChannelOptions {
  /** Folders searched recursively for `*.integration.yaml|yml|json` (node_modules skipped, symlinks kept inside). */
  dirs: string[];
  /** While started, re-read the folders this often and announce changes, besides fs.watch. 0 = watch only. */
  rescanIntervalMs: number;
  logger?: FilesLogger;
  /** Quiet time after a file system event before re-reading. Default 200 ms. */
  debounceMs?: number;
}

/**
 * Channel 4, integration manifests: each `*.integration.yaml|yml|json` file describes one module
 * ({name, type, config, capabilities?, subscriptions?, description?, tags?, metadata?}).
 * sourceRef is the absolute file path, contentHash the sha256 of the file (and of the inlined
 * `openAPISpecFile`, if any). A bad file yields a module with `error`; a removed file yields
 * present:false for the module it declared.
 */
export class ManifestFilesChannel extends FileStateChannel {
  readonly source = 'manifest' as const;
  private readonly dirs: string[];

  constructor(options: ManifestFilesChannelOptions) {
    super(options);
    this.dirs = [...new Set(options.dirs.filter((d) => d.trim() !== '').map((d) => path.resolve(d)))];
  }

  protected async collect(): Promise<Snapshot> {
    const modules: DiscoveredModule[] = [];
    const watchDirs: string[] = [];
    for (const dir of this.dirs) {
      const { files, dirs } = await walkManifestFiles(dir, this.logger);
      watchDirs.push(...dirs);
      for (const file of files) {
        const m = await readManifestFile(file, { source: 'manifest', fallbackName: this.lastNameOf(file) });
        if (m) modules.push(m);
      }
    }
    return { modules, watchDirs };
  }
}
