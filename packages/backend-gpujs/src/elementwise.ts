/**
 * Element-by-element kernels over device-resident matrices (weights, hidden
 * parameters): new[r][c] = f(inputs[r][c], ...) with f a core formula, and
 * random numbers addressed by the element index e = r · cols + c (core rng.ts
 * conventions) — drawn in the kernel or uploaded.
 */
import { RandomStream } from '@crossbar/core';
import type { GpuTexture } from './gpujs.js';
import { DeviceArray, roundUp4 } from './device.js';
import { KEY_ARGS, argumentTypesFor } from './kernels/io.js';
import type { RandomSource } from './random.js';
import { keyHalves } from './kernels/philox.js';
import type { KernelScope } from './scope.js';

/** A random number an element kernel uses: `name` in the expression is element e of (streamId, call, sub). */
export interface ElementRandom {
  name: string;
  normal: boolean;
  streamId: number;
  sub: number;
}

export interface MapSpec {
  /** Matrix inputs (DeviceArrays of the output's shape): `name` in the expression is the element's value. */
  inputs: Record<string, DeviceArray>;
  /** Scalar arguments by name (values may be ±Infinity or NaN: they are passed, not compiled in). */
  scalars?: Record<string, number>;
  /** Per-row and per-column host vectors: `name[r]` / `name[c]` in the expression. */
  vectors?: Record<string, Float32Array>;
  /** Host values per element [rows × cols], row-major: `name` in the expression is element e's. */
  arrays?: Record<string, Float32Array>;
  random?: { items: ElementRandom[]; call: number; seed: number; source: RandomSource };
  /** The new value; may use the inputs, scalars, `r`, `c`, `e` and the random names. */
  expr: string;
}

/** Runs `spec` over a rows × cols matrix; writes into `target` (replacing its data) or a new owned array. */
export function mapMatrix(scope: KernelScope, rows: number, cols: number, spec: MapSpec, target?: DeviceArray): DeviceArray {
  const rt = scope.runtime;
  const gl = rt.isGl;
  const inputNames = Object.keys(spec.inputs);
  const scalarNames = Object.keys(spec.scalars ?? {});
  const vectorNames = Object.keys(spec.vectors ?? {});
  const arrayNames = Object.keys(spec.arrays ?? {});
  const rand = spec.random;
  const upload = rand !== undefined && rand.source === 'upload' && rand.items.length > 0;
  const inKernel = rand !== undefined && rand.source === 'kernel' && rand.items.length > 0;
  const args = [...inputNames.map((n) => `${n}In`), ...scalarNames, ...vectorNames, ...arrayNames.map((n) => `${n}Arr`)];
  if (upload) args.push(...rand.items.map((i) => `${i.name}Arr`));
  if (inKernel) args.push(...KEY_ARGS.slice(0, 5));

  const element = (m: string, cExpr: string): string[] => {
    const lines = [`let mapOut${m} = 0.0;`, `if (r < ${rows} && ${cExpr} < ${cols}) {`, `  const c = ${cExpr};`, `  const e = r * ${cols} + c;`];
    for (const n of inputNames) lines.push(gl ? `  const ${n} = ${n}T[${m}];` : `  const ${n} = ${n}In[r * ${roundUp4(cols)} + c];`);
    for (const n of arrayNames) lines.push(`  const ${n} = ${n}Arr[e];`);
    for (const item of rand?.items ?? []) {
      if (upload) lines.push(`  const ${item.name} = ${item.name}Arr[e];`);
      else {
        const f = item.normal ? 'philoxNormal' : 'philoxUniform';
        lines.push(`  const ${item.name} = ${f}(k0h, k0l, k1h, k1l, ${item.sub}, ${item.streamId}, call, e);`);
      }
    }
    lines.push(`  mapOut${m} = ${spec.expr};`, '}');
    return lines;
  };
  let body: string[];
  if (gl) {
    body = ['const r = this.thread.y;', 'const k = this.thread.x;', ...inputNames.map((n) => `const ${n}T = ${n}In[r][k];`)];
    for (let m = 0; m < 4; m++) body.push(...element(String(m), `k * 4 + ${m}`));
    body.push('return [mapOut0, mapOut1, mapOut2, mapOut3];');
  } else {
    const s = roundUp4(cols);
    body = [`const r = Math.floor(this.thread.x / ${s});`, ...element('', `this.thread.x - r * ${s}`), 'return mapOut;'];
  }
  const source = `function(${args.join(', ')}) {\n  ${body.join('\n  ')}\n}`;

  const rowsAlloc = target?.rowsAlloc ?? roundUp4(rows);
  const settings: Record<string, unknown> = gl
    ? { output: [Math.ceil(cols / 4), rowsAlloc], pipeline: true, immutable: true, returnType: 'Array(4)' }
    : { output: [rowsAlloc * roundUp4(cols)] };

  const callArgs: unknown[] = [
    ...inputNames.map((n) => spec.inputs[n]!.data),
    ...scalarNames.map((n) => spec.scalars![n]!),
    ...vectorNames.map((n) => spec.vectors![n]!),
    ...arrayNames.map((n) => spec.arrays![n]!),
  ];
  if (upload) {
    for (const item of rand.items) {
      const buf = new Float32Array(rows * cols);
      const stream = new RandomStream(rand.seed, item.streamId, rand.call, item.sub);
      if (item.normal) stream.fillNormal(buf);
      else stream.fillUniform(buf);
      callArgs.push(buf);
    }
  }
  if (inKernel) {
    callArgs.push(...keyHalves(rand.seed), rand.call);
    settings.argumentTypes = argumentTypesFor(rt.mode, args, callArgs);
  }
  const kernel = scope.kernel(source, settings);
  const result = kernel(...callArgs);
  rt.assertMode(kernel, 'element-wise');
  if (gl) {
    if (target) {
      target.replace(result as GpuTexture);
      return target;
    }
    return scope.track(new DeviceArray(rt, rows, cols, rowsAlloc, result as GpuTexture, true));
  }
  const out = target ?? scope.track(new DeviceArray(rt, rows, cols, rowsAlloc, new Float32Array(rowsAlloc * roundUp4(cols)), true));
  out.host.set(result as Float32Array);
  return out;
}
