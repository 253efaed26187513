/**
 * Properties every engine must have, whatever aihwkit's oracle holds:
 * the MVM against a float64 GEMM, the ADC grid and bounds, the noise formulas
 * of oracle/README.md, reproducibility by seed, refusal of bad input,
 * and the pulsed update (floating-point SGD, the mean step, device bounds).
 *
 * Each property is a function of an engine that returns failures (it does not
 * throw), so the suite runs anywhere: in vitest, in a browser page, in the CLI.
 */
import fc from 'fast-check';
import { ConstantStepDevice, IdealDevice, InferenceRPUConfig, IOParameters, SingleRPUConfig, type AnalogTile, type RPUConfig } from '@crossbar/core';
import { withTile } from './run.js';
import { DataRng, describeError, fmt, isRefusal, result, tileSnapshot } from './property-kit.js';
import { TILE_PROPERTIES } from './tile-properties.js';
import { chiSquareLowerTail, chiSquareUpperTail, normalUpperTail, studentTUpperTail, summarize } from './stats.js';
import { FALSE_FAILURE_PER_CHECK, floatAllowance, FLOAT32_ULP, type Tolerance } from './tolerance.js';

export type { ConformanceProperty, PropertyContext, PropertyResult } from './property-kit.js';
export { DataRng } from './property-kit.js';
import type { ConformanceProperty, PropertyContext, PropertyResult } from './property-kit.js';

// ---------------------------------------------------------------- helpers (property-kit.ts)

/**
 * A SingleRPUConfig with an IdealDevice (setWeights does not clip, the update is
 * exact); the device is set after construction because the config's init type
 * names only the pulsed devices.
 */
function idealConfig(init: ConstructorParameters<typeof SingleRPUConfig>[0]): SingleRPUConfig {
  const config = new SingleRPUConfig(init);
  (config as unknown as { device: IdealDevice }).device = new IdealDevice();
  return config.validate();
}

/** y = W x (forward) or z = Wᵀ d (backward) in float64, with Σ|terms| per element. */
export function referenceMvm(
  w: Float32Array,
  outSize: number,
  inSize: number,
  v: Float32Array,
  batch: number,
  transposed: boolean,
): { y: Float64Array; absSum: Float64Array } {
  const n = transposed ? inSize : outSize;
  const k = transposed ? outSize : inSize;
  const y = new Float64Array(batch * n);
  const absSum = new Float64Array(batch * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      let a = 0;
      for (let j = 0; j < k; j++) {
        const wij = transposed ? w[j * inSize + i]! : w[i * inSize + j]!;
        const t = wij * v[b * k + j]!;
        s += t;
        a += Math.abs(t);
      }
      y[b * n + i] = s;
      absSum[b * n + i] = a;
    }
  }
  return { y, absSum };
}

const MAX_LISTED = 5;

/** Compares engine outputs with a float64 reference to float32 rounding of Σ|terms|. */
function checkAgainstReference(
  what: string,
  got: ArrayLike<number>,
  ref: Float64Array,
  absSum: Float64Array,
  scale: number,
  terms: number,
  tol: Tolerance,
): string | undefined {
  if (got.length !== ref.length) return `${what}: ${got.length} outputs, expected ${ref.length}`;
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < ref.length; i++) {
    const want = ref[i]! * scale;
    const allowance = floatAllowance(tol, Math.abs(scale) * absSum[i]!, terms) + FLOAT32_ULP * Math.abs(want);
    const g = got[i]!;
    if (!(Math.abs(g - want) <= allowance)) {
      count++;
      if (bad.length < MAX_LISTED) bad.push(`[${i}] got ${fmt(g)}, GEMM ${fmt(want)} (allowance ${fmt(allowance)})`);
    }
  }
  return count === 0 ? undefined : `${what}: ${count} of ${ref.length} elements differ from the float64 GEMM: ${bad.join('; ')}`;
}

/** A property that does not hold for a generated case (as opposed to an exception of the engine). */
class PropertyViolation extends Error {}

/** Runs a fast-check property and turns its report into failures. */
async function runGenerative<T>(ctx: PropertyContext, arb: fc.Arbitrary<T>, check: (value: T) => Promise<string | undefined>): Promise<PropertyResult> {
  const details = await fc.check(
    fc.asyncProperty(arb, async (value) => {
      const problem = await check(value);
      if (problem !== undefined) throw new PropertyViolation(problem);
    }),
    { numRuns: ctx.numRuns, seed: ctx.seed, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false },
  );
  if (!details.failed) return result([], [`${details.numRuns} generated cases (fast-check seed ${ctx.seed})`]);
  const e = details.errorInstance;
  const err = e instanceof PropertyViolation ? e.message : `the engine threw ${describeError(e)}`;
  return result([
    `${err}\n  counterexample: ${fc.stringify(details.counterexample)} (fast-check seed ${details.seed}, path "${details.counterexample === null ? '' : details.counterexamplePath}")`,
  ]);
}

const sizes = fc.record({
  outSize: fc.integer({ min: 1, max: 24 }),
  inSize: fc.integer({ min: 1, max: 24 }),
  batch: fc.integer({ min: 1, max: 6 }),
  dataSeed: fc.integer({ min: 0, max: 0x7fffffff }),
});

// ---------------------------------------------------------------- MVM properties

