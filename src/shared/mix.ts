// A weighted mix of a script's flows (PAYMENTS_MIX, TIMER_MIX): given inline (`a:50,b:40,c:10`) or as
// the object of a small JSON file (`{"a": 50, "b": 50}`); weights are whole percentages that sum to 100.
// Pure: no k6 imports.

/** Whether a mix setting names a file rather than giving the mix inline. */
export const isMixFile = (spec: string) => /\.json$/i.test(spec.trim());

/**
 * Parses a mix of `flows`: `flow:weight` pairs (comma-separated) or the object of a JSON file. Returns
 * the weights by flow (flows given 0 are dropped) and one problem line per mistake, each naming the fix;
 * `where` names the setting in the problems.
 */
export function parseMix<F extends string>(
  spec: string | unknown,
  flows: readonly F[],
  where: string,
): { weights: Partial<Record<F, number>>; problems: string[] } {
  const problems: string[] = [];
  const entries: Array<[string, unknown]> = [];
  if (typeof spec === 'string') {
    for (const part of spec.split(',').map((p) => p.trim())) {
      const [name, weight, extra] = part.split(':').map((p) => p.trim());
      if (!name || weight === undefined || extra !== undefined) problems.push(`${where}: "${part}" is not flow:weight (e.g. ${flows[0]}:50)`);
      else entries.push([name, /^-?\d+(\.\d+)?$/.test(weight) ? Number(weight) : weight]);
    }
  } else if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    entries.push(...Object.entries(spec));
  } else {
    problems.push(`${where} must be an object of flow → weight, e.g. {"${flows[0]}": 50, "${flows[1] ?? flows[0]}": 50}`);
  }
  const weights: Partial<Record<F, number>> = {};
  for (const [name, weight] of entries) {
    if (!(flows as readonly string[]).includes(name)) problems.push(`${where}: unknown flow "${name}" (flows: ${flows.join(', ')})`);
    else if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100)
      problems.push(`${where}: the weight of ${name} must be a whole percentage 0-100, got ${JSON.stringify(weight)}`);
    else if (name in weights) problems.push(`${where}: ${name} is given twice`);
    else weights[name as F] = weight;
  }
  const sum = Object.values<number | undefined>(weights).reduce<number>((a, b) => a + (b ?? 0), 0);
  if (problems.length === 0 && sum !== 100) problems.push(`${where}: the weights sum to ${sum}, not 100: adjust them so they add up to 100`);
  for (const name of Object.keys(weights) as F[]) if (weights[name] === 0) delete weights[name];
  return { weights, problems };
}

/** The flow at `point` (0–100) of `weights` laid end to end (the last flow for a point past the end). */
export function flowAt<F extends string>(weights: Partial<Record<F, number>>, point: number): F {
  const flows = Object.entries(weights) as Array<[F, number]>;
  let edge = 0;
  for (const [flow, weight] of flows) {
    edge += weight;
    if (point < edge) return flow;
  }
  return flows[flows.length - 1][0];
}
