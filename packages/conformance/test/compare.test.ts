import { describe, expect, it } from 'vitest';
import type { AnalogTile, AnalogTileBackend } from '@crossbar/core';
import {
  checkOracleCase,
  compareOracleResult,
  nest,
  oracleEntries,
  resolveTolerance,
  toDense,
  type OracleCase,
  type OracleEntry,
  type OracleResult,
} from '../src/portable.js';
import { summarize } from '../src/stats.js';
import { loadOracle } from '../src/node.js';

const cpu = resolveTolerance('cpu');

/** aihwkit's result for `key` summarised over reps [from, to) — what its expected file would say for those reps. */
function aihwkitHalf(expected: OracleResult, key: string, from: number, to: number): OracleResult {
  const raw = toDense(expected[key], key);
  const elem = raw.shape.slice(1);
  const size = elem.reduce((a, b) => a * b, 1);
  const n = to - from;
  const part = raw.data.subarray(from * size, to * size);
  const mean = new Float64Array(size);
  const std = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const s = summarize(part, n, i, size);
    mean[i] = s.mean;
    std[i] = s.std;
  }
  return {
    ...expected,
    reps: n,
    [key]: nest(part, [n, ...elem]),
    [`${key}_mean`]: nest(mean, elem),
    [`${key}_std`]: nest(std, elem),
    [`${key}_shape`]: [n, ...elem],
  };
}

function transformReps(result: OracleResult, key: string, f: (v: number, rep: number, i: number, mean: number) => number): OracleResult {
  const raw = toDense(result[key], key);
  const elem = raw.shape.slice(1);
  const size = elem.reduce((a, b) => a * b, 1);
  const reps = raw.shape[0]!;
  const out = new Float64Array(raw.data.length);
  for (let i = 0; i < size; i++) {
    const m = summarize(raw.data, reps, i, size).mean;
    for (let r = 0; r < reps; r++) out[r * size + i] = f(raw.data[r * size + i]!, r, i, m);
  }
  return { ...result, [key]: nest(out, raw.shape) };
}

const { oracle } = loadOracle();
const entries = oracle ? oracleEntries(oracle) : [];
const get = (id: string): OracleEntry => entries.find((e) => e.id === id)!;

