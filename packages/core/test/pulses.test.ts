/**
 * The shared pieces of the pulsed update (physics/update.ts) that both engines
 * build on: the stochastic pulse trains (bit-sliced rows against the
 * one-decision definition), the coincidence counts, the deterministic
 * factors, the summed-noise rule, the row blocks and the table normals.
 */
import { describe, expect, it } from 'vitest';
import {
  deterministicCoincidences,
  deterministicDFactor,
  deterministicXFactor,
  pulseFires,
  pulseNoiseNormals,
  pulseThreshold,
  PulseTrains,
  RandomStream,
  RandomStreamId,
  roundHalfEven,
  slicedCoincidences,
  bitAt,
  summedPulsesApply,
  summedPulsesWeight,
  TableNormals,
  trainWordsPerColumn,
  UpdateRowPlan,
  updateRowBlocks,
} from '../src/index.js';

const f = Math.fround;

function popcount(v: number): number {
  let n = 0;
  for (let x = v >>> 0; x !== 0; x >>>= 1) n += x & 1;
  return n;
}

describe('stochastic pulse trains', () => {
  it('PulseTrains draws, 32 decisions per random word, exactly the decisions of pulseFires', () => {
    const seed = 2 ** 40 + 12345;
    const u = new RandomStream(7, 0, 0, 0);
    for (const [n, bl] of [
      [13, 1],
      [9, 7],
      [5, 31],
      [4, 32],
      [3, 45],
      [2, 70],
    ] as const) {
      const probs = new Float32Array(n);
      for (let j = 0; j < n; j++) probs[j] = j === 0 ? 0 : j === 1 ? 1 : f(u.uniform(100 * bl + j) ** 2);
      const wpc = trainWordsPerColumn(bl);
      const masks = new Int32Array(n * wpc).fill(-1);
      const trains = new PulseTrains(seed);
      for (const row of [0, 5]) {
        trains.fill(RandomStreamId.UpdateDPulses, 9, row, probs, n, bl, masks);
        for (let j = 0; j < n; j++) {
          for (let k = 0; k < bl; k++) {
            const bit = (masks[j * wpc + (k >> 5)]! >>> (k & 31)) & 1;
            const want = pulseFires(seed, RandomStreamId.UpdateDPulses, 9, row, j * bl + k, pulseThreshold(probs[j]!));
            expect(bit, `n ${n} BL ${bl} row ${row} column ${j} bit ${k}`).toBe(want ? 1 : 0);
          }
          // bits beyond BL stay clear
          for (let k = bl; k < 32 * wpc; k++) expect((masks[j * wpc + (k >> 5)]! >>> (k & 31)) & 1).toBe(0);
        }
      }
    }
  });

  it('each bit fires with its probability', () => {
    const n = 4000;
    const bl = 5;
    const probs = new Float32Array(n).fill(f(0.3));
    const masks = new Int32Array(n);
    new PulseTrains(3).fill(RandomStreamId.UpdateXPulses, 1, 0, probs, n, bl, masks);
    let fired = 0;
    for (let j = 0; j < n; j++) fired += popcount(masks[j]!);
    const trials = n * bl;
    expect(Math.abs(fired / trials - 0.3)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / trials));
  });

  it('slicedCoincidences counts, over 16 rows, the rows fired in both trains by sign agreement, in float arithmetic', () => {
    const u = new RandomStream(5, 0, 0, 0);
    const word = (k: number) => Math.floor(u.uniform(k) * 65536);
    for (let k = 0; k < 2000; k++) {
      const [x, d, xs, ds] = [word(4 * k), word(4 * k + 1), word(4 * k + 2), word(4 * k + 3)];
      const co = x & d;
      const up = popcount(co & (xs ^ ds));
      expect(slicedCoincidences(x, d, xs, ds)).toBe(32 * (popcount(co) - up) + up);
      for (let t = 0; t < 16; t++) expect(bitAt(x, 2 ** t)).toBe((x >>> t) & 1);
    }
    expect(slicedCoincidences(65535, 65535, 0, 0)).toBe(32 * 16);
    expect(slicedCoincidences(65535, 65535, 65535, 0)).toBe(16);
    expect(slicedCoincidences(0b1011, 0b0110, 0b0010, 0)).toBe(1);
  });
});

