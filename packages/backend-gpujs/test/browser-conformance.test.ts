/**
 * The conformance suite in headless Chromium as WebGL2: the page (browser/main.ts)
 * runs every oracle case and property with the conformance package's portable
 * checks and WebGL2 tolerances; this Node test declares one test per case and
 * property, with the engine's skip list. Skipped with the reason where this
 * machine has no chromium or no oracle.
 */
import { afterAll, beforeAll } from 'vitest';
import { describeRemoteConformance } from '@crossbar/conformance';
import { oracleForPage } from '@crossbar/conformance/node';
import { usePage } from '../browser/harness.js';
import { gpujsSkips } from './conformance-skips.js';
import { GPUJS_MAX_REPS } from './helpers.js';

const MODE = 'webgl2' as const;
const skips = gpujsSkips(MODE);
const oracle = oracleForPage();
const { need } = usePage({ beforeAll, afterAll }, { mounts: oracle.mounts, ready: oracle.ready });

describeRemoteConformance(`conformance: gpujs (${MODE}) in headless Chromium`, {
  entries: oracle.entries,
  oracleReason: oracle.reason,
  skips: skips,
  maxReps: GPUJS_MAX_REPS,
  runCase: (ctx, id, maxReps) => need(ctx).call('conformanceCase', MODE, id, maxReps),
  runProperty: (ctx, id, seed, numRuns) => need(ctx).call('conformanceProperty', MODE, id, seed, numRuns),
});
