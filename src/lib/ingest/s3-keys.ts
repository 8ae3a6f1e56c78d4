// Where the WEF server's parquet files of a run are (../shared/reference/wef-ingest.md): keys
// `event_type=<EventID>/year=YYYY/month=MM/day=DD/<name>.parquet`, dated in UTC. Pure: no k6 imports.

/** One listing: a key prefix, and a regular expression (Go syntax) the keys must match, when the prefix is not enough. */
export interface Listing {
  prefix: string;
  match?: string;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The UTC days from `fromMs` to `toMs` (epoch ms), as `year=YYYY/month=MM/day=DD`, oldest first. */
export function partitionDays(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const day = new Date(fromMs);
  day.setUTCHours(0, 0, 0, 0);
  for (; day.getTime() <= toMs; day.setUTCDate(day.getUTCDate() + 1)) {
    days.push(`year=${day.getUTCFullYear()}/month=${two(day.getUTCMonth() + 1)}/day=${two(day.getUTCDate())}`);
  }
  return days;
}

/**
 * The listings that hold a run's files: with a fixed EventID, its prefix for each day of the run (as the
 * seed's check lists it); with the running number (every EventID), every type's files of those days.
 */
export function runListings(eventType: string, fromMs: number, toMs: number): Listing[] {
  const days = partitionDays(fromMs, toMs);
  if (eventType) return days.map((d) => ({ prefix: `event_type=${eventType}/${d}/` }));
  return [{ prefix: 'event_type=', match: `^event_type=\\d+/(${days.join('|')})/[^/]+$` }];
}
