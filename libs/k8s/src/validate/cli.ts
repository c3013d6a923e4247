#!/usr/bin/env node
/**
 * Validates Kubernetes manifests offline:
 *   node libs/k8s/dist/validate/cli.js [--help] [--kubernetes-version 1.36] <files or dirs...>
 * Prints the result JSON ({valid, kubernetesVersion, errors: [{kind, name, path, message, file}], files,
 * objects}) and exits 0 when valid, 1 when not, 2 on bad usage.
 */
import { DEFAULT_KUBERNETES_VERSION, validatableKinds } from './schemas.js';
import { validateManifestFiles } from './files.js';

const HELP = `Usage: autoweave-k8s-validate [--kubernetes-version X.Y] <file or directory>...

Validates Kubernetes manifests (multi-document YAML or JSON; directories are searched recursively for
*.yaml, *.yml, *.json) offline against the Kubernetes ${DEFAULT_KUBERNETES_VERSION} JSON schemas in strict
mode (unknown fields are errors) and the bundled CRD schemas, plus semantic checks: selectors match pod
templates, probe and Service target ports exist, HPA targets exist, requests <= limits, images pinned
(no :latest, no missing tag), DNS-1123 names and label values, no duplicate kind+name.
kustomization.yaml files are not validated as objects, but every resource they list must exist.

All files form one set (cross-object checks see all of them). Prints the result as JSON.
Exit status: 0 valid, 1 invalid, 2 usage error.

Options:
  --kubernetes-version X.Y   the Kubernetes version to validate against (default and only: ${DEFAULT_KUBERNETES_VERSION})
  --kinds                    list the apiVersion/kind pairs that can be validated
  -h, --help                 this help
`;

function main(argv: string[]): number {
  const paths: string[] = [];
  let kubernetesVersion: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (a === '--kinds') {
      process.stdout.write(validatableKinds().join('\n') + '\n');
      return 0;
    }
    if (a === '--kubernetes-version') {
      kubernetesVersion = argv[++i];
      if (!kubernetesVersion) {
        process.stderr.write('--kubernetes-version needs a value\n');
        return 2;
      }
    } else if (a.startsWith('--kubernetes-version=')) {
      kubernetesVersion = a.slice('--kubernetes-version='.length);
    } else if (a.startsWith('-')) {
      process.stderr.write(`unknown option ${a}\n\n${HELP}`);
      return 2;
    } else {
      paths.push(a);
    }
  }
  if (paths.length === 0) {
    process.stderr.write(HELP);
    return 2;
  }
  try {
    const result = validateManifestFiles(paths, kubernetesVersion ? { kubernetesVersion } : {});
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return result.valid ? 0 : 1;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