describe('deterministic pulse types', () => {
  it("MeanCount and DeterministicImplicit give aihwkit's rint((n_d/BL)·n_x) and rint((v_d·BL)·v_x)", () => {
    const u = new RandomStream(11, 0, 0, 0);
    for (let k = 0; k < 3000; k++) {
      const bl = 1 + Math.floor(u.uniform(4 * k) * 31);
      const px = f(u.uniform(4 * k + 1) * 1.2);
      const pd = f(u.uniform(4 * k + 2) * 1.2);
      const sx = u.uniform(4 * k + 3) < 0.5 ? -1 : 1;
      const vx = sx * 0.7;
      const vd = -0.4;
      // MeanCount: n = sign·clamp(rint(BL·p), 0, BL)
      const nx = sx * Math.max(Math.min(roundHalfEven(f(bl * px)), bl), 0);
      const nd = -Math.max(Math.min(roundHalfEven(f(bl * pd)), bl), 0);
      expect(deterministicCoincidences(deterministicDFactor(0, vd, pd, bl), deterministicXFactor(0, vx, px, bl))).toBe(roundHalfEven(f(f(nd / bl) * nx)));
      // DeterministicImplicit: v = sign·clamp(p, 0, 1)
      const ix = sx * Math.min(px, 1);
      const id = -Math.min(pd, 1);
      expect(deterministicCoincidences(deterministicDFactor(1, vd, pd, bl), deterministicXFactor(1, vx, px, bl))).toBe(roundHalfEven(f(f(id * bl) * ix)));
    }
    expect(deterministicXFactor(0, 0, 0.5, 10)).toBe(0);
    expect(deterministicDFactor(1, 0, 0.5, 10)).toBe(0);
  });
});

describe('summed pulse noise', () => {
  it("uses the table's largest |ξ| (written out in the kernel-compilable rule)", () => {
    const max = pulseNoiseNormals()[65535]!;
    // one down pulse of 0.1 with std 1: reach 1 + max; the rule holds exactly when the bound is beyond it
    const reach = f(0.1 * f(1 + f(1 * max)));
    const margin = f(2.4e-7);
    expect(summedPulsesApply(0, 1, 0, 0.1, 0.1, 1, -f(reach + margin) - 1e-6, 1)).toBe(1);
    expect(summedPulsesApply(0, 1, 0, 0.1, 0.1, 1, -f(reach + margin) + 1e-6, 1)).toBe(0);
    // the up side of a down pulse: (std·max − 1)·step
    const back = f(0.1 * f(f(max) - 1));
    expect(summedPulsesApply(0, 1, 0, 0.1, 0.1, 1, -1, f(back + margin) + 1e-6)).toBe(1);
    expect(summedPulsesApply(0, 1, 0, 0.1, 0.1, 1, -1, f(back + margin) - 1e-6)).toBe(0);
  });

  it('the summed weight has the mean and spread of the single steps, clipped', () => {
    expect(summedPulsesWeight(0.5, 3, 1, 0.02, 0.01, 0.3, 0, -1, 1)).toBe(f(f(0.5 - f(0.01 * 3)) + 0.02));
    const spread = f(0.3 * f(Math.sqrt(f(f(f(0.01 * 0.01) * 3) + f(f(0.02 * 0.02) * 1)))));
    expect(summedPulsesWeight(0.5, 3, 1, 0.02, 0.01, 0.3, 2, -1, 1)).toBe(f(f(f(0.5 - f(0.01 * 3)) + 0.02) + f(spread * 2)));
    expect(summedPulsesWeight(0.5, 0, 100, 0.02, 0.01, 0.3, 0, -1, 1)).toBe(1);
  });
});

describe('row blocks and table normals', () => {
  it('cuts a call into blocks of 256 rows, fewer where the trains would exceed 2^23 words', () => {
    const plan = new UpdateRowPlan();
    plan.bl = new Int32Array(600).fill(1);
    expect(updateRowBlocks(plan, 600, 10, 10)).toEqual([0, 256, 256, 512, 512, 600]);
    plan.bl[3] = 31;
    // (4096 + 4096)·32/32 words per row: 1024 rows would fit the budget, so 256 stay
    expect(updateRowBlocks(plan, 300, 4096, 4096)).toEqual([0, 256, 256, 300]);
    // (65536 + 65536)·32/32 = 131072 words per row: 64 rows per block
    expect(updateRowBlocks(plan, 100, 65536, 65536)).toEqual([0, 64, 64, 100]);
  });

  it('TableNormals.fill gives the numbers of xi', () => {
    const t = new TableNormals(99, RandomStreamId.UpdateStepNoiseSum);
    t.begin(4);
    const out = t.fill(6, 3, new Float32Array(21));
    const ref = new TableNormals(99, RandomStreamId.UpdateStepNoiseSum);
    ref.begin(4);
    for (let k = 0; k < 21; k++) expect(out[k]).toBe(ref.xi(6, 3 + k));
  });
});