const perfectGemm: ConformanceProperty = {
  id: 'mvm/perfect-equals-gemm',
  title: 'is_perfect (and mv_type Ideal) forward and backward equal a float64 GEMM times out_scale, to float32 rounding',
  run: (ctx) =>
    runGenerative(ctx, fc.record({ s: sizes, ideal: fc.boolean(), outScale: fc.constantFrom(1, 2.5, 0.3) }), async ({ s, ideal, outScale }) => {
      const rng = new DataRng(s.dataSeed);
      const w = rng.array(s.outSize * s.inSize, -1, 1, 0.1);
      const x = rng.array(s.batch * s.inSize, -3, 3, 0.1);
      const d = rng.array(s.batch * s.outSize, -3, 3, 0.1);
      const io = new IOParameters(ideal ? { mvType: 'Ideal', outScale } : { isPerfect: true, outScale });
      const config = idealConfig({ forward: io, backward: io.clone() });
      return withTile(ctx.backend, config, s.outSize, s.inSize, s.dataSeed, async (tile) => {
        await tile.setWeights(w);
        const fwd = referenceMvm(w, s.outSize, s.inSize, x, s.batch, false);
        const bwd = referenceMvm(w, s.outSize, s.inSize, d, s.batch, true);
        const label = `${s.outSize}×${s.inSize} batch ${s.batch} ${ideal ? 'mv_type Ideal' : 'is_perfect'} out_scale ${outScale}`;
        return (
          checkAgainstReference(`forward ${label}`, await tile.forward(x, s.batch), fwd.y, fwd.absSum, outScale, s.inSize, ctx.tolerance) ??
          checkAgainstReference(`backward ${label}`, await tile.backward(d, s.batch), bwd.y, bwd.absSum, outScale, s.outSize, ctx.tolerance)
        );
      });
    }),
};

const managedGemm: ConformanceProperty = {
  id: 'mvm/managed-equals-gemm',
  title: 'with every noise off and no bounds or quantisation, the noise/bound-managed MVM (any mv_type) equals the GEMM',
  run: (ctx) =>
    runGenerative(
      ctx,
      fc.record({
        s: sizes,
        nm: fc.constantFrom('None', 'AbsMax', 'Constant'),
        bm: fc.constantFrom('None', 'Iterative', 'IterativeWorstCase'),
        mv: fc.constantFrom('OnePass', 'PosNegSeparate', 'PosNegSeparateDigitalSum'),
        outScale: fc.constantFrom(1, 2),
      }),
      async ({ s, nm, bm, mv, outScale }) => {
        const rng = new DataRng(s.dataSeed);
        // Inputs stay inside what the DAC takes without clipping: |x| <= inp_bound (1) times the NM scale.
        const range = nm === 'None' ? 1 : nm === 'Constant' ? 2 : 3;
        const w = rng.array(s.outSize * s.inSize, -1, 1, 0.1);
        const x = rng.array(s.batch * s.inSize, -range, range, 0.1);
        const d = rng.array(s.batch * s.outSize, -range, range, 0.1);
        const io = new IOParameters({
          outNoise: 0,
          inpNoise: 0,
          wNoise: 0,
          inpRes: -1,
          outRes: -1,
          outBound: 0,
          noiseManagement: nm,
          nmThres: nm === 'Constant' ? 2 : 0,
          boundManagement: bm,
          mvType: mv,
          outScale,
        });
        const config = idealConfig({ forward: io, backward: io.clone() });
        return withTile(ctx.backend, config, s.outSize, s.inSize, s.dataSeed, async (tile) => {
          await tile.setWeights(w);
          const fwd = referenceMvm(w, s.outSize, s.inSize, x, s.batch, false);
          const bwd = referenceMvm(w, s.outSize, s.inSize, d, s.batch, true);
          const label = `${s.outSize}×${s.inSize} batch ${s.batch} nm ${nm} bm ${bm} ${mv} out_scale ${outScale}`;
          return (
            checkAgainstReference(`forward ${label}`, await tile.forward(x, s.batch), fwd.y, fwd.absSum, outScale, 2 * s.inSize, ctx.tolerance) ??
            checkAgainstReference(`backward ${label}`, await tile.backward(d, s.batch), bwd.y, bwd.absSum, outScale, 2 * s.outSize, ctx.tolerance)
          );
        });
      },
    ),
};

/**
 * The passes a vector takes with exact IO, Iterative bound management and no input clipping:
 * 1 + the smallest k with max|W x| / (nm · 2^k) <= out_bound, 0 for an all-zero vector that
 * noise management lets skip the array. Null where float32 rounding could decide either way.
 */
function expectedPasses(y: Float64Array, row: number, n: number, nm: number, outBound: number): number | null {
  if (nm === 0) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(y[row * n + i]!) / nm);
  let k = 0;
  while (m / 2 ** k > outBound) k++;
  const near = (t: number) => Math.abs(m / 2 ** t - outBound) <= 1e-4 * outBound;
  return near(k) || near(k - 1) ? null : k + 1;
}

