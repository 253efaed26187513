import { describe, expect, it } from 'vitest';
import {
  boundTestUpdate,
  clipSymmetric,
  finalizeOutputValue,
  getBackend,
  IdealDevice,
  IOParameters,
  prepareInputValue,
  RandomStream,
  RandomStreamId,
  resolveIOParameters,
  seedToKey,
  SingleRPUConfig,
  type ResolvedIO,
} from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { checkFusedForward, forwardIOArgs, FusedForward } from '../src/index.js';
import { bits, kernels, uniform } from './helpers.js';

function resolved(fields: Partial<ConstructorParameters<typeof IOParameters>[0]> = {}): ResolvedIO {
  return resolveIOParameters(new IOParameters(fields as never), 'forward', 'rpuConfig.forward', 'wasm');
}

function setIO(e: Awaited<ReturnType<typeof kernels>>['exports'], io: ResolvedIO): void {
  e.setForwardIO(...forwardIOArgs(io));
}

// Parameter sets: aihwkit's defaults, and every option of the stage switched on.
const CASES: [string, Record<string, unknown>][] = [
  ['defaults', {}],
  [
    'noise, stochastic rounding, asymmetry',
    { inpNoise: 0.05, inpStoRound: true, outStoRound: true, inpAsymmetry: 0.1, outAsymmetry: 0.2, outScale: 1.5, inpBound: 0.8, outBound: 3, noiseManagement: 'None' },
  ],
  ['no DAC/ADC quantisation', { inpRes: -1, outRes: -1, outNoise: 0.2, bmTestNegativeBound: false }],
];

describe('prepareInputs (DAC) is core’s prepareInputValue, bit for bit', () => {
  for (const [name, fields] of CASES) {
    it(name, async () => {
      const { exports: e, heap } = await kernels();
      const io = resolved(fields);
      setIO(e, io);
      const [batch, nIn, seed, call, round] = [5, 37, 2 ** 35 + 3, 9, 2];
      const x = uniform(4, batch * nIn, 1.7);
      x[3] = 0;
      x[4] = -0;
      const active = [4, 0, 2];
      const scales = [1.25, 0.5, 3];
      const mark = heap.mark();
      const px = heap.allocF32(batch * nIn);
      const pa = heap.allocI32(3);
      const ps = heap.allocF32(3);
      const pi = heap.allocF32(3 * nIn);
      const scratch = heap.allocF64(2 * nIn);
      heap.f32(px, x.length).set(x);
      heap.i32(pa, 3).set(active);
      heap.f32(ps, 3).set(scales);
      const [k0, k1] = seedToKey(seed);
      e.prepareInputs(px, nIn, pa, ps, 0, 3, pi, scratch, k0, k1, call, round);
      const got = heap.f32(pi, 3 * nIn);
      const ref = new Float32Array(3 * nIn);
      const noise = new RandomStream(seed, RandomStreamId.ForwardInputNoise, call, round);
      const rounding = new RandomStream(seed, RandomStreamId.ForwardInputRounding, call, round);
      active.forEach((r, a) => {
        for (let j = 0; j < nIn; j++) {
          const el = r * nIn + j;
          const shift = io.inpStoRound && io.inpStep !== 0 ? rounding.uniform(el) - 0.5 : 0;
          const n = io.inpNoise > 0 ? io.inpNoise * noise.normal(el) : 0;
          ref[a * nIn + j] = prepareInputValue(x[el]!, Math.fround(scales[a]!), io.inpStep, shift, io.inpBound, n, io.inpNegativeScale);
        }
      });
      expect(bits(got)).toEqual(bits(ref));
      heap.release(mark);
    });
  }
});

