// Where a run's parquet files are looked for (src/lib/ingest/s3-keys.ts): the reference's dated
// prefixes, one per UTC day of the run.
import { describe, expect, it } from 'vitest';
import { partitionDays, runListings } from '../../src/lib/ingest/s3-keys.ts';

const at = (iso: string) => new Date(iso).getTime();

describe('the S3 listings of a run', () => {
  it('one prefix per UTC day the run touches, with a fixed EventID', () => {
    expect(runListings('4624', at('2026-02-08T10:00:00Z'), at('2026-02-08T10:01:00Z'))).toEqual([{ prefix: 'event_type=4624/year=2026/month=02/day=08/' }]);
    expect(partitionDays(at('2026-12-31T23:59:30Z'), at('2027-01-01T00:00:30Z'))).toEqual(['year=2026/month=12/day=31', 'year=2027/month=01/day=01']);
  });

  it('every EventID of those days with the running number', () => {
    const [listing] = runListings('', at('2026-02-08T10:00:00Z'), at('2026-02-08T10:01:00Z'));
    expect(listing.prefix).toBe('event_type=');
    const match = new RegExp(listing.match ?? '');
    expect(match.test('event_type=17/year=2026/month=02/day=08/events_17_20260208_100001_3.parquet')).toBe(true);
    expect(match.test('event_type=17/year=2026/month=02/day=07/events_17_20260207_100001_3.parquet')).toBe(false);
    expect(match.test('event_type=17/year=2026/month=02/day=08/nested/x.parquet')).toBe(false);
  });
});
