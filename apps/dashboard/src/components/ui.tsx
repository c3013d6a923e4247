import type { ReactNode } from 'react';
import { ApiError } from '../api/errors.js';

export function Badge({ value, kind }: { value: string; kind?: string }) {
  return <span className={`badge badge-${kind ?? value}`} data-value={value}>{value}</span>;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="error-box" role="alert">
      {code && <strong>{code}: </strong>}
      {message}
    </div>
  );
}

export function Card({ title, actions, children, testId }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2>{title}</h2>}
          {actions && <div className="actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Time({ iso }: { iso?: string }) {
  if (!iso) return <span className="muted">-</span>;
  const date = new Date(iso);
  return <time dateTime={iso} title={iso}>{date.toLocaleString()}</time>;
}

/** One labelled input with the problems the API reported for its field path. */
export function Field({ label, name, problems, hint, children }: { label: string; name: string; problems?: string[]; hint?: string; children: ReactNode }) {
  const invalid = problems && problems.length > 0;
  return (
    <div className={`field${invalid ? ' field-invalid' : ''}`} data-field={name}>
      <label>
        <span className="field-label">{label}</span>
        {children}
      </label>
      {hint && <small className="hint">{hint}</small>}
      {invalid && (
        <ul className="field-errors" data-field-error={name}>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
