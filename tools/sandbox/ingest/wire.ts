// The WEF server's batch format (../shared/reference/wef-ingest.md): a SOAP envelope
// `<Envelope><Body><Events><Event>…</Event>…</Events></Body></Envelope>`, each Event's type
// `Provider@Name:EventID`. Read with saxes (a streaming XML parser): a batch that is not well-formed
// XML, or not an envelope of Events, is refused (the server answers 400).
import { SaxesParser } from 'saxes';

/** One event's fields the parquet output keeps (the text of the envelope; empty when missing). */
export interface EventRow {
  provider: string;
  eventId: string;
  recordId: string;
  timeCreated: string;
  computer: string;
}

/** Events of one batch by type (`Provider:EventID`), with their rows when asked, or why the body is not a batch of Events. */
export type BatchCount = { ok: true; events: number; byType: Map<string, number>; rows: EventRow[] } | { ok: false; reason: string };

/** The System fields read as text into an EventRow. */
const TEXT_FIELDS: Record<string, keyof EventRow> = { EventID: 'eventId', EventRecordID: 'recordId', Computer: 'computer' };

/** The element path of an Event inside the envelope (namespace prefixes ignored). */
const EVENTS_PATH = ['Envelope', 'Body', 'Events'];

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * Counts the events of a batch body by type; an Event without a Provider Name or EventID counts as
 * `unknown:unknown`. With `withRows`, each event's fields are returned too (for the parquet output).
 */
export function countBatch(body: string, withRows = false): BatchCount {
  const parser = new SaxesParser({ xmlns: false });
  const path: string[] = [];
  const byType = new Map<string, number>();
  let events = 0;
  let sawEvents = false;
  const rows: EventRow[] = [];
  let row: EventRow = emptyRow();
  let field: keyof EventRow | undefined;
  let error: string | undefined;
  parser.on('error', (e) => {
    error ??= e.message;
  });
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    path.push(name);
    const depth = path.length;
    if (depth === 3 && EVENTS_PATH.every((n, i) => path[i] === n)) sawEvents = true;
    if (depth === 4 && sawEvents && name === 'Event') row = emptyRow();
    if (depth === 6 && path[3] === 'Event' && path[4] === 'System') {
      if (name === 'Provider') row.provider = String(tag.attributes.Name ?? '');
      else if (name === 'TimeCreated') row.timeCreated = String(tag.attributes.SystemTime ?? '');
      field = withRows || name === 'EventID' ? TEXT_FIELDS[name] : undefined;
    }
  });
  parser.on('text', (text) => {
    if (field) row[field] += text;
  });
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    if (path.length === 6) field = undefined;
    if (path.length === 4 && sawEvents && name === 'Event') {
      row.eventId = row.eventId.trim();
      const type = `${row.provider || 'unknown'}:${row.eventId || 'unknown'}`;
      byType.set(type, (byType.get(type) ?? 0) + 1);
      events += 1;
      if (withRows) rows.push(row);
    }
    path.pop();
  });
  try {
    parser.write(body).close();
  } catch (e) {
    error ??= (e as Error).message;
  }
  if (error) return { ok: false, reason: `not well-formed XML: ${error.split('\n')[0]}` };
  if (!sawEvents) return { ok: false, reason: 'not an envelope of Events (Envelope/Body/Events)' };
  return { ok: true, events, byType, rows };
}

function emptyRow(): EventRow {
  return { provider: '', eventId: '', recordId: '', timeCreated: '', computer: '' };
}

/**
 * The benchmark sink's counter (`serve.ts ingest --scan`): the same counts by `Provider:EventID`, found by
 * scanning for the reference's tags instead of parsing, so that the sink outruns the clients a benchmark
 * compares. It does not check that the XML is well-formed: a body without `<Envelope` and `<Events>` is
 * still refused. Never used by the tests of the contract.
 */
export function scanBatch(body: string): BatchCount {
  const start = body.indexOf('<Events>');
  if (start < 0 || body.indexOf('<Envelope') < 0) return { ok: false, reason: 'not an envelope of Events (Envelope/Body/Events)' };
  const end = body.lastIndexOf('</Events>');
  const byType = new Map<string, number>();
  let events = 0;
  for (let i = body.indexOf('<Event', start + 8); i >= 0 && (end < 0 || i < end); i = body.indexOf('<Event', i + 6)) {
    const next = body.charCodeAt(i + 6);
    if (next !== 32 && next !== 62) continue; // '<Event ' or '<Event>': not <Events>, <EventID>, <EventData>, <EventRecordID>
    const name = body.indexOf('Name="', body.indexOf('<Provider', i)) + 6;
    const idStart = body.indexOf('<EventID>', i) + 9;
    const idEnd = body.indexOf('</EventID>', idStart);
    const type = `${name > 5 ? body.slice(name, body.indexOf('"', name)) : 'unknown'}:${idStart > 8 && idEnd > 0 ? body.slice(idStart, idEnd).trim() : 'unknown'}`;
    byType.set(type, (byType.get(type) ?? 0) + 1);
    events += 1;
    if (idEnd > i) i = idEnd;
  }
  return { ok: true, events, byType, rows: [] };
}
