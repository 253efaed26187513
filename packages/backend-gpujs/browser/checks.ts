/**
 * Checks of the engine's device machinery that run the same in Node (the
 * vitest files) and in the browser test page (main.ts): each returns plain
 * data that the test then asserts on.
 */
import {
  FloatingPointRPUConfig,
  InferenceRPUConfig,
  pulseNoiseNormals as pulseNormals,
  RandomStream,
  RandomStreamId,
  slicedCoincidences,
  TableNormals,
} from '@crossbar/core';
import { createGpujsBackend } from '../src/backend.js';
import type { GpujsMode } from '../src/modes.js';
import { GpuRuntime } from '../src/runtime.js';
import { KERNEL_FORMULAS, kernelFunctionOf, physicsLibrary } from '../src/kernels/library.js';
import { keyHalves } from '../src/kernels/philox.js';
import { philoxLibrary } from '../src/random.js';
import { bitsLibrary, hasBitOperations } from '../src/kernels/bits.js';

/** A deterministic pseudo-random float array in [-0.5, 0.5). */
export function testData(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let x = seed * 2654435761 + 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    a[i] = x / 4294967296 - 0.5;
  }
  return a;
}

/** y[b][o] = Σ_i W[o][i] x[b][i] in float64. */
export function refForward(w: Float32Array, x: Float32Array, outSize: number, inSize: number, batch: number): Float64Array {
  const y = new Float64Array(batch * outSize);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outSize; o++) {
      let s = 0;
      for (let i = 0; i < inSize; i++) s += w[o * inSize + i]! * x[b * inSize + i]!;
      y[b * outSize + o] = s;
    }
  }
  return y;
}

/** z[b][i] = Σ_o W[o][i] d[b][o] in float64. */
export function refBackward(w: Float32Array, d: Float32Array, outSize: number, inSize: number, batch: number): Float64Array {
  const z = new Float64Array(batch * inSize);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < inSize; i++) {
      let s = 0;
      for (let o = 0; o < outSize; o++) s += w[o * inSize + i]! * d[b * outSize + o]!;
      z[b * inSize + i] = s;
    }
  }
  return z;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// ------------------------------------------------------------------ core formulas

const SAMPLES = 64;

/** Argument k of sample i: the first argument signed in [-3, 3], the others in (0, 2]. */
export function formulaArgs(arity: number): Float32Array[] {
  const args: Float32Array[] = [];
  for (let k = 0; k < arity; k++) {
    const a = new Float32Array(SAMPLES);
    for (let i = 0; i < SAMPLES; i++) {
      const t = Math.sin(12.9898 * (i + 1) + 78.233 * (k + 1)) * 43758.5453;
      const u = t - Math.floor(t);
      a[i] = Math.fround(k === 0 ? 6 * u - 3 : 2 * u + 1 / 64);
    }
    args.push(a);
  }
  return args;
}

/**
 * Compiles every formula of KERNEL_FORMULAS in `mode` and compares it with
 * core's JavaScript on SAMPLES argument tuples: exactly in cpu mode (gpu.js's
 * CPU kernels run core's own code), else to `tol` relative. Where core gives
 * NaN (an argument outside the formula's domain) GL modes may give any value.
 * Returns the failures.
 */
