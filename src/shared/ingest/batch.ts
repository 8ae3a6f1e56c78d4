// Seed 004's batch body (../shared/reference/wef-ingest.md): a SOAP envelope of `Event`s, described once
// as a record template (the text between the parts that change), then varied per batch: the record ids,
// the EventIDs (the running event number unless fixed) and one RFC 3339 timestamp. In k6 the template
// is rendered natively (k6/x/loadgen records()); renderBatch renders it in JS. Pure: no k6 imports.

const HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<Envelope><Body><Events>\n';
const TAIL = '</Events></Body></Envelope>\n';
const PROVIDER = 'Microsoft-Windows-Security-Auditing';

/** The event text around its varying fields: before EventID, before TimeCreated, before EventRecordID, before the user number, after. */
const [E0, E1, E2, E3, E4] = [
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="${PROVIDER}">${PROVIDER}</Provider><EventID>`,
  '</EventID><Level>0</Level><Task>12544</Task><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="',
  '</TimeCreated><EventRecordID>',
  '</EventRecordID><Channel>Security</Channel><Computer>PERF-TEST-HOST</Computer></System><EventData><Data Name="TargetUserName">perf_user_',
  '</Data><Data Name="IpAddress">10.0.0.1</Data></EventData></Event>\n',
];

/** A record template as k6/x/loadgen's records() takes it (the same shape, kept here so that this file stays pure). */
export interface BatchTemplate {
  head: string;
  tail: string;
  parts: string[];
  fields: Array<{ n: { offset?: number; modulo?: number; plus?: number } } | { arg: number }>;
}

/**
 * The batch as a record template: one Event per record, numbered n (EventRecordID, the user number
 * n mod 1000 and, unless `fixed`, the EventID ((n − 1) mod 65535) + 1), the timestamp text (`stampText`)
 * as render()'s first text. A fixed EventID is part of the text.
 */
export function batchTemplate(fixed: string): BatchTemplate {
  const eventId = fixed ? [] : [{ n: { offset: -1, modulo: 65535, plus: 1 } }];
  return {
    head: HEAD,
    tail: TAIL,
    parts: fixed ? [`${E0}${fixed}${E1}`, E2, E3, E4] : [E0, E1, E2, E3, E4],
    fields: [...eventId, { arg: 0 }, { n: {} }, { n: { modulo: 1000 } }],
  };
}

/** render()'s text for a batch created at `at`: the RFC 3339 time, as TimeCreated's attribute and text. */
export function stampText(at: Date): string {
  const time = at.toISOString();
  return `${time}">${time}`;
}

/** The template rendered in JS (Node: tests, benchmarks); in k6, k6/x/loadgen's records() renders the same natively. */
export function renderBatch(template: BatchTemplate, first: number, count: number, texts: string[]): string {
  const out = [template.head];
  for (let n = first; n < first + count; n += 1) {
    template.fields.forEach((f, j) => {
      out.push(template.parts[j], 'arg' in f ? texts[f.arg] : String(((n + (f.n.offset ?? 0)) % (f.n.modulo || Number.POSITIVE_INFINITY)) + (f.n.plus ?? 0)));
    });
    out.push(template.parts[template.parts.length - 1]);
  }
  out.push(template.tail);
  return out.join('');
}

/**
 * The body of one batch: `count` events numbered `first`, `first + 1`, … (EventRecordID, and the EventID
 * unless `fixed`), all created at `at` (RFC 3339).
 */
export function batchBody(first: number, count: number, fixed: string, at: Date): string {
  return renderBatch(batchTemplate(fixed), first, count, [stampText(at)]);
}
