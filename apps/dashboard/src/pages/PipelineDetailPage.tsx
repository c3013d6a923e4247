import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import { useLoad } from '../app/use-load.js';
import type { DeadLetterList, PipelineStatusView, PipelineView, RunSummary } from '@autoweave/contracts';
import { Badge, Card, Empty, ErrorBox, Time } from '../components/ui.js';
import { useLiveEvents } from '../live/live-context.js';
import { TOPICS } from '../live/topics.js';
import { schedule } from './PipelinesPage.js';

/** One pipeline: state, progress, last run and error, dead letters with retry, its definition. */
export function PipelineDetailPage({ id }: { id: string }) {
  const api = useApi();
  const path = `/api/pipeline/${encodeURIComponent(id)}`;
  const data = useLoad(async () => {
    const [pipeline, status, letters] = await Promise.all([
      api.get<PipelineView>(path),
      api.get<PipelineStatusView>(`${path}/status`),
      api.get<DeadLetterList>(`${path}/dead-letters`, { limit: 100 }),
    ]);
    return { pipeline, status, letters };
  }, [id]);
  useLiveEvents(
    [TOPICS.pipelineExecution, TOPICS.pipelineDataWritten],
    (event) => {
      if ((event.data as { pipelineId?: string } | null)?.pipelineId === id) data.reloadSoon();
    },
    data.reload,
  );
  const [error, setError] = useState<unknown>();
  const [retried, setRetried] = useState<string | undefined>();
  const act = async (verb: 'execute' | 'pause' | 'resume') => {
    setError(undefined);
    try {
      await api.post(`${path}/${verb}`);
      data.reload();
    } catch (err) {
      setError(err);
    }
  };
  const retry = async () => {
    setError(undefined);
    try {
      const r = await api.post<{ retried: number; succeeded: number; failed: number; remaining: number }>(`${path}/dead-letters/retry`, {});
      setRetried(`retried ${r.retried}: ${r.succeeded} succeeded, ${r.failed} failed, ${r.remaining} remaining`);
      data.reload();
    } catch (err) {
      setError(err);
    }
  };
  if (!data.data) return <Card title="Pipeline">{data.error ? <ErrorBox error={data.error} /> : <Empty>Loading...</Empty>}</Card>;
  const { pipeline, status, letters } = data.data;
  return (
    <div className="stack" data-testid="pipeline-detail">
      <Card
        title={pipeline.name}
        actions={
          <>
            <button type="button" onClick={() => act('execute')} disabled={status.state === 'running' || status.paused}>
              Run now
            </button>
            {status.paused ? (
              <button type="button" onClick={() => act('resume')}>
                Resume
              </button>
            ) : (
              <button type="button" onClick={() => act('pause')}>
                Pause
              </button>
            )}
          </>
        }
      >
        <ErrorBox error={error ?? data.error} />
        <dl className="facts">
          <dt>State</dt>
          <dd data-testid="pipeline-state">
            <Badge value={status.state} />
          </dd>
          <dt>Schedule</dt>
          <dd>{schedule(pipeline)}</dd>
          <dt>Progress</dt>
          <dd data-testid="pipeline-progress">
            read {status.progress.read}, written {status.progress.written}, failed {status.progress.failed}, dropped {status.progress.dropped}
            {status.lag !== undefined ? `, lag ${status.lag}` : ''}
          </dd>
          {status.lastError && (
            <>
              <dt>Last error</dt>
              <dd className="bad">
                {status.lastError.message} (<Time iso={status.lastError.at} />)
              </dd>
            </>
          )}
        </dl>
        {status.currentRun && <Run title="Current run" run={status.currentRun} />}
        {status.lastRun && <Run title="Last run" run={status.lastRun} testId="last-run" />}
      </Card>
      <Card
        title={`Dead letters (${letters.total})`}
        testId="dead-letters"
        actions={
          <button type="button" onClick={retry} disabled={letters.total === 0 || status.state === 'running'}>
            Retry all
          </button>
        }
      >
        {retried && <p className="ok">{retried}</p>}
        {letters.items.length === 0 ? (
          <Empty>No dead letters.</Empty>
        ) : (
          <table className="table compact">
            <thead>
              <tr>
                <th>#</th>
                <th>Time</th>
                <th>Processor</th>
                <th>Error</th>
                <th>Attempts</th>
                <th>Item</th>
              </tr>
            </thead>
            <tbody>
              {letters.items.map((l) => (
                <tr key={l.seq}>
                  <td>{l.seq}</td>
                  <td>
                    <Time iso={l.at} />
                  </td>
                  <td>{l.processor}</td>
                  <td className="bad">{l.error}</td>
                  <td>{l.attempts}</td>
                  <td>
                    <code>{JSON.stringify(l.item).slice(0, 120)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Definition">
        <pre className="json">{JSON.stringify({ source: pipeline.source, processors: pipeline.processors, destination: pipeline.destination, batchSize: pipeline.batchSize, schedule: pipeline.schedule }, null, 2)}</pre>
      </Card>
    </div>
  );
}

function Run({ title, run, testId }: { title: string; run: RunSummary; testId?: string }) {
  return (
    <div className="run" data-testid={testId} data-outcome={run.outcome ?? 'running'}>
      <h3>
        {title} <Badge value={run.outcome ?? 'running'} />
      </h3>
      <p>
        {run.trigger}, started <Time iso={run.startedAt} />
        {run.durationMs !== undefined ? `, ${Math.round(run.durationMs)} ms` : ''}: read {run.read}, written {run.written}, failed {run.failed}, {run.batches} batch(es)
        {run.stopReason ? `, stopped (${run.stopReason})` : ''}
      </p>
      {run.error && <p className="bad">{run.error}</p>}
    </div>
  );
}
