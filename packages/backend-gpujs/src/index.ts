/**
 * @crossbar/backend-gpujs — the Crossbar engine on gpu.js kernels: WebGL2 or
 * WebGL in browsers, headless-gl in Node, WebAssembly (SIMD) or plain
 * JavaScript anywhere; a kernel set on core's tile (KernelTile). Importing this package registers it as "gpujs", below
 * the ndarray engine in every mode (GPUJS_PRIORITY: measured slower on the demo's
 * work, docs/architecture.md), so it is used by name. The mode is the factory option
 * `mode`, else CROSSBAR_GPUJS_MODE, else the first that works; the engine's
 * `description` (and listBackends()' detail) names it and why others were not taken.
 *
 * @module @crossbar/backend-gpujs
 */
import { registerBackend } from '@crossbar/core';
import { createGpujsBackend } from './backend.js';

export { GpujsBackend, GpujsTile, createGpujsBackend, type GpujsBackendOptions } from './backend.js';
export { GPUJS_MODES, GL_MODES, MODE_ENV, checkMode, chooseMode, type GpujsMode, type ModeCheck, type ModeChoice } from './modes.js';
export type { RandomSource } from './random.js';

/**
 * The registry priority of "gpujs": below the ndarray engine (1) in every mode
 * and whether or not a display is present, because it was measured slower on
 * the work users run by default (the demo's training: 370 against 652 digits/s
 * with headless-gl; docs/architecture.md has the figures). Ask for it by name.
 */
export const GPUJS_PRIORITY = 0;

registerBackend('gpujs', () => createGpujsBackend(), { priority: GPUJS_PRIORITY });
