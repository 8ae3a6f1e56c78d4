// W3C trace context for every payment request: a random trace id per request, sampled, so a slow
// request seen in Grafana leads to its trace (Tempo). The trace id goes on the sample as k6 metadata,
// not as a tag: an unbounded tag value would make a new InfluxDB series per request.
import exec from 'k6/execution';

const hex = (digits: number) => {
  let out = '';
  while (out.length < digits)
    out += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, digits);
};

/**
 * A fresh `traceparent` header (`00-<32 hex trace id>-<16 hex parent id>-01`, W3C Trace Context) and
 * the trace id set as the VU's `trace_id` metadata for the samples of the request that carries it.
 */
export function startTrace(): { traceparent: string; traceId: string } {
  let traceId = hex(32);
  if (/^0+$/.test(traceId)) traceId = `${traceId.slice(0, 31)}1`; // all zeros is invalid
  vuMetadata().trace_id = traceId;
  return { traceparent: `00-${traceId}-${hex(16)}-01`, traceId };
}

/** Ends the request's trace: later samples of the VU carry no trace id. */
export function endTrace(): void {
  delete vuMetadata().trace_id;
}

// the VU's metadata object, looked up once per VU: exec.vu builds a new info object on every access
let metadata: Record<string, string> | undefined;
const vuMetadata = () => {
  metadata ??= exec.vu.metrics.metadata as Record<string, string>;
  return metadata;
};