describe('finalizeOutputs (ADC, bound test, clip, rescale) is core’s, bit for bit', () => {
  for (const [name, fields] of CASES) {
    it(name, async () => {
      const { exports: e, heap } = await kernels();
      const io = resolved(fields);
      setIO(e, io);
      const [batch, nOut, seed, call, round] = [6, 29, 11, 3, 1];
      // the MVM results: spread over ±1.5 out_bound, so that some vectors clip
      const acc = uniform(8, batch * nOut, 1.5 * (Number.isFinite(io.outBound) ? io.outBound : 12));
      for (let a = 0; a < 3; a++) for (let i = 0; i < nOut; i++) acc[a * nOut + i] = acc[a * nOut + i]! / 4; // these pass
      acc[1] = -0;
      const active = [5, 1, 3, 0, 2];
      const scales = [0.5, 1, 2, 0.25, 3];
      for (const final of [0, 1]) {
        const mark = heap.mark();
        const pacc = heap.allocF32(batch * nOut);
        const pa = heap.allocI32(5);
        const ps = heap.allocF32(5);
        const py = heap.allocF32(batch * nOut);
        const pp = heap.allocI32(5);
        const scratch = heap.allocF64(2 * nOut);
        heap.f32(pacc, acc.length).set(acc);
        heap.i32(pa, 5).set(active);
        heap.f32(ps, 5).set(scales);
        heap.f32(py, batch * nOut).fill(7);
        const [k0, k1] = seedToKey(seed);
        const failed = e.finalizeOutputs(pacc, nOut, pa, ps, 0, 5, py, pp, final, scratch, k0, k1, call, round);
        const y = new Float32Array(batch * nOut).fill(7);
        const passed: number[] = [];
        const noise = new RandomStream(seed, RandomStreamId.ForwardOutputNoise, call, 2 * round);
        const rounding = new RandomStream(seed, RandomStreamId.ForwardOutputRounding, call, 2 * round);
        active.forEach((r, a) => {
          let ok = 1;
          const row = new Float32Array(nOut);
          for (let i = 0; i < nOut; i++) {
            const el = r * nOut + i;
            const n = io.outNoise > 0 ? io.outNoise * noise.normal(el) : 0;
            const shift = io.outStoRound && io.outStep !== 0 ? rounding.uniform(el) - 0.5 : 0;
            const v = finalizeOutputValue(acc[a * nOut + i]!, 0, 1, 0, io.outNegativeScale, n, io.outStep, shift);
            ok = boundTestUpdate(ok, v, io.outBound, io.bmTestNegativeBound ? 1 : 0);
            row[i] = clipSymmetric(v, io.outBound);
          }
          passed.push(ok);
          if (ok === 1 || final === 1) {
            const factor = Math.fround(io.outScale / Math.fround(scales[a]!));
            for (let i = 0; i < nOut; i++) y[r * nOut + i] = row[i]! * factor;
          }
        });
        expect(Array.from(heap.i32(pp, 5))).toEqual(passed);
        expect(failed).toBe(passed.filter((p) => p === 0).length);
        expect(bits(heap.f32(py, batch * nOut))).toEqual(bits(y));
        if (name === 'defaults') expect(passed).toContain(0); // the test exercises clipping
        heap.release(mark);
      }
    });
  }
});

