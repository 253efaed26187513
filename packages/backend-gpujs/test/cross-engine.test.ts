/**
 * Cross-engine: with the same seed and the same calls, the gpu.js engine (each
 * mode that runs here) and the ndarray engine give the same numbers — noisy
 * forward and backward outputs (every random stream of the pass), the
 * floating-point update, the weight modifier and PCM programming and drift —
 * to the float32 tolerance of the mode (the conformance package's TOLERANCES).
 * A quantised output may sit on a rounding boundary that float32 sums (GPU)
 * and float64 sums (ndarray) round differently: such flips are one step of the
 * ADC, counted and kept rare.
 *
 * The ndarray engine is a dev dependency of this package only (no engine
 * depends on another at run time): this test is where the two meet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatAllowance, TOLERANCES, type ToleranceMode } from '@crossbar/conformance/portable';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { createGpujsBackend } from '../src/index.js';
import type { GpujsMode } from '../src/modes.js';
import type { RandomSource } from '../src/random.js';
import { usePage } from '../browser/harness.js';
import { requireMode } from './helpers.js';
import { runOn, SCENARIOS } from '../browser/scenarios.js';

const toleranceMode = (mode: GpujsMode): ToleranceMode => (mode === 'cpu' ? 'cpu' : mode === 'webasm' ? 'webasm' : mode === 'webgl' ? 'webgl2' : mode);

interface Agreement {
  worst: number;
  allowance: number;
  flips: number;
  n: number;
}

/** Elements beyond the float allowance of the array's scale are flips; the worst is reported. */
function agree(mode: GpujsMode, got: Float32Array, want: Float32Array, terms: number): Agreement {
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  const allowance = floatAllowance(TOLERANCES[toleranceMode(mode)], Math.max(scale, 1e-30), terms) * Math.max(1, terms / 16);
  let flips = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= allowance)) {
      flips++;
      worst = Math.max(worst, d);
    }
  }
  return { worst, allowance, flips, n: want.length };
}

function expectAgreement(a: Agreement, what: string, maxFlipFraction: number, maxFlip: number): void {
  const allowed = Math.floor(maxFlipFraction * a.n);
  expect(a.flips, `${what}: ${a.flips} of ${a.n} beyond ${a.allowance.toExponential(2)} (worst ${a.worst})`).toBeLessThanOrEqual(allowed);
  expect(a.worst, `${what}: a flip larger than a quantisation step`).toBeLessThanOrEqual(maxFlip);
}

const references = new Map<string, Promise<Record<string, Float32Array>>>();
/** The ndarray engine's arrays of a scenario (computed once). */
function reference(name: string): Promise<Record<string, Float32Array>> {
  let r = references.get(name);
  if (!r) {
    r = runOn(
      new NdarrayBackend(),
      SCENARIOS.find((s) => s.name === name)!,
    );
    references.set(name, r);
  }
  return r;
}

function compare(mode: GpujsMode, name: string, got: Record<string, ArrayLike<number>>, want: Record<string, Float32Array>): void {
  const s = SCENARIOS.find((x) => x.name === name)!;
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [key, w] of Object.entries(want)) {
    const terms = Math.max(s.inSize, s.outSize);
    expectAgreement(agree(mode, Float32Array.from(got[key]!), w, terms), `${name}: ${key}`, s.maxFlipFraction ?? 0.02, s.maxFlip);
  }
}

/** Node modes with each random source they have: core's numbers drawn in the kernel or uploaded. */
const RUNS: [GpujsMode, RandomSource][] = [
  ['cpu', 'upload'],
  ['cpu', 'kernel'],
  ['webasm', 'upload'],
  ['webasm', 'kernel'],
  ['headlessgl', 'upload'],
];

describe.each(RUNS)('gpujs (%s, random %s) against ndarray, same seed and calls', (mode, random) => {
  for (const s of SCENARIOS) {
    it(s.name, async (ctx) => {
      requireMode(ctx, mode);
      const want = await reference(s.name);
      const backend = createGpujsBackend({ mode, random });
      try {
        compare(mode, s.name, await runOn(backend, s), want);
      } finally {
        await backend.dispose();
      }
    });
  }
});

describe('gpujs (webgl2 in headless Chromium) against ndarray, same seed and calls', () => {
  const { need } = usePage({ beforeAll, afterAll });
  for (const random of ['kernel', 'upload'] as const) {
    for (const s of SCENARIOS) {
      it(`${s.name} (random ${random})`, async (ctx) => {
        const page = need(ctx);
        const want = await reference(s.name);
        compare('webgl2', s.name, await page.call('crossEngine', 'webgl2', random, s.name), want);
      });
    }
  }
});
