/**
 * The conformance suite in headless Chromium as WebGL2: the page (browser/main.ts)
 * runs every oracle case and property with the conformance package's portable
 * checks and WebGL2 tolerances; this Node test declares one test per case and
 * property, with the engine's skip list. Skipped with the reason where this
 * machine has no chromium or no oracle.
 */
import { afterAll, beforeAll } from 'vitest';
import { describeRemoteConformance } from '@crossbar/conformance';
import { oracleEntries } from '@crossbar/conformance/portable';
import { findOracleDir, loadOracle } from '@crossbar/conformance/node';
import { usePage } from '../browser/harness.js';
import { gpujsSkips } from './conformance-skips.js';
import { GPUJS_MAX_REPS } from './helpers.js';

const MODE = 'webgl2' as const;
const skips = gpujsSkips(MODE);
const oracleDir = findOracleDir();
const loaded = loadOracle();
const entries = loaded.oracle ? oracleEntries(loaded.oracle) : [];

const { need } = usePage(
  { beforeAll, afterAll },
  {
    mounts: oracleDir.dir ? { '/oracle/': oracleDir.dir } : {},
    ready: async (page) => {
      if (entries.length) await page.call('loadOracle', 'oracle/');
    },
  },
);

describeRemoteConformance(`conformance: gpujs (${MODE}) in headless Chromium`, {
  entries,
  oracleReason: loaded.reason,
  skips: skips,
  maxReps: GPUJS_MAX_REPS,
  runCase: (ctx, id, maxReps) => need(ctx).call('conformanceCase', MODE, id, maxReps),
  runProperty: (ctx, id, seed, numRuns) => need(ctx).call('conformanceProperty', MODE, id, seed, numRuns),
});
