/** One HTTP request to an upstream API, ready to send. Header names are lower-case. */
export interface UpstreamRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The upstream's answer, whatever its status: the caller decides what a 4xx/5xx means. */
export interface UpstreamResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the content-type is JSON (and parses), else the text; undefined when empty. */
  body: unknown;
  /** Size of the body as received, in bytes. */
  bytes: number;
}
