import { useState, type FormEvent } from 'react';
import { useApi } from '../app/api-context.js';
import { href, navigate } from '../app/router.js';
import { fieldErrorsOf, problemsFor, unclaimedProblems, type FieldErrors } from '../api/errors.js';
import type { Pipeline } from '../api/types.js';
import { Card, ErrorBox, Field } from '../components/ui.js';
import {
  buildPipelineRequest,
  DESTINATION_TYPES,
  initialBuilderState,
  PROCESSOR_TYPES,
  SCHEDULE_TYPES,
  SOURCE_TYPES,
  template,
  type BuilderState,
  type StageState,
} from '../pipelines/builder.js';

/**
 * Builds a pipeline in a form, source -> processors -> destination, and shows
 * the JSON it will send: the same body `POST /api/pipeline/register` takes.
 */
export function PipelineBuilderPage() {
  const api = useApi();
  const [state, setState] = useState<BuilderState>(initialBuilderState);
  const [error, setError] = useState<unknown>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const built = buildPipelineRequest(state);
  const paths = [
    'name',
    'description',
    'source',
    'source.config',
    'destination',
    'destination.config',
    'processors',
    ...state.processors.flatMap((_, i) => [`processors[${i}]`, `processors[${i}].config`, `processors.${i}`, `processors.${i}.config`]),
    'batchSize',
    'schedule',
  ];
  const problems = (path: string) => problemsFor(path, fieldErrors, paths);
  const update = (change: Partial<BuilderState>) => setState((s) => ({ ...s, ...change }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setFieldErrors(built.problems);
    if (Object.keys(built.problems).length > 0) return;
    setBusy(true);
    try {
      const pipeline = await api.post<Pipeline>('/api/pipeline/register', built.body);
      navigate(href('pipelines', pipeline.id));
    } catch (err) {
      setError(err);
      setFieldErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="builder">
      <Card title="Build a pipeline" testId="pipeline-builder">
        <form className="form" onSubmit={submit} noValidate>
          <Field label="Name" name="name" problems={problems('name')}>
            <input name="name" value={state.name} onChange={(e) => update({ name: e.target.value })} />
          </Field>
          <Field label="Description" name="description" problems={problems('description')}>
            <input name="description" value={state.description} onChange={(e) => update({ description: e.target.value })} />
          </Field>
          <Stage
            role="source"
            label="Source"
            path="source"
            types={SOURCE_TYPES}
            stage={state.source}
            problems={problems}
            onChange={(source) => update({ source })}
          />
          <fieldset className="processors">
            <legend>Processors</legend>
            {state.processors.map((p, i) => (
              <Stage
                key={i}
                role="processor"
                label={`Processor ${i + 1}`}
                path={`processors[${i}]`}
                types={PROCESSOR_TYPES}
                stage={p}
                problems={(path) => [...problems(path), ...problems(path.replace(`processors[${i}]`, `processors.${i}`))]}
                onChange={(stage) => update({ processors: state.processors.map((q, j) => (j === i ? stage : q)) })}
                onRemove={() => update({ processors: state.processors.filter((_, j) => j !== i) })}
              />
            ))}
            <button type="button" className="small" onClick={() => update({ processors: [...state.processors, { type: 'map', config: template('processor', 'map') }] })}>
              Add processor
            </button>
          </fieldset>
          <Stage
            role="destination"
            label="Destination"
            path="destination"
            types={DESTINATION_TYPES}
            stage={state.destination}
            problems={problems}
            onChange={(destination) => update({ destination })}
          />
          <Field label="Batch size" name="batchSize" problems={problems('batchSize')}>
            <input name="batchSize" value={state.batchSize} onChange={(e) => update({ batchSize: e.target.value })} />
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
  role: 'source' | 'destination' | 'processor';
  label: string;
  path: string;
  types: readonly string[];
  stage: StageState;
  problems: (path: string) => string[];
  onChange: (stage: StageState) => void;
  onRemove?: () => void;
}

function Stage({ role, label, path, types, stage, problems, onChange, onRemove }: StageProps) {
  return (
    <fieldset className="stage" data-stage={path}>
      <legend>{label}</legend>
      <Field label="Type" name={`${path}.type`} problems={problems(path)}>
        <select name={`${path}.type`} value={stage.type} onChange={(e) => onChange({ type: e.target.value, config: template(role, e.target.value) })}>
          {types.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </Field>
      <Field label="Config (JSON)" name={`${path}.config`} problems={problems(`${path}.config`)}>
        <textarea name={`${path}.config`} rows={Math.min(14, stage.config.split('\n').length + 1)} value={stage.config} spellCheck={false} onChange={(e) => onChange({ ...stage, config: e.target.value })} />
      </Field>
      {onRemove && (
        <button type="button" className="small link" onClick={onRemove}>
          Remove
        </button>
      )}
    </fieldset>
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
