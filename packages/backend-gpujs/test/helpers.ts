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

export { testData, refForward, refBackward, maxAbsDiff } from '../browser/checks.js';
