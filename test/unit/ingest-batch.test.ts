// Seed 004's batch body (src/shared/ingest/batch.ts), rendered in JS from the same template k6/x/loadgen
// renders natively: read back by the sandbox's XML parser, events numbered and typed as the seed's client does.
import { describe, expect, it } from 'vitest';
import { batchBody, batchTemplate } from '../../src/shared/ingest/batch.ts';
import { countBatch } from '../../tools/sandbox/ingest/wire.ts';

describe('the batch body', () => {
  it('the running event number as EventID (wrapped into 1-65535), record ids from `first`, one RFC 3339 time', () => {
    const body = batchBody(65534, 3, '', new Date('2026-02-08T10:44:41.000Z'));
    const counted = countBatch(body, true);
    if (!counted.ok) throw new Error(counted.reason);
    expect(counted.rows.map((r) => [r.eventId, r.recordId, r.timeCreated])).toEqual([
      ['65534', '65534', '2026-02-08T10:44:41.000Z'],
      ['65535', '65535', '2026-02-08T10:44:41.000Z'],
      ['1', '65536', '2026-02-08T10:44:41.000Z'],
    ]);
    expect(body).toContain('<TimeCreated SystemTime="2026-02-08T10:44:41.000Z">2026-02-08T10:44:41.000Z</TimeCreated>');
    expect(body).toContain('<Data Name="TargetUserName">perf_user_536</Data>');
  });

  it('a fixed EventID is part of the text: one field fewer', () => {
    expect(batchTemplate('4624').fields).toHaveLength(batchTemplate('').fields.length - 1);
    const counted = countBatch(batchBody(1, 1000, '4624', new Date()));
    expect(counted.ok && [...counted.byType]).toEqual([['Microsoft-Windows-Security-Auditing:4624', 1000]]);
  });
});
