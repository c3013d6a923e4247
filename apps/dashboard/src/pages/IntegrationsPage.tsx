import { useEffect, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { href } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import type { HealthState, IntegrationChangedEvent, IntegrationList, IntegrationView } from '@autoweave/contracts';
import { Badge, Card, Empty, ErrorBox, Time } from '../components/ui.js';
import { INTEGRATION_TYPES } from '../integrations/register-form.js';
import { useLiveEvents } from '../live/live-context.js';
import { INTEGRATION_CHANGES, TOPICS } from '../live/topics.js';

const STATUSES = ['', 'active', 'inactive', 'disabled', 'error'];
const TYPES = ['', ...INTEGRATION_TYPES];

/**
 * What a change event may carry: lifecycle events (IntegrationChangedEvent) have `status`,
 * `integration.health.changed` has `to`, the new health (HealthChangedEvent types it as a plain string).
 */
type ChangeEvent = Partial<Pick<IntegrationChangedEvent, 'id' | 'status'> & { to: HealthState }>;

/** Every integration with its type, status and health; filtered by the API, changed live. */
export function IntegrationsPage() {
  const api = useApi();
  const [filters, setFilters] = useState({ type: '', status: '', tag: '', text: '' });
  const list = useLoad(() => api.get<IntegrationList>('/api/integration/list', { type: filters.type, status: filters.status, tag: filters.tag }), [
    filters.type,
    filters.status,
    filters.tag,
  ]);
  const [items, setItems] = useState<IntegrationView[]>([]);
  const [flash, setFlash] = useState<Record<string, number>>({});
  useEffect(() => setItems(list.data?.items ?? []), [list.data]);

  useLiveEvents(
    INTEGRATION_CHANGES,
    (event) => {
      const data = (event.data ?? {}) as ChangeEvent;
      // Show the change at once, then reload for the whole record (and the filters).
      if (data.id) {
        setItems((current) =>
          current.flatMap((item) => {
            if (item.id !== data.id) return [item];
            if (event.topic === TOPICS.integrationDeleted) return [];
            if (event.topic === TOPICS.integrationHealthChanged && data.to) return [{ ...item, health: data.to }];
            if (data.status) return [{ ...item, status: data.status }];
            return [item];
          }),
        );
        setFlash((f) => ({ ...f, [data.id!]: Date.now() }));
      }
      list.reloadSoon();
    },
    list.reload,
  );

  const shown = items.filter((i) => !filters.text || i.name.toLowerCase().includes(filters.text.toLowerCase()));
  const set = (name: keyof typeof filters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [name]: e.target.value }));
  return (
    <Card
      title="Integrations"
      testId="integrations"
      actions={
        <a className="button" href="#/integrations/new">
          Register integration
        </a>
      }
    >
      <div className="filters">
        <input placeholder="Filter by name" value={filters.text} onChange={set('text')} aria-label="Filter by name" />
        <select value={filters.type} onChange={set('type')} aria-label="Type">
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t || 'any type'}
            </option>
          ))}
        </select>
        <select value={filters.status} onChange={set('status')} aria-label="Status">
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s || 'any status'}
            </option>
          ))}
        </select>
        <input placeholder="Tag" value={filters.tag} onChange={set('tag')} aria-label="Tag" />
      </div>
      <ErrorBox error={list.error} />
      {shown.length === 0 && !list.loading ? (
        <Empty>No integrations{filters.type || filters.status || filters.tag || filters.text ? ' match these filters' : ' yet'}.</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Status</th>
              <th>Health</th>
              <th>Tags</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => (
              <tr key={item.id} data-integration={item.name} className={flash[item.id] && Date.now() - flash[item.id]! < 3000 ? 'flash' : undefined}>
                <td>
                  <a href={href('integrations', item.id)}>{item.name}</a>
                </td>
                <td>{item.type}</td>
                <td data-col="status">
                  <Badge value={item.status} />
                </td>
                <td data-col="health">
                  <Badge value={item.health} />
                </td>
                <td>{item.tags.join(', ')}</td>
                <td>
                  <Time iso={item.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
