// Engine-specific checks of the IO-managed MVM (mvm.ts) beyond the shared
// conformance suite: the documented random-stream layout, the AverageAbsMax
// running value shared by forward and backward, per-vector bound management,
// the read asymmetry of the backward pass, call counting, state and refusals.
import { describe, expect, it } from 'vitest';
import {
  IOParameters,
  IdealDevice,
  InferenceRPUConfig,
  NotSupportedError,
  RandomStream,
  RandomStreamId,
  SingleRPUConfig,
  averageAbsMaxUpdate,
  quantize,
  type IOParameters as IOParametersType,
} from '@crossbar/core';
import { NdarrayBackend, type NdarrayTile } from '../src/index.js';

const backend = new NdarrayBackend();
const f32 = Math.fround;

/** Deterministic pseudo-random float32 values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** An IO with every noise, bound and quantisation off (the plain MVM), plus `extra`. */
function plainIO(extra: ConstructorParameters<typeof IOParameters>[0] = {}): IOParametersType {
  return new IOParameters({
    outNoise: 0,
    inpRes: -1,
    outRes: -1,
    outBound: 0,
    noiseManagement: 'None',
    boundManagement: 'None',
    ...extra,
  });
}

function tile(outSize: number, inSize: number, io: { forward?: IOParametersType; backward?: IOParametersType }, seed = 3): NdarrayTile {
  const rpuConfig = new SingleRPUConfig({ device: new IdealDevice(), ...io });
  return backend.createTile({ outSize, inSize, rpuConfig, seed });
}

/** y[b, i] = Σ_j w[i, j] x[b, j] in doubles. */
function matmul(w: Float32Array, x: Float32Array, batch: number, outSize: number, inSize: number): Float64Array {
  const y = new Float64Array(batch * outSize);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < outSize; i++) {
      let s = 0;
      for (let j = 0; j < inSize; j++) s += w[i * inSize + j]! * x[b * inSize + j]!;
      y[b * outSize + i] = s;
    }
  return y;
}

describe('ndarray MVM: random numbers', () => {
  it('adds output noise from the documented stream: ForwardOutputNoise, call 1, sub 0, element row · outSize + output', () => {
    const [outSize, inSize, batch] = [7, 5, 3];
    const t = tile(outSize, inSize, { forward: plainIO({ outNoise: 0.1 }) }, 42);
    const w = values(outSize * inSize, 1, 0.5);
    const x = values(batch * inSize, 2);
    t.setWeights(w);
    const y = t.forward(x, batch);
    const ideal = matmul(w, x, batch, outSize, inSize);
    const g = new RandomStream(42, RandomStreamId.ForwardOutputNoise, 1, 0).fillNormal(new Float64Array(batch * outSize));
    for (let k = 0; k < y.length; k++) expect(y[k]).toBeCloseTo(f32(ideal[k]!) + 0.1 * g[k]!, 6);
  });

  it('adds input noise from ForwardInputNoise (sub 0, element row · inSize + input) before the MVM', () => {
    const [outSize, inSize, batch] = [4, 6, 2];
    const t = tile(outSize, inSize, { forward: plainIO({ inpNoise: 0.05 }) }, 9);
    const w = values(outSize * inSize, 3, 0.5);
    const x = values(batch * inSize, 4);
    t.setWeights(w);
    const y = t.forward(x, batch);
    const g = new RandomStream(9, RandomStreamId.ForwardInputNoise, 1, 0).fillNormal(new Float64Array(batch * inSize));
    const noisy = x.map((v, k) => v + 0.05 * g[k]!);
    const expected = matmul(w, noisy, batch, outSize, inSize);
    for (let k = 0; k < y.length; k++) expect(y[k]).toBeCloseTo(expected[k]!, 5);
  });

  it('gives the same numbers for the same seed and calls, other numbers for another seed', () => {
    const make = (seed: number) => {
      const t = tile(6, 5, { forward: new IOParameters({ inpNoise: 0.02, wNoise: 0.02, wNoiseType: 'PCMRead' }), backward: new IOParameters() }, seed);
      t.setWeights(values(30, 5, 0.4));
      return t;
    };
    const x = values(4 * 5, 6);
    const d = values(4 * 6, 7);
    const run = (t: NdarrayTile) => [t.forward(x, 4), t.backward(d, 4), t.forward(x, 4)];
    const [a, b, c] = [run(make(11)), run(make(11)), run(make(12))];
    for (let k = 0; k < 3; k++) expect(Array.from(a[k]!)).toEqual(Array.from(b[k]!));
    expect(Array.from(a[0]!)).not.toEqual(Array.from(a[2]!)); // the next call draws new numbers
    expect(Array.from(a[0]!)).not.toEqual(Array.from(c[0]!));
  });

  it('takes a call index only when the pass draws random numbers', () => {
    const quiet = tile(3, 4, { forward: new IOParameters({ outNoise: 0 }), backward: new IOParameters({ outNoise: 0 }) });
    quiet.forward(values(8, 1), 2);
    quiet.backward(values(6, 2), 2);
    expect(quiet.getState().rngCall).toBe(1);
    const noisy = tile(3, 4, { forward: new IOParameters(), backward: new IOParameters() });
    noisy.forward(values(8, 1), 2);
    noisy.backward(values(6, 2), 2);
    expect(noisy.getState().rngCall).toBe(3);
  });
});

