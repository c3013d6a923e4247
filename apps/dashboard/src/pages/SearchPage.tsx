import { useState, type FormEvent } from 'react';
import { useApi } from '../app/api-context.js';
import { href } from '../app/router.js';
import type { EndpointSearchHit } from '@autoweave/contracts';
import { Card, Empty, ErrorBox } from '../components/ui.js';

/** The endpoint search: operations of every OpenAPI integration that match a plain-language query. */
export function SearchPage() {
  const api = useApi();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<EndpointSearchHit[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setHits(await api.get<EndpointSearchHit[]>('/api/search', { q, limit: 20 }));
    } catch (err) {
      setError(err);
      setHits(undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Search endpoints" testId="search">
      <form className="search" onSubmit={submit}>
        <input name="q" type="search" placeholder="e.g. find pets by status" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Search" />
        <button type="submit" disabled={busy || !q.trim()}>
          Search
        </button>
      </form>
      <ErrorBox error={error} />
      {hits && hits.length === 0 && <Empty>No operation matches.</Empty>}
      {hits && hits.length > 0 && (
        <table className="table" data-testid="search-results">
          <thead>
            <tr>
              <th>Operation</th>
              <th>Method</th>
              <th>Path</th>
              <th>Summary</th>
              <th>Integration</th>
              <th>Score</th>
            </tr>
          </thead>
          <tbody>
            {hits.map((h) => (
              <tr key={`${h.integrationId}-${h.operationId}`}>
                <td>{h.operationId}</td>
                <td>
                  <code>{h.method}</code>
                </td>
                <td>
                  <code>{h.path}</code>
                </td>
                <td>{h.summary ?? ''}</td>
                <td>
                  <a href={href('integrations', h.integrationId)}>{h.integrationName}</a>
                </td>
                <td>{h.score.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
