// The wasm engine on core's tile against the ndarray engine (same seed → same noise),
// across thread counts, and with a worker that fails or dies (the array-stage IO:
// fused-io.test.ts).
import { describe, expect, it, afterAll } from 'vitest';
import {
  BackendError,
  IdealDevice,
  IOParameters,
  SingleRPUConfig,
  BackendRegistry,
  kernelBackend,
  InferenceRPUConfig,
  rpuConfigFromDict,
  type AnalogTile,
  type AnalogTileBackend,
  type RPUConfig,
} from '@crossbar/core';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { createWasmBackend, createWasmKernels, WasmEngine, wasmKernelSet, WasmLoadError, WASM_PRIORITY } from '../src/index.js';
import { bits, uniform } from './helpers.js';

const backends: AnalogTileBackend[] = [];
async function wasm(threads: number): Promise<AnalogTileBackend> {
  const b = await createWasmBackend({ threads, minThreadedWork: 0 });
  backends.push(b);
  return b;
}
afterAll(async () => {
  for (const b of backends) await b.dispose?.();
});

async function tile(backend: AnalogTileBackend, outSize: number, inSize: number, rpuConfig: RPUConfig, w: Float32Array, seed = 7): Promise<AnalogTile> {
  const t = await backend.createTile({ outSize, inSize, rpuConfig, seed });
  await t.setWeights(w);
  return t;
}

/** Values k / 2^shift for integers |k| <= 2^bits: their products and sums stay exact in float32. */
function dyadic(seed: number, n: number, shift: number, maxAbs = 1): Float32Array {
  return uniform(seed, n, maxAbs).map((v) => Math.round(v * 2 ** shift) / 2 ** shift);
}

