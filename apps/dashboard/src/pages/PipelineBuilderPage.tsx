import { useEffect, useState, type FormEvent } from 'react';
import { useApi } from '../app/api-context.js';
import { href, navigate } from '../app/router.js';
import { useLoad } from '../app/use-load.js';
import { fieldErrorsOf, problemsFor, unclaimedProblems, type FieldErrors } from '../api/errors.js';
import type { PipelineComponents, PipelineView } from '@autoweave/contracts';
import { Card, ErrorBox, Field } from '../components/ui.js';
import {
  buildPipelineRequest,
  initialBuilderState,
  newStage,
  SCHEDULE_TYPES,
  stageFields,
  stageInputPaths,
  toFormMode,
  toJsonMode,
  typesFor,
  type BuilderState,
  type StageRole,
  type StageState,
} from '../pipelines/builder.js';
import type { SchemaField } from '../pipelines/schema-form.js';

/**
 * Builds a pipeline in a form, source -> processors -> destination, and shows
 * the JSON it will send: the same body `POST /api/pipeline/register` takes.
 * Each stage's config fields come from its component's JSON Schema
 * (`GET /api/pipeline/components`); the API's errors are shown next to them.
 */
export function PipelineBuilderPage() {
  const api = useApi();
  const catalogue = useLoad(() => api.get<PipelineComponents>('/api/pipeline/components'), []);
  // Without the catalogue the builder still works: known types, configs as JSON.
  const ready = catalogue.data !== undefined || catalogue.error !== undefined;
  const components = catalogue.data;
  const [state, setState] = useState<BuilderState | undefined>();
  useEffect(() => {
    if (ready && !state) setState(initialBuilderState(components));
  }, [ready, components, state]);

  if (!state) {
    return (
      <Card title="Build a pipeline" testId="pipeline-builder">
        <p className="muted">Loading the pipeline components...</p>
      </Card>
    );
  }
  return <Builder state={state} setState={setState} components={components} catalogueError={catalogue.error} />;
}

interface BuilderProps {
  state: BuilderState;
  setState: (update: (s: BuilderState | undefined) => BuilderState) => void;
  components: PipelineComponents | undefined;
  catalogueError: Error | undefined;
}

