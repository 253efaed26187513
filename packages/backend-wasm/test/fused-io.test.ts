// The fused kernel's array stage (assembly/array.ts): weight noise, mv_type PosNeg*,
// voltage offsets / series resistance and IR drop computed in WebAssembly against the
// ndarray engine's analogPass (the reference), forward and backward, bound management
// and noise management on, several seeds, 1 and 2 threads.
import { afterAll, describe, expect, it } from 'vitest';
import { rpuConfigFromDict, type AnalogTile, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { createWasmBackend } from '../src/index.js';
import { bits, uniform } from './helpers.js';

const backends: AnalogTileBackend[] = [];
const wasmByThreads = new Map<number, Promise<AnalogTileBackend>>();
function wasm(threads: number): Promise<AnalogTileBackend> {
  let b = wasmByThreads.get(threads);
  if (b === undefined) {
    b = createWasmBackend({ threads, minThreadedWork: 0 }).then((backend) => (backends.push(backend), backend));
    wasmByThreads.set(threads, b);
  }
  return b;
}
afterAll(async () => {
  for (const b of backends) await b.dispose?.();
});

async function tile(backend: AnalogTileBackend, outSize: number, inSize: number, rpuConfig: RPUConfig, w: Float32Array, seed: number): Promise<AnalogTile> {
  const t = await backend.createTile({ outSize, inSize, rpuConfig, seed });
  await t.setWeights(w);
  return t;
}

/** Values k / 2^shift, |k| <= 2^shift · maxAbs: with few of them, products and sums stay exact in float32. */
function dyadic(seed: number, n: number, shift: number, maxAbs = 1): Float32Array {
  return uniform(seed, n, maxAbs).map((v) => Math.round(v * 2 ** shift) / 2 ** shift);
}

/** Two forwards (the call counter moves on) and a backward of one tile. */
async function run(t: AnalogTile, x: Float32Array, d: Float32Array, batch: number): Promise<Float32Array[]> {
  return [await t.forward(x, batch), await t.forward(x, batch), await t.backward(d, batch)];
}

function config(fields: Record<string, unknown>, base: Record<string, unknown> = {}): RPUConfig {
  const io = { bound_management: 'Iterative', noise_management: 'AbsMax', ...base, ...fields };
  // InferenceRPUConfig's backward is perfect by default: analog here
  return rpuConfigFromDict({ type: 'InferenceRPUConfig', forward: io, backward: { ...io, is_perfect: false } });
}

// Every setting of the array stage; `exact`: the GEMMs of the test's dyadic values are exact in
// float32 (no read asymmetry), so wasm and ndarray agree bit for bit.
const SETTINGS: { name: string; fields: Record<string, unknown>; exact: boolean; exactBase?: Record<string, unknown> }[] = [
  { name: 'w_noise AdditiveConstant', fields: { w_noise: 0.03, w_noise_type: 'AdditiveConstant' }, exact: true },
  { name: 'w_noise PCMRead', fields: { w_noise: 0.05, w_noise_type: 'PCMRead' }, exact: true },
  // (without noise or read asymmetry, PosNegSeparate's exact sums are OnePass's)
  { name: 'mv_type PosNegSeparate, w_noise', fields: { mv_type: 'PosNegSeparate', w_noise: 0.03, w_noise_type: 'AdditiveConstant' }, exact: true },
  { name: 'mv_type PosNegSeparateDigitalSum', fields: { mv_type: 'PosNegSeparateDigitalSum' }, exact: true },
  { name: 'v_offset_std', fields: { v_offset_std: 0.05 }, exact: true },
  { name: 'r_series', fields: { r_series: 0.02 }, exact: true },
  { name: 'v_offset_std and r_series, v_offset_w_min 0', fields: { v_offset_std: 0.05, r_series: 0.02, v_offset_w_min: 0 }, exact: true },
  { name: 'v_offset_std, v_offset_w_min 0', fields: { v_offset_std: 0.05, v_offset_w_min: 0 }, exact: true },
  {
    name: 'PosNegSeparate, v_offset_std and r_series',
    fields: { mv_type: 'PosNegSeparate', v_offset_std: 0.05, r_series: 0.02 },
    exact: true,
    exactBase: { out_bound: 1 },
  },
  { name: 'ir_drop', fields: { ir_drop: 1, ir_drop_g_ratio: 200 }, exact: true },
  { name: "ir_drop, aihwkit's g ratio, PCMRead noise", fields: { ir_drop: 0.5, w_noise: 0.02, w_noise_type: 'PCMRead' }, exact: true },
  {
    name: 'every array-stage setting at once (PosNegSeparateDigitalSum)',
    fields: {
      mv_type: 'PosNegSeparateDigitalSum',
      ir_drop: 1,
      ir_drop_g_ratio: 200,
      v_offset_std: 0.05,
      r_series: 0.02,
      w_noise: 0.02,
      w_noise_type: 'AdditiveConstant',
    },
    exact: true,
    // r_series shrinks the outputs: a lower bound, so that some vectors still clip
    exactBase: { out_bound: 1 },
  },
  {
    name: 'PosNegSeparate, read asymmetry, PCMRead noise',
    fields: { mv_type: 'PosNegSeparate', w_read_asymmetry_dtod: 0.1, w_noise: 0.02, w_noise_type: 'PCMRead' },
    exact: false,
  },
  { name: 'PosNegSeparateDigitalSum, read asymmetry', fields: { mv_type: 'PosNegSeparateDigitalSum', w_read_asymmetry_dtod: 0.1 }, exact: false },
];

// [outSize, inSize, batch]: powers of two, where the IR-drop weights 1 − (1 − j/n)² stay short
// dyadic numbers, with 37 vectors (several blocks of 16 per thread); odd sizes (the SIMD
// loops' scalar tails), bit-identical without IR drop
const SIZES: [number, number, number][] = [
  [16, 32, 37],
  [13, 21, 19],
];

describe('the fused array stage is the ndarray pass: bit-identical where the GEMMs are exact', () => {
  for (const { name, fields, exact, exactBase } of SETTINGS) {
    if (!exact) continue;
    it.each(SIZES.filter(([, inSize]) => !('ir_drop' in fields) || inSize === 32))(`${name}, %i × %i, batch %i`, async (OUT, IN, BATCH) => {
      // no DAC quantisation, no input noise: the inputs reach the GEMM as given (dyadic, each
      // row's |max| = 1 so noise management scales by 1, bound management by powers of two)
      const base = { inp_res: -1, inp_noise: 0, out_noise: 0.04, out_bound: 2, ...exactBase };
      const rpuConfig = config(fields, base);
      const w = dyadic(1, OUT * IN, 4, 0.5);
      const x = dyadic(2, BATCH * IN, 4);
      const d = dyadic(3, BATCH * OUT, 4);
      for (let b = 0; b < BATCH; b++) {
        x[b * IN + (b % IN)] = b % 2 ? 1 : -1;
        d[b * OUT + (b % OUT)] = 1;
      }
      const plain = await run(await tile(new NdarrayBackend(), OUT, IN, config({}, base), w, 5), x, d, BATCH);
      for (const seed of [5, 6, 2 ** 33 + 1]) {
        const ref = await tile(new NdarrayBackend(), OUT, IN, rpuConfig, w, seed);
        const want = await run(ref, x, d, BATCH);
        if (seed === 5) expect(bits(want[0]!), 'the setting changes the outputs').not.toEqual(bits(plain[0]!));
        expect(
          want[0]!.some((v) => Math.abs(v) >= 0.95 * base.out_bound),
          'some vectors clip (bound management re-runs them)',
        ).toBe(true);
        for (const threads of [1, 2]) {
          const t = await tile(await wasm(threads), OUT, IN, rpuConfig, w, seed);
          const got = await run(t, x, d, BATCH);
          for (const [k, label] of ['forward', 'second forward', 'backward'].entries()) {
            expect(bits(got[k]!), `${label}, seed ${seed}, ${threads} thread(s)`).toEqual(bits(want[k]!));
          }
          expect(t.getForwardPassCounts?.()).toEqual(ref.getForwardPassCounts?.());
        }
      }
    });
  }
});

describe("the fused array stage with aihwkit's default IO: the float32 GEMMs move an output by at most one ADC step, rarely", () => {
  for (const { name, fields } of SETTINGS) {
    it.each(SIZES)(`${name}, %i × %i, batch %i`, async (OUT, IN, BATCH) => {
      const rpuConfig = config(fields);
      const w = uniform(4, OUT * IN, 0.3);
      const x = uniform(5, BATCH * IN);
      const d = uniform(6, BATCH * OUT);
      // out_res 1/510 of [−out_bound, out_bound], times the noise-management scale max|x| <= 1
      const step = (2 * 12) / 510;
      let moved = 0;
      let total = 0;
      for (const seed of [7, 8]) {
        const want = await run(await tile(new NdarrayBackend(), OUT, IN, rpuConfig, w, seed), x, d, BATCH);
        const got1 = await run(await tile(await wasm(1), OUT, IN, rpuConfig, w, seed), x, d, BATCH);
        const got2 = await run(await tile(await wasm(2), OUT, IN, rpuConfig, w, seed), x, d, BATCH);
        for (let k = 0; k < want.length; k++) {
          expect(bits(got2[k]!), `seed ${seed}: 1 and 2 threads, the same bits`).toEqual(bits(got1[k]!));
          for (let i = 0; i < want[k]!.length; i++) {
            const diff = Math.abs(got1[k]![i]! - want[k]![i]!);
            expect(diff, `seed ${seed}, result ${k}, output ${i}`).toBeLessThanOrEqual(step * (1 + 1e-6));
            if (diff > 0) moved++;
            total++;
          }
        }
      }
      expect(moved / total).toBeLessThan(0.05);
    });
  }
});
