/**
 * The engine in headless Chromium as WebGL2 (Debian's chromium through
 * playwright-core; the page is built with Vite and served on loopback). Where
 * this machine has no chromium the tests report themselves skipped with why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePage } from '../browser/harness.js';
import { expectAccounting, expectMvm, expectNoGrowth, MVM_SIZES } from './helpers.js';

const { need } = usePage({ beforeAll, afterAll });

describe('gpu.js engine in headless Chromium (webgl2)', () => {
  it('chooses webgl2 in the page and reports the other modes', async (ctx) => {
    const p = need(ctx);
    const info = await p.call('info');
    expect(info.mode, p.console.join('\n')).toBe('webgl2');
    expect(info.description).toMatch(/^gpu.js mode webgl2 \(chosen automatically/);
    expect(info.renderer).toMatch(/\w/);
    expect(info.checks.find((c) => c.mode === 'webgl2')?.ok).toBe(true);
  });

  it("compiles core's formulas and agrees with core to float32 rounding", async (ctx) => {
    const p = need(ctx);
    expect(await p.call('formulas', 'webgl2', 2e-6)).toEqual([]);
  });

  it('runs the MVM kernels on resident weights (odd sizes)', async (ctx) => {
    const p = need(ctx);
    expectMvm(await p.call('mvm', 'webgl2', MVM_SIZES));
  });

  it('frees every texture and kernel on dispose, allocates none per call', async (ctx) => {
    const p = need(ctx);
    const a = await p.call('accounting', 'webgl2');
    expectAccounting(a);
  });

  it('10,000 forward calls: no growth in JS heap or texture count', { timeout: 600_000 }, async (ctx) => {
    const p = need(ctx);
    const r = await p.call('soak', 'webgl2', 10_000);
    expectNoGrowth(r);
  });

  it("draws core's Philox numbers in GLSL: uniforms bit for bit, normals to float32", async (ctx) => {
    const p = need(ctx);
    for (const r of await p.call('philox', 'webgl2')) {
      expect(r.firstUniformDifference).toBe('');
      expect(r.normalMaxDiff).toBeLessThan(2e-6);
      expect(r.firstTableDifference).toBe('');
    }
  });

  it("counts pulse coincidences as core's slicedCoincidences, with GLSL bit operations too", async (ctx) => {
    const p = need(ctx);
    expect(await p.call('coincidences', 'webgl2')).toBe('');
  });
});