describe.skipIf(!oracle)("statistical comparison, held to aihwkit's own repetitions", () => {
  // aihwkit's raw reps split in two: one half plays the engine, the other half aihwkit's file.
  const cases: [string, string][] = [
    ['forward_sto/sto_out_noise0.1_plain', 'outputs'],
    ['forward_sto/sto_defaults_io', 'outputs'],
    ['forward_sto/sto_out_sto_round_step0.5', 'outputs'],
    ['update_sto/sc_4x3_b1_defaults_um', 'weights'],
    ['edge/edge_update_res_gt1_not_inverted', 'weights'],
  ];

  it.each(cases)("%s: one half of aihwkit's reps conforms to the other half", (id, key) => {
    const e = get(id);
    const n = e.expected.reps!;
    const half = Math.floor(n / 2);
    const theirs = aihwkitHalf(e.expected, key, 0, half);
    const ours = aihwkitHalf(e.expected, key, half, n);
    const cmp = compareOracleResult(e.case, theirs, ours, cpu);
    expect(cmp.failures).toEqual([]);
  });

  it("every stochastic case with raw reps: one half of aihwkit's reps conforms to the other", () => {
    let compared = 0;
    for (const e of entries) {
      const keys = Object.keys(e.expected).filter((k) => e.expected[`${k}_mean`] !== undefined && Array.isArray(e.expected[k]) && !(k in { nu_drift: 1 }));
      const n = e.expected.reps ?? 1;
      if (keys.length === 0 || n < 20) continue;
      const half = Math.floor(n / 2);
      let theirs: OracleResult = e.expected;
      let ours: OracleResult = e.expected;
      for (const k of keys) {
        theirs = aihwkitHalf(theirs, k, 0, half);
        ours = aihwkitHalf(ours, k, half, 2 * half);
      }
      // Keys without raw reps in aihwkit's file cannot be split: drop them from both sides.
      for (const k of Object.keys(e.expected)) {
        if (k.endsWith('_mean') && !keys.includes(k.slice(0, -5))) {
          for (const r of [theirs, ours]) {
            delete r[k];
            delete r[`${k.slice(0, -5)}_std`];
          }
        }
      }
      const cmp = compareOracleResult(e.case, theirs, ours, cpu);
      expect(cmp.failures, e.id).toEqual([]);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('detects a mean shifted by 0.5 standard deviations', () => {
    const e = get('forward_sto/sto_out_noise0.1_plain');
    const theirs = aihwkitHalf(e.expected, 'outputs', 0, 1000);
    const ours = transformReps(aihwkitHalf(e.expected, 'outputs', 1000, 2000), 'outputs', (v) => v + 0.05);
    const cmp = compareOracleResult(e.case, theirs, ours, cpu);
    expect(cmp.ok).toBe(false);
    expect(cmp.failures[0]).toMatch(/outputs: 18 of 18 elements differ statistically/);
  });

  it('detects a std 25% too large with the right mean', () => {
    const e = get('forward_sto/sto_out_noise0.1_plain');
    const theirs = aihwkitHalf(e.expected, 'outputs', 0, 1000);
    const ours = transformReps(aihwkitHalf(e.expected, 'outputs', 1000, 2000), 'outputs', (v, _r, _i, m) => m + 1.25 * (v - m));
    const cmp = compareOracleResult(e.case, theirs, ours, cpu);
    expect(cmp.ok).toBe(false);
    expect(cmp.failures[0]).toMatch(/std .* vs aihwkit/);
  });

  it('passes a stochastic engine against the full expected file (500 of 2000 reps)', () => {
    const e = get('forward_sto/sto_inp_noise0.05_plain');
    const ours = aihwkitHalf(e.expected, 'outputs', 1500, 2000);
    const cmp = compareOracleResult(e.case, e.expected, ours, cpu);
    // The same reps are part of aihwkit's summary, so this is the easy direction; it checks the plumbing.
    expect(cmp.failures).toEqual([]);
    expect(cmp.notes.join(' ')).toMatch(/statistics: 36 tests over outputs with 500 reps vs aihwkit's 2000/);
  });

  it('compares the PCM drift exponents too, and misses them when the engine gives none', () => {
    const e = get('drift/pcm_default_global_comp');
    const keys = ['programmed_weights', 'nu_drift', 'drifted_weights', 'alpha', 'outputs'];
    let theirs: OracleResult = e.expected;
    let ours: OracleResult = { ...e.expected };
    for (const k of keys) {
      theirs = aihwkitHalf(theirs, k, 0, 50);
      ours = aihwkitHalf(ours, k, 50, 100);
    }
    expect(compareOracleResult(e.case, theirs, ours, cpu).failures).toEqual([]);
    const withoutNu: OracleResult = { ...ours };
    delete withoutNu.nu_drift;
    const cmp = compareOracleResult(e.case, theirs, withoutNu, cpu);
    expect(cmp.failures.join(' ')).toMatch(/nu_drift: missing from the engine's result/);
  });
});

describe('constant elements and refusals', () => {
  const forwardCase: OracleCase = { name: 'synthetic', kind: 'forward', config: { io: { out_res: -1 } }, weights: [[1]], inputs: [[1]] };
  const stochastic = (values: number[]): OracleResult => {
    const s = summarize(values, values.length);
    return {
      name: 'synthetic',
      kind: 'forward',
      ok: true,
      reps: values.length,
      outputs: values.map((v) => [[v]]),
      outputs_mean: [[s.mean]],
      outputs_std: [[s.std]],
    };
  };

  it('an element constant on both sides must have the same value', () => {
    const theirs = stochastic(Array(100).fill(0.5));
    expect(compareOracleResult(forwardCase, theirs, stochastic(Array(50).fill(0.5)), cpu).ok).toBe(true);
    expect(compareOracleResult(forwardCase, theirs, stochastic(Array(50).fill(0.6)), cpu).ok).toBe(false);
  });

  it("an element constant in aihwkit's reps but varying in ours is judged by Fisher's exact test", () => {
    const theirs = stochastic(Array(1000).fill(0.5));
    const rare = Array(500).fill(0.5);
    rare[3] = 0.6;
    expect(compareOracleResult(forwardCase, theirs, stochastic(rare), cpu).ok).toBe(true);
    const often = Array(500)
      .fill(0.5)
      .map((v, i) => (i % 10 === 0 ? 0.6 : v));
    const cmp = compareOracleResult(forwardCase, theirs, stochastic(often), cpu);
    expect(cmp.ok).toBe(false);
    expect(cmp.failures[0]).toMatch(/aihwkit's 1000 samples are all 0.5, 50 of ours/);
  });

  it('NaN outputs must be NaN', () => {
    const theirs: OracleResult = { name: 'x', kind: 'forward', ok: true, reps: 1, outputs: [[['nan', 1]]] };
    const good: OracleResult = { name: 'x', kind: 'forward', ok: true, reps: 1, outputs: [[['nan', 1]]] };
    const bad: OracleResult = { name: 'x', kind: 'forward', ok: true, reps: 1, outputs: [[[0, 1]]] };
    expect(compareOracleResult(forwardCase, theirs, good, cpu).ok).toBe(true);
    expect(compareOracleResult(forwardCase, theirs, bad, cpu).failures[0]).toMatch(/\[0\]\[0\]\[0\] ours 0 aihwkit NaN/);
  });

  it('a refusal must be a CrossbarError with a message', () => {
    const theirs: OracleResult = { name: 'x', kind: 'forward', ok: false, error: 'RuntimeError: no' };
    const clear: OracleResult = { name: 'x', kind: 'forward', ok: false, error: 'ConfigError: inp_bound must be 1', error_type: 'ConfigError' };
    const crash: OracleResult = { name: 'x', kind: 'forward', ok: false, error: "TypeError: cannot read 'x'", error_type: 'TypeError' };
    const ran: OracleResult = { name: 'x', kind: 'forward', ok: true, outputs: [[[1]]] };
    expect(compareOracleResult(forwardCase, theirs, clear, cpu).ok).toBe(true);
    expect(compareOracleResult(forwardCase, theirs, crash, cpu).failures[0]).toMatch(/not with a clear CrossbarError/);
    expect(compareOracleResult(forwardCase, theirs, ran, cpu).failures[0]).toMatch(/aihwkit refused this case/);
  });

  it('a shape mismatch fails', () => {
    const theirs: OracleResult = { name: 'x', kind: 'forward', ok: true, reps: 1, outputs: [[[1, 2]]] };
    const ours: OracleResult = { name: 'x', kind: 'forward', ok: true, reps: 1, outputs: [[[1, 2, 3]]] };
    expect(compareOracleResult(forwardCase, theirs, ours, cpu).failures[0]).toMatch(/shape \[1, 1, 3\], aihwkit's is \[1, 1, 2\]/);
  });
});

describe('quantisation flips', () => {
  // One output quantised with step 0.25 (out_res 1/16 · 2 · out_bound 2): aihwkit says 0.5, the engine 0.75.
  const flipCase: OracleCase = {
    name: 'flip',
    kind: 'forward',
    config: { io: { out_res: 0.0625, out_bound: 2, out_noise: 0, inp_res: -1, noise_management: 'None', bound_management: 'None' } },
    weights: [[1, 1]],
    inputs: [[0.3, 0.3]],
  };
  const expected: OracleResult = { name: 'flip', kind: 'forward', ok: true, seed: 1, reps: 1, weights_used: [[1, 1]], outputs: [[[0.5]]] };

  /** An engine that answers 0.75 quantised, and `raw` without output quantisation. */
  function replay(raw: number): AnalogTileBackend {
    return {
      name: 'replay',
      createTile({ rpuConfig }) {
        const quantised = (rpuConfig as unknown as { forward: { outRes: number } }).forward.outRes > 0;
        let w = new Float32Array(2);
        const tile: Partial<AnalogTile> = {
          setWeights: (v: Float32Array) => void (w = v.slice()),
          getWeights: () => w.slice(),
          forward: () => Float32Array.of(quantised ? 0.75 : raw),
          dispose: () => undefined,
        };
        return tile as AnalogTile;
      },
    };
  }
  const entry: OracleEntry = { id: 'synthetic/flip', file: 'synthetic', case: flipCase, expected };

  it('is accepted and counted when the unquantised output sits on the boundary', async () => {
    const check = await checkOracleCase(replay(Math.fround(0.625)), entry, cpu);
    expect(check.ok).toBe(true);
    expect(check.flips).toHaveLength(1);
    expect(check.notes.join(' ')).toMatch(/1 quantisation flip/);
  });

  it('fails when the unquantised output is not on the boundary', async () => {
    const check = await checkOracleCase(replay(0.7), entry, cpu);
    expect(check.ok).toBe(false);
    expect(check.failures[0]).toMatch(/not quantisation flips on a rounding boundary: \[0\]\[0\]\[0\] ours 0.75 aihwkit 0.5, our unquantised value 0.7/);
  });

  it('is not offered where the output is not quantised', () => {
    const unquantised: OracleCase = { ...flipCase, config: { io: { ...(flipCase.config.io as object), out_res: -1 } } };
    const cmp = compareOracleResult(unquantised, expected, { ...expected, outputs: [[[0.75]]] }, cpu);
    expect(cmp.flipCandidates).toHaveLength(0);
    expect(cmp.failures[0]).toMatch(/differ beyond float32 rounding/);
  });
});
