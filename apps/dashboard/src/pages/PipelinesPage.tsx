import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import type { PipelineList, PipelineMetricsView, PipelineView } from '@autoweave/contracts';
import { Badge, Card, Empty, ErrorBox, Time } from '../components/ui.js';
import { useLiveEvents } from '../live/live-context.js';
import { TOPICS } from '../live/topics.js';

/** Every pipeline with its state, schedule and last run; run, pause and resume; live. */
export function PipelinesPage() {
  const api = useApi();
  const data = useLoad(async () => {
    const [list, metrics] = await Promise.all([api.get<PipelineList>('/api/pipeline'), api.get<PipelineMetricsView>('/api/pipeline/metrics')]);
    return { items: list.items, metrics: new Map(metrics.pipelines.map((p) => [p.id, p])) };
  }, []);
  useLiveEvents([TOPICS.pipelineExecution, TOPICS.pipelineDataWritten], data.reloadSoon, data.reload);
  const [error, setError] = useState<unknown>();
  const act = async (id: string, verb: 'execute' | 'pause' | 'resume') => {
    setError(undefined);
    try {
      await api.post(`/api/pipeline/${encodeURIComponent(id)}/${verb}`);
      data.reload();
    } catch (err) {
      setError(err);
    }
  };
  const items = data.data?.items ?? [];
  return (
    <Card
      title="Pipelines"
      testId="pipelines"
      actions={
        <a className="button" href="#/pipelines/new">
          Build a pipeline
        </a>
      }
    >
      <ErrorBox error={data.error ?? error} />
      {items.length === 0 && !data.loading ? (
        <Empty>No pipelines yet.</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>State</th>
              <th>Schedule</th>
              <th>Source -&gt; destination</th>
              <th>Last run</th>
              <th>Read / written / failed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => {
              const m = data.data?.metrics.get(p.id);
              const state = m?.state ?? (p.paused ? 'paused' : p.enabled ? 'idle' : 'disabled');
              const last = m?.lastRun;
              return (
                <tr key={p.id} data-pipeline={p.name}>
                  <td>
                    <a href={href('pipelines', p.id)}>{p.name}</a>
                  </td>
                  <td data-col="state">
                    <Badge value={state} />
                  </td>
                  <td>{schedule(p)}</td>
                  <td>
                    {p.source.type} -&gt; {p.processors.map((s) => `${s.type} -> `).join('')}
                    {p.destination.type}
                  </td>
                  <td data-col="last-run">
                    {last ? (
                      <>
                        <Badge value={last.outcome ?? 'running'} /> <Time iso={last.finishedAt ?? last.startedAt} />
                      </>
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td>{m ? `${m.totals.read} / ${m.totals.written} / ${m.totals.failedItems}` : ''}</td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="small" onClick={() => act(p.id, 'execute')} disabled={state === 'running' || p.paused}>
                        Run
                      </button>
                      {p.paused ? (
                        <button type="button" className="small" onClick={() => act(p.id, 'resume')}>
                          Resume
                        </button>
                      ) : (
                        <button type="button" className="small" onClick={() => act(p.id, 'pause')}>
                          Pause
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function schedule(p: Pick<PipelineView, 'schedule'>): string {
  const s = p.schedule;
  if (s.type === 'interval') return `every ${Math.round((s.everyMs ?? 0) / 1000)} s`;
  if (s.type === 'cron') return `cron ${s.cron}${s.timezone ? ` (${s.timezone})` : ''}`;
  if (s.type === 'event') return `on ${s.event}`;
  return 'manual';
}
