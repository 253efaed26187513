/**
 * core's slicedCoincidences (physics/update.ts: the coincidences of 16 batch
 * rows of one train bit, 32·down + up) with integer bit operations where the
 * kernel language has them: the gpu.js JavaScript subset (cpu; webasm, whose
 * bitwise operators are i32 operations) and GLSL ES 3.00 (webgl2). WebGL1
 * (headlessgl, webgl) has none and calls core's float version itself. The
 * words are below 2^16, exact as floats everywhere; test/kernels.test.ts
 * checks every version against core.
 */
import type { KernelFunction, NativeFunction } from '../runtime.js';
import type { GpujsMode } from '../modes.js';

/** Number of set bits of a 16-bit word. */
export function popcount16(v: number): number {
  const a = v - ((v >> 1) & 21845);
  const b = (a & 13107) + ((a >> 2) & 13107);
  const c = (b + (b >> 4)) & 3855;
  return (c + (c >> 8)) & 31;
}

/** slicedCoincidences with bit operations: rows fired in both trains, by sign agreement (32·down + up). */
export function slicedCoincidencesBits(x: number, d: number, xs: number, ds: number): number {
  if ((x & d) === 0) return 0;
  const up = popcount16(x & d & (xs ^ ds));
  return 32 * (popcount16(x & d) - up) + up;
}

const I = 'Integer';

/** The JavaScript-subset versions (cpu, webasm). */
export const BITS_FUNCTIONS: readonly KernelFunction[] = [
  { fn: popcount16, name: popcount16.name, argumentTypes: { v: I }, returnType: I },
  { fn: slicedCoincidencesBits, name: slicedCoincidencesBits.name, argumentTypes: { x: I, d: I, xs: I, ds: I }, returnType: 'Number' },
];

/** The GLSL ES 3.00 version (webgl2), under the same name. */
export const BITS_GLSL3: readonly NativeFunction[] = [
  {
    name: 'slicedCoincidencesBits',
    source: `float slicedCoincidencesBits(float x, float d, float xs, float ds) {
  uint co = uint(x) & uint(d);
  if (co == 0u) return 0.0;
  uint s = co & (uint(xs) ^ uint(ds));
  uint a = co - ((co >> 1u) & 21845u); a = (a & 13107u) + ((a >> 2u) & 13107u); a = (a + (a >> 4u)) & 3855u;
  uint b = s - ((s >> 1u) & 21845u); b = (b & 13107u) + ((b >> 2u) & 13107u); b = (b + (b >> 4u)) & 3855u;
  float all = float((a + (a >> 8u)) & 31u);
  float up = float((b + (b >> 8u)) & 31u);
  return 32.0 * (all - up) + up;
}`,
    argumentTypes: { x: 'Number', d: 'Number', xs: 'Number', ds: 'Number' },
    returnType: 'Number',
  },
];

/** Whether kernels in `mode` have integer bit operations (else they call core's float slicedCoincidences). */
export function hasBitOperations(mode: GpujsMode): boolean {
  return mode === 'cpu' || mode === 'webasm' || mode === 'webgl2';
}

/** How the pulse kernels count a group's coincidences in `mode` (kernels/pulses.ts WalkSpec.bits). */
export function coincidenceCounting(mode: GpujsMode): 'float' | 'call' | 'inline' {
  if (mode === 'webasm') return 'inline';
  return hasBitOperations(mode) ? 'call' : 'float';
}

/** The bit-operation functions of `mode`'s kernel library. */
export function bitsLibrary(mode: GpujsMode): { functions: KernelFunction[]; natives: NativeFunction[] } {
  if (mode === 'webgl2') return { functions: [], natives: [...BITS_GLSL3] };
  if (!hasBitOperations(mode)) return { functions: [], natives: [] };
  return { functions: [...BITS_FUNCTIONS], natives: [] };
}
