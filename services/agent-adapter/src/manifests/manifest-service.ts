import {
  AppError,
  INTEGRATION_ADMIN,
  type GenerateManifestsDto,
  type IntegrationView,
  type ManifestsResult,
} from '@autoweave/contracts';
import { generateManifests, toMultiDocYaml, validateManifests, type DeployConfig } from '@autoweave/k8s';
import type { Bus } from '@autoweave/messaging';
import { loadOpenApi, type ParsedApi } from '@autoweave/openapi';
import type { ManifestStore } from './manifest-store.js';

interface Source {
  integrationId?: string;
  name: string;
  api: ParsedApi;
  /** The document as given (for the ConfigMap); absent when it came by URL. */
  spec?: unknown;
  deploy: DeployConfig;
}

/**
 * OpenAPI in, validated manifests out. The source is an integration (read from
 * the hub over the bus) or a spec given inline; manifests that fail validation
 * are never returned as a result nor stored: the caller gets VALIDATION with
 * every problem found.
 */
export class ManifestService {
  constructor(
    private readonly deps: { bus: Bus; store: ManifestStore; runtimeImage: string; requestTimeoutMs: number },
  ) {}

  async generate(dto: GenerateManifestsDto): Promise<ManifestsResult> {
    const source = await this.source(dto);
    const set = generateManifests({
      name: source.name,
      integrationId: source.integrationId,
      api: source.api,
      spec: source.spec,
      deploy: source.deploy,
      runtimeImage: this.deps.runtimeImage,
    });
    const validation = validateManifests(set.objects);
    if (!validation.valid) {
      throw new AppError('VALIDATION', `the generated manifests are not valid: ${validation.errors.map((e) => `${e.kind}/${e.name} ${e.path}: ${e.message}`).join('; ')}`, { validation });
    }
    const result: ManifestsResult = {
      ...(source.integrationId ? { integrationId: source.integrationId } : {}),
      name: source.name,
      objects: set.objects,
      files: set.files,
      yaml: toMultiDocYaml(set.objects),
      validation,
      generatedAt: new Date().toISOString(),
    };
    if (source.integrationId && dto.store !== false) await this.deps.store.put(source.integrationId, result);
    return result;
  }

  async stored(integrationId: string): Promise<ManifestsResult> {
    const found = await this.deps.store.get(integrationId);
    if (!found) throw new AppError('NOT_FOUND', `no manifests for integration ${integrationId} (is it an openapi integration?)`, { integrationId });
    return found;
  }

  private async source(dto: GenerateManifestsDto): Promise<Source> {
    if (dto.integrationId) {
      const integration = await this.deps.bus.call<IntegrationView>(INTEGRATION_ADMIN.get, { id: dto.integrationId }, { timeout: this.deps.requestTimeoutMs });
      if (integration.type !== 'openapi') {
        throw new AppError('VALIDATION', `integration ${integration.name} is of type ${integration.type}; manifests are made for openapi integrations`);
      }
      const config = integration.config as { openAPISpec?: unknown; openAPIUrl?: string };
      const api = await loadOpenApi({ spec: config.openAPISpec, url: config.openAPISpec ? undefined : config.openAPIUrl });
      return { integrationId: integration.id, name: integration.name, api, spec: config.openAPISpec, deploy: deployOf(integration.metadata, dto.deploy) };
    }
    const api = await loadOpenApi({ spec: dto.openAPISpec });
    return { name: dto.name!, api, spec: dto.openAPISpec, deploy: (dto.deploy ?? {}) as DeployConfig };
  }
}

/** An integration's deploy config: metadata.deploy, metadata.image, then the request's overrides. */
function deployOf(metadata: Record<string, unknown>, override: Record<string, unknown> | undefined): DeployConfig {
  const fromMetadata = typeof metadata.deploy === 'object' && metadata.deploy !== null ? (metadata.deploy as DeployConfig) : {};
  const image = typeof metadata.image === 'string' ? { image: metadata.image } : {};
  return { ...fromMetadata, ...image, ...(override as DeployConfig | undefined) };
}
