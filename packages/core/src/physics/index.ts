/**
 * The pure physics formulas, one place each, shared by every engine. Scalar
 * functions are written in the subset gpu.js can compile into kernels (number
 * arguments, Math.*, no closures or objects), so the GPU engine reuses them.
 */
export * from './rounding.js';
export * from './io.js';
export * from './update.js';
export * from './devices.js';
export * from './drift.js';
export * from './device-model.js';
export * from './inference.js';
export * from './weights.js';
