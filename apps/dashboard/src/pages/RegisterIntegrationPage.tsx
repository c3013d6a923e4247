import { useState, type FormEvent } from 'react';
import { useApi } from '../app/api-context.js';
import { href, navigate } from '../app/router.js';
import { fieldErrorsOf, problemsFor, unclaimedProblems, type FieldErrors } from '../api/errors.js';
import type { RegisteredIntegration } from '@autoweave/contracts';
import { Card, ErrorBox, Field } from '../components/ui.js';
import { buildRegisterRequest, fieldsOf, INTEGRATION_TYPES, type FieldSpec, type FormValues, type IntegrationType } from '../integrations/register-form.js';

/**
 * Registers an integration of any type. The API validates; its errors are
 * shown next to the inputs whose paths they name.
 */
export function RegisterIntegrationPage() {
  const api = useApi();
  const [type, setType] = useState<IntegrationType>('webhook');
  const [values, setValues] = useState<FormValues>({});
  const [error, setError] = useState<unknown>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<RegisteredIntegration | undefined>();
  const [busy, setBusy] = useState(false);
  const fields = fieldsOf(type);
  const paths = ['type', 'config', ...fields.map((f) => f.path)];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { body, problems } = buildRegisterRequest(type, values);
    setError(undefined);
    setFieldErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      const result = await api.post<RegisteredIntegration>('/api/integration/register', body);
      if (result.secret) setCreated(result);
      else navigate(href('integrations', result.id));
    } catch (err) {
      setError(err);
      setFieldErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Card title={`Registered ${created.name}`} testId="registered">
        <p>The signing secret was generated. It is shown this once: give it to the receiver (or sender) now.</p>
        <pre className="secret" data-testid="generated-secret">{created.secret}</pre>
        <a className="button" href={href('integrations', created.id)}>
          Open {created.name}
        </a>
      </Card>
    );
  }

  const unclaimed = unclaimedProblems(fieldErrors, paths);
  return (
    <Card title="Register an integration" testId="register">
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Type" name="type" problems={problemsFor('type', fieldErrors, paths)}>
          <select name="type" value={type} onChange={(e) => setType(e.target.value as IntegrationType)}>
            {INTEGRATION_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        {fields.map((field) => (
          <Field key={field.path} label={field.label} name={field.path} hint={field.hint} problems={problemsFor(field.path, fieldErrors, paths)}>
            <Input field={field} value={values[field.path]} onChange={(v) => setValues((s) => ({ ...s, [field.path]: v }))} />
          </Field>
        ))}
        <ErrorBox error={error} />
        {unclaimed.length > 0 && (
          <ul className="field-errors">
            {unclaimed.map((u) => (
              <li key={u.field}>
                {u.field}: {u.problems.join('; ')}
              </li>
            ))}
          </ul>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            Register
          </button>
          <a href="#/integrations">Cancel</a>
        </div>
      </form>
    </Card>
  );
}

function Input({ field, value, onChange }: { field: FieldSpec; value: string | boolean | undefined; onChange: (value: string | boolean) => void }) {
  const text = typeof value === 'string' ? value : '';
  switch (field.kind) {
    case 'json':
      return <textarea name={field.path} rows={4} value={text} placeholder={field.placeholder} onChange={(e) => onChange(e.target.value)} spellCheck={false} />;
    case 'select':
      return (
        <select name={field.path} value={text} onChange={(e) => onChange(e.target.value)}>
          {!field.options?.includes('') && <option value="">(choose)</option>}
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o || '(none)'}
            </option>
          ))}
        </select>
      );
    case 'checkbox':
      return <input name={field.path} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
    default:
      return (
        <input
          name={field.path}
          type={field.kind === 'secret' ? 'password' : 'text'}
          autoComplete="off"
          value={text}
          placeholder={field.placeholder}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}
