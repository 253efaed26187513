/**
 * What the gpu.js engine does not pass in the conformance suite, and why.
 * Keys name oracle cases ("file/case", a case name, "kind:<kind>",
 * "file:<file>") or properties ("property:<id>"); "*" is a wildcard. A key
 * that matches nothing fails the suite, so this list stays true: remove an
 * entry as soon as the engine passes it.
 *
 * The engine passes every check in every mode (the oracle's own
 * device_drift_nu_dtod0.2_seeded limitation is skipped by the suite for every engine).
 */
import type { ConformanceSkips } from '@crossbar/conformance';
import type { GpujsMode } from '../src/modes.js';

/** The skips of every mode (the engine runs the same physics in each). */
export function gpujsSkips(_mode: GpujsMode): ConformanceSkips {
  return {};
}
