/**
 * Which gpu.js modes run here, for tests that repeat per mode: a mode that
 * does not work (no display for headless-gl, no browser for webgl2) is
 * reported as a skipped test with the reason.
 */
import { expect } from 'vitest';
import type { AccountingCheck, MvmCheck, SoakCheck } from '../browser/checks.js';
import { checkMode, GPUJS_MODES, type GpujsMode, type ModeCheck } from '../src/modes.js';

/** The modes a Node test process can run (webgl2/webgl are browser modes: test/browser.test.ts). */
export const NODE_MODES: readonly GpujsMode[] = ['cpu', 'webasm', 'headlessgl'];

/**
 * Repetitions of a stochastic oracle case on gpu.js (the reference engines run the suite's
 * 1000). gpu.js runs core's physics through its kernels, and the cross-engine tests hold it
 * to ndarray's numbers bit for bit; 200 repetitions keep the statistical comparison (same
 * significance level, less power) and the four modes' runs within CI's time budget, as the
 * mutation-testing run of the suite does.
 */
export const GPUJS_MAX_REPS = 200;

const checks = new Map<GpujsMode, ModeCheck>();

export function modeCheck(mode: GpujsMode): ModeCheck {
  let c = checks.get(mode);
  if (!c) {
    c = checkMode(mode);
    checks.set(mode, c);
  }
  return c;
}

/** Skips the running test (with the reason) when `mode` does not work here. */
export function requireMode(ctx: { skip(condition: boolean, note?: string): void }, mode: GpujsMode): void {
  const c = modeCheck(mode);
  ctx.skip(!c.ok, `gpu.js mode ${mode} does not work here: ${c.reason}`);
}

export { GPUJS_MODES };

export { testData, refForward, refBackward, maxAbsDiff } from '../browser/checks.js';

/** The sizes of the MVM checks: odd, so every padding path runs. */
export const MVM_SIZES = [
  [1, 1, 1],
  [5, 7, 3],
  [13, 21, 5],
  [64, 32, 17],
] as const;

export function expectMvm(results: MvmCheck[]): void {
  for (const r of results) {
    expect(r.weightsRoundTrip).toBe(true);
    expect(r.forwardError).toBeLessThan(r.forwardTolerance);
    expect(r.backwardError).toBeLessThan(r.backwardTolerance);
  }
}

export function expectAccounting(a: AccountingCheck): void {
  expect(a.afterFirstCalls).toBeGreaterThan(a.base);
  expect(a.afterManyCalls).toBe(a.afterFirstCalls);
  expect(a.kernelsAfterManyCalls).toBe(a.kernelsAfterFirstCalls);
  expect(a.kernelsAfterDispose).toBe(0);
  expect(a.texturesAfterDispose).toBe(a.base);
  expect(a.useAfterDispose).toMatch(/disposed/);
  expect(a.kernelsAfterEngineDispose).toBe(0);
  expect(a.texturesAfterEngineDispose).toBe(0);
}

export function expectNoGrowth(r: SoakCheck): void {
  expect(r.texturesAfter).toBe(r.texturesBefore);
  expect(r.kernelsAfter).toBe(r.kernelsBefore);
  // a leak of even 100 bytes per call would be 1 MB; allow for GC noise
  expect(r.heapAfter - r.heapBefore, `heap ${r.heapBefore} → ${r.heapAfter} bytes`).toBeLessThan(1_000_000);
}
