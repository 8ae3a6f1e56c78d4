// The WEF sandbox (tools/sandbox/ingest) against its wire contract (../shared/reference/wef-ingest.md):
// batches counted by Provider:EventID before the 200, 400 for a body that is not an envelope of Events,
// /stats/throughput in the real shape, injected failures counted nowhere.
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startIngestSandbox, type IngestSandbox } from '../../tools/sandbox/ingest/index.ts';
import { eventsParquet, parquetKey } from '../../tools/sandbox/ingest/parquet-sink.ts';
import { EventStats } from '../../tools/sandbox/ingest/stats.ts';
import { countBatch } from '../../tools/sandbox/ingest/wire.ts';
import { jsonCall } from '../support/http.ts';

const SOAP = { 'content-type': 'application/soap+xml' };

/** A batch as the reference client builds it: `n` events of `eventId` (or the running number). */
function batch(n: number, eventId?: number): string {
  const events = Array.from(
    { length: n },
    (_, i) => `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>
<Provider Name="Microsoft-Windows-Security-Auditing">Microsoft-Windows-Security-Auditing</Provider>
<EventID>${eventId ?? i + 1}</EventID><Level>0</Level><Task>12544</Task><Keywords>0x8020000000000000</Keywords>
<TimeCreated SystemTime="2026-02-08T10:44:41.000Z">2026-02-08T10:44:41.000Z</TimeCreated>
<EventRecordID>${i + 1}</EventRecordID><Channel>Security</Channel><Computer>PERF-TEST-HOST</Computer></System>
<EventData><Data Name="TargetUserName">perf_user_${i}</Data><Data Name="IpAddress">10.0.0.1</Data></EventData></Event>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<Envelope><Body><Events>\n${events}\n</Events></Body></Envelope>`;
}

describe('countBatch', () => {
  it('counts the events of an envelope by Provider:EventID', () => {
    const counted = countBatch(batch(3, 4624));
    expect(counted).toEqual({ ok: true, events: 3, byType: new Map([['Microsoft-Windows-Security-Auditing:4624', 3]]), rows: [] });
    const running = countBatch(batch(2));
    expect(running.ok && [...running.byType.keys()]).toEqual(['Microsoft-Windows-Security-Auditing:1', 'Microsoft-Windows-Security-Auditing:2']);
    expect(countBatch('<s:Envelope xmlns:s="x"><s:Body><Events></Events></s:Body></s:Envelope>')).toMatchObject({ ok: true, events: 0 });
  });

  it("returns each event's fields when asked (the parquet output's rows)", () => {
    const counted = countBatch(batch(2, 4624), true);
    expect(counted.ok && counted.rows).toEqual(
      [1, 2].map((n) => ({
        provider: 'Microsoft-Windows-Security-Auditing',
        eventId: '4624',
        recordId: String(n),
        timeCreated: '2026-02-08T10:44:41.000Z',
        computer: 'PERF-TEST-HOST',
      })),
    );
  });

  it('refuses what is not an envelope of Events, or not XML', () => {
    expect(countBatch('<Envelope><Body><Subscribe/></Body></Envelope>')).toEqual({ ok: false, reason: 'not an envelope of Events (Envelope/Body/Events)' });
    expect(countBatch('{"events": []}')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not well-formed XML/) });
    expect(countBatch('<Envelope><Body><Events><Event>')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not well-formed XML/) });
  });
});

describe('the parquet output', () => {
  it('keys files by EventID and UTC day as the reference does', () => {
    expect(parquetKey('4624', new Date('2026-02-08T10:44:41.123Z'), 7)).toBe('event_type=4624/year=2026/month=02/day=08/events_4624_20260208_104441_7.parquet');
  });

  it('writes files hyparquet reads back row for row', async () => {
    const counted = countBatch(batch(1500, 4625), true);
    if (!counted.ok) throw new Error(counted.reason);
    const file = eventsParquet(counted.rows);
    const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    expect(parquetMetadata(buffer).num_rows).toBe(1500n);
    const rows = (await parquetReadObjects({ file: buffer })) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1500);
    expect(rows[1499]).toEqual({
      provider: 'Microsoft-Windows-Security-Auditing',
      event_id: 4625,
      record_id: 1500n,
      time_created: new Date('2026-02-08T10:44:41.000Z'),
      computer: 'PERF-TEST-HOST',
    });
  });
});

describe('EventStats', () => {
  it('keeps totals, the last minute and the last five minutes by type', () => {
    const stats = new EventStats();
    const t0 = 1_800_000_000_000;
    stats.record(new Map([['P:1', 100]]), t0);
    stats.record(
      new Map([
        ['P:1', 50],
        ['P:2', 7],
      ]),
      t0 + 120_000,
    );
    expect(stats.total()).toBe(157);
    expect(stats.rows(t0 + 121_000)).toEqual([
      { event_type: 'P:1', total_events: 150, last_minute: 50, last_five_minutes: 150, average_per_second_last_minute: 0.83 },
      { event_type: 'P:2', total_events: 7, last_minute: 7, last_five_minutes: 7, average_per_second_last_minute: 0.12 },
    ]);
    expect(stats.rows(t0 + 600_000)[0]).toMatchObject({ total_events: 150, last_minute: 0, last_five_minutes: 0 });
  });
});

describe('the WEF sandbox over HTTP', () => {
  let sandbox: IngestSandbox;
  beforeAll(async () => {
    sandbox = await startIngestSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('answers /health, counts every batch before its 200, and lists the totals by type', async () => {
    expect(await jsonCall(`${sandbox.url}/health`, 'GET', {})).toEqual({ status: 200, body: 'OK' });
    for (let i = 0; i < 3; i += 1)
      expect(await jsonCall(`${sandbox.url}/wsman/events`, 'POST', SOAP, { raw: batch(1000, 4624) })).toEqual({ status: 200, body: 'OK' });
    expect(sandbox.counts()).toMatchObject({ events: 3000, batches: 3, refused: 0 });
    const rows = (await jsonCall(`${sandbox.url}/stats/throughput`, 'GET', {})).body;
    expect(rows).toEqual([
      {
        event_type: 'Microsoft-Windows-Security-Auditing:4624',
        total_events: 3000,
        last_minute: 3000,
        last_five_minutes: 3000,
        average_per_second_last_minute: 50,
      },
    ]);
  });

  it('400 for a body that is not Events, counting nothing; an injected failure counts nothing either', async () => {
    const refused = await jsonCall(`${sandbox.url}/wsman/events`, 'POST', SOAP, { raw: '<Envelope><Body/></Envelope>' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('not an envelope of Events');
    sandbox.setFaults({ failureRate: 1 });
    expect((await jsonCall(`${sandbox.url}/wsman/events`, 'POST', SOAP, { raw: batch(10, 1) })).status).toBe(500);
    sandbox.setFaults({ failureRate: 0 });
    expect(sandbox.counts()).toMatchObject({ events: 0, batches: 0, refused: 1 });
    expect((await jsonCall(`${sandbox.url}/__sandbox/ingest`, 'GET', {})).body).toMatchObject({ events: 0, refused: 1 });
  });
});
