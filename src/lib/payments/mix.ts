// PAYMENTS_MIX: the weighted mix of the router-only payment flows, each run by its own arrival-rate
// executor. Given inline (`guest:50,cit_off_session:40,mit:10`) or as a small JSON file
// (`{"guest": 50, "mit": 50}`); weights are whole percentages that sum to 100. Pure: no k6 imports.
import { parseMix as parseFlowMix } from '../../shared/mix';

export { isMixFile } from '../../shared/mix';

/** The router-only flows of the mix (see flows.ts). */
export const MIX_FLOWS = ['guest', 'cit_on_session', 'cit_off_session', 'mit'] as const;
export type MixFlow = (typeof MIX_FLOWS)[number];

/** The mix when PAYMENTS_MIX is unset. */
export const DEFAULT_MIX = 'guest:50,cit_on_session:10,cit_off_session:30,mit:10';

/** PAYMENTS_MIX (inline pairs or a JSON file's object; see src/shared/mix.ts) as weights by flow, and its problems. */
export function parseMix(spec: string | unknown, where = 'PAYMENTS_MIX'): { weights: Partial<Record<MixFlow, number>>; problems: string[] } {
  return parseFlowMix(spec, MIX_FLOWS, where);
}
