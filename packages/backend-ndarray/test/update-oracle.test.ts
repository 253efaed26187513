/**
 * The ndarray engine's pulsed update against aihwkit 0.7.1 (the oracle of @crossbar/conformance):
 * deterministic pulse types match aihwkit's weights to float32 rounding,
 * stochastic ones by the mean and std over repetitions.
 */
import { describe, expect, it } from 'vitest';
import { rpuConfigFromDict, type AnalogTile } from '@crossbar/core';
import { NdarrayBackend } from '../src/index.js';
import { readOracleFile } from './training-helpers.js';

type Dict = Record<string, unknown>;
const f32 = (v: unknown): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Math.fround(v as number));
const flat = (m: unknown): Float32Array => Float32Array.from((m as unknown[]).flat(Infinity as 1) as unknown[], f32);

function load(file: string): { cases: Dict[]; results: Map<string, Dict> } {
  const read = readOracleFile(file) as { cases: Dict[]; results: Dict[] };
  const cases = read.cases;
  const results = new Map(read.results.map((r) => [r.name as string, r]));
  return { cases, results };
}

const backend = new NdarrayBackend();

function makeTile(c: Dict, seed: number, pulse?: string): AnalogTile {
  const cfg = c.config as Dict;
  const update = (cfg.update ?? {}) as Dict;
  const w = c.weights as number[][];
  const rpuConfig = rpuConfigFromDict({
    type: 'SingleRPUConfig',
    device: { type: 'ConstantStepDevice', ...(cfg.device as Dict) },
    update: pulse === undefined ? update : { ...update, pulse_type: pulse },
  });
  const tile = backend.createTile({ outSize: w.length, inSize: w[0]!.length, rpuConfig, seed }) as AnalogTile;
  if (c.hidden_parameters && pulse === undefined) {
    const hp: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(c.hidden_parameters as Dict)) hp[k] = flat(v);
    void tile.setHiddenParameters(hp);
  }
  void tile.setWeights(flat(w));
  return tile;
}

function run(c: Dict, seed: number, pulse?: string): Float32Array {
  const tile = makeTile(c, seed, pulse);
  const cfg = c.config as Dict;
  const x = flat(c.x);
  const d = flat(c.d);
  const batch = (c.x as unknown[]).length;
  for (let n = 0; n < ((cfg.n_updates as number) ?? 1); n++) void tile.update(x, d, batch, cfg.learning_rate as number);
  return tile.getWeights() as Float32Array;
}

describe('update oracle (deterministic)', () => {
  const det = load('update_det');
  const edge = load('edge');
  const all = [
    ...det.cases.map((c) => [c, det.results.get(c.name as string)!] as const),
    ...edge.cases.filter((c) => c.kind === 'update' && !c.reps).map((c) => [c, edge.results.get(c.name as string)!] as const),
  ];
  for (const [c, r] of all) {
    it(c.name as string, () => {
      const ours = run(c, 1);
      const theirs = flat((r.weights as unknown[])[0]);
      const scale = theirs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      let bad = 0;
      const diffs: string[] = [];
      for (let k = 0; k < ours.length; k++) {
        if (Math.abs(ours[k]! - theirs[k]!) > 0 * 2 ** -23 * scale) {
          bad++;
          if (diffs.length < 6) diffs.push(`[${k}] ours ${ours[k]} aihwkit ${theirs[k]}`);
        }
      }
      expect(diffs, `${bad} elements differ`).toEqual([]);
      const fp = run(c, 1, 'None');
      const fpTheirs = flat(r.weights_fp);
      for (let k = 0; k < fp.length; k++) expect(Math.abs(fp[k]! - fpTheirs[k]!)).toBeLessThanOrEqual(0);
    });
  }
});

/** Mean and sample std (ddof 1) per element over repetitions. */
function moments(samples: Float32Array[]): { mean: Float64Array; std: Float64Array } {
  const n = samples.length;
  const size = samples[0]!.length;
  const mean = new Float64Array(size);
  const std = new Float64Array(size);
  for (const s of samples) for (let k = 0; k < size; k++) mean[k]! += s[k]! / n;
  for (const s of samples) for (let k = 0; k < size; k++) std[k]! += (s[k]! - mean[k]!) ** 2 / (n - 1);
  for (let k = 0; k < size; k++) std[k] = Math.sqrt(std[k]!);
  return { mean, std };
}