const forwardPassCounts: ConformanceProperty = {
  id: 'mvm/forward-pass-counts',
  title:
    'getForwardPassCounts (optional): 1 + the bound-management re-runs of each vector of the last forward (the input halves until |W x| fits out_bound), 0 for an all-zero vector under noise management',
  async run(ctx) {
    const probe = await withTile(ctx.backend, idealConfig({}), 1, 1, 0, async (tile) => tile.getForwardPassCounts !== undefined);
    if (!probe) return result([], ['the engine does not report forward pass counts (optional method): nothing to check']);
    return runGenerative(ctx, fc.record({ s: sizes, nm: fc.constantFrom('None', 'AbsMax'), outBound: fc.constantFrom(0.5, 1, 2) }), async ({ s, nm, outBound }) => {
      const rng = new DataRng(s.dataSeed);
      const w = rng.array(s.outSize * s.inSize, -1, 1, 0.1);
      const x = rng.array(s.batch * s.inSize, -1, 1, 0.1);
      if (s.batch > 1) x.fill(0, 0, s.inSize);
      const io = new IOParameters({ outNoise: 0, inpNoise: 0, wNoise: 0, inpRes: -1, outRes: -1, outBound, noiseManagement: nm, boundManagement: 'Iterative' });
      return withTile(ctx.backend, idealConfig({ forward: io }), s.outSize, s.inSize, s.dataSeed, async (tile) => {
        await tile.setWeights(w);
        const label = `${s.outSize}×${s.inSize} batch ${s.batch} nm ${nm} out_bound ${outBound}`;
        if ((await tile.getForwardPassCounts!()) !== null) return `${label}: counts before the first forward call, expected null`;
        await tile.forward(x, s.batch);
        const counts = await tile.getForwardPassCounts!();
        if (counts === null || counts.length !== s.batch) return `${label}: ${counts === null ? 'null' : `${counts.length} counts`} after forward, expected ${s.batch}`;
        const { y } = referenceMvm(w, s.outSize, s.inSize, x, s.batch, false);
        for (let b = 0; b < s.batch; b++) {
          let amax = 0;
          for (let j = 0; j < s.inSize; j++) amax = Math.max(amax, Math.abs(x[b * s.inSize + j]!));
          const want = expectedPasses(y, b, s.outSize, nm === 'AbsMax' ? Math.fround(amax) : 1, outBound);
          if (want !== null && counts[b] !== want) return `${label}: vector ${b} took ${counts[b]} passes, expected ${want}`;
        }
        return undefined;
      });
    });
  },
};

const adcGrid: ConformanceProperty = {
  id: 'mvm/adc-grid-and-bounds',
  title: 'quantised outputs lie on the ADC grid (out_res · 2 · out_bound · nm) and within ±out_bound · nm, also with output noise',
  run: (ctx) =>
    runGenerative(
      ctx,
      fc.record({
        s: sizes,
        nm: fc.constantFrom('None', 'AbsMax'),
        outRes: fc.constantFrom(1 / 64, 100),
        outBound: fc.constantFrom(1, 3),
      }),
      async ({ s, nm, outRes, outBound }) => {
        const rng = new DataRng(s.dataSeed);
        const range = nm === 'None' ? 1 : 2;
        const w = rng.array(s.outSize * s.inSize, -1, 1, 0.1);
        const x = rng.array(s.batch * s.inSize, -range, range, 0.1);
        const d = rng.array(s.batch * s.outSize, -range, range, 0.1);
        const io = new IOParameters({ outNoise: 0.2, inpNoise: 0, wNoise: 0, outRes, outBound, noiseManagement: nm, boundManagement: 'None' });
        const config = idealConfig({ forward: io, backward: io.clone() });
        const res = outRes > 1 ? 1 / outRes : outRes;
        const check = (what: string, y: ArrayLike<number>, v: Float32Array, rows: number, k: number, n: number): string | undefined => {
          if (y.length !== rows * n) return `${what}: ${y.length} outputs, expected ${rows * n}`;
          for (let b = 0; b < rows; b++) {
            let amax = 0;
            for (let j = 0; j < k; j++) amax = Math.max(amax, Math.abs(v[b * k + j]!));
            const scale = nm === 'AbsMax' ? Math.fround(amax) : 1;
            if (scale === 0) continue;
            const step = res * 2 * outBound * scale;
            for (let i = 0; i < n; i++) {
              const yi = y[b * n + i]!;
              const q = yi / step;
              const slack = ctx.tolerance.ulps * FLOAT32_ULP * Math.max(1, Math.abs(q));
              if (!(Math.abs(q - Math.round(q)) <= slack)) {
                return `${what}: output [${b}][${i}] = ${fmt(yi)} is ${fmt(q)} ADC steps of ${fmt(step)}: not on the grid`;
              }
              if (!(Math.abs(yi) <= outBound * scale * (1 + ctx.tolerance.ulps * FLOAT32_ULP))) {
                return `${what}: output [${b}][${i}] = ${fmt(yi)} exceeds out_bound × nm = ${fmt(outBound * scale)}`;
              }
            }
          }
          return undefined;
        };
        return withTile(ctx.backend, config, s.outSize, s.inSize, s.dataSeed, async (tile) => {
          await tile.setWeights(w);
          const label = `${s.outSize}×${s.inSize} batch ${s.batch} nm ${nm} out_res ${fmt(outRes)} out_bound ${outBound}`;
          return (
            check(`forward ${label}`, await tile.forward(x, s.batch), x, s.batch, s.inSize, s.outSize) ??
            check(`backward ${label}`, await tile.backward(d, s.batch), d, s.batch, s.outSize, s.inSize)
          );
        });
      },
    ),
};

interface NoiseCase {
  label: string;
  backward: boolean;
  io: ConstructorParameters<typeof IOParameters>[0];
  /** Input scale factor (to see the std scale with the noise-management factor). */
  inputScale: number;
  /** Expected std of output i given W, the input v and nm. */
  sigma(w: Float32Array, outSize: number, inSize: number, v: Float32Array, nm: number, i: number): number;
}

const quiet = { outNoise: 0, inpNoise: 0, wNoise: 0, inpRes: -1, outRes: -1, outBound: 0, boundManagement: 'None' as const };