describe('ndarray MVM: noise and bound management', () => {
  it('keeps one AverageAbsMax running value for forward and backward, per vector, in the tile state', () => {
    const [outSize, inSize] = [3, 4];
    // inp_res 0.25 over [-1, 1]: step 0.5, so the result shows which scale was used
    const io = plainIO({ noiseManagement: 'AverageAbsMax', inpRes: 0.25, nmDecay: 0.25 });
    const w = values(outSize * inSize, 8, 0.5);
    const x = new Float32Array([0.5, -2, 1, 0.25, 4, 1, -1, 0]); // abs max 2, then 4
    const d = new Float32Array([0.3, -1, 0.7]); // abs max 1
    const a = tile(outSize, inSize, { forward: io, backward: io });
    a.setWeights(w);
    a.forward(x, 2);
    let running = averageAbsMaxUpdate(-1, 2, f32(0.25));
    running = averageAbsMaxUpdate(running, 4, f32(0.25));
    expect(a.getState().scalars['mvm.averageAbsMax']).toBe(running);
    const z = a.backward(d, 1);
    running = averageAbsMaxUpdate(running, 1, f32(0.25)); // 0.75 · 2.5 + 0.25 · 1 = 2.125
    expect(running).toBe(2.125);
    const scale = f32(1 / running);
    const q = d.map((v) => quantize(f32(v * scale), 0.5, 0));
    for (let j = 0; j < inSize; j++) {
      let s = 0;
      for (let i = 0; i < outSize; i++) s += w[i * inSize + j]! * q[i]!;
      expect(z[j]).toBeCloseTo(f32(s) * running, 5);
    }
    // a fresh tile starts from the first vector's abs max, so its backward differs
    const b = tile(outSize, inSize, { forward: io, backward: io });
    b.setWeights(w);
    expect(Array.from(b.backward(d, 1))).not.toEqual(Array.from(z));
    // the running value travels with the state
    const c = tile(outSize, inSize, { forward: io, backward: io });
    c.setState(a.getState());
    expect(Array.from(c.backward(d, 1))).toEqual(Array.from(a.backward(d, 1)));
  });

  it('runs bound management per input vector: a row that clips does not change the others', () => {
    const [outSize, inSize, batch] = [6, 8, 5];
    const io = new IOParameters({ outNoise: 0, outBound: 1.5, boundManagement: 'Iterative' });
    const t = tile(outSize, inSize, { forward: io });
    const w = values(outSize * inSize, 12, 0.5);
    w.fill(0.4, 0, inSize); // output 0 of an all-ones input is 3.2
    t.setWeights(w);
    const x = values(batch * inSize, 13, 0.2);
    for (let j = 0; j < inSize; j++) x[2 * inSize + j] = 1; // row 2 drives the outputs past the bound
    const y = t.forward(x, batch);
    for (let b = 0; b < batch; b++) {
      const alone = t.forward(x.slice(b * inSize, (b + 1) * inSize), 1);
      expect(Array.from(y.slice(b * outSize, (b + 1) * outSize))).toEqual(Array.from(alone));
    }
    // the clipping row was reduced: its output is beyond what one pass could give
    const ideal = matmul(w, x, batch, outSize, inSize);
    const row2 = Array.from(ideal.slice(2 * outSize, 3 * outSize));
    expect(Math.max(...row2.map(Math.abs))).toBeGreaterThan(1.5);
    for (let i = 0; i < outSize; i++) expect(y[2 * outSize + i]).toBeCloseTo(row2[i]!, 1);
  });

  it("keeps aihwkit's bound test order: without bm_test_negative_bound a later negative clip clears a positive one", () => {
    const io = new IOParameters({ outNoise: 0, inpRes: -1, outRes: -1, outBound: 1, bmTestNegativeBound: false });
    const run = (w: number[]) => {
      const t = tile(2, 1, { forward: io });
      t.setWeights(new Float32Array(w));
      return Array.from(t.forward(new Float32Array([1]), 1));
    };
    expect(run([2, -2])).toEqual([1, -1]); // +2 fails, then -2 resets the test: one pass, clipped
    expect(run([-2, 2])).toEqual([-2, 2]); // -2 passes, +2 fails: a second pass with half the input
  });

  it('reads negative backward inputs through the backward read-asymmetry draws (PosNegSeparate)', () => {
    const [outSize, inSize] = [4, 3];
    const io = plainIO({ mvType: 'PosNegSeparate', wReadAsymmetryDtod: 0.2 });
    const t = tile(outSize, inSize, { backward: io }, 5);
    const w = values(outSize * inSize, 21, 0.5);
    t.setWeights(w);
    const asym = Float32Array.from(t.getState().arrays['mvm.backward.wAsymmetry']!);
    expect(asym.length).toBe(outSize * inSize);
    const pos = new Float32Array([0.5, 0.25, 1, 0.75]);
    const zPos = t.backward(pos, 1);
    const zNeg = t.backward(
      pos.map((v) => -v),
      1,
    );
    for (let j = 0; j < inSize; j++) {
      let sp = 0;
      let sn = 0;
      for (let i = 0; i < outSize; i++) {
        sp += w[i * inSize + j]! * pos[i]!;
        sn -= f32(w[i * inSize + j]! * asym[i * inSize + j]!) * pos[i]!;
      }
      expect(zPos[j]).toBeCloseTo(sp, 6);
      expect(zNeg[j]).toBeCloseTo(sn, 6);
    }
  });

  it('uses the perfect backward of InferenceRPUConfig and the forward IO', () => {
    const rpuConfig = new InferenceRPUConfig({ forward: plainIO({ outScale: 2 }) });
    const t = backend.createTile({ outSize: 3, inSize: 2, rpuConfig });
    const w = values(6, 30, 0.5);
    t.setWeights(w);
    const x = values(2, 31);
    const y = t.forward(x, 1);
    const z = t.backward(new Float32Array([1, 0, 0]), 1);
    const ideal = matmul(w, x, 1, 3, 2);
    for (let i = 0; i < 3; i++) expect(y[i]).toBeCloseTo(2 * ideal[i]!, 6);
    expect(Array.from(z)).toEqual([w[0], w[1]]);
  });
});

