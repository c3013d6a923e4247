import { useEffect, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { useLoad } from '../app/use-load.js';
import type { DeliveryList, HealthProbeResult, IntegrationLogEntry, IntegrationMetrics, IntegrationView } from '@autoweave/contracts';
import { LineChart } from '../components/LineChart.js';
import { Badge, Card, Empty, ErrorBox, Time } from '../components/ui.js';
import { callSeries } from '../integrations/series.js';
import { useLiveEvents } from '../live/live-context.js';
import { callTopics, deliveryTopic, INTEGRATION_CHANGES } from '../live/topics.js';

const HOUR = 60 * 60 * 1000;
/** Types that are called through execute (and so have call logs and metrics). */
const CALLED_TYPES = new Set(['openapi', 'plugin']);

/** One integration: config (secrets masked by the API), health, call charts, logs, manifests, deliveries. */
export function IntegrationDetailPage({ id }: { id: string }) {
  const api = useApi();
  const path = `/api/integration/${encodeURIComponent(id)}`;
  const record = useLoad(() => api.get<IntegrationView>(path), [id]);
  useLiveEvents(INTEGRATION_CHANGES, (event) => {
    if ((event.data as { id?: string } | null)?.id === id) record.reloadSoon();
  }, record.reload);

  const integration = record.data;
  if (!integration) {
    return (
      <Card title="Integration">
        {record.error ? <ErrorBox error={record.error} /> : <Empty>Loading...</Empty>}
      </Card>
    );
  }
  return (
    <div className="stack" data-testid="integration-detail">
      <Overview integration={integration} onChanged={record.reload} />
      {integration.type === 'webhook' && <Deliveries id={id} />}
      {CALLED_TYPES.has(integration.type) && <Calls id={id} />}
      {integration.type === 'openapi' && <Manifests integration={integration} />}
    </div>
  );
}

function Overview({ integration, onChanged }: { integration: IntegrationView; onChanged: () => void }) {
  const api = useApi();
  const [error, setError] = useState<unknown>();
  const [probe, setProbe] = useState<HealthProbeResult | undefined>();
  const path = `/api/integration/${encodeURIComponent(integration.id)}`;
  const act = async (verb: 'enable' | 'disable' | 'test') => {
    setError(undefined);
    try {
      const result = await api.post<unknown>(`${path}/${verb}`);
      if (verb === 'test') setProbe(result as typeof probe);
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const disabled = integration.status === 'disabled';
  return (
    <Card
      title={
        <>
          {integration.name} <Badge value={integration.type} kind="type" />
        </>
      }
      actions={
        <>
          <button type="button" onClick={() => act(disabled ? 'enable' : 'disable')}>
            {disabled ? 'Enable' : 'Disable'}
          </button>
          <button type="button" onClick={() => act('test')}>
            Test now
          </button>
        </>
      }
    >
      <div className="overview">
        <dl className="facts">
          <dt>Status</dt>
          <dd data-testid="detail-status">
            <Badge value={integration.status} />
          </dd>
          <dt>Health</dt>
          <dd data-testid="detail-health">
            <Badge value={integration.health} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time iso={integration.updatedAt} />
          </dd>
          <dt>Tags</dt>
          <dd>{integration.tags.join(', ') || <span className="muted">none</span>}</dd>
          {integration.description && (
            <>
              <dt>Description</dt>
              <dd>{integration.description}</dd>
            </>
          )}
          {integration.plugin?.state && (
            <>
              <dt>Plugin</dt>
              <dd>{integration.plugin.state}</dd>
            </>
          )}
        </dl>
        <div>
          <h3 className="first">Configuration</h3>
          <pre className="json config" data-testid="config">{JSON.stringify(integration.config, null, 2)}</pre>
        </div>
      </div>
      {probe && (
        <p className={probe.healthy ? 'ok' : 'bad'} data-testid="probe">
          Probe: {probe.healthy ? 'healthy' : 'unhealthy'}
          {probe.status ? `, HTTP ${probe.status}` : ''}, {Math.round(probe.latencyMs)} ms{probe.error ? ` (${probe.error})` : ''}
        </p>
      )}
      <ErrorBox error={error} />
    </Card>
  );
}

const CALLS_REFRESH_MS = 5000;

function Calls({ id }: { id: string }) {
  const api = useApi();
  const path = `/api/integration/${encodeURIComponent(id)}`;
  const load = async () => {
    const to = Date.now();
    const from = to - HOUR;
    const [metrics, logs] = await Promise.all([
      api.get<IntegrationMetrics>(`${path}/metrics`, { window: 900 }),
      api.get<{ items: IntegrationLogEntry[] }>(`${path}/logs`, { since: new Date(from).toISOString(), limit: 1000 }),
    ]);
    return { metrics, logs: logs.items, from, to };
  };
  const calls = useLoad(load, [id], 1000);
  useLiveEvents(callTopics(id), calls.reloadSoon, calls.reload);
  // The hub writes call logs in batches, so the event of a call can arrive before its log entry
  // does; a slow refresh catches what the event-driven reload read too early.
  useEffect(() => {
    const timer = setInterval(calls.reload, CALLS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [calls.reload]);
  const data = calls.data;
  const series = data ? callSeries(data.logs, data.from, data.to) : undefined;
  const m = data?.metrics;
  return (
    <Card title="Calls" testId="calls">
      <ErrorBox error={calls.error} />
      {m && (
        <div className="stats" data-testid="metrics">
          <Stat label="Requests (15 min)" value={m.requests} testId="stat-requests" />
          <Stat label="Errors" value={m.errors} />
          <Stat label="Error rate" value={`${Math.round(m.errorRate * 1000) / 10}%`} />
          <Stat label="p50" value={m.latencyMs ? `${Math.round(m.latencyMs.p50)} ms` : '-'} />
          <Stat label="p95" value={m.latencyMs ? `${Math.round(m.latencyMs.p95)} ms` : '-'} />
          <Stat label="p99" value={m.latencyMs ? `${Math.round(m.latencyMs.p99)} ms` : '-'} />
        </div>
      )}
      {series && data && (
        <div className="charts">
          <LineChart title="Requests / min" points={series.rate} from={data.from} to={data.to} testId="chart-rate" zeroDots={false} />
          <LineChart title="Error rate" unit="%" points={series.errorRate} from={data.from} to={data.to} testId="chart-errors" />
          <LineChart title="Latency p95" unit=" ms" points={series.latency} from={data.from} to={data.to} testId="chart-latency" />
        </div>
      )}
      <h3>Recent log</h3>
      {data && data.logs.length === 0 ? (
        <Empty>No calls or probes in the last hour.</Empty>
      ) : (
        <table className="table compact" data-testid="logs">
          <thead>
            <tr>
              <th>Time</th>
              <th>Kind</th>
              <th>Action</th>
              <th>Outcome</th>
              <th>Status</th>
              <th>ms</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {(data?.logs ?? [])
              .slice(-50)
              .reverse()
              .map((entry, i) => (
                <tr key={`${entry.ts}-${i}`} className={entry.outcome === 'ok' ? undefined : 'row-bad'}>
                  <td>
                    <Time iso={entry.ts} />
                  </td>
                  <td>{entry.kind}</td>
                  <td>{entry.action}</td>
                  <td>{entry.outcome}</td>
                  <td>{entry.status ?? ''}</td>
                  <td>{Math.round(entry.durationMs)}</td>
                  <td>{entry.message ?? ''}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function Stat({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}

function Manifests({ integration }: { integration: IntegrationView }) {
  const api = useApi();
  const manifests = useLoad(() => api.text(`/api/integration/${encodeURIComponent(integration.id)}/manifests`), [integration.id, integration.revision]);
  const download = () => {
    if (!manifests.data) return;
    const url = URL.createObjectURL(new Blob([manifests.data], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${integration.name.replace(/[^A-Za-z0-9._-]+/g, '-')}-manifests.yaml`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Card
      title="Kubernetes manifests"
      testId="manifests"
      actions={
        <button type="button" onClick={download} disabled={!manifests.data}>
          Download YAML
        </button>
      }
    >
      {manifests.error ? <ErrorBox error={manifests.error} /> : <pre className="yaml">{manifests.data ?? 'Loading...'}</pre>}
    </Card>
  );
}

function Deliveries({ id }: { id: string }) {
  const api = useApi();
  const path = `/api/integration/${encodeURIComponent(id)}/deliveries`;
  const deliveries = useLoad(() => api.get<DeliveryList>(path, { limit: 50 }), [id]);
  useLiveEvents([deliveryTopic(id)], deliveries.reloadSoon, deliveries.reload);
  const [error, setError] = useState<unknown>();
  const [replaying, setReplaying] = useState<string | undefined>();
  const replay = async (msgId: string) => {
    setError(undefined);
    setReplaying(msgId);
    try {
      await api.post(`${path}/${encodeURIComponent(msgId)}/replay`);
      deliveries.reload();
    } catch (err) {
      setError(err);
    } finally {
      setReplaying(undefined);
    }
  };
  const items = deliveries.data?.items ?? [];
  return (
    <Card title="Delivery attempts" testId="deliveries">
      <ErrorBox error={deliveries.error ?? error} />
      {items.length === 0 ? (
        <Empty>No deliveries yet.</Empty>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>Time</th>
              <th>Message</th>
              <th>Topic</th>
              <th>Attempt</th>
              <th>Trigger</th>
              <th>Outcome</th>
              <th>Status</th>
              <th>ms</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {items.map((a, i) => (
              <tr key={`${a.msgId}-${a.at}-${i}`} data-msg={a.msgId} data-trigger={a.trigger} className={a.outcome === 'succeeded' ? undefined : 'row-bad'}>
                <td>
                  <Time iso={a.at} />
                </td>
                <td>{a.msgId}</td>
                <td>{a.topic}</td>
                <td>{a.attempt}</td>
                <td>{a.trigger}</td>
                <td>
                  <Badge value={a.outcome} />
                </td>
                <td>{a.status ?? a.error ?? ''}</td>
                <td>{Math.round(a.latencyMs)}</td>
                <td>
                  <button type="button" className="small" disabled={replaying !== undefined} onClick={() => replay(a.msgId)}>
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