const NOISE_CASES: NoiseCase[] = [
  { label: 'forward out_noise 0.1, nm None', backward: false, inputScale: 1, io: { ...quiet, outNoise: 0.1, noiseManagement: 'None' }, sigma: () => 0.1 },
  {
    label: 'forward out_noise 0.1, nm AbsMax, out_scale 2, inputs ×3',
    backward: false,
    inputScale: 3,
    io: { ...quiet, outNoise: 0.1, noiseManagement: 'AbsMax', outScale: 2 },
    sigma: (_w, _o, _i, _v, nm) => 0.1 * nm * 2,
  },
  {
    label: 'forward inp_noise 0.05, nm AbsMax, inputs ×2',
    backward: false,
    inputScale: 2,
    io: { ...quiet, inpNoise: 0.05, noiseManagement: 'AbsMax' },
    sigma: (w, _o, inSize, _v, nm, i) => {
      let s = 0;
      for (let j = 0; j < inSize; j++) s += w[i * inSize + j]! ** 2;
      return 0.05 * Math.sqrt(s) * nm;
    },
  },
  {
    label: 'forward w_noise 0.05 AdditiveConstant, nm AbsMax',
    backward: false,
    inputScale: 1,
    io: { ...quiet, wNoise: 0.05, wNoiseType: 'AdditiveConstant', noiseManagement: 'AbsMax' },
    sigma: (_w, _o, inSize, v, nm) => {
      let s = 0;
      for (let j = 0; j < inSize; j++) s += (v[j]! / nm) ** 2;
      return 0.05 * Math.sqrt(s) * nm;
    },
  },
  {
    label: 'forward w_noise 0.05 PCMRead, nm AbsMax',
    backward: false,
    inputScale: 1,
    io: { ...quiet, wNoise: 0.05, wNoiseType: 'PCMRead', noiseManagement: 'AbsMax' },
    sigma: (w, _o, inSize, v, nm, i) => {
      let s = 0;
      for (let j = 0; j < inSize; j++) s += Math.abs(w[i * inSize + j]!) * (v[j]! / nm) ** 2;
      return 0.05 * Math.sqrt(s) * nm;
    },
  },
  {
    label: 'backward out_noise 0.1, nm AbsMax',
    backward: true,
    inputScale: 1,
    io: { ...quiet, outNoise: 0.1, noiseManagement: 'AbsMax' },
    sigma: (_w, _o, _i, _v, nm) => 0.1 * nm,
  },
  {
    label: 'backward inp_noise 0.05, nm AbsMax',
    backward: true,
    inputScale: 1,
    io: { ...quiet, inpNoise: 0.05, noiseManagement: 'AbsMax' },
    sigma: (w, outSize, inSize, _v, nm, j) => {
      let s = 0;
      for (let i = 0; i < outSize; i++) s += w[i * inSize + j]! ** 2;
      return 0.05 * Math.sqrt(s) * nm;
    },
  },
];

const NOISE_SAMPLES = 20000;

const noiseFormulas: ConformanceProperty = {
  id: 'mvm/noise-std-formulas',
  title: "output, input and weight noise (AdditiveConstant, PCMRead) have the std of the oracle README's formulas, scaled by nm and out_scale",
  async run(ctx) {
    const outSize = 6;
    const inSize = 5;
    const rng = new DataRng(ctx.seed);
    const w = rng.array(outSize * inSize, -0.8, 0.8);
    const tests = NOISE_CASES.reduce((acc, c) => acc + 2 * (c.backward ? inSize : outSize), 0);
    const alpha = FALSE_FAILURE_PER_CHECK / tests;
    const failures: string[] = [];
    let minP = 1;
    for (const [k, nc] of NOISE_CASES.entries()) {
      const io = new IOParameters(nc.io);
      const config = idealConfig({ forward: io, backward: io.clone() });
      const kIn = nc.backward ? outSize : inSize;
      const n = nc.backward ? inSize : outSize;
      const v = rng.array(kIn, -1, 1).map((t) => Math.fround(t * nc.inputScale));
      const batchInput = new Float32Array(NOISE_SAMPLES * kIn);
      for (let b = 0; b < NOISE_SAMPLES; b++) batchInput.set(v, b * kIn);
      let amax = 0;
      for (const t of v) amax = Math.max(amax, Math.abs(t));
      const nm = io.noiseManagement === 'AbsMax' ? amax : 1;
      const ref = referenceMvm(w, outSize, inSize, v, 1, nc.backward);
      await withTile(ctx.backend, config, outSize, inSize, ctx.seed + k, async (tile) => {
        await tile.setWeights(w);
        const y = nc.backward ? await tile.backward(batchInput, NOISE_SAMPLES) : await tile.forward(batchInput, NOISE_SAMPLES);
        if (y.length !== NOISE_SAMPLES * n) {
          failures.push(`${nc.label}: ${y.length} outputs, expected ${NOISE_SAMPLES * n}`);
          return;
        }
        for (let i = 0; i < n; i++) {
          const s = summarize(y, NOISE_SAMPLES, i, n);
          const sigma = nc.sigma(w, outSize, inSize, v, nm, i);
          const mu = ref.y[i]! * io.outScale;
          const floor = floatAllowance(ctx.tolerance, Math.abs(io.outScale) * ref.absSum[i]!, kIn);
          const z = Math.max(0, Math.abs(s.mean - mu) - floor) / (sigma / Math.sqrt(NOISE_SAMPLES));
          const pMean = 2 * normalUpperTail(z);
          const chi = ((NOISE_SAMPLES - 1) * s.std * s.std) / (sigma * sigma);
          const pStd = 2 * Math.min(chiSquareUpperTail(chi, NOISE_SAMPLES - 1), chiSquareLowerTail(chi, NOISE_SAMPLES - 1));
          minP = Math.min(minP, pMean, pStd);
          if (pMean < alpha) failures.push(`${nc.label}: output ${i} mean ${fmt(s.mean)}, expected ${fmt(mu)} (z = ${fmt(z)})`);
          if (pStd < alpha) failures.push(`${nc.label}: output ${i} std ${fmt(s.std)}, the formula gives ${fmt(sigma)} (p = ${fmt(pStd)})`);
        }
      });
    }
    return result(failures, [`${tests} tests on ${NOISE_SAMPLES} samples each, each at p >= ${fmt(alpha)}; smallest p ${fmt(minP)}`]);
  },
};