describe('ndarray MVM: refusals', () => {
  it('refuses bound management Shift, forward or backward, naming the field', () => {
    expect(() => tile(2, 2, { forward: new IOParameters({ boundManagement: 'Shift' }) })).toThrow(NotSupportedError);
    expect(() => tile(2, 2, { forward: new IOParameters({ boundManagement: 'Shift' }) })).toThrow(/forward\.boundManagement/);
    expect(() => tile(2, 2, { backward: new IOParameters({ boundManagement: 'Shift' }) })).toThrow(/backward\.boundManagement/);
  });

  it('refuses mv_type SplitMode and BitWise unless the pass is perfect', () => {
    expect(() => tile(2, 2, { forward: new IOParameters({ mvType: 'SplitMode' }) })).toThrow(NotSupportedError);
    expect(() => tile(2, 2, { backward: new IOParameters({ mvType: 'BitWise' }) })).toThrow(/mvType/);
    const t = tile(2, 2, { forward: new IOParameters({ mvType: 'BitWise', isPerfect: true }) });
    t.setWeights(new Float32Array([1, 2, 3, 4]));
    expect(Array.from(t.forward(new Float32Array([1, 1]), 1))).toEqual([3, 7]);
  });

  it('refuses a saved running value or draws of the wrong shape without changing the MVM state', () => {
    const io = new IOParameters({ outNoise: 0, noiseManagement: 'AverageAbsMax', vOffsetStd: 0.1 });
    const t = tile(3, 2, { forward: io });
    const state = t.getState();
    const bad = { ...state, arrays: { ...state.arrays, 'mvm.forward.vOffset': [1, 2] } };
    expect(() => t.setState(bad)).toThrow(/mvm\.forward\.vOffset/);
    expect(t.getState().arrays['mvm.forward.vOffset']).toEqual(state.arrays['mvm.forward.vOffset']);
  });
});
