/**
 * The conformance suite in headless Chromium as WebGL2: the page (browser/main.ts)
 * runs every oracle case and property with the conformance package's portable
 * checks and WebGL2 tolerances; this Node test declares one test per case and
 * property, with the engine's skip list. Skipped with the reason where this
 * machine has no chromium or no oracle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseSkipReason, propertySkipReason, PROPERTIES, oracleEntries, suiteSkipReason } from '@crossbar/conformance/portable';
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

describe(`conformance: gpujs (${MODE}) in headless Chromium`, () => {
  describe('oracle', () => {
    if (entries.length === 0) {
      it('aihwkit oracle cases', () => {
        throw new Error(`the oracle did not load: ${loaded.reason}`);
      });
    }
    for (const entry of entries) {
      it(entry.id, { timeout: 600_000 }, async (ctx) => {
        const suiteReason = suiteSkipReason(entry);
        if (suiteReason) return ctx.skip(suiteReason);
        const reason = caseSkipReason(skips, entry);
        if (reason) return ctx.skip(reason);
        const p = need(ctx);
        const r = await p.call('conformanceCase', MODE, entry.id, GPUJS_MAX_REPS);
        if (r.flips > 0) await ctx.annotate(`${r.flips} quantisation flip(s) on a rounding boundary`, 'notice');
        expect(r.failures, `${entry.id} does not match aihwkit (notes: ${r.notes.join('; ')})`).toEqual([]);
        expect(r.ok).toBe(true);
      });
    }
  });

  describe('properties', () => {
    for (const property of PROPERTIES) {
      it(`${property.id}: ${property.title}`, { timeout: 600_000 }, async (ctx) => {
        const reason = propertySkipReason(skips, property.id);
        if (reason) return ctx.skip(reason);
        const p = need(ctx);
        const r = await p.call('conformanceProperty', MODE, property.id, 20240611, 25);
        expect(r.failures, `property ${property.id} does not hold`).toEqual([]);
      });
    }
  });
});