// ---------------------------------------------------------------- reproducibility

interface SeedScenario {
  id: string;
  title: string;
  config: () => RPUConfig;
  /** Runs the scenario on a tile and returns every number it produced. */
  run(tile: AnalogTile, rng: DataRng): Promise<Float32Array[]>;
  /** Whether two calls of the random operation within one tile must differ (fresh noise per call). */
  freshPerCall: boolean;
}

const SEED_OUT = 6;
const SEED_IN = 5;

const SEED_SCENARIOS: SeedScenario[] = [
  {
    id: 'forward',
    title: 'noisy forward (default IOParameters)',
    config: () => idealConfig({}),
    freshPerCall: true,
    async run(tile, rng) {
      await tile.setWeights(rng.array(SEED_OUT * SEED_IN, -0.5, 0.5));
      const x = rng.array(3 * SEED_IN, -1, 1);
      return [Float32Array.from(await tile.forward(x, 3)), Float32Array.from(await tile.forward(x, 3))];
    },
  },
  {
    id: 'backward',
    title: 'noisy backward (default IOParameters)',
    config: () => idealConfig({}),
    freshPerCall: true,
    async run(tile, rng) {
      await tile.setWeights(rng.array(SEED_OUT * SEED_IN, -0.5, 0.5));
      const d = rng.array(3 * SEED_OUT, -1, 1);
      return [Float32Array.from(await tile.backward(d, 3)), Float32Array.from(await tile.backward(d, 3))];
    },
  },
  {
    id: 'update',
    title: 'StochasticCompressed updates on a ConstantStepDevice with device-to-device and cycle-to-cycle variation',
    config: () => new SingleRPUConfig({ device: new ConstantStepDevice({ dwMin: 0.01 }) }),
    freshPerCall: true,
    async run(tile, rng) {
      await tile.setWeights(rng.array(SEED_OUT * SEED_IN, -0.3, 0.3));
      const x = rng.array(2 * SEED_IN, -1, 1);
      const d = rng.array(2 * SEED_OUT, -1, 1);
      const out: Float32Array[] = [];
      for (let k = 0; k < 2; k++) {
        const before = Float32Array.from(await tile.getWeights());
        await tile.update(x, d, 2, 0.1);
        const after = Float32Array.from(await tile.getWeights());
        out.push(after.map((v, i) => v - before[i]!));
      }
      const hidden = await tile.getHiddenParameters();
      for (const k of Object.keys(hidden).sort()) out.push(Float32Array.from(hidden[k]!));
      return out;
    },
  },
  {
    id: 'modifier',
    title: 'weight modifier AddNormal (InferenceRPUConfig, perfect forward)',
    config: () => new InferenceRPUConfig({ forward: { isPerfect: true }, modifier: { type: 'AddNormal', stdDev: 0.1 } }),
    freshPerCall: true,
    async run(tile, rng) {
      await tile.setWeights(rng.array(SEED_OUT * SEED_IN, -0.5, 0.5));
      const x = rng.array(2 * SEED_IN, -1, 1);
      const out: Float32Array[] = [];
      for (let k = 0; k < 2; k++) {
        await tile.applyWeightModifier();
        out.push(Float32Array.from(await tile.forward(x, 2)));
      }
      return out;
    },
  },
  {
    id: 'pcm-drift',
    title: 'PCM programming, drift and read noise (InferenceRPUConfig defaults, perfect forward)',
    config: () => new InferenceRPUConfig({ forward: { isPerfect: true } }),
    freshPerCall: true,
    async run(tile, rng) {
      await tile.setWeights(rng.array(SEED_OUT * SEED_IN, -0.5, 0.5));
      const x = rng.array(2 * SEED_IN, -1, 1);
      await tile.programWeights();
      const out = [Float32Array.from(await tile.getWeights())];
      for (const t of [60, 3600]) {
        await tile.driftWeights(t);
        out.push(Float32Array.from(await tile.getWeights()));
        out.push(Float32Array.from(await tile.forward(x, 2, { isTest: true })));
      }
      return out;
    },
  },
  {
    id: 'device-drift',
    title: 'device drift with weight noise (ConstantStepDevice, DriftParameter nu 0.1, w_noise_std 0.01)',
    config: () => new SingleRPUConfig({ device: new ConstantStepDevice({ wMax: 1, wMin: -1, drift: { nu: 0.1, wNoiseStd: 0.01 } }) }),
    freshPerCall: true,
    async run(tile, rng) {
      await tile.setWeights(rng.array(SEED_OUT * SEED_IN, -0.5, 0.5));
      const out: Float32Array[] = [];
      for (const dt of [10, 100]) {
        const before = Float32Array.from(await tile.getWeights());
        await tile.driftWeights(dt);
        const after = Float32Array.from(await tile.getWeights());
        out.push(after.map((v, i) => v - before[i]!));
      }
      return out;
    },
  },
];

function sameBits(a: readonly Float32Array[], b: readonly Float32Array[]): string | undefined {
  if (a.length !== b.length) return `${a.length} vs ${b.length} arrays`;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.length !== y.length) return `array ${k}: ${x.length} vs ${y.length} values`;
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) return `array ${k}[${i}]: ${fmt(x[i]!)} vs ${fmt(y[i]!)}`;
    }
  }
  return undefined;
}

