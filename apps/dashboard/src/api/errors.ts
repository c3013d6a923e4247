/** An error answer of the gateway: `{error: {code, message, details}}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Problems per field path (`config.url`, `source.config.table`), from an error's details. */
export type FieldErrors = Record<string, string[]>;

/**
 * Reads the field problems out of a VALIDATION error. The services name
 * fields three ways: `{fields: [{field, problems}]}` (DTO validation),
 * `{field}` (one field) and `{fields: ['a', 'b']}` (unknown fields).
 */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError) || error.details === null || typeof error.details !== 'object') return {};
  const details = error.details as { field?: unknown; fields?: unknown };
  const out: FieldErrors = {};
  const add = (field: unknown, problem: string) => {
    if (typeof field !== 'string' || field === '') return;
    (out[field] ??= []).push(problem);
  };
  if (typeof details.field === 'string') add(details.field, error.message);
  if (Array.isArray(details.fields)) {
    for (const entry of details.fields) {
      if (typeof entry === 'string') add(entry, `unknown field ${entry}`);
      else if (entry && typeof entry === 'object') {
        const { field, problems } = entry as { field?: unknown; problems?: unknown };
        const list = Array.isArray(problems) ? problems.filter((p): p is string => typeof p === 'string') : [];
        for (const problem of list.length > 0 ? list : [error.message]) add(field, problem);
      }
    }
  }
  return out;
}

/**
 * The problems to show next to one input: those of its own path and of any
 * path below it (`config.auth` shows `config.auth.token`), unless a more
 * specific input among `inputs` claims them.
 */
export function problemsFor(path: string, errors: FieldErrors, inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const [field, problems] of Object.entries(errors)) {
    if (ownerOf(field, inputs) === path) out.push(...problems);
  }
  return out;
}

/** Problems no input claims (shown above the form). */
export function unclaimedProblems(errors: FieldErrors, inputs: readonly string[]): Array<{ field: string; problems: string[] }> {
  return Object.entries(errors)
    .filter(([field]) => ownerOf(field, inputs) === undefined)
    .map(([field, problems]) => ({ field, problems }));
}

function ownerOf(field: string, inputs: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const input of inputs) {
    const covers = field === input || field.startsWith(`${input}.`) || field.startsWith(`${input}[`);
    if (covers && (best === undefined || input.length > best.length)) best = input;
  }
  return best;
}
