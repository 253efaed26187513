/**
 * InferenceRPUConfig programming, PCM drift with read noise and global drift
 * compensation of the ndarray engine against aihwkit 0.7.1 (the packaged oracle
 * drift.json, mode "pcm"), plus the behaviour around them. A perfect float32 MVM
 * stands in for the MVM module (the oracle's pcm cases use is_perfect forward, all
 * but pcm_noisy_forward_io, which the conformance suite runs through the real MVM).
 */
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, InferenceRPUConfig, InputError, NotSupportedError, SingleRPUConfig, rpuConfigFromDict } from '@crossbar/core';
import { NdarrayTile } from '../src/tile.js';
import { closeness, flat, loadOracle, meanStd, statZ, type OracleCase, type OracleResult } from './training-helpers.js';

vi.mock('../src/mvm.js', async () => {
  const { createPerfectMvm } = await import('./training-helpers.js');
  return { createMvm: createPerfectMvm };
});

const ULP = 2 ** -23;
const pcm = loadOracle('drift').filter(({ c }) => (c.config as { mode: string }).mode === 'pcm');

interface PcmConfig {
  t_inference: number[];
  noise_model?: Record<string, unknown>;
  drift_compensation?: null;
  io?: Record<string, unknown>;
}

function pcmTile(c: OracleCase, seed: number): NdarrayTile {
  const cfg = c.config as unknown as PcmConfig;
  const dict: Record<string, unknown> = {
    type: 'InferenceRPUConfig',
    forward: { is_perfect: true },
    noise_model: { type: 'PCMLikeNoiseModel', ...(cfg.noise_model ?? {}) },
  };
  if ('drift_compensation' in cfg) dict.drift_compensation = null;
  const tile = new NdarrayTile({ outSize: 8, inSize: 6, rpuConfig: rpuConfigFromDict(dict), seed });
  tile.setWeights(flat(c.weights));
  return tile;
}

interface Run {
  programmed: Float32Array;
  nu: Float32Array;
  drifted: Float32Array[];
  alpha: number[];
  outputs: Float32Array[];
}

/** What the oracle records for one rep: program, then drift to each t and read weights, alpha, test outputs. */
function run(c: OracleCase, seed: number, nu?: Float32Array): Run {
  const tile = pcmTile(c, seed);
  const { t_inference: times } = c.config as unknown as PcmConfig;
  tile.programWeights();
  const programmed = tile.getWeights();
  if (nu) tile.setHiddenParameters({ nu_drift_0: nu.slice(0, 48), nu_drift_1: nu.slice(48) });
  const hidden = tile.getHiddenParameters();
  const out: Run = { programmed, nu: Float32Array.of(...hidden.nu_drift_0!, ...hidden.nu_drift_1!), drifted: [], alpha: [], outputs: [] };
  const x = flat(c.inputs);
  for (const t of times) {
    tile.driftWeights(t);
    out.drifted.push(tile.getWeights());
    out.alpha.push(tile.getDriftCompensationScale());
    out.outputs.push(tile.forward(x, 4, { isTest: true }));
  }
  return out;
}

function stat(e: OracleResult, key: string): { mean: Float32Array; std: Float32Array } {
  return { mean: flat(e[`${key}_mean`]), std: flat(e[`${key}_std`]) };
}