function anyDifferent(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return true;
  return false;
}

const seedProperties: ConformanceProperty[] = SEED_SCENARIOS.map((sc) => ({
  id: `same-seed/${sc.id}`,
  title: `same seed, same calls → same numbers bit for bit; another seed → other numbers: ${sc.title}`,
  async run(ctx) {
    const go = (seed: number) => withTile(ctx.backend, sc.config(), SEED_OUT, SEED_IN, seed, (tile) => sc.run(tile, new DataRng(ctx.seed)));
    const a = await go(ctx.seed + 11);
    const b = await go(ctx.seed + 11);
    const c = await go(ctx.seed + 12);
    const failures: string[] = [];
    const diff = sameBits(a, b);
    if (diff !== undefined) failures.push(`two tiles with seed ${ctx.seed + 11} gave different numbers: ${diff}`);
    if (!a.some((arr, k) => anyDifferent(arr, c[k] ?? new Float32Array()))) {
      failures.push(`tiles with seeds ${ctx.seed + 11} and ${ctx.seed + 12} gave identical numbers: the seed does not reach the noise`);
    }
    if (sc.freshPerCall && a.length >= 2 && !anyDifferent(a[0]!, a[1]!)) {
      failures.push('two successive random operations on one tile gave identical numbers: each call must draw fresh noise');
    }
    return result(failures);
  },
}));

// ---------------------------------------------------------------- bad input

interface BadCall {
  what: string;
  call(tile: AnalogTile): unknown;
}

function withValue(a: Float32Array, i: number, v: number): Float32Array {
  const c = Float32Array.from(a);
  c[i] = v;
  return c;
}

async function checkBadInputs(
  ctx: PropertyContext,
  config: RPUConfig,
  setup: (tile: AnalogTile) => Promise<void>,
  good: BadCall,
  bad: BadCall[],
): Promise<PropertyResult> {
  const failures: string[] = [];
  await withTile(ctx.backend, config, SEED_OUT, SEED_IN, ctx.seed, async (tile) => {
    await setup(tile);
    for (const b of bad) {
      const before = Float32Array.from(await tile.getWeights());
      const stateBefore = await tileSnapshot(tile);
      let threw: unknown;
      try {
        await b.call(tile);
      } catch (e) {
        threw = e ?? new Error('undefined thrown');
      }
      if (threw === undefined) failures.push(`${b.what}: accepted, must throw an InputError`);
      else if (!isRefusal(threw)) failures.push(`${b.what}: threw ${describeError(threw)}, not a CrossbarError`);
      const after = Float32Array.from(await tile.getWeights());
      const diff = sameBits([before], [after]);
      if (diff !== undefined) failures.push(`${b.what}: the weights changed (${diff})`);
      else if ((await tileSnapshot(tile)) !== stateBefore) failures.push(`${b.what}: the tile's state (getState) changed`);
    }
    try {
      await good.call(tile);
    } catch (e) {
      failures.push(`the valid call (${good.what}) failed: ${describeError(e)}`);
    }
  });
  return result(failures);
}

const badBatches = (call: (tile: AnalogTile, batch: number) => unknown): BadCall[] =>
  [0, -1, 1.5, NaN].map((batch) => ({ what: `batch ${batch}`, call: (tile) => call(tile, batch) }));

function badMvmInput(direction: 'forward' | 'backward'): ConformanceProperty {
  const forward = direction === 'forward';
  const name = forward ? 'x' : 'd';
  const call = (tile: AnalogTile, v: Float32Array, batch: number): unknown => (forward ? tile.forward(v, batch) : tile.backward(v, batch));
  return {
    id: `bad-input/${direction}`,
    title: `${direction} (perfect IO: the check is of the boundary) refuses wrong lengths, NaN/Inf inputs and bad batch sizes with a CrossbarError and changes nothing`,
    run(ctx) {
      const rng = new DataRng(ctx.seed);
      const w = rng.array(SEED_OUT * SEED_IN, -0.5, 0.5);
      const v = rng.array(2 * (forward ? SEED_IN : SEED_OUT), -1, 1);
      return checkBadInputs(
        ctx,
        idealConfig({ [direction]: { isPerfect: true } }),
        async (tile) => tile.setWeights(w),
        { what: `${direction}(${name}, 2)`, call: (tile) => call(tile, v, 2) },
        [
          { what: `${name} one element short`, call: (tile) => call(tile, v.subarray(1), 2) },
          { what: `${name} one element long`, call: (tile) => call(tile, Float32Array.from([...v, 0]), 2) },
          { what: `${name} with NaN`, call: (tile) => call(tile, withValue(v, v.length - 1, NaN), 2) },
          { what: `${name} with Infinity`, call: (tile) => call(tile, withValue(v, 0, Infinity), 2) },
          { what: `${name} with -Infinity`, call: (tile) => call(tile, withValue(v, 3, -Infinity), 2) },
          { what: `${name} a plain Array`, call: (tile) => call(tile, Array.from(v) as unknown as Float32Array, 2) },
          ...badBatches((tile, batch) => call(tile, v, batch)),
        ],
      );
    },
  };
}