function Builder({ state, setState, components, catalogueError }: BuilderProps) {
  const api = useApi();
  const [error, setError] = useState<unknown>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const built = buildPipelineRequest(state, components);
  const fieldsOf = (role: StageRole, stage: StageState) => (stage.json === undefined ? stageFields(role, stage.type, components) : []);
  const paths = [
    'name',
    'description',
    'processors',
    ...stageInputPaths('source', fieldsOf('source', state.source)),
    ...state.processors.flatMap((p, i) => stageInputPaths(`processors[${i}]`, fieldsOf('processor', p))),
    ...stageInputPaths('destination', fieldsOf('destination', state.destination)),
    'batchSize',
    'schedule',
    'schedule.everyMs',
    'schedule.cron',
    'schedule.timezone',
    'schedule.event',
  ];
  const problems = (path: string) => {
    // The DTO spells a processor `processors.0`, the registry `processors[0]`: both belong to the same inputs.
    const dotted = path.replace(/^processors\[(\d+)\]/, 'processors.$1');
    return dotted === path ? problemsFor(path, fieldErrors, paths) : [...problemsFor(path, fieldErrors, paths), ...problemsFor(dotted, fieldErrors, paths)];
  };
  const update = (change: Partial<BuilderState>) => setState((s) => ({ ...s!, ...change }));
  // An edited config field's old error is stale: it goes until the next submit says otherwise.
  const edited = (path: string) => setFieldErrors((errors) => Object.fromEntries(Object.entries(errors).filter(([field]) => field !== path && !field.startsWith(`${path}.`))));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setFieldErrors(built.problems);
    if (Object.keys(built.problems).length > 0) return;
    setBusy(true);
    try {
      const pipeline = await api.post<PipelineView>('/api/pipeline/register', built.body);
      navigate(href('pipelines', pipeline.id));
    } catch (err) {
      setError(err);
      setFieldErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  const stageProps = { components, problems, edited };
  return (
    <div className="builder">
      <Card title="Build a pipeline" testId="pipeline-builder">
        {catalogueError && (
          <div className="error-box" role="alert" data-testid="catalogue-error">
            The component catalogue could not be loaded ({catalogueError.message}): configs are edited as JSON.
          </div>
        )}
        <form className="form" onSubmit={submit} noValidate>
          <Field label="Name *" name="name" problems={problems('name')}>
            <input name="name" value={state.name} onChange={(e) => update({ name: e.target.value })} />
          </Field>
          <Field label="Description" name="description" problems={problems('description')}>
            <input name="description" value={state.description} onChange={(e) => update({ description: e.target.value })} />
          </Field>
          <Stage {...stageProps} role="source" label="Source" path="source" stage={state.source} onChange={(source) => update({ source })} />
          <fieldset className="processors">
            <legend>Processors</legend>
            {state.processors.map((p, i) => (
              <Stage
                {...stageProps}
                key={i}
                role="processor"
                label={`Processor ${i + 1}`}
                path={`processors[${i}]`}
                stage={p}
                onChange={(stage) => update({ processors: state.processors.map((q, j) => (j === i ? stage : q)) })}
                onRemove={() => update({ processors: state.processors.filter((_, j) => j !== i) })}
              />
            ))}
            <button type="button" className="small" onClick={() => update({ processors: [...state.processors, newStage('processor', typesFor('processor', components)[0]?.type ?? 'map', components)] })}>
              Add processor
            </button>
          </fieldset>
          <Stage {...stageProps} role="destination" label="Destination" path="destination" stage={state.destination} onChange={(destination) => update({ destination })} />
          <Field label="Batch size" name="batchSize" problems={problems('batchSize')}>
            <input name="batchSize" type="number" min={1} value={state.batchSize} onChange={(e) => update({ batchSize: e.target.value })} />
          </Field>
          <Field label="Schedule" name="schedule" problems={problems('schedule')}>
            <select name="schedule.type" value={state.schedule.type} onChange={(e) => update({ schedule: { ...state.schedule, type: e.target.value } })}>
              {SCHEDULE_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </Field>
          {state.schedule.type === 'interval' && (
            <Field label="Every (ms)" name="schedule.everyMs" problems={problems('schedule.everyMs')}>
              <input name="schedule.everyMs" value={state.schedule.everyMs} onChange={(e) => update({ schedule: { ...state.schedule, everyMs: e.target.value } })} />
            </Field>
          )}
          {state.schedule.type === 'cron' && (
            <>
              <Field label="Cron" name="schedule.cron" problems={problems('schedule.cron')}>
                <input name="schedule.cron" value={state.schedule.cron} onChange={(e) => update({ schedule: { ...state.schedule, cron: e.target.value } })} />
              </Field>
              <Field label="Time zone" name="schedule.timezone" problems={problems('schedule.timezone')}>
                <input name="schedule.timezone" value={state.schedule.timezone} onChange={(e) => update({ schedule: { ...state.schedule, timezone: e.target.value } })} />
              </Field>
            </>
          )}
          {state.schedule.type === 'event' && (
            <Field label="Event pattern" name="schedule.event" problems={problems('schedule.event')}>
              <input name="schedule.event" value={state.schedule.event} onChange={(e) => update({ schedule: { ...state.schedule, event: e.target.value } })} />
            </Field>
          )}
          <label className="checkbox">
            <input type="checkbox" name="enabled" checked={state.enabled} onChange={(e) => update({ enabled: e.target.checked })} /> Enabled (its schedule fires)
          </label>
          <ErrorBox error={error} />
          <Unclaimed errors={fieldErrors} paths={paths} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Register pipeline
            </button>
            <a href="#/pipelines">Cancel</a>
          </div>
        </form>
      </Card>
      <Card title="POST /api/pipeline/register" testId="pipeline-preview">
        <pre className="json preview" data-testid="pipeline-json">{JSON.stringify(built.body, null, 2)}</pre>
      </Card>
    </div>
  );
}

interface StageProps {
  role: StageRole;
  label: string;
  path: string;
  stage: StageState;
  components: PipelineComponents | undefined;
  problems: (path: string) => string[];
  edited: (path: string) => void;
  onChange: (stage: StageState) => void;
  onRemove?: () => void;
}

function Stage({ role, label, path, stage, components, problems, edited, onChange, onRemove }: StageProps) {
  const [modeProblem, setModeProblem] = useState<string | undefined>();
  const types = typesFor(role, components);
  const fields = stageFields(role, stage.type, components);
  const description = types.find((t) => t.type === stage.type)?.description;
  const asJson = stage.json !== undefined;
  const toggle = () => {
    setModeProblem(undefined);
    if (!asJson) return onChange(toJsonMode(role, stage, components));
    const result = toFormMode(role, stage, components);
    if ('stage' in result) onChange(result.stage);
    else setModeProblem(result.problem);
  };
  return (
    <fieldset className="stage" data-stage={path} data-mode={asJson ? 'json' : 'form'}>
      <legend>{label}</legend>
      <Field label="Type" name={`${path}.type`} hint={description} problems={problems(path)}>
        <select
          name={`${path}.type`}
          value={stage.type}
          onChange={(e) => {
            setModeProblem(undefined);
            onChange(newStage(role, e.target.value, components));
          }}
        >
          {types.map((t) => (
            <option key={t.type}>{t.type}</option>
          ))}
        </select>
      </Field>
      {asJson ? (
        <Field label="Config (JSON)" name={`${path}.config`} problems={[...problems(`${path}.config`), ...(modeProblem ? [modeProblem] : [])]}>
          <textarea name={`${path}.config`} rows={Math.min(14, (stage.json ?? '').split('\n').length + 1)} value={stage.json} spellCheck={false} onChange={(e) => onChange({ ...stage, json: e.target.value })} />
        </Field>
      ) : (
        <div className="stage-config" data-config={`${path}.config`}>
          {problems(`${path}.config`).length > 0 && (
            <ul className="field-errors" data-field-error={`${path}.config`}>
              {problems(`${path}.config`).map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          {fields.map((field) => (
            <ConfigInput
              key={field.name}
              field={field}
              name={`${path}.config.${field.name}`}
              value={stage.values[field.name]}
              problems={problems(`${path}.config.${field.name}`)}
              onChange={(value) => {
                edited(`${path}.config.${field.name}`);
                onChange({ ...stage, values: { ...stage.values, [field.name]: value } });
              }}
            />
          ))}
        </div>
      )}
      <div className="stage-actions">
        {fields.length > 0 && (
          <button type="button" className="small link" data-toggle-json={path} onClick={toggle}>
            {asJson ? 'Edit as form' : 'Edit as JSON'}
          </button>
        )}
        {onRemove && (
          <button type="button" className="small link" onClick={onRemove}>
            Remove
          </button>
        )}
      </div>
    </fieldset>
  );
}

const LIST_HINT = 'comma-separated';

/** One config property as an input of its schema's kind. */
function ConfigInput({ field, name, value, problems, onChange }: { field: SchemaField; name: string; value: string | boolean | undefined; problems: string[]; onChange: (value: string | boolean) => void }) {
  const text = typeof value === 'string' ? value : '';
  const hint = [field.description, field.kind === 'list' ? LIST_HINT : undefined].filter(Boolean).join(' - ') || undefined;
  let input;
  switch (field.kind) {
    case 'checkbox':
      input = <input name={name} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
      break;
    case 'select':
      input = (
        <select name={name} value={text} onChange={(e) => onChange(e.target.value)}>
          {(!field.required || text === '') && <option value="">{field.required ? '(choose)' : '(not set)'}</option>}
          {field.options?.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
      break;
    case 'json':
      input = <textarea name={name} rows={Math.min(8, text.split('\n').length + 1)} value={text} spellCheck={false} placeholder="JSON" onChange={(e) => onChange(e.target.value)} />;
      break;
    default:
      input = (
        <input
          name={name}
          type={field.kind === 'secret' ? 'password' : field.kind === 'number' ? 'number' : 'text'}
          autoComplete="off"
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
  return (
    <div data-required={field.required ? 'true' : undefined} data-kind={field.kind}>
      <Field label={field.required ? `${field.name} *` : field.name} name={name} hint={hint} problems={problems}>
        {input}
      </Field>
    </div>
  );
}

function Unclaimed({ errors, paths }: { errors: FieldErrors; paths: string[] }) {
  const list = unclaimedProblems(errors, paths);
  if (list.length === 0) return null;
  return (
    <ul className="field-errors">
      {list.map((u) => (
        <li key={u.field}>
          {u.field}: {u.problems.join('; ')}
        </li>
      ))}
    </ul>
  );
}