describe('PCM programming and drift vs aihwkit (drift.json, mode "pcm")', () => {
  it('has the 6 pcm cases', () => expect(pcm).toHaveLength(6));

  const noNoise = pcm.find(({ c }) => c.name === 'pcm_drift_only_no_noise')!;
  it('pcm_drift_only_no_noise: with aihwkit’s drift exponents, drifted weights, alpha and outputs match exactly', () => {
    const { c, e } = noNoise;
    const nuAll = flat(e.nu_drift);
    const drifted = flat(e.drifted_weights);
    const alphas = flat(e.alpha);
    const outputs = flat(e.outputs);
    for (let r = 0; r < c.reps!; r++) {
      const ours = run(c, r, nuAll.subarray(r * 96, (r + 1) * 96));
      expect(closeness(ours.programmed, flat(c.weights), 1e-7, 2 * ULP)).toBeLessThanOrEqual(1);
      for (let k = 0; k < 4; k++) {
        const at = (r * 4 + k) * 48;
        expect(closeness(ours.drifted[k]!, drifted.subarray(at, at + 48), 1e-7, 4 * ULP)).toBeLessThanOrEqual(1);
        expect(closeness([ours.alpha[k]!], [alphas[r * 4 + k]!], 0, 4 * ULP)).toBeLessThanOrEqual(1);
        const yo = (r * 4 + k) * 32;
        expect(closeness(ours.outputs[k]!, outputs.subarray(yo, yo + 32), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      }
    }
  });

  // Statistics need aihwkit's 100 reps (pcm_drift_only_no_noise has 5, and is checked exactly above).
  for (const { c, e } of pcm.filter(({ c }) => c.name !== 'pcm_noisy_forward_io' && c.reps! >= 50)) {
    it(`${c.name}: programmed weights, ν, drifted weights, alpha and outputs have aihwkit's statistics`, () => {
      const reps = 400;
      const runs = Array.from({ length: reps }, (_, r) => run(c, 1000 + r));
      const m = c.reps!;
      const check = (ours: Float32Array[], key: string): void => {
        const z = statZ(meanStd(ours), reps, stat(e, key), m, 1e-6);
        expect(z.mean, `${key} mean`).toBeLessThan(4.5);
        expect(z.std, `${key} std`).toBeLessThan(4.5);
      };
      check(
        runs.map((r) => r.programmed),
        'programmed_weights',
      );
      check(
        runs.map((r) => r.nu),
        'nu_drift',
      );
      check(
        runs.map((r) => Float32Array.of(...r.drifted.flatMap((d) => Array.from(d)))),
        'drifted_weights',
      );
      check(
        runs.map((r) => Float32Array.from(r.alpha)),
        'alpha',
      );
      check(
        runs.map((r) => Float32Array.of(...r.outputs.flatMap((d) => Array.from(d)))),
        'outputs',
      );
    });
  }
});

function tile(config: ConstructorParameters<typeof InferenceRPUConfig>[0] = {}, seed = 1): NdarrayTile {
  const t = new NdarrayTile({ outSize: 3, inSize: 4, rpuConfig: new InferenceRPUConfig({ forward: { isPerfect: true }, ...config }), seed });
  t.setWeights(Float32Array.of(0.5, -0.25, 0.1, 0, -0.8, 0.3, 0.05, -0.02, 0.6, 0.7, -0.4, 0.2));
  return t;
}

describe('programming, drift and compensation behaviour', () => {
  it('drift programs first when needed; alpha is 1 until the first drift', () => {
    const a = tile();
    expect(a.getDriftCompensationScale()).toBe(1);
    a.driftWeights(3600);
    const b = tile();
    b.programWeights();
    b.driftWeights(3600);
    expect(a.getWeights()).toEqual(b.getWeights());
    expect(a.getDriftCompensationScale()).toBe(b.getDriftCompensationScale());
    expect(a.getDriftCompensationScale()).toBeGreaterThan(1);
  });

  it('the compensation scales test outputs only, and not without drift compensation', () => {
    const x = Float32Array.of(1, 0.5, -0.5, 0.25);
    for (const driftCompensation of [undefined, null]) {
      const t = tile(driftCompensation === null ? { driftCompensation: null } : {});
      t.driftWeights(86400);
      const alpha = t.getDriftCompensationScale();
      const train = t.forward(x, 1);
      const test = t.forward(x, 1, { isTest: true });
      if (driftCompensation === null) {
        expect(alpha).toBe(1);
        expect(test).toEqual(train);
      } else {
        expect(alpha).toBeGreaterThan(1);
        expect(
          closeness(
            test,
            train.map((v) => v * alpha),
            1e-7,
            1e-6,
          ),
        ).toBeLessThanOrEqual(1);
      }
    }
  });

  it('drift is to an absolute time: drifting to t twice gives the same mean drift (new read noise only)', () => {
    const t = tile({ noiseModel: { progNoiseScale: 0, readNoiseScale: 0 } });
    t.driftWeights(1000);
    const w1 = t.getWeights();
    t.driftWeights(1000);
    expect(t.getWeights()).toEqual(w1);
  });

  it('reprograms from the reference weights, not from the programmed or drifted ones', () => {
    const t = tile({ noiseModel: { readNoiseScale: 0 } });
    const w = t.getWeights();
    t.programWeights();
    const p1 = t.getWeights();
    t.driftWeights(1e5);
    t.programWeights();
    const p2 = t.getWeights();
    expect(p2).not.toEqual(p1);
    expect(t.getState().arrays['inference.referenceWeights']).toEqual(Array.from(w));
    expect(t.getDriftCompensationScale()).toBe(1);
  });

  it('setting or updating the weights forgets the programming', () => {
    const t = tile({ noiseModel: { progNoiseScale: 0, readNoiseScale: 0, driftScale: 0 } });
    t.driftWeights(100);
    const w = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, -1, 0);
    t.setWeights(w);
    expect(t.getDriftCompensationScale()).toBe(1);
    expect(t.getState().arrays['inference.programmedWeights']).toBeNull();
    t.driftWeights(100);
    // no noise, no drift: drifting the new weights gives them back
    expect(closeness(t.getWeights(), w, 1e-7, 4 * ULP)).toBeLessThanOrEqual(1);
  });

  it('exposes the drift exponents as hidden parameters nu_drift_0 / nu_drift_1; setting them changes the next drift', () => {
    const t = tile({ noiseModel: { progNoiseScale: 0, readNoiseScale: 0 } });
    t.programWeights();
    const h = t.getHiddenParameters();
    expect(Object.keys(h).sort()).toEqual(['nu_drift_0', 'nu_drift_1']);
    expect(h.nu_drift_0!.every((v) => v >= 0 && v < 0.3)).toBe(true);
    t.setHiddenParameters({ nu_drift_0: new Float32Array(12).fill(0.1), nu_drift_1: new Float32Array(12).fill(0.1) });
    const p = t.getWeights();
    t.driftWeights(20 * 99); // (t + t0) / t0 = 100 → factor 100^-0.1
    const f = Math.pow(100, -0.1);
    expect(
      closeness(
        t.getWeights(),
        p.map((v) => v * f),
        1e-7,
        1e-6,
      ),
    ).toBeLessThanOrEqual(1);
    expect(() => t.setHiddenParameters({ nu_drift_0: new Float32Array(3) })).toThrow(InputError);
  });

  it('is reproducible from the seed and restorable with getState/setState', () => {
    const a = tile({}, 9);
    a.programWeights();
    a.driftWeights(60);
    const b = tile({}, 9);
    b.setState(JSON.parse(JSON.stringify(a.getState())) as ReturnType<NdarrayTile['getState']>);
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(b.getDriftCompensationScale()).toBe(a.getDriftCompensationScale());
    a.driftWeights(3600);
    b.driftWeights(3600);
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(b.getDriftCompensationScale()).toBe(a.getDriftCompensationScale());
    const c = tile({}, 10);
    c.programWeights();
    c.driftWeights(60);
    expect(c.getWeights()).not.toEqual(tile({}, 9).getWeights());
  });

  it('programming and drift drop the modified weights, so the readout measures the programmed and drifted ones', () => {
    const plain = tile({ noiseModel: { progNoiseScale: 0, readNoiseScale: 0, driftScale: 0 } });
    const modified = tile({
      noiseModel: { progNoiseScale: 0, readNoiseScale: 0, driftScale: 0 },
      modifier: { type: 'Discretize', res: 0.5, enableDuringTest: true },
    });
    modified.applyWeightModifier();
    modified.driftWeights(10);
    plain.driftWeights(10);
    expect(modified.getDriftCompensationScale()).toBe(plain.getDriftCompensationScale());
    expect(modified.forward(Float32Array.of(1, 1, 1, 1), 1, { isTest: true })).toEqual(plain.forward(Float32Array.of(1, 1, 1, 1), 1, { isTest: true }));
  });

  it('refuses programming and PCM drift on tiles that are not InferenceRPUConfig, and an empty conductance range', () => {
    const t = new NdarrayTile({ outSize: 2, inSize: 2, rpuConfig: new SingleRPUConfig() });
    expect(() => t.programWeights()).toThrow(NotSupportedError);
    expect(() => t.programWeights()).toThrow(/InferenceRPUConfig/);
    const rpuConfig = new InferenceRPUConfig({ noiseModel: { gMax: 10, gMin: 10 } });
    expect(() => new NdarrayTile({ outSize: 2, inSize: 2, rpuConfig })).toThrow(ConfigError);
    expect(() => tile().driftWeights(-1)).toThrow(InputError);
  });
});