export async function checkFormulas(mode: GpujsMode, tol: number): Promise<string[]> {
  const rt = new GpuRuntime(mode, { functions: physicsLibrary() });
  const failures: string[] = [];
  try {
    for (const name of KERNEL_FORMULAS) {
      const f = kernelFunctionOf(name);
      const arity = Object.keys(f.argumentTypes).length;
      const args = formulaArgs(arity);
      const params = args.map((_, k) => `a${k}`);
      const source = `function(${params.join(', ')}) { return ${f.name}(${params.map((p) => `${p}[this.thread.x]`).join(', ')}); }`;
      const fn = f.fn as (...a: number[]) => number;
      let out: Float32Array;
      try {
        const k = rt.acquire(source, { output: [SAMPLES] });
        out = k(...args) as Float32Array;
        rt.assertMode(k, name);
        rt.release(k);
      } catch (e) {
        failures.push(`${name}: does not compile in ${mode}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      for (let i = 0; i < SAMPLES; i++) {
        const want = Math.fround(fn(...args.map((a) => a[i]!)));
        const got = out[i]!;
        if (Number.isNaN(want) && Number.isNaN(got)) continue;
        // outside a formula's domain (log or pow of a negative) GLSL's result is undefined, not NaN
        if (Number.isNaN(want) && (mode === 'headlessgl' || mode === 'webgl2' || mode === 'webgl')) continue;
        if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) {
          failures.push(`${name}(${args.map((a) => a[i]).join(', ')}) = ${want} in core, ${got} in ${mode}`);
          break;
        }
      }
    }
  } finally {
    await rt.dispose();
  }
  return failures;
}

// ------------------------------------------------------------------ MVM

export interface MvmCheck {
  outSize: number;
  inSize: number;
  batch: number;
  weightsRoundTrip: boolean;
  forwardError: number;
  backwardError: number;
  /** The allowed error: float32 accumulation of n products of magnitude <= 1/4. */
  forwardTolerance: number;
  backwardTolerance: number;
}

/** Forward and backward of a FloatingPointRPUConfig tile against float64, per size. */
export async function checkMvm(mode: GpujsMode, sizes: readonly (readonly [number, number, number])[]): Promise<MvmCheck[]> {
  const backend = createGpujsBackend({ mode });
  const results: MvmCheck[] = [];
  try {
    for (const [outSize, inSize, batch] of sizes) {
      const tile = backend.createTile({ outSize, inSize, rpuConfig: new FloatingPointRPUConfig() });
      const w = testData(outSize * inSize, 1);
      await tile.setWeights(w);
      const back = await tile.getWeights();
      const x = testData(batch * inSize, 2);
      const d = testData(batch * outSize, 3);
      const y = await tile.forward(x, batch);
      const z = await tile.backward(d, batch);
      results.push({
        outSize,
        inSize,
        batch,
        weightsRoundTrip: back.length === w.length && back.every((v, i) => v === w[i]),
        forwardError: maxAbsDiff(y, refForward(w, x, outSize, inSize, batch)),
        backwardError: maxAbsDiff(z, refBackward(w, d, outSize, inSize, batch)),
        forwardTolerance: 1e-6 * Math.max(4, inSize),
        backwardTolerance: 1e-6 * Math.max(4, outSize),
      });
      await tile.dispose();
    }
  } finally {
    await backend.dispose();
  }
  return results;
}

// ------------------------------------------------------------------ accounting

export interface AccountingCheck {
  base: number;
  /** Kernels and textures after backend.dispose(). */
  kernelsAfterEngineDispose: number;
  texturesAfterEngineDispose: number;
  afterFirstCalls: number;
  afterManyCalls: number;
  kernelsAfterFirstCalls: number;
  kernelsAfterManyCalls: number;
  kernelsAfterDispose: number;
  texturesAfterDispose: number;
  useAfterDispose: string;
}

/** Texture and kernel counts around repeated calls and dispose (no idle kernel cache, so a tile's dispose frees its kernels). */
export async function checkAccounting(mode: GpujsMode): Promise<AccountingCheck> {
  const backend = createGpujsBackend({ mode, kernelCache: 0 });
  const base = backend.liveTextures;
  const tile = backend.createTile({ outSize: 9, inSize: 6, rpuConfig: new FloatingPointRPUConfig() });
  const x = testData(4 * 6, 5);
  const run = async (i: number) => {
    await tile.setWeights(testData(54, 7 + i));
    await tile.forward(x, 4);
    await tile.backward(testData(4 * 9, 6), 4);
  };
  await run(0);
  const afterFirstCalls = backend.liveTextures;
  const kernelsAfterFirstCalls = backend.liveKernels;
  for (let i = 1; i <= 20; i++) await run(i);
  const afterManyCalls = backend.liveTextures;
  const kernelsAfterManyCalls = backend.liveKernels;
  await tile.dispose();
  const kernelsAfterDispose = backend.liveKernels;
  const texturesAfterDispose = backend.liveTextures;
  let useAfterDispose = '';
  try {
    await tile.forward(x, 4);
  } catch (e) {
    useAfterDispose = (e as Error).message;
  }
  await backend.dispose();
  return {
    base,
    kernelsAfterEngineDispose: backend.liveKernels,
    texturesAfterEngineDispose: backend.liveTextures,
    afterFirstCalls,
    afterManyCalls,
    kernelsAfterFirstCalls,
    kernelsAfterManyCalls,
    kernelsAfterDispose,
    texturesAfterDispose,
    useAfterDispose,
  };
}

// ------------------------------------------------------------------ Philox

export interface PhiloxCheck {
  seed: number;
  uniformsEqual: boolean;
  firstUniformDifference: string;
  normalMaxDiff: number;
  /** The first table index (pulse noise, TableNormals) that differs from core's, '' when none. */
  firstTableDifference: string;
}

/** The in-kernel generator against core's RandomStream (modes with integer arithmetic). */
export async function checkPhilox(mode: GpujsMode): Promise<PhiloxCheck[]> {
  const lib = philoxLibrary(mode);
  const rt = new GpuRuntime(mode, lib);
  const n = 1000;
  const results: PhiloxCheck[] = [];
  const types =
    mode === 'webgl2' ? {} : { argumentTypes: { k0h: 'Integer', k0l: 'Integer', k1h: 'Integer', k1l: 'Integer', sub: 'Integer', sid: 'Integer', call: 'Integer' } };
  try {
    for (const seed of [0, 42, 2 ** 32 + 7, 2 ** 52 + 12345]) {
      const [a, b, c, d] = keyHalves(seed);
      const ku = rt.acquire('function(k0h, k0l, k1h, k1l, sub, sid, call) { return philoxUniform(k0h, k0l, k1h, k1l, sub, sid, call, this.thread.x); }', {
        output: [n],
        ...types,
      });
      const kn = rt.acquire('function(k0h, k0l, k1h, k1l, sub, sid, call) { return philoxNormal(k0h, k0l, k1h, k1l, sub, sid, call, this.thread.x); }', {
        output: [n],
        ...types,
      });
      const stream = new RandomStream(seed, 31, 9, 5);
      const u = ku(a, b, c, d, 5, 31, 9) as Float32Array;
      rt.assertMode(ku, 'philoxUniform');
      const ru = stream.fillUniform(new Float32Array(n));
      let first = '';
      for (let i = 0; i < n && !first; i++) if (u[i] !== ru[i]) first = `element ${i}: ${u[i]} in-kernel, ${ru[i]} core`;
      const g = kn(a, b, c, d, 5, 31, 9) as Float32Array;
      // the per-pulse noise: table index h of sub 5 must be core's TableNormals number h
      const kt = rt.acquire('function(k0h, k0l, k1h, k1l, sub, sid, call) { return philoxTableIndex(k0h, k0l, k1h, k1l, sub, sid, call, this.thread.x); }', {
        output: [n],
        ...types,
      });
      const idx = kt(a, b, c, d, 5, RandomStreamId.UpdateStepNoise, 9) as Float32Array;
      const table = new TableNormals(seed, RandomStreamId.UpdateStepNoise);
      table.begin(9);
      const noise = table.fill(5, 0, new Float32Array(n));
      const normals = pulseNormals();
      let firstTable = '';
      for (let h = 0; h < n && !firstTable; h++) if (normals[idx[h]!] !== noise[h]) firstTable = `number ${h}: index ${idx[h]} in-kernel, value ${noise[h]} core`;
      results.push({
        seed,
        uniformsEqual: first === '',
        firstUniformDifference: first,
        normalMaxDiff: maxAbsDiff(g, stream.fillNormal(new Float64Array(n))),
        firstTableDifference: firstTable,
      });
    }
  } finally {
    await rt.dispose();
  }
  return results;
}

// ------------------------------------------------------------------ coincidences

/**
 * The pulse kernels' coincidence counting of 16 rows in `mode` against core's
 * slicedCoincidences on random words: the bit-operation version where the mode has
 * one (slicedCoincidencesBits: JavaScript subset or GLSL ES 3.00), core's own float
 * version compiled into the kernel everywhere. Returns the first difference, '' when none.
 */
export async function checkCoincidences(mode: GpujsMode): Promise<string> {
  const bits = bitsLibrary(mode);
  const rt = new GpuRuntime(mode, { functions: [...physicsLibrary(), ...bits.functions], natives: bits.natives });
  const n = 2048;
  const words = Array.from({ length: 4 }, (_, k) => {
    const u = new RandomStream(17, 0, 0, k).fillUniform(new Float32Array(n));
    // sparse and dense words, and 0 and 65535
    return u.map((v, i) => (i % 97 === 0 ? 0 : i % 89 === 0 ? 65535 : Math.floor(v * 65536) & (k < 2 && i % 3 === 0 ? 0x0f0f : 0xffff)));
  });
  try {
    const names = hasBitOperations(mode) ? ['slicedCoincidencesBits', 'slicedCoincidences'] : ['slicedCoincidences'];
    for (const name of names) {
      const k = rt.acquire(`function(a, b, c, d) { return ${name}(a[this.thread.x], b[this.thread.x], c[this.thread.x], d[this.thread.x]); }`, { output: [n] });
      const got = k(...words) as Float32Array;
      rt.assertMode(k, name);
      for (let i = 0; i < n; i++) {
        const want = slicedCoincidences(words[0]![i]!, words[1]![i]!, words[2]![i]!, words[3]![i]!);
        if (got[i] !== want) return `${name}(${words.map((w) => w[i]).join(', ')}) = ${got[i]} in-kernel, ${want} core`;
      }
    }
    return '';
  } finally {
    await rt.dispose();
  }
}

// ------------------------------------------------------------------ soak

export interface SoakCheck {
  calls: number;
  heapBefore: number;
  heapAfter: number;
  texturesBefore: number;
  texturesAfter: number;
  kernelsBefore: number;
  kernelsAfter: number;
}

/**
 * `calls` forward passes (default IO: noise, noise and bound management, ADC) on
 * one 32 × 48 tile, batch 4, after 500 warm-up calls; `heap()` measures the JS
 * heap after a garbage collection.
 */
export async function soak(mode: GpujsMode, calls: number, heap: () => number | Promise<number>): Promise<SoakCheck> {
  const backend = createGpujsBackend({ mode });
  try {
    const tile = backend.createTile({ outSize: 32, inSize: 48, rpuConfig: new InferenceRPUConfig(), seed: 7 });
    await tile.setWeights(testData(32 * 48, 1));
    const x = testData(4 * 48, 2);
    for (let i = 0; i < 500; i++) await tile.forward(x, 4);
    const heapBefore = await heap();
    const texturesBefore = backend.liveTextures;
    const kernelsBefore = backend.liveKernels;
    for (let i = 0; i < calls; i++) await tile.forward(x, 4);
    const heapAfter = await heap();
    return { calls, heapBefore, heapAfter, texturesBefore, texturesAfter: backend.liveTextures, kernelsBefore, kernelsAfter: backend.liveKernels };
  } finally {
    await backend.dispose();
  }
}
