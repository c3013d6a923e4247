/** `Application/JSON; charset=utf-8` -> `application/json`. */
export function essence(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** application/json, text/json and any `+json` type (application/problem+json, ...). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const type = essence(contentType);
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}
