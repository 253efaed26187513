/**
 * What the gpu.js engine does not pass in the conformance suite, and why, per
 * mode. Keys name oracle cases ("file/case", a case name, "kind:<kind>",
 * "file:<file>") or properties ("property:<id>"); "*" is a wildcard. A key
 * that matches nothing fails the suite, so this list stays true.
 */
import type { ConformanceSkips } from '@crossbar/conformance';
import type { GpujsMode } from '../src/modes.js';

export function gpujsSkips(_mode: GpujsMode): ConformanceSkips {
  return {};
}