const badUpdate: ConformanceProperty = {
  id: 'bad-input/update',
  title: 'update refuses wrong lengths, NaN/Inf in x or d, bad learning rates and batch sizes, leaving the weights unchanged',
  run(ctx) {
    const rng = new DataRng(ctx.seed);
    const w = rng.array(SEED_OUT * SEED_IN, -0.3, 0.3);
    const x = rng.array(2 * SEED_IN, -1, 1);
    const d = rng.array(2 * SEED_OUT, -1, 1);
    return checkBadInputs(
      ctx,
      new SingleRPUConfig({ device: new ConstantStepDevice({ dwMin: 0.01 }) }),
      async (tile) => tile.setWeights(w),
      { what: 'update(x, d, 2, 0.1)', call: (tile) => tile.update(x, d, 2, 0.1) },
      [
        { what: 'x one element short', call: (tile) => tile.update(x.subarray(1), d, 2, 0.1) },
        { what: 'd one element long', call: (tile) => tile.update(x, Float32Array.from([...d, 0]), 2, 0.1) },
        { what: 'x with NaN (last element)', call: (tile) => tile.update(withValue(x, x.length - 1, NaN), d, 2, 0.1) },
        { what: 'd with Infinity (last element)', call: (tile) => tile.update(x, withValue(d, d.length - 1, Infinity), 2, 0.1) },
        { what: 'learning rate NaN', call: (tile) => tile.update(x, d, 2, NaN) },
        { what: 'learning rate Infinity', call: (tile) => tile.update(x, d, 2, Infinity) },
        { what: 'learning rate -0.1', call: (tile) => tile.update(x, d, 2, -0.1) },
        ...badBatches((tile, batch) => tile.update(x, d, batch, 0.1)),
      ],
    );
  },
};

const badSetWeights: ConformanceProperty = {
  id: 'bad-input/set-weights',
  title: 'setWeights refuses wrong lengths and NaN/Inf weights, leaving the weights unchanged',
  run(ctx) {
    const rng = new DataRng(ctx.seed);
    const w = rng.array(SEED_OUT * SEED_IN, -0.3, 0.3);
    const w2 = rng.array(SEED_OUT * SEED_IN, -0.3, 0.3);
    return checkBadInputs(
      ctx,
      new SingleRPUConfig({ device: new ConstantStepDevice({ dwMin: 0.01 }) }),
      async (tile) => tile.setWeights(w),
      { what: 'setWeights(w)', call: (tile) => tile.setWeights(w2) },
      [
        { what: 'weights one element short', call: (tile) => tile.setWeights(w2.subarray(1)) },
        { what: 'weights with NaN', call: (tile) => tile.setWeights(withValue(w2, w2.length - 1, NaN)) },
        { what: 'weights with -Infinity', call: (tile) => tile.setWeights(withValue(w2, 0, -Infinity)) },
      ],
    );
  },
};

// ---------------------------------------------------------------- update properties

const pulseNoneSgd: ConformanceProperty = {
  id: 'update/pulse-none-exact-sgd',
  title: 'pulse_type None is exact SGD, W ← W − lr·dᵀx over the batch, ignoring the device bounds, to float32 rounding',
  run: (ctx) =>
    runGenerative(ctx, fc.record({ s: sizes, lr: fc.constantFrom(0.05, 0.5, 1) }), async ({ s, lr }) => {
      const rng = new DataRng(s.dataSeed);
      const config = new SingleRPUConfig({ device: new ConstantStepDevice({ dwMin: 0.01 }), update: { pulseType: 'None' } });
      const w0 = rng.array(s.outSize * s.inSize, -0.5, 0.5);
      return withTile(ctx.backend, config, s.outSize, s.inSize, s.dataSeed, async (tile) => {
        await tile.setWeights(w0);
        const ref = Float64Array.from(w0);
        const scale = Float64Array.from(w0, Math.abs);
        for (let call = 0; call < 3; call++) {
          const x = rng.array(s.batch * s.inSize, -1, 1, 0.1);
          const d = rng.array(s.batch * s.outSize, -1, 1, 0.1);
          await tile.update(x, d, s.batch, lr);
          for (let i = 0; i < s.outSize; i++) {
            for (let j = 0; j < s.inSize; j++) {
              let g = 0;
              let a = 0;
              for (let b = 0; b < s.batch; b++) {
                const t = d[b * s.outSize + i]! * x[b * s.inSize + j]!;
                g += t;
                a += Math.abs(t);
              }
              ref[i * s.inSize + j] = Math.fround(ref[i * s.inSize + j]! - lr * g);
              scale[i * s.inSize + j] = scale[i * s.inSize + j]! + lr * a;
            }
          }
        }
        const got = await tile.getWeights();
        const bad: string[] = [];
        for (let k = 0; k < ref.length; k++) {
          const allowance = floatAllowance(ctx.tolerance, scale[k]!, 3 * s.batch);
          if (!(Math.abs(got[k]! - ref[k]!) <= allowance)) bad.push(`[${Math.floor(k / s.inSize)}][${k % s.inSize}] got ${fmt(got[k]!)}, SGD ${fmt(ref[k]!)}`);
        }
        return bad.length === 0
          ? undefined
          : `${s.outSize}×${s.inSize} batch ${s.batch} lr ${lr}, 3 updates: ${bad.length} weights differ from exact SGD: ${bad.slice(0, MAX_LISTED).join('; ')}`;
      });
    }),
};

const SC_UPDATES = 1000;

