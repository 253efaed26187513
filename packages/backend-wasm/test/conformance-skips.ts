/**
 * What the wasm engine does not pass in the conformance suite, and why (see
 * backend-ndarray's conformance-skips.ts for the rules: each entry needs a reason and
 * a key that matches nothing fails the suite).
 */
import type { ConformanceSkips } from '@crossbar/conformance';

export const wasmSkips: ConformanceSkips = {};
