import { Module } from '@nestjs/common';

/**
 * Agent adapter: turns OpenAPI documents into Kubernetes manifests (`agent.manifests.generate`).
 * Its handlers arrive with their features; today the service boots, joins the
 * bus, provisions its stores and answers its ping (from the service kit).
 */
@Module({})
export class AgentAdapterModule {}
