/**
 * Core's physics formulas compiled into kernels: every formula the engine
 * lists (kernels/library.ts) compiles in every mode and agrees with core's
 * JavaScript on a grid of arguments — cpu exactly (gpu.js's CPU kernels run
 * core's own code), webasm and GL to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import { GpuRuntime } from '../src/runtime.js';
import { KERNEL_FORMULAS, kernelFunctionOf, physicsLibrary } from '../src/kernels/library.js';
import { requireMode, NODE_MODES } from './helpers.js';

const N = 64;

/** Argument k of sample i: the first argument signed in [-3, 3], the others in (0, 2]. */
export function formulaArgs(arity: number): Float32Array[] {
  const args: Float32Array[] = [];
  for (let k = 0; k < arity; k++) {
    const a = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      const t = Math.sin(12.9898 * (i + 1) + 78.233 * (k + 1)) * 43758.5453;
      const u = t - Math.floor(t);
      a[i] = Math.fround(k === 0 ? 6 * u - 3 : 2 * u + 1 / 64);
    }
    args.push(a);
  }
  return args;
}

export function formulaKernelSource(name: string, arity: number): string {
  const params = Array.from({ length: arity }, (_, k) => `a${k}`);
  return `function(${params.join(', ')}) { return ${name}(${params.map((p) => `${p}[this.thread.x]`).join(', ')}); }`;
}

describe.each(NODE_MODES)('core formulas in kernels (%s)', (mode) => {
  it('every listed formula compiles and agrees with core', async (ctx) => {
    requireMode(ctx, mode);
    const rt = new GpuRuntime(mode, { functions: physicsLibrary() });
    const tol = mode === 'cpu' ? 0 : 2e-6;
    const failures: string[] = [];
    try {
      for (const name of KERNEL_FORMULAS) {
        const f = kernelFunctionOf(name);
        const arity = Object.keys(f.argumentTypes).length;
        const args = formulaArgs(arity);
        const fn = f.fn as (...a: number[]) => number;
        let out: Float32Array;
        try {
          const k = rt.acquire(formulaKernelSource(f.name, arity), { output: [N] });
          out = k(...args) as Float32Array;
          rt.assertMode(k, name);
          rt.release(k);
        } catch (e) {
          failures.push(`${name}: does not compile in ${mode}: ${(e as Error).message.split('\n')[0]}`);
          continue;
        }
        for (let i = 0; i < N; i++) {
          const want = Math.fround(fn(...args.map((a) => a[i]!)));
          const got = out[i]!;
          if (Number.isNaN(want) && Number.isNaN(got)) continue;
          if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) {
            failures.push(`${name}(${args.map((a) => a[i]).join(', ')}) = ${want} in core, ${got} in ${mode}`);
            break;
          }
        }
      }
    } finally {
      await rt.dispose();
    }
    expect(failures).toEqual([]);
  });
});