describe('the fused forward pass', () => {
  it('is prepareInputs → gemmNT → finalizeOutputs, bit for bit, across its row blocks', async () => {
    const { exports: e, heap } = await kernels();
    const io = resolved({ inpNoise: 0.02 });
    setIO(e, io);
    const [batch, nOut, nIn, seed, call] = [37, 23, 45, 5, 2];
    const mark = heap.mark();
    const px = heap.allocF32(batch * nIn);
    const pw = heap.allocF32(nOut * nIn);
    const pa = heap.allocI32(batch);
    const ps = heap.allocF32(batch);
    const pi = heap.allocF32(batch * nIn);
    const pacc = heap.allocF32(batch * nOut);
    const py1 = heap.allocF32(batch * nOut);
    const py2 = heap.allocF32(batch * nOut);
    const pp = heap.allocI32(batch);
    const scratch = heap.allocF64(2 * nIn);
    heap.f32(px, batch * nIn).set(uniform(1, batch * nIn));
    heap.f32(pw, nOut * nIn).set(uniform(2, nOut * nIn, 0.3));
    heap.i32(pa, batch).set(Array.from({ length: batch }, (_, a) => batch - 1 - a));
    heap.f32(ps, batch).set(Array.from({ length: batch }, (_, a) => 1 + a / 8));
    const [k0, k1] = seedToKey(seed);
    e.forwardPass(px, pw, nOut, nIn, pa, ps, 0, batch, pi, pacc, py1, pp, 1, scratch, k0, k1, call, 0);
    e.prepareInputs(px, nIn, pa, ps, 0, batch, pi, scratch, k0, k1, call, 0);
    e.gemmNT(batch, nOut, nIn, pi, nIn, pw, nIn, pacc, nOut);
    e.finalizeOutputs(pacc, nOut, pa, ps, 0, batch, py2, pp, 1, scratch, k0, k1, call, 0);
    expect(bits(heap.f32(py1, batch * nOut))).toEqual(bits(heap.f32(py2, batch * nOut)));
    heap.release(mark);
  });

  // Inputs and weights on a dyadic grid with the DAC's quantisation off: every product and
  // partial sum is exact in float32, so the GEMM's summation order cannot show and the whole
  // managed pass (noise management, output noise, ADC, bound-management re-runs) must
  // equal the ndarray engine's bit for bit.
  it('equals the ndarray engine’s forward bit for bit where the GEMM is exact (bound management re-runs included)', async () => {
    const k = await kernels();
    const [out, inp, batch, seed] = [40, 96, 24, 1234];
    const forward = new IOParameters({ inpRes: -1 });
    const rpuConfig = new SingleRPUConfig({ device: new IdealDevice(), forward });
    const grid = (s: number, n: number, q: number) => uniform(s, n).map((v) => Math.round(v * q) / q);
    const w = grid(3, out * inp, 64).map((v) => v * 0.5);
    const x = grid(4, batch * inp, 32);
    for (let r = 0; r < batch; r++) x[r * inp + (r % inp)] = r % 2 ? 1 : -1; // abs max 1: scale 1
    // rows 0–3 aligned with weight rows 0–3: outputs far beyond out_bound, re-run until they fit
    for (let r = 0; r < 4; r++) for (let j = 0; j < inp; j++) x[r * inp + j] = Math.sign(w[r * inp + j]!) || 1;
    const tile = await (await getBackend('ndarray')).createTile({ outSize: out, inSize: inp, rpuConfig, seed });
    await tile.setWeights(w);
    const call = (await tile.getState()).rngCall;
    const yRef = await tile.forward(x, batch);
    const io = resolveIOParameters(forward, 'forward', 'rpuConfig.forward', 'wasm');
    const mark = k.heap.mark();
    const pass = new FusedForward(k, io, out, inp, batch);
    pass.weights().set(w);
    const y = pass.run(x, batch, seed, call, { averageAbsMax: -1 });
    expect(Math.max(...pass.passCounts().slice(0, 4))).toBeGreaterThan(1);
    expect(bits(y)).toEqual(bits(yRef));
    tile.dispose();
    k.heap.release(mark);
  });

  it('with aihwkit’s default IOParameters agrees with ndarray up to the float32 GEMM (one ADC step on rare outputs)', async () => {
    const k = await kernels();
    const [out, inp, batch, seed] = [64, 128, 32, 99];
    const forward = new IOParameters();
    const tile = await (
      await getBackend('ndarray')
    ).createTile({ outSize: out, inSize: inp, rpuConfig: new SingleRPUConfig({ device: new IdealDevice(), forward }), seed });
    const w = uniform(5, out * inp, 1 / Math.sqrt(inp));
    const x = uniform(6, batch * inp);
    await tile.setWeights(w);
    const call = (await tile.getState()).rngCall;
    const yRef = await tile.forward(x, batch);
    const io = resolveIOParameters(forward, 'forward', 'rpuConfig.forward', 'wasm');
    const mark = k.heap.mark();
    const pass = new FusedForward(k, io, out, inp, batch);
    pass.weights().set(w);
    const y = pass.run(x, batch, seed, call, { averageAbsMax: -1 });
    let differ = 0;
    for (let i = 0; i < y.length; i++) {
      if (y[i] === yRef[i]) continue;
      differ++;
      // the ADC step times the row's rescale factor (abs max of the row <= 1)
      expect(Math.abs(y[i]! - yRef[i]!)).toBeLessThanOrEqual(io.outStep * 1.0001);
    }
    expect(differ).toBeLessThan(y.length / 100);
    tile.dispose();
    k.heap.release(mark);
  });

  it('refuses, naming the field, what the fused kernel does not compute yet', () => {
    expect(() => checkFusedForward(resolved({ wNoise: 0.1, wNoiseType: 'AdditiveConstant' }))).toThrow(/wNoiseType/);
    expect(() => checkFusedForward(resolved({ irDrop: 0.1 }))).toThrow(/irDrop/);
    expect(() => checkFusedForward(resolved({ outNonlinearity: 0.1 }))).toThrow(/outNonlinearity/);
    expect(() => checkFusedForward(resolved({ vOffsetStd: 0.1 }))).toThrow(/vOffsetStd/);
    expect(() => checkFusedForward(resolved({ mvType: 'PosNegSeparate' }))).toThrow(/mvType/);
    expect(() => checkFusedForward(resolved({ wReadAsymmetryDtod: 0.1 }))).toThrow(/wReadAsymmetryDtod/);
    expect(() => checkFusedForward(resolveIOParameters(new IOParameters(), 'backward', 'rpuConfig.backward', 'wasm'))).toThrow(/backward/);
    expect(() => checkFusedForward(resolved())).not.toThrow();
  });
});

describe('rowAbsMax', () => {
  it('is noise management AbsMax’s max |x| per row (before nm_thres), edges and −0 included', async () => {
    const { exports: e, heap } = await kernels();
    for (const n of [1, 3, 4, 7, 130]) {
      const rows = 5;
      const x = uniform(n, rows * n, 2);
      x[0] = -0;
      if (n > 2) x[n + 2] = -3; // the largest in its row, negative, off the vector lanes when n = 3
      const mark = heap.mark();
      const px = heap.allocF32(rows * n);
      const po = heap.allocF32(rows);
      heap.f32(px, rows * n).set(x);
      e.rowAbsMax(px, rows, n, po);
      const ref = Array.from({ length: rows }, (_, r) => Math.max(0, ...Array.from(x.subarray(r * n, (r + 1) * n), Math.abs)));
      expect(Array.from(heap.f32(po, rows))).toEqual(ref);
      heap.release(mark);
    }
  });
});
