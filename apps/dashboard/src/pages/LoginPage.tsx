import { useState, type FormEvent } from 'react';
import { ApiClient } from '../api/client.js';
import { ErrorBox } from '../components/ui.js';

/** Asks for an API key, checks it against the gateway, and keeps it for this tab only. */
export function LoginPage({ onLogin }: { onLogin: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const candidate = key.trim();
    if (!candidate) return;
    setBusy(true);
    setError(undefined);
    try {
      await new ApiClient(() => candidate).get('/api/integration/list');
      onLogin(candidate);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login">
      <form className="card login-card" onSubmit={submit}>
        <h1>AutoWeave</h1>
        <p className="muted">Sign in with an API key. It is kept in this browser tab only and sent to this gateway alone.</p>
        <label className="field">
          <span className="field-label">API key</span>
          <input name="apiKey" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} autoFocus />
        </label>
        <ErrorBox error={error} />
        <button type="submit" disabled={busy || !key.trim()}>
          Sign in
        </button>
      </form>
    </div>
  );
}
