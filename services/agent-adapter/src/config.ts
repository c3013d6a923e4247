import type { BaseConfig, EnvReader } from '@autoweave/service-kit';

export interface AgentAdapterConfig extends BaseConfig {
  /** The image that runs an integration when its deploy config names none. */
  runtimeImage: string;
}

export function loadAgentAdapterConfig(env: EnvReader, base: BaseConfig): AgentAdapterConfig {
  return { ...base, runtimeImage: env.string('AUTOWEAVE_INTEGRATION_RUNTIME_IMAGE', 'ghcr.io/autoweave/integration-runtime:0.1.0') };
}
