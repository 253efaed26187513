/**
 * @crossbar/backend-ndarray — the reference engine. Importing this package
 * registers it as "ndarray" (priority 1: always available, lowest priority).
 */
import { registerBackend } from '@crossbar/core';
import { NdarrayBackend } from './backend.js';

export { NdarrayBackend } from './backend.js';
export { NdarrayTile } from './tile.js';
export { createNdarrayKernels, ndarrayKernels } from './kernels.js';

/** The registry priority of this engine: the fallback when nothing better works. */
export const NDARRAY_PRIORITY = 1;

registerBackend('ndarray', () => new NdarrayBackend(), { priority: NDARRAY_PRIORITY });
