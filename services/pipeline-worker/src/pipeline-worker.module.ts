import { Module } from '@nestjs/common';

/**
 * Pipeline worker: runs pipelines (sources -> processors -> destinations) with cursors,
 * schedules, batching and a dead-letter queue (`pipeline.*`).
 * Its handlers arrive with their features; today the service boots, joins the
 * bus, provisions its stores and answers its ping (from the service kit).
 */
@Module({})
export class PipelineWorkerModule {}
