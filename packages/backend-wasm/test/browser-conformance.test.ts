/**
 * The conformance suite in headless Chromium: the page (browser/main.ts) runs every
 * oracle case and property on the wasm engine on the page's main thread (one thread;
 * the pool's bits are the same, test/browser.test.ts) with the conformance package's
 * portable checks and 'webasm' tolerances; this Node test declares one test per case and
 * property, with the engine's skip list. Stochastic cases run WASM_BROWSER_MAX_REPS
 * repetitions (Node runs the suite's 1000 on 1 and 2 threads). Skipped with the reason
 * where this machine has no chromium or no oracle.
 */
import { afterAll, beforeAll } from 'vitest';
import { describeRemoteConformance } from '@crossbar/conformance';
import { oracleForPage } from '@crossbar/conformance/node';
import { usePage } from '../browser/harness.js';
import { wasmSkips } from './conformance-skips.js';

/**
 * Repetitions of a stochastic oracle case in the browser (the Node run keeps 1000): the
 * same kernels run in Node on the full suite, so the browser run checks that they load and
 * compute there, within CI's time budget (as gpu.js's browser run does with 200).
 */
const WASM_BROWSER_MAX_REPS = 200;

const oracle = oracleForPage();
const { need } = usePage({ beforeAll, afterAll }, { mounts: oracle.mounts, ready: oracle.ready });

describeRemoteConformance('conformance: wasm in headless Chromium', {
  entries: oracle.entries,
  oracleReason: oracle.reason,
  skips: wasmSkips,
  maxReps: WASM_BROWSER_MAX_REPS,
  runCase: (ctx, id, maxReps) => need(ctx).call('conformanceCase', id, maxReps),
  runProperty: (ctx, id, seed, numRuns) => need(ctx).call('conformanceProperty', id, seed, numRuns),
});
