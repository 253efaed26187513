/**
 * Which gpu.js modes run here, for tests that repeat per mode: a mode that
 * does not work (no display for headless-gl, no browser for webgl2) is
 * reported as a skipped test with the reason.
 */
import { checkMode, GPUJS_MODES, type GpujsMode, type ModeCheck } from '../src/modes.js';

/** The modes a Node test process can run (webgl2/webgl are browser modes: test/browser.test.ts). */
export const NODE_MODES: readonly GpujsMode[] = ['cpu', 'webasm', 'headlessgl'];

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

/** A deterministic pseudo-random float array in [-0.5, 0.5). */
export function testData(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let x = seed * 2654435761 + 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    a[i] = x / 4294967296 - 0.5;
  }
  return a;
}

/** y[b][o] = Σ_i W[o][i] x[b][i] in float64. */
export function refForward(w: Float32Array, x: Float32Array, outSize: number, inSize: number, batch: number): Float64Array {
  const y = new Float64Array(batch * outSize);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outSize; o++) {
      let s = 0;
      for (let i = 0; i < inSize; i++) s += w[o * inSize + i]! * x[b * inSize + i]!;
      y[b * outSize + o] = s;
    }
  }
  return y;
}

/** z[b][i] = Σ_o W[o][i] d[b][o] in float64. */
export function refBackward(w: Float32Array, d: Float32Array, outSize: number, inSize: number, batch: number): Float64Array {
  const z = new Float64Array(batch * inSize);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < inSize; i++) {
      let s = 0;
      for (let o = 0; o < outSize; o++) s += w[o * inSize + i]! * d[b * outSize + o]!;
      z[b * inSize + i] = s;
    }
  }
  return z;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
