/**
 * Soak: 10,000 forward calls on one tile leave the JS heap and the engine's
 * texture (GL) / device-buffer count where they were after a warm-up — the
 * engine allocates per call only what the garbage collector takes back.
 * (webgl2: the same loop in headless Chromium, browser.test.ts.)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'vitest';
import { soak } from '../browser/checks.js';
import { expectNoGrowth, NODE_MODES, requireMode } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

describe.each(NODE_MODES)('soak (%s)', (mode) => {
  it('10,000 forward calls: no growth in JS heap or texture count', { timeout: 600_000 }, async (ctx) => {
    requireMode(ctx, mode);
    const r = await soak(mode, 10_000, heapUsed);
    expectNoGrowth(r);
  });
});
