// The validator's public API. Names here must not clash with generate/index.ts (both are re-exported
// from src/index.ts with `export *`).
export { validateManifests, validateYamlDocuments, type ValidateOptions, type YamlValidationResult } from './validate.js';
export { DEFAULT_KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS, validatableKinds } from './schemas.js';
export { validateManifestFiles, buildKustomization, type FileValidationResult, type KustomizeBuild } from './files.js';
