// The sandboxes' unit tests call their HTTP APIs with Node's fetch and read the answer as JSON when it
// is JSON (a plain-text or empty body stays text).

export interface Answer {
  status: number;
  /** The answer as JSON when it is JSON, else its text (the tests read it field by field). */
  body: any;
}

/** One request with `headers` and a JSON `body` (or `raw` text); the status and the answer. */
export async function jsonCall(url: string, method: string, headers: Record<string, string>, options: { body?: unknown; raw?: string } = {}): Promise<Answer> {
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text (GET /health) or an empty 204 body
  }
  return { status: res.status, body: parsed };
}
