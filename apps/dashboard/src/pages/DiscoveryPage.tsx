import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import type { IntegrationList } from '@autoweave/contracts';
import { Badge, Card, Empty, ErrorBox, Time } from '../components/ui.js';
import { useLiveEvents } from '../live/live-context.js';
import { TOPICS } from '../live/topics.js';

const FEED_TOPICS = [TOPICS.moduleDiscovered, TOPICS.integrationCreated, TOPICS.integrationUpdated, TOPICS.integrationFailed, TOPICS.integrationOpenapiUpdated];
const KIND: Record<string, string> = {
  [TOPICS.moduleDiscovered]: 'discovered',
  [TOPICS.integrationCreated]: 'registered',
  [TOPICS.integrationUpdated]: 'updated',
  [TOPICS.integrationOpenapiUpdated]: 'spec changed',
  [TOPICS.integrationFailed]: 'failed',
};
const FEED_LIMIT = 200;

interface FeedEntry {
  at: string;
  kind: string;
  name: string;
  id?: string;
  detail: string;
}

/** What discovery finds and what becomes of it, as it happens; and the integrations it made. */
export function DiscoveryPage() {
  const api = useApi();
  const [feed, setFeed] = useState<FeedEntry[]>([]);
  const discovered = useLoad(() => api.get<IntegrationList>('/api/integration/list'), []);
  useLiveEvents(
    FEED_TOPICS,
    (event) => {
      const data = (event.data ?? {}) as Record<string, unknown>;
      const entry: FeedEntry = {
        at: event.ts,
        kind: KIND[event.topic] ?? event.topic,
        name: String(data.name ?? data.id ?? '?'),
        id: typeof data.id === 'string' ? data.id : undefined,
        detail: describe(event.topic, data),
      };
      setFeed((f) => [entry, ...f].slice(0, FEED_LIMIT));
      if (event.topic !== TOPICS.moduleDiscovered) discovered.reloadSoon();
    },
    discovered.reload,
  );
  const fromDiscovery = (discovered.data?.items ?? []).filter((i) => i.metadata && typeof i.metadata === 'object' && 'discovery' in i.metadata);
  return (
    <div className="stack">
      <Card title="Discovery feed" testId="discovery-feed">
        {feed.length === 0 ? (
          <Empty>Waiting for modules to be discovered, registered, updated or to fail. Events appear here as they happen.</Empty>
        ) : (
          <ul className="feed">
            {feed.map((e, i) => (
              <li key={`${e.at}-${i}`} data-kind={e.kind}>
                <Time iso={e.at} /> <Badge value={e.kind} kind={e.kind.replace(' ', '-')} />{' '}
                {e.id ? <a href={href('integrations', e.id)}>{e.name}</a> : <strong>{e.name}</strong>} <span className="muted">{e.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Integrations from discovery" testId="from-discovery">
        <ErrorBox error={discovered.error} />
        {fromDiscovery.length === 0 ? (
          <Empty>None yet.</Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Status</th>
                <th>Source</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {fromDiscovery.map((i) => (
                <tr key={i.id}>
                  <td>
                    <a href={href('integrations', i.id)}>{i.name}</a>
                  </td>
                  <td>{i.type}</td>
                  <td>
                    <Badge value={i.status} />
                  </td>
                  <td>{String((i.metadata.discovery as { source?: string }).source ?? '')}</td>
                  <td>
                    <Time iso={i.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

function describe(topic: string, data: Record<string, unknown>): string {
  if (topic === TOPICS.moduleDiscovered) return `${String(data.type ?? '')} via ${String(data.source ?? '')} (${String(data.sourceRef ?? '')})${data.present === false ? ', gone' : ''}`;
  if (topic === TOPICS.integrationFailed) return String(data.reason ?? '');
  return [data.type, data.status].filter(Boolean).join(', ');
}