describe('update oracle (stochastic)', () => {
  const sto = load('update_sto');
  const edge = load('edge');
  const all = [
    ...sto.cases.map((c) => [c, sto.results.get(c.name as string)!] as const),
    ...edge.cases.filter((c) => c.kind === 'update' && c.reps).map((c) => [c, edge.results.get(c.name as string)!] as const),
  ];
  for (const [c, r] of all) {
    it(c.name as string, () => {
      const reps = r.reps as number;
      const samples: Float32Array[] = [];
      for (let rep = 0; rep < reps; rep++) samples.push(run(c, 1000 + rep));
      const ours = moments(samples);
      const mean = flat(r.weights_mean);
      const std = flat(r.weights_std);
      const bad: string[] = [];
      for (let k = 0; k < mean.length; k++) {
        const diff = Math.abs(ours.mean[k]! - mean[k]!);
        const se = Math.sqrt((ours.std[k]! ** 2 + std[k]! ** 2) / reps);
        const z = diff < 1e-7 ? 0 : se > 0 ? diff / se : Infinity;
        // the ratio of sample stds: with reps >= 200, outside [0.75, 1.33] is far beyond chance
        const ratio = std[k]! > 1e-7 ? ours.std[k]! / std[k]! : ours.std[k]! < 1e-7 ? 1 : Infinity;
        if (z > 5 || ratio < 0.75 || ratio > 1.33)
          bad.push(
            `[${k}] mean ${ours.mean[k]!.toFixed(6)} vs ${mean[k]!.toFixed(6)} (z ${z.toFixed(1)}), std ${ours.std[k]!.toExponential(3)} vs ${std[k]!.toExponential(3)}`,
          );
      }
      expect(bad).toEqual([]);
    });
  }
});

describe('device drift oracle', () => {
  const drift = load('drift');
  for (const c of drift.cases.filter((c) => (c.config as Dict).mode === 'device')) {
    const r = drift.results.get(c.name as string)!;
    const seeded = c.name === 'device_drift_nu_dtod0.2_seeded';
    it.skipIf(seeded)(c.name as string, () => {
      const cfg = c.config as Dict;
      const w = c.weights as number[][];
      const rpuConfig = rpuConfigFromDict({ type: 'SingleRPUConfig', device: { type: 'ConstantStepDevice', ...(cfg.device as Dict) } });
      const steps = cfg.delta_t as number[];
      const reps = (r.reps as number) ?? 1;
      const samples: Float32Array[] = [];
      for (let rep = 0; rep < reps; rep++) {
        const tile = backend.createTile({ outSize: w.length, inSize: w[0]!.length, rpuConfig, seed: 77 + rep });
        tile.setWeights(flat(w));
        const out = new Float32Array(steps.length * w.length * w[0]!.length);
        steps.forEach((dt, k) => {
          tile.driftWeights(dt);
          out.set(tile.getWeights(), k * w.length * w[0]!.length);
        });
        samples.push(out);
      }
      if (reps === 1) {
        const theirs = flat((r.weights as unknown[])[0]);
        const ours = samples[0]!;
        for (let k = 0; k < ours.length; k++) expect(Math.abs(ours[k]! - theirs[k]!), `[${k}]`).toBeLessThanOrEqual(16 * 2 ** -23);
        return;
      }
      const { mean, std } = moments(samples);
      const m = flat(r.weights_mean);
      const sd = flat(r.weights_std);
      for (let k = 0; k < m.length; k++) {
        const se = Math.sqrt((std[k]! ** 2 + sd[k]! ** 2) / reps);
        const diff = Math.abs(mean[k]! - m[k]!);
        expect(diff < 1e-7 || diff / se < 5, `[${k}] mean ${mean[k]} vs ${m[k]}`).toBe(true);
        const ratio = sd[k]! > 1e-7 ? std[k]! / sd[k]! : std[k]! < 1e-7 ? 1 : Infinity;
        expect(ratio > 0.75 && ratio < 1.33, `[${k}] std ${std[k]} vs ${sd[k]}`).toBe(true);
      }
    });
  }
});

describe('device drift with nu_dtod (aihwkit draws not recorded)', () => {
  it("the drift exponents implied by aihwkit's weights and ours have the same distribution, ν·(1 + 0.2ξ)", () => {
    const drift = load('drift');
    const c = drift.cases.find((k) => k.name === 'device_drift_nu_dtod0.2_seeded')!;
    const r = drift.results.get('device_drift_nu_dtod0.2_seeded')!;
    const w0 = flat(r.weights_initial);
    const after = flat(((r.weights as unknown[][])[0] as unknown[])[1]); // T = 1 + 10 time units
    const implied = (w: ArrayLike<number>) => Array.from(w0, (v, k) => -Math.log(w[k]! / v) / Math.log(11));
    const theirs = implied(after);
    const cfg = c.config as Dict;
    const rpuConfig = rpuConfigFromDict({ type: 'SingleRPUConfig', device: { type: 'ConstantStepDevice', ...(cfg.device as Dict), construction_seed: 0 } });
    const ours: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const tile = backend.createTile({ outSize: 6, inSize: 5, rpuConfig, seed });
      tile.setWeights(w0);
      tile.driftWeights(1);
      tile.driftWeights(10);
      ours.push(...implied(tile.getWeights() as Float32Array));
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const std = (a: number[]) => Math.sqrt(a.reduce((x, y) => x + (y - mean(a)) ** 2, 0) / (a.length - 1));
    // 30 exponents of aihwkit: mean within 4 standard errors of ours, std ratio within chi-square bounds
    expect(Math.abs(mean(theirs) - mean(ours))).toBeLessThan((4 * std(ours)) / Math.sqrt(theirs.length));
    expect(mean(ours)).toBeCloseTo(0.1, 2);
    expect(std(ours)).toBeCloseTo(0.02, 2);
    expect(std(theirs) / std(ours)).toBeGreaterThan(0.6);
    expect(std(theirs) / std(ours)).toBeLessThan(1.4);
  });
});
