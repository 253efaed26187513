/**
 * The conformance suite in headless Chromium: the page (browser/main.ts) runs every
 * oracle case and property on the wasm engine on the page's main thread (one thread;
 * the pool's bits are the same, test/browser.test.ts) with the conformance package's
 * portable checks and 'webasm' tolerances; this Node test declares one test per case and
 * property, with the engine's skip list. Stochastic cases run WASM_BROWSER_MAX_REPS
 * repetitions (Node runs the suite's 1000 on 1 and 2 threads). Skipped with the reason
 * where this machine has no chromium or no oracle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseSkipReason, propertySkipReason, PROPERTIES, oracleEntries, suiteSkipReason } from '@crossbar/conformance/portable';
import { findOracleDir, loadOracle } from '@crossbar/conformance/node';
import { usePage } from '../browser/harness.js';
import { wasmSkips } from './conformance-skips.js';

/**
 * Repetitions of a stochastic oracle case in the browser (the Node run keeps 1000): the
 * same kernels run in Node on the full suite, so the browser run checks that they load and
 * compute there, within CI's time budget (as gpu.js's browser run does with 200).
 */
const WASM_BROWSER_MAX_REPS = 200;

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

describe('conformance: wasm in headless Chromium', () => {
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
        const reason = caseSkipReason(wasmSkips, entry);
        if (reason) return ctx.skip(reason);
        const p = need(ctx);
        const r = await p.call('conformanceCase', entry.id, WASM_BROWSER_MAX_REPS);
        if (r.flips > 0) await ctx.annotate(`${r.flips} quantisation flip(s) on a rounding boundary`, 'notice');
        expect(r.failures, `${entry.id} does not match aihwkit (notes: ${r.notes.join('; ')})`).toEqual([]);
        expect(r.ok).toBe(true);
      });
    }
  });

  describe('properties', () => {
    for (const property of PROPERTIES) {
      it(`${property.id}: ${property.title}`, { timeout: 600_000 }, async (ctx) => {
        const reason = propertySkipReason(wasmSkips, property.id);
        if (reason) return ctx.skip(reason);
        const p = need(ctx);
        const r = await p.call('conformanceProperty', property.id, 20240611, 25);
        expect(r.failures, `property ${property.id} does not hold`).toEqual([]);
      });
    }
  });
});
