/**
 * Where a kernel's random numbers come from. Both ways give core's numbers
 * (packages/core/src/rng.ts: same seed, stream, call, sub and element → the
 * same value, to float32 rounding for normals):
 *
 *   'kernel'  the kernel draws element i itself with the in-kernel Philox
 *             (kernels/philox.ts): JavaScript subset on cpu/webasm, GLSL ES 3.00
 *             on webgl2. Not possible on WebGL1 (headlessgl, webgl): no integer
 *             bit operations in GLSL ES 1.00.
 *   'upload'  the host fills the elements with core's RandomStream and passes
 *             them as an argument (a texture upload on GL, a copy on webasm).
 *
 * Measured here (tools in test/bench, 131,072 numbers): core on the CPU fills
 * 27 M uniforms/s and 9–17 M normals/s; gpu.js's webasm kernel draws 3.7 M/s
 * and 1.7 M/s (each thread computes a whole Philox block for one element, and
 * helper calls run outside SIMD), the cpu kernel less. So cpu and webasm
 * upload; webgl2 draws in the kernel (see docs/benchmarks.md for its numbers).
 */
import { isGlMode, type GpujsMode } from './modes.js';
import { PHILOX_FUNCTIONS, PHILOX_GLSL3_HELPERS, PHILOX_GLSL3_NORMAL, PHILOX_GLSL3_TABLE_INDEX, PHILOX_GLSL3_UNIFORM } from './kernels/philox.js';
import type { KernelLibrary } from './runtime.js';

/** Where a tile's random numbers come from: drawn inside the kernels, or drawn on the CPU by core and uploaded. */
export type RandomSource = 'kernel' | 'upload';

/** Whether `mode` can draw in-kernel. */
export function kernelRandomSupported(mode: GpujsMode): boolean {
  return mode === 'cpu' || mode === 'webasm' || mode === 'webgl2';
}

/**
 * The faster source in `mode` (measured; see above). WebGL2 on a GPU draws in the
 * kernel; on a software rasteriser (SwiftShader, llvmpipe: the renderer string
 * says so) the CPU's Philox is faster, as on cpu and webasm.
 */
export function defaultRandomSource(mode: GpujsMode, renderer = ''): RandomSource {
  if (mode !== 'webgl2') return 'upload';
  return /swiftshader|llvmpipe|softpipe|software/i.test(renderer) ? 'upload' : 'kernel';
}

const philoxArgs = {
  k0h: 'Number',
  k0l: 'Number',
  k1h: 'Number',
  k1l: 'Number',
  sub: 'Number',
  streamId: 'Number',
  call: 'Number',
  i: 'Number',
};

const { i: _i, ...keyArgs } = philoxArgs;
const tableIndexArgs = { ...keyArgs, h: 'Number' };

/** The generator's part of a runtime's kernel library in `mode`. */
export function philoxLibrary(mode: GpujsMode): Required<Pick<KernelLibrary, 'functions' | 'natives'>> & { injectedNative?: string } {
  if (mode === 'webgl2') {
    return {
      functions: [],
      natives: [
        { name: 'philoxUniform', source: PHILOX_GLSL3_UNIFORM, argumentTypes: philoxArgs, returnType: 'Number' },
        { name: 'philoxNormal', source: PHILOX_GLSL3_NORMAL, argumentTypes: philoxArgs, returnType: 'Number' },
        { name: 'philoxTableIndex', source: PHILOX_GLSL3_TABLE_INDEX, argumentTypes: tableIndexArgs, returnType: 'Number' },
      ],
      injectedNative: PHILOX_GLSL3_HELPERS,
    };
  }
  if (isGlMode(mode)) return { functions: [], natives: [] };
  return { functions: PHILOX_FUNCTIONS, natives: [] };
}
