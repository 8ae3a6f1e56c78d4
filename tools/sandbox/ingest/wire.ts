// The WEF server's batch format (../shared/reference/wef-ingest.md): a SOAP envelope
// `<Envelope><Body><Events><Event>…</Event>…</Events></Body></Envelope>`, each Event's type
// `Provider@Name:EventID`. Read with saxes (a streaming XML parser): a batch that is not well-formed
// XML, or not an envelope of Events, is refused (the server answers 400).
import { SaxesParser } from 'saxes';

/** Events of one batch by type (`Provider:EventID`), or why the body is not a batch of Events. */
export type BatchCount = { ok: true; events: number; byType: Map<string, number> } | { ok: false; reason: string };

/** The element path of an Event inside the envelope (namespace prefixes ignored). */
const EVENTS_PATH = ['Envelope', 'Body', 'Events'];

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** Counts the events of a batch body by type; an Event without a Provider Name or EventID counts as `unknown:unknown`. */
export function countBatch(body: string): BatchCount {
  const parser = new SaxesParser({ xmlns: false });
  const path: string[] = [];
  const byType = new Map<string, number>();
  let events = 0;
  let sawEvents = false;
  let provider: string | undefined;
  let eventId = '';
  let inEventId = false;
  let error: string | undefined;
  parser.on('error', (e) => {
    error ??= e.message;
  });
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    path.push(name);
    const depth = path.length;
    if (depth === 3 && EVENTS_PATH.every((n, i) => path[i] === n)) sawEvents = true;
    if (depth === 4 && sawEvents && name === 'Event') {
      provider = undefined;
      eventId = '';
    }
    if (depth === 6 && path[3] === 'Event' && path[4] === 'System') {
      if (name === 'Provider') provider = String(tag.attributes.Name ?? '');
      inEventId = name === 'EventID';
    }
  });
  parser.on('text', (text) => {
    if (inEventId) eventId += text;
  });
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    if (path.length === 6 && name === 'EventID') inEventId = false;
    if (path.length === 4 && sawEvents && name === 'Event') {
      const type = `${provider || 'unknown'}:${eventId.trim() || 'unknown'}`;
      byType.set(type, (byType.get(type) ?? 0) + 1);
      events += 1;
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
  return { ok: true, events, byType };
}