describe('wasm engine vs the ndarray engine', () => {
  it('the managed IO pass (output noise, ADC, bound management) is bit-identical where the GEMM is exact, forward and backward, 1 and 2 threads', async () => {
    const [outSize, inSize, batch] = [37, 29, 11];
    // DAC quantisation off and no input noise: the inputs reach the GEMM as given (dyadic,
    // each row's |max| = 1 so that noise management scales by 1), every sum is exact
    const io = { inp_res: -1, inp_noise: 0, out_noise: 0.06, out_bound: 3, bound_management: 'Iterative' };
    const rpuConfig = rpuConfigFromDict({ type: 'InferenceRPUConfig', forward: io, backward: io });
    const w = dyadic(1, outSize * inSize, 6, 0.5);
    const x = dyadic(2, batch * inSize, 6);
    const d = dyadic(3, batch * outSize, 6);
    for (let b = 0; b < batch; b++) {
      x[b * inSize] = b % 2 ? 1 : -1;
      d[b * outSize] = 1;
    }
    const ref = await tile(new NdarrayBackend(), outSize, inSize, rpuConfig, w);
    const y = await ref.forward(x, batch);
    const z = await ref.backward(d, batch);
    expect(
      y.some((v) => Math.abs(v) >= 2.9),
      'some vectors clip (bound management re-runs them)',
    ).toBe(true);
    for (const threads of [1, 2]) {
      const t = await tile(await wasm(threads), outSize, inSize, rpuConfig, w);
      expect(bits(await t.forward(x, batch)), `forward, ${threads} thread(s)`).toEqual(bits(y));
      expect(bits(await t.backward(d, batch)), `backward, ${threads} thread(s)`).toEqual(bits(z));
      expect(t.getForwardPassCounts?.()).toEqual(ref.getForwardPassCounts?.());
    }
  });

  // A signed, scaled permutation matrix: every output is one product (the rest are zeros), so
  // the GEMM is exact in any summation order, with the DAC quantising and the ADC noising: the
  // whole pass must be ndarray's bit for bit, for every IO option the fused kernel computes.
  for (const [name, fields] of [
    ['aihwkit defaults (noise and bound management, ADC noise and quantisation, re-runs)', {}],
    [
      'input noise, stochastic rounding, asymmetry, out_scale, bounds',
      { inpNoise: 0.05, inpStoRound: true, outStoRound: true, inpAsymmetry: 0.1, outAsymmetry: 0.2, outScale: 1.5, inpBound: 0.8, outBound: 3, noiseManagement: 'None' },
    ],
    ['no DAC/ADC quantisation, no negative bound test', { inpRes: -1, outRes: -1, outNoise: 0.2, bmTestNegativeBound: false }],
    // a step just wide enough for the noise bracket (assembly/noise-bracket.ts useBracket): about one
    // output in 60 needs the exact normal; with the output non-linearity
    [
      'a narrow ADC step (the noise bracket undecided on some outputs), output non-linearity, input asymmetry',
      { outNoise: 1, outRes: 0.0005, outNonlinearity: 0.3, inpAsymmetry: 0.2 },
    ],
  ] as const) {
    it(`the fused pass is ndarray's bit for bit where the GEMM is exact: ${name}, forward and backward, 1 and 2 threads`, async () => {
      const [outSize, inSize, batch] = [23, 29, 13];
      const io = new IOParameters(fields as never);
      const rpuConfig = new SingleRPUConfig({ device: new IdealDevice(), forward: io, backward: io });
      const w = new Float32Array(outSize * inSize);
      const scales = [0.5, -1, 4, -16, 16];
      for (let i = 0; i < outSize; i++) w[i * inSize + ((7 * i + 3) % inSize)] = scales[i % scales.length]!;
      const x = uniform(40, batch * inSize, 1.3);
      const d = uniform(41, batch * outSize, 0.7);
      x[3] = 0;
      x[4] = -0;
      d[5] = -0;
      const ref = await tile(new NdarrayBackend(), outSize, inSize, rpuConfig, w);
      const y = await ref.forward(x, batch);
      const z = await ref.backward(d, batch);
      if (name.startsWith('aihwkit')) expect(Math.max(...((await ref.getForwardPassCounts?.()) ?? [])), 'some vectors re-run').toBeGreaterThan(1);
      for (const threads of [1, 2]) {
        const t = await tile(await wasm(threads), outSize, inSize, rpuConfig, w);
        expect(bits(await t.forward(x, batch)), `forward, ${threads} thread(s)`).toEqual(bits(y));
        expect(bits(await t.backward(d, batch)), `backward, ${threads} thread(s)`).toEqual(bits(z));
        expect(t.getForwardPassCounts?.()).toEqual(ref.getForwardPassCounts?.());
      }
      if (name.startsWith('a narrow')) {
        // on one thread: the bracket's exact fallback ran inside the four-lane loop (not only at row ends)
        const engine = await WasmEngine.create({ threads: 1 });
        const t = await tile(
          kernelBackend(wasmKernelSet(engine)),
          16,
          16,
          rpuConfig,
          new Float32Array(256).map((_, k) => (k % 17 === 0 ? 4 : 0)),
        );
        const misses = engine.kernels.exports.bracketMisses;
        const before = misses.value as number;
        await t.forward(uniform(42, 64 * 16), 64);
        expect((misses.value as number) - before).toBeGreaterThan(0);
        await engine.dispose();
      }
    });
  }

  it("aihwkit's default IO: the float32 GEMM moves an output by at most one ADC step, rarely", async () => {
    const [outSize, inSize, batch] = [64, 96, 32];
    const rpuConfig = new InferenceRPUConfig();
    const w = uniform(4, outSize * inSize, 0.3);
    const x = uniform(5, batch * inSize);
    const y = await (await tile(new NdarrayBackend(), outSize, inSize, rpuConfig, w)).forward(x, batch);
    const t = await tile(await wasm(1), outSize, inSize, rpuConfig, w);
    const ours = await t.forward(x, batch);
    // out_res 1/510 of the range [−out_bound, out_bound], times the noise-management scale max|x| <= 1
    const step = (2 * 12) / 510;
    let moved = 0;
    for (let k = 0; k < y.length; k++) {
      const diff = Math.abs(ours[k]! - y[k]!);
      expect(diff, `output ${k}`).toBeLessThanOrEqual(step * (1 + 1e-6));
      if (diff > 0) moved++;
    }
    expect(moved / y.length).toBeLessThan(0.02);
  });

  it('the perfect pass matches ndarray within the float32 summation bound, forward and backward', async () => {
    const [outSize, inSize, batch] = [33, 70, 9];
    const rpuConfig = rpuConfigFromDict({ type: 'FloatingPointRPUConfig' });
    const w = uniform(6, outSize * inSize);
    const x = uniform(7, batch * inSize);
    const d = uniform(8, batch * outSize);
    const ref = await tile(new NdarrayBackend(), outSize, inSize, rpuConfig, w);
    for (const threads of [1, 2]) {
      const t = await tile(await wasm(threads), outSize, inSize, rpuConfig, w);
      for (const [ours, want, k, a, ldw, ldb] of [
        [await t.forward(x, batch), await ref.forward(x, batch), inSize, x, 1, inSize],
        [await t.backward(d, batch), await ref.backward(d, batch), outSize, d, inSize, 1],
      ] as const) {
        const n = want.length / batch;
        for (let i = 0; i < want.length; i++) {
          // Σ_p |a_p b_p| of the element: the float32 sum is within k · 2^-24 of it (any order), plus the reference's rounding
          const [r, c] = [Math.floor(i / n), i % n];
          let absSum = 0;
          for (let p = 0; p < k; p++) absSum += Math.abs(a[r * k + p]! * w[c * ldb + p * ldw]!);
          expect(Math.abs(ours[i]! - want[i]!)).toBeLessThanOrEqual(k * 2 ** -24 * absSum + 2 ** -24 * Math.abs(want[i]!));
        }
      }
    }
  });

  it('1, 2 and 3 threads give the same bits (default IO and the perfect pass, odd sizes)', async () => {
    const [outSize, inSize, batch] = [45, 53, 19];
    const w = uniform(9, outSize * inSize, 0.4);
    const x = uniform(10, batch * inSize);
    const d = uniform(11, batch * outSize);
    for (const rpuConfig of [new InferenceRPUConfig(), rpuConfigFromDict({ type: 'FloatingPointRPUConfig' })]) {
      const results: Uint32Array[][] = [];
      for (const threads of [1, 2, 3]) {
        const t = await tile(await wasm(threads), outSize, inSize, rpuConfig, w);
        results.push([bits(await t.forward(x, batch)), bits(await t.backward(d, batch)), bits(await t.forward(x, batch))]);
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    }
  });
});

describe('the managed pass around the kernels (rowAbsMax, analogPassWritesResult)', () => {
  /**
   * The wasm engine without its two optional members: core computes the row maxima and scales
   * the outputs in JS. Its analogPass writes `out`: the kernel's rows, unscaled (factor 1), every
   * one written (lastRound), read back from a result of its own.
   */
  function withoutManagedHelpers(set: ReturnType<typeof wasmKernelSet>): AnalogTileBackend {
    return kernelBackend({
      ...set,
      createKernels: async (spec) => {
        const { rowAbsMax: _a, analogPassWritesResult: _b, analogPass, ...rest } = await set.createKernels(spec);
        return {
          ...rest,
          analogPass: (args) => {
            const { nIn, nOut, nActive, active } = args;
            const result = new Float32Array((args.x.length / nIn) * nOut);
            analogPass!({ ...args, outputFactor: new Float32Array(nActive).fill(1), lastRound: true, result });
            for (let a = 0; a < nActive; a++) args.out.set(result.subarray(active[a]! * nOut, (active[a]! + 1) * nOut), a * nOut);
          },
        };
      },
    });
  }

  it('gives the bits core gives without them: noise management AbsMax, AverageAbsMax, Max, none; bound-management rounds; forward and backward; 1 and 2 threads', async () => {
    const [outSize, inSize, batch] = [23, 37, 13];
    const w = uniform(21, outSize * inSize, 0.5);
    const x = uniform(22, batch * inSize, 2);
    x.fill(0, 2 * inSize, 3 * inSize); // a zero vector: α = 0 (the short cut)
    x[5 * inSize + 3] = -7; // one large input: its vector clips and takes more rounds
    const d = uniform(23, batch * outSize, 1);
    const ios = [
      { out_bound: 1.5, bound_management: 'Iterative' },
      { noise_management: 'AverageAbsMax', out_bound: 2, bound_management: 'Iterative' },
      { noise_management: 'Max' },
      { noise_management: 'None', out_bound: 3 },
      { bound_management: 'IterativeWorstCase', out_bound: 1 },
    ];
    let maxPasses = 0;
    for (const threads of [1, 2]) {
      const engine = await WasmEngine.create({ threads, minThreadedWork: 0 });
      const set = wasmKernelSet(engine);
      try {
        for (const io of ios) {
          const rpuConfig = rpuConfigFromDict({ type: 'InferenceRPUConfig', forward: io, backward: io });
          const a = await tile(kernelBackend(set), outSize, inSize, rpuConfig, w);
          const b = await tile(withoutManagedHelpers(set), outSize, inSize, rpuConfig, w);
          for (let k = 0; k < 3; k++) {
            // twice forward: AverageAbsMax's running value moves
            expect(bits(await a.forward(x, batch)), JSON.stringify(io)).toEqual(bits(await b.forward(x, batch)));
            expect(bits(await a.backward(d, batch)), JSON.stringify(io)).toEqual(bits(await b.backward(d, batch)));
          }
          const counts = Array.from((await a.getForwardPassCounts!()) ?? []);
          expect(counts).toEqual(Array.from((await b.getForwardPassCounts!()) ?? []));
          maxPasses = Math.max(maxPasses, ...counts);
        }
      } finally {
        await engine.dispose();
      }
    }
    expect(maxPasses).toBeGreaterThan(1); // the bound-management rounds ran
  });

  it('rowAbsMax is max |x| per row, odd row lengths and an empty row included', async () => {
    const engine = await WasmEngine.create({ threads: 1 });
    const kernels = createWasmKernels(engine, { engine: 'wasm', outSize: 1, inSize: 1, seed: 1, rpuConfig: new InferenceRPUConfig() });
    for (const n of [0, 1, 3, 4, 7, 16, 33]) {
      const rows = 5;
      const x = uniform(30 + n, rows * n, 3);
      if (n > 0) {
        x[n - 1] = -5; // the largest magnitude in the scalar tail
        x.fill(-0, n, 2 * n);
      }
      const got = new Float32Array(rows);
      kernels.rowAbsMax!(x, rows, n, got);
      const want = Array.from({ length: rows }, (_, r) => Math.max(0, ...Array.from(x.subarray(r * n, (r + 1) * n), Math.abs)));
      expect(Array.from(got)).toEqual(want);
    }
    kernels.dispose?.();
    await engine.dispose();
  });
});

describe('resident weights', () => {
  it('a kernel copies the weights again only when (array, weightsVersion) change; absent version: every call', async () => {
    const engine = await WasmEngine.create({ threads: 2, minThreadedWork: 0 });
    try {
      const [outSize, inSize] = [5, 7];
      const k = createWasmKernels(engine, { engine: 'wasm', outSize, inSize, seed: 1, rpuConfig: rpuConfigFromDict({ type: 'FloatingPointRPUConfig' }) });
      for (const batch of [1, 3]) {
        // batch 1 runs on the plain instance, batch 3 on the shared one (its own copy)
        const x = uniform(20, batch * inSize);
        const w = uniform(21, outSize * inSize);
        const before = k.perfectMvm!('forward', w, x, batch, 1, 10 + batch);
        const old = w.slice();
        w.fill(0.25); // written without a new version: the resident copy is used
        expect(bits(k.perfectMvm!('forward', w, x, batch, 1, 10 + batch))).toEqual(bits(before));
        expect(bits(k.perfectMvm!('backward', w, uniform(22, batch * outSize), batch, 1, 10 + batch))).toEqual(
          bits(k.perfectMvm!('backward', old, uniform(22, batch * outSize), batch, 1, undefined)),
        );
        const fresh = k.perfectMvm!('forward', w, x, batch, 1, undefined); // no version: copied
        expect(bits(fresh)).not.toEqual(bits(before));
        w.set(old); // the copy is of the 0.25s now, under no version: the next version copies again
        expect(bits(k.perfectMvm!('forward', w, x, batch, 1, 10 + batch))).toEqual(bits(before));
        const other = new Float32Array(outSize * inSize).fill(0.25); // another array, the same version: copied
        expect(bits(k.perfectMvm!('forward', other, x, batch, 1, 10 + batch))).toEqual(bits(fresh));
      }
      k.dispose!();
      expect(engine.kernels.heap.blockBytes + engine.sharedKernels!.heap.blockBytes).toBe(0);
    } finally {
      await engine.dispose();
    }
  });

  it('a tile reads its new weights after every call that writes them (setWeights, update, applyWeightModifier, setState), as ndarray does', async () => {
    const [outSize, inSize, batch] = [12, 10, 4];
    const io = { inp_res: -1, inp_noise: 0, out_noise: 0, out_res: -1, out_bound: 100, noise_management: 'None', bound_management: 'None' };
    const rpuConfig = rpuConfigFromDict({ type: 'InferenceRPUConfig', forward: io, backward: io, modifier: { type: 'AddNormal', std_dev: 0.1 } });
    const w = dyadic(30, outSize * inSize, 6, 0.5);
    const x = dyadic(31, batch * inSize, 6);
    const d = dyadic(32, batch * outSize, 6);
    const ref = await tile(new NdarrayBackend(), outSize, inSize, rpuConfig, w);
    const t = await tile(await wasm(1), outSize, inSize, rpuConfig, w);
    // the GEMM's summation order differs from ndarray's once the weights are not dyadic (the
    // modifier's noise): a stale copy differs by far more than that rounding
    const close = (a: Float32Array, b: Float32Array) => {
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!), `output ${k}`).toBeLessThan(1e-5);
    };
    const both = async (f: (u: AnalogTile) => unknown) => {
      await f(ref);
      await f(t);
      close(await t.forward(x, batch), await ref.forward(x, batch));
      close(await t.forward(x, batch, { isTest: true }), await ref.forward(x, batch, { isTest: true }));
      close(await t.backward(d, batch), await ref.backward(d, batch));
    };
    await both(() => undefined);
    await both((u) => u.setWeights(dyadic(33, outSize * inSize, 6, 0.5)));
    await both((u) => u.update(x, d, batch, 0.125));
    await both((u) => u.applyWeightModifier());
    const state = await ref.getState();
    await both((u) => u.setWeights(w));
    await both((u) => u.setState(state));
  });
});

