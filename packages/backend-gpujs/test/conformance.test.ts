// The gpu.js engine against the conformance suite in every mode that runs in
// Node (cpu, webasm, headlessgl); webgl2 runs the same cases in headless
// Chromium (browser.test.ts). Tolerances per mode are the conformance package's.
import { describe, it } from 'vitest';
import { describeConformance } from '@crossbar/conformance';
import { createGpujsBackend } from '../src/index.js';
// The reference engine (a dev dependency: tests only): a gpu.js tile saved mid-run
// must continue on it with the same numbers.
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { gpujsSkips } from './conformance-skips.js';
import { GPUJS_MAX_REPS, modeCheck, NODE_MODES } from './helpers.js';

for (const mode of NODE_MODES) {
  const check = modeCheck(mode);
  if (check.ok) {
    describeConformance(`gpujs (${mode})`, () => createGpujsBackend({ mode }), {
      tolerance: mode === 'cpu' ? 'cpu' : mode === 'webasm' ? 'webasm' : 'headlessgl',
      skips: gpujsSkips(mode),
      maxReps: GPUJS_MAX_REPS,
      restoreOn: [{ name: 'ndarray', factory: () => new NdarrayBackend() }],
    });
  } else {
    describe(`gpujs (${mode})`, () => {
      it('conformance suite', (ctx) => ctx.skip(`gpu.js mode ${mode} does not work here: ${check.reason}`));
    });
  }
}
