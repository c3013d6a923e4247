import { useEffect, useMemo, useState } from 'react';
import { ApiClient } from '../api/client.js';
import { LiveClient } from '../live/live-client.js';
import { LiveContext, useLiveStatus } from '../live/live-context.js';
import { DiscoveryPage } from '../pages/DiscoveryPage.js';
import { IntegrationDetailPage } from '../pages/IntegrationDetailPage.js';
import { IntegrationsPage } from '../pages/IntegrationsPage.js';
import { LoginPage } from '../pages/LoginPage.js';
import { PipelineBuilderPage } from '../pages/PipelineBuilderPage.js';
import { PipelineDetailPage } from '../pages/PipelineDetailPage.js';
import { PipelinesPage } from '../pages/PipelinesPage.js';
import { RegisterIntegrationPage } from '../pages/RegisterIntegrationPage.js';
import { SearchPage } from '../pages/SearchPage.js';
import { ApiContext } from './api-context.js';
import { useRoute } from './router.js';
import { clearKey, loadKey, saveKey } from './session.js';

export function App() {
  const [key, setKey] = useState<string | null>(() => loadKey());
  const logout = () => {
    clearKey();
    setKey(null);
  };
  if (!key) {
    return (
      <LoginPage
        onLogin={(k) => {
          saveKey(k);
          setKey(k);
        }}
      />
    );
  }
  return <Session apiKey={key} onLogout={logout} />;
}

function Session({ apiKey, onLogout }: { apiKey: string; onLogout: () => void }) {
  // One client per key; onLogout only clears the session, so the first one is as good as a later one.
  const api = useMemo(() => new ApiClient(() => apiKey, onLogout), [apiKey]);
  const live = useMemo(() => new LiveClient(apiKey), [apiKey]);
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  return (
    <ApiContext.Provider value={api}>
      <LiveContext.Provider value={live}>
        <Layout onLogout={onLogout} />
      </LiveContext.Provider>
    </ApiContext.Provider>
  );
}

const NAV = [
  { path: 'integrations', label: 'Integrations' },
  { path: 'discovery', label: 'Discovery' },
  { path: 'pipelines', label: 'Pipelines' },
  { path: 'search', label: 'Search' },
];

function Layout({ onLogout }: { onLogout: () => void }) {
  const route = useRoute();
  const status = useLiveStatus();
  useEffect(() => {
    if (status === 'unauthorized') onLogout();
  }, [status, onLogout]);
  const section = route[0] ?? 'integrations';
  return (
    <div className="layout">
      <header className="topbar">
        <a className="brand" href="#/integrations">AutoWeave</a>
        <nav>
          {NAV.map((item) => (
            <a key={item.path} href={`#/${item.path}`} className={section === item.path ? 'active' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <span className={`live-status live-${status}`} data-testid="live-status" title="Live updates over /ws">
          {status === 'open' ? 'live' : status}
        </span>
        <button type="button" className="link" onClick={onLogout}>
          Sign out
        </button>
      </header>
      <main>{page(route)}</main>
    </div>
  );
}

function page(route: string[]) {
  const [section = 'integrations', id, sub] = route;
  switch (section) {
    case 'integrations':
      if (id === 'new') return <RegisterIntegrationPage />;
      if (id) return <IntegrationDetailPage id={id} />;
      return <IntegrationsPage />;
    case 'discovery':
      return <DiscoveryPage />;
    case 'pipelines':
      if (id === 'new') return <PipelineBuilderPage />;
      if (id) return <PipelineDetailPage id={id} key={`${id}/${sub ?? ''}`} />;
      return <PipelinesPage />;
    case 'search':
      return <SearchPage />;
    default:
      return <IntegrationsPage />;
  }
}
