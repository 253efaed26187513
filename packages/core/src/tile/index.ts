/**
 * Core's tile: one AnalogTile implementation (KernelTile) on an engine's kernels.
 * An engine exports a KernelSet and registers `kernelBackend(kernelSet)`.
 */
export { KernelTile, kernelBackend } from './kernel-tile.js';
export type { TileContext } from './context.js';
export {
  missingKernel,
  type AnalogPassArgs,
  type KernelName,
  type KernelSet,
  type ModifyWeightsArgs,
  type PulsedDeviceArrays,
  type PulsedUpdateArgs,
  type TileKernels,
  type TileSpec,
} from './kernels.js';
export { modifyWeightsHost, modifyWeightsWith } from './host-kernels.js';
export { hostStreamFills, type StreamFills } from './fills.js';
