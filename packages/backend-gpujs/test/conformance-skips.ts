/**
 * What the gpu.js engine does not pass in the conformance suite, and why.
 * Keys name oracle cases ("file/case", a case name, "kind:<kind>",
 * "file:<file>") or properties ("property:<id>"); "*" is a wildcard. A key
 * that matches nothing fails the suite, so this list stays true: remove an
 * entry as soon as the engine passes it.
 */
import type { ConformanceSkips } from '@crossbar/conformance';
import type { GpujsMode } from '../src/modes.js';

const PULSED_UPDATE =
  'the pulsed update (Stochastic, StochasticCompressed, MeanCount, DeterministicImplicit) is not implemented on the gpujs engine: ' +
  'which random words decide each pulse, and when a device\'s pulse noise is summed, is the ndarray engine\'s algorithm ' +
  '(backend-ndarray src/pulses.ts, devices/pulsed.ts), not yet a per-element function in @crossbar/core that a kernel can call; ' +
  'the engine refuses such an update with a NotSupportedError (pulse types None and NoneWithDevice work)';

/** The skips of every mode (the engine runs the same physics in each). */
export function gpujsSkips(_mode: GpujsMode): ConformanceSkips {
  return {
    'update_det/detimpl_*': PULSED_UPDATE,
    'update_det/meancount_*': PULSED_UPDATE,
    'file:update_sto': PULSED_UPDATE,
    'edge/edge_update_*': PULSED_UPDATE,
    'property:same-seed/update': PULSED_UPDATE,
    'property:bad-input/update': `${PULSED_UPDATE} (the property's valid update uses the default StochasticCompressed)`,
    'property:update/stochastic-mean-step': PULSED_UPDATE,
    'property:update/weights-within-device-bounds': PULSED_UPDATE,
  };
}