const stochasticMean: ConformanceProperty = {
  id: 'update/stochastic-mean-step',
  title: 'the mean of many StochasticCompressed updates is the expected step −lr·d_i·x_j (no variation, bounds far away)',
  async run(ctx) {
    const outSize = 6;
    const inSize = 5;
    const dwMin = 0.001;
    const lr = 0.01; // lr · max|x| · max|d| / dw_min = 10 pulses <= desired_bl 31: no probability clips
    const rng = new DataRng(ctx.seed);
    const sign = (): number => (rng.next() < 0.5 ? -1 : 1);
    const x = Float32Array.from({ length: inSize }, () => sign() * rng.uniform(0.2, 1));
    const d = Float32Array.from({ length: outSize }, () => sign() * rng.uniform(0.2, 1));
    const config = new SingleRPUConfig({
      device: new ConstantStepDevice({
        dwMin,
        dwMinDtod: 0,
        dwMinStd: 0,
        upDown: 0,
        upDownDtod: 0,
        wMax: 100,
        wMin: -100,
        wMaxDtod: 0,
        wMinDtod: 0,
      }),
      update: { pulseType: 'StochasticCompressed', desiredBl: 31, updateBlManagement: true, updateManagement: true },
    });
    const size = outSize * inSize;
    const steps = new Float64Array(SC_UPDATES * size);
    await withTile(ctx.backend, config, outSize, inSize, ctx.seed, async (tile) => {
      await tile.setWeights(new Float32Array(size));
      let before = Float32Array.from(await tile.getWeights());
      for (let r = 0; r < SC_UPDATES; r++) {
        await tile.update(x, d, 1, lr);
        const after = Float32Array.from(await tile.getWeights());
        for (let k = 0; k < size; k++) steps[r * size + k] = after[k]! - before[k]!;
        before = after;
      }
    });
    const alpha = FALSE_FAILURE_PER_CHECK / size;
    const failures: string[] = [];
    let minP = 1;
    for (let i = 0; i < outSize; i++) {
      for (let j = 0; j < inSize; j++) {
        const k = i * inSize + j;
        const s = summarize(steps, SC_UPDATES, k, size);
        const expected = -lr * d[i]! * x[j]!;
        if (s.std === 0) {
          if (Math.abs(s.mean - expected) > 0.5 * dwMin) failures.push(`[${i}][${j}]: every step is ${fmt(s.mean)}, expected mean ${fmt(expected)}`);
          continue;
        }
        // Steps are differences of float32 weights up to |w| ~ SC_UPDATES · lr: allow their rounding.
        const allowance = floatAllowance(ctx.tolerance, SC_UPDATES * lr);
        const t = Math.max(0, Math.abs(s.mean - expected) - allowance) / (s.std / Math.sqrt(SC_UPDATES));
        const p = 2 * studentTUpperTail(t, SC_UPDATES - 1);
        minP = Math.min(minP, p);
        if (p < alpha) failures.push(`[${i}][${j}]: mean step ${fmt(s.mean)} ± ${fmt(s.std / Math.sqrt(SC_UPDATES))}, expected ${fmt(expected)} (p = ${fmt(p)})`);
      }
    }
    return result(failures, [`${size} elements × ${SC_UPDATES} updates, each t-test at p >= ${fmt(alpha)}; smallest p ${fmt(minP)}`]);
  },
};

const BOUND_PULSE_TYPES = ['StochasticCompressed', 'Stochastic', 'DeterministicImplicit', 'MeanCount', 'NoneWithDevice'] as const;

const withinBounds: ConformanceProperty = {
  id: 'update/weights-within-device-bounds',
  title: "weights never leave each device's bounds (max_bound/min_bound hidden parameters): after setWeights and after every update, for every pulse type",
  async run(ctx) {
    const outSize = 6;
    const inSize = 5;
    const failures: string[] = [];
    for (const [k, pulseType] of BOUND_PULSE_TYPES.entries()) {
      const rng = new DataRng(ctx.seed + k);
      const config = new SingleRPUConfig({ device: new ConstantStepDevice({ dwMin: 0.05 }), update: { pulseType } });
      await withTile(ctx.backend, config, outSize, inSize, ctx.seed + k, async (tile) => {
        const hidden = await tile.getHiddenParameters();
        const hi = hidden.max_bound;
        const lo = hidden.min_bound;
        if (!hi || !lo) {
          failures.push(`${pulseType}: the tile has no max_bound/min_bound hidden parameters (aihwkit's names); it has ${Object.keys(hidden).join(', ') || 'none'}`);
          return;
        }
        const check = async (when: string): Promise<boolean> => {
          const w = await tile.getWeights();
          for (let e = 0; e < w.length; e++) {
            if (!(w[e]! <= hi[e]! && w[e]! >= lo[e]!)) {
              failures.push(`${pulseType}, ${when}: weight [${Math.floor(e / inSize)}][${e % inSize}] = ${fmt(w[e]!)} outside [${fmt(lo[e]!)}, ${fmt(hi[e]!)}]`);
              return false;
            }
          }
          return true;
        };
        await tile.setWeights(rng.array(outSize * inSize, -2, 2));
        if (!(await check('after setWeights with values in [-2, 2]'))) return;
        for (let u = 0; u < 10; u++) {
          await tile.update(rng.array(3 * inSize, -1, 1), rng.array(3 * outSize, -1, 1), 3, 1);
          if (!(await check(`after update ${u + 1} (lr 1)`))) return;
        }
      });
    }
    return result(failures);
  },
};

/** Every property of the suite, in the order it runs them. */
export const PROPERTIES: readonly ConformanceProperty[] = Object.freeze([
  perfectGemm,
  managedGemm,
  adcGrid,
  forwardPassCounts,
  noiseFormulas,
  ...seedProperties,
  badMvmInput('forward'),
  badMvmInput('backward'),
  badUpdate,
  badSetWeights,
  pulseNoneSgd,
  stochasticMean,
  withinBounds,
  ...TILE_PROPERTIES,
]);

/** Runs one property; an exception (e.g. the engine refusing a valid call) becomes a failure. */
export async function checkProperty(property: ConformanceProperty, ctx: PropertyContext): Promise<PropertyResult> {
  try {
    return await property.run(ctx);
  } catch (e) {
    return result([`${property.id}: ${describeError(e)}`]);
  }
}
