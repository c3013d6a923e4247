import { Module } from '@nestjs/common';

/**
 * Discovery: finds NATS micro services, `service.registered` announcements, OpenAPI documents,
 * integration manifests and plugins, and announces them as `integration.module.discovered`.
 * Its handlers arrive with their features; today the service boots, joins the
 * bus, provisions its stores and answers its ping (from the service kit).
 */
@Module({})
export class DiscoveryModule {}