describe('the thread pool', () => {
  it('a worker whose kernel throws fails the call with its message; the next call runs on new workers', async () => {
    const engine = await WasmEngine.create({ threads: 3, minThreadedWork: 0 });
    try {
      expect(() => engine.pool!.run(9, [2, 0])).toThrow(/kernel worker 2 failed: injected kernel fault/);
      expect(() => engine.pool!.run(9, [-1, 0])).not.toThrow();
    } finally {
      await engine.dispose();
    }
  });

  it('a worker that dies fails the pending call after stallMs; the pool recovers, and a tile computes the same bits again', async () => {
    const backend = await createWasmBackend({ threads: 2, minThreadedWork: 0, stallMs: 500 });
    backends.push(backend);
    const [outSize, inSize, batch] = [20, 24, 6];
    const t = await tile(backend, outSize, inSize, new InferenceRPUConfig(), uniform(14, outSize * inSize, 0.4));
    const x = uniform(15, batch * inSize);
    const y0 = await t.forward(x, batch);
    // the engine behind the backend is not exposed: a second engine shows the pool's recovery
    const engine = await WasmEngine.create({ threads: 2, minThreadedWork: 0, stallMs: 500 });
    try {
      expect(() => engine.pool!.run(9, [1, 1])).toThrow(BackendError);
      expect(() => engine.pool!.run(9, [1, 1])).toThrow(/did not finish the call within 500 ms/);
      expect(() => engine.pool!.run(9, [-1, 0])).not.toThrow();
    } finally {
      await engine.dispose();
    }
    const ref = await tile(await wasm(1), outSize, inSize, new InferenceRPUConfig(), uniform(14, outSize * inSize, 0.4));
    expect(bits(await ref.forward(x, batch))).toEqual(bits(y0));
  });
});

describe('registry', () => {
  it('"wasm" outranks ndarray; where the kernels do not load, the registry reports the WasmLoadError and takes ndarray', async () => {
    const registry = new BackendRegistry();
    registry.register('ndarray', () => new NdarrayBackend(), { priority: 1 });
    registry.register('wasm', () => createWasmBackend({ threads: 1, source: '/nonexistent/kernels.wasm' }), { priority: WASM_PRIORITY });
    expect(WASM_PRIORITY).toBeGreaterThan(1);
    expect((await registry.get()).name).toBe('ndarray');
    const info = registry.list().find((b) => b.name === 'wasm')!;
    expect(info.status).toBe('failed');
    expect(info.detail).toMatch(/cannot read the kernels \/nonexistent\/kernels.wasm/);
    await expect(createWasmBackend({ threads: 1, source: '/nonexistent/kernels.wasm' })).rejects.toBeInstanceOf(WasmLoadError);
    const ok = new BackendRegistry();
    ok.register('ndarray', () => new NdarrayBackend(), { priority: 1 });
    ok.register('wasm', () => wasm(1), { priority: WASM_PRIORITY });
    expect((await ok.get()).name).toBe('wasm');
  });
});
