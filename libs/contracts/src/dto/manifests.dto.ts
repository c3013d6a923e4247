import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';

/**
 * `agent.manifests.generate`: Kubernetes manifests for an OpenAPI API. Either
 * an integration (its spec and `metadata.deploy` / `metadata.image` are used)
 * or a name and a spec given inline. `deploy` overrides the integration's.
 */
export class GenerateManifestsDto {
  @ValidateIf((d: GenerateManifestsDto) => d.openAPISpec === undefined)
  @IsUUID('4', { message: 'integrationId must be an integration id (or give name and openAPISpec)' })
  integrationId?: string;

  @ValidateIf((d: GenerateManifestsDto) => d.integrationId === undefined)
  @IsString() @MaxLength(100) @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ValidateIf((d: GenerateManifestsDto) => d.integrationId === undefined)
  @IsObject({ message: 'openAPISpec must be an object (or give integrationId)' })
  openAPISpec?: Record<string, unknown>;

  @IsOptional() @IsObject()
  deploy?: Record<string, unknown>;

  /** Keep the result as the integration's manifests (default true with an integrationId). */
  @IsOptional() @IsBoolean()
  store?: boolean;
}

export const MANIFEST_FORMATS = ['yaml', 'json'] as const;

/** `agent.manifests.get` */
export class GetManifestsDto {
  @IsUUID('4', { message: 'integrationId must be an integration id (a UUID)' })
  integrationId!: string;

  @IsOptional() @IsIn(MANIFEST_FORMATS)
  format?: (typeof MANIFEST_FORMATS)[number];
}

export interface ManifestsValidation {
  valid: boolean;
  kubernetesVersion: string;
  errors: Array<{ kind: string; name: string; path: string; message: string }>;
}

export interface ManifestsResult {
  integrationId?: string;
  name: string;
  /** The objects, in order. */
  objects: Array<Record<string, unknown>>;
  /** kustomize directory: file name -> YAML. */
  files: Record<string, string>;
  /** All objects as one multi-document YAML. */
  yaml: string;
  validation: ManifestsValidation;
  generatedAt: string;
}

/** Payload of `agent.manifests.generated`. */
export interface ManifestsGeneratedEvent {
  integrationId: string;
  name: string;
  valid: boolean;
  objects: number;
  at: string;
}
