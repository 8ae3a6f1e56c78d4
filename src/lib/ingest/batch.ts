// Seed 004's batch body (../shared/reference/wef-ingest.md): a SOAP envelope of `Event`s, built once per
// VU as the text between the parts that change, then varied per batch by joining in the record ids,
// the EventIDs (the running event number unless fixed) and one RFC 3339 timestamp. Pure: no k6 imports.

const HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<Envelope><Body><Events>\n';
const TAIL = '</Events></Body></Envelope>\n';
const PROVIDER = 'Microsoft-Windows-Security-Auditing';

/** The event text around its three varying fields: [before EventID, before TimeCreated, before EventRecordID, after]. */
const EVENT_PARTS = [
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="${PROVIDER}">${PROVIDER}</Provider><EventID>`,
  '</EventID><Level>0</Level><Task>12544</Task><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="',
  '</TimeCreated><EventRecordID>',
  '</EventRecordID><Channel>Security</Channel><Computer>PERF-TEST-HOST</Computer></System><EventData><Data Name="TargetUserName">perf_user_',
  '</Data><Data Name="IpAddress">10.0.0.1</Data></EventData></Event>\n',
];

/** The EventID of event number `n` (1-based, across the run): fixed, or the running number wrapped into 1–65535. */
export function eventIdOf(n: number, fixed: string): string {
  return fixed || String(((n - 1) % 65535) + 1);
}

/**
 * The body of one batch: `count` events numbered `first`, `first + 1`, … (EventRecordID, and the EventID
 * unless `fixed`), all created at `at` (RFC 3339). `scratch` is the VU's reusable array of parts.
 */
export function batchBody(first: number, count: number, fixed: string, at: Date, scratch: string[] = []): string {
  const time = at.toISOString();
  const stamp = `${time}">${time}`;
  scratch.length = 0;
  scratch.push(HEAD);
  for (let i = 0; i < count; i += 1) {
    const n = first + i;
    scratch.push(EVENT_PARTS[0], eventIdOf(n, fixed), EVENT_PARTS[1], stamp, EVENT_PARTS[2], String(n), EVENT_PARTS[3], String(n % 1000), EVENT_PARTS[4]);
  }
  scratch.push(TAIL);
  return scratch.join('');
}
