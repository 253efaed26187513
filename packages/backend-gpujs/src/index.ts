/**
 * @crossbar/backend-gpujs — the Crossbar engine on gpu.js kernels: WebGL2 or
 * WebGL in browsers, headless-gl in Node, WebAssembly (SIMD, threads) or plain
 * JavaScript anywhere. Importing this package registers it as "gpujs": above
 * the ndarray engine (priority 2 > 1) where a GL context works, below it
 * (priority 0) where only the CPU modes run. The mode is the factory option
 * `mode`, else CROSSBAR_GPUJS_MODE, else the first that works; the engine's
 * `description` (and listBackends()' detail) names it and why others were not taken.
 *
 * @module @crossbar/backend-gpujs
 */
import { registerBackend } from '@crossbar/core';
import { createGpujsBackend } from './backend.js';
import { checkMode, GL_MODES, requestedMode, type GpujsMode } from './modes.js';

export { GpujsBackend, createGpujsBackend, type GpujsBackendOptions } from './backend.js';
export { GpujsTile } from './tile.js';
export { GPUJS_MODES, GL_MODES, MODE_ENV, checkMode, chooseMode, type GpujsMode, type ModeCheck, type ModeChoice } from './modes.js';
export type { RandomSource } from './random.js';

/** Registry priority where a GL mode would be used: above the ndarray engine (1). */
export const GPUJS_PRIORITY_GL = 2;
/** Registry priority where only cpu/webasm would run: below the ndarray engine. */
export const GPUJS_PRIORITY_CPU = 0;

/**
 * The priority "gpujs" registers with: GPUJS_PRIORITY_GL when the mode the
 * factory would choose (CROSSBAR_GPUJS_MODE, else auto) is a GL mode that works
 * here, else GPUJS_PRIORITY_CPU. Never throws (a bad CROSSBAR_GPUJS_MODE is
 * reported by the factory, when the engine is asked for).
 */
export function gpujsPriority(): number {
  let wanted: GpujsMode | 'auto';
  try {
    wanted = requestedMode(undefined).mode;
  } catch {
    return GPUJS_PRIORITY_CPU;
  }
  const candidates = wanted === 'auto' ? GL_MODES : GL_MODES.includes(wanted) ? [wanted] : [];
  return candidates.some((m) => checkMode(m).ok) ? GPUJS_PRIORITY_GL : GPUJS_PRIORITY_CPU;
}

registerBackend('gpujs', () => createGpujsBackend(), { priority: gpujsPriority() });
