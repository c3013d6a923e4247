import { singleMetric, type Registry } from '@autoweave/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/** `stage` label values besides processor types. */
export const STAGES = { source: 'source', destination: 'destination' } as const;

/**
 * The worker's Prometheus series (this replica's share; `pipeline.admin.metrics`
 * answers totals across replicas from the pipelines bucket):
 *   pipeline_items_total{pipeline, stage, outcome}  source/read, <processor>/ok|dropped|failed, destination/written
 *   pipeline_batch_duration_seconds{pipeline}       process + write + checkpoint of one batch
 *   pipeline_runs_total{pipeline, outcome}          completed | failed | stopped
 *   pipeline_runs_active                            runs this replica holds now
 *   pipeline_lag{pipeline}                          items the source still had beyond the checkpoint when the
 *                                                   pipeline's last completed run ended (sources that can tell: a
 *                                                   cursor with lag()); set by the replica that ran it
 */
export class PipelineMetrics {
  private readonly items: Counter<'pipeline' | 'stage' | 'outcome'>;
  private readonly batchDuration: Histogram<'pipeline'>;
  private readonly runs: Counter<'pipeline' | 'outcome'>;
  readonly active: Gauge;
  private readonly lag: Gauge<'pipeline'>;

  constructor(registry: Registry) {
    this.items = singleMetric(registry, 'pipeline_items_total', () =>
      new Counter({ name: 'pipeline_items_total', help: 'Items through each pipeline stage, by outcome', labelNames: ['pipeline', 'stage', 'outcome'] as const, registers: [registry] }),
    );
    this.batchDuration = singleMetric(registry, 'pipeline_batch_duration_seconds', () =>
      new Histogram({
        name: 'pipeline_batch_duration_seconds',
        help: 'Time from a batch read to its checkpoint: processors, destination write, checkpoint',
        labelNames: ['pipeline'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
    );
    this.runs = singleMetric(registry, 'pipeline_runs_total', () =>
      new Counter({ name: 'pipeline_runs_total', help: 'Pipeline runs by outcome', labelNames: ['pipeline', 'outcome'] as const, registers: [registry] }),
    );
    this.active = singleMetric(registry, 'pipeline_runs_active', () =>
      new Gauge({ name: 'pipeline_runs_active', help: 'Runs this replica holds the lease of now', registers: [registry] }),
    );
    this.lag = singleMetric(registry, 'pipeline_lag', () =>
      new Gauge({
        name: 'pipeline_lag',
        help: 'Items the source had beyond the checkpoint at the end of the last completed run (sources that report lag)',
        labelNames: ['pipeline'] as const,
        registers: [registry],
      }),
    );
  }

  countItems(pipeline: string, stage: string, outcome: string, n: number): void {
    if (n > 0) this.items.inc({ pipeline, stage, outcome }, n);
  }

  observeBatch(pipeline: string, seconds: number): void {
    this.batchDuration.observe({ pipeline }, seconds);
  }

  countRun(pipeline: string, outcome: string): void {
    this.runs.inc({ pipeline, outcome });
  }

  setLag(pipeline: string, items: number): void {
    this.lag.set({ pipeline }, items);
  }

  /** The pipeline was deleted: its lag is no longer reported. */
  forget(pipeline: string): void {
    this.lag.remove({ pipeline });
  }
}
