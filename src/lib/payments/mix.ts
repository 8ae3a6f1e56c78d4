// PAYMENTS_MIX: the weighted mix of the router-only payment flows, each run by its own arrival-rate
// executor. Given inline (`guest:50,cit_off_session:40,mit:10`) or as a small JSON file
// (`{"guest": 50, "mit": 50}`); weights are whole percentages that sum to 100. Pure: no k6 imports.

/** The router-only flows of the mix (see flows.ts). */
export const MIX_FLOWS = ['guest', 'cit_on_session', 'cit_off_session', 'mit'] as const;
export type MixFlow = (typeof MIX_FLOWS)[number];

/** The mix when PAYMENTS_MIX is unset. */
export const DEFAULT_MIX = 'guest:50,cit_on_session:10,cit_off_session:30,mit:10';

/** Whether PAYMENTS_MIX names a file rather than giving the mix inline. */
export const isMixFile = (spec: string) => /\.json$/i.test(spec.trim());

/**
 * Parses a mix: `flow:weight` pairs (comma-separated) or the object of a JSON file. Returns the
 * weights by flow (flows given 0 are dropped) and one problem line per mistake, each naming the fix.
 */
export function parseMix(spec: string | unknown, where = 'PAYMENTS_MIX'): { weights: Partial<Record<MixFlow, number>>; problems: string[] } {
  const problems: string[] = [];
  const entries: Array<[string, unknown]> = [];
  if (typeof spec === 'string') {
    for (const part of spec.split(',').map((p) => p.trim())) {
      const [name, weight, extra] = part.split(':').map((p) => p.trim());
      if (!name || weight === undefined || extra !== undefined) problems.push(`${where}: "${part}" is not flow:weight (e.g. guest:50)`);
      else entries.push([name, /^-?\d+(\.\d+)?$/.test(weight) ? Number(weight) : weight]);
    }
  } else if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    entries.push(...Object.entries(spec));
  } else {
    problems.push(`${where} must be an object of flow → weight, e.g. {"guest": 50, "mit": 50}`);
  }
  const weights: Partial<Record<MixFlow, number>> = {};
  for (const [name, weight] of entries) {
    if (!(MIX_FLOWS as readonly string[]).includes(name)) problems.push(`${where}: unknown flow "${name}" (flows: ${MIX_FLOWS.join(', ')})`);
    else if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100)
      problems.push(`${where}: the weight of ${name} must be a whole percentage 0-100, got ${JSON.stringify(weight)}`);
    else if (name in weights) problems.push(`${where}: ${name} is given twice`);
    else weights[name as MixFlow] = weight;
  }
  const sum = Object.values(weights).reduce((a, b) => a + (b ?? 0), 0);
  if (problems.length === 0 && sum !== 100) problems.push(`${where}: the weights sum to ${sum}, not 100: adjust them so they add up to 100`);
  for (const name of Object.keys(weights) as MixFlow[]) if (weights[name] === 0) delete weights[name];
  return { weights, problems };
}
