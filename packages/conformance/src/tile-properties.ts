/**
 * Properties of the tile methods beyond forward/backward/update: decay,
 * diffusion, column reset, device drift, hidden parameters, and saving and
 * restoring a tile mid-run (getState/setState), each with its bad-input
 * property (a refused call changes neither the weights nor the state).
 *
 * Each is checked against the formula of oracle/README.md with the
 * tile's own hidden parameters, so an engine with device-to-device variation
 * is held to its own draws (the draws themselves are checked by the oracle's
 * d2d cases).
 */
import { ConstantStepDevice, IdealDevice, SingleRPUConfig, type AnalogTile, type RPUConfig, type TileState } from '@crossbar/core';
import { DRAW_PROPERTIES } from './draw-properties.js';
import { EDGE_PROPERTIES } from './edge-properties.js';
import { withTile } from './run.js';
import { DataRng, describeError, fmt, isRefusal, result, tileSnapshot, type ConformanceProperty, type PropertyContext, type PropertyResult } from './property-kit.js';
import { chiSquareLowerTail, chiSquareUpperTail, normalUpperTail } from './stats.js';
import { FALSE_FAILURE_PER_CHECK, floatAllowance, type Tolerance } from './tolerance.js';

const OUT = 6;
const IN = 5;
const MAX_LISTED = 4;

/** A quiet ConstantStep device (no cycle-to-cycle noise) with the given extras. */
function device(init: ConstructorParameters<typeof ConstantStepDevice>[0] = {}): SingleRPUConfig {
  return new SingleRPUConfig({
    device: new ConstantStepDevice({ dwMin: 0.01, dwMinStd: 0, resetStd: 0, wMax: 0.6, wMin: -0.6, constructionSeed: 4321, ...init }),
  });
}

function clip(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** Element-wise comparison to float32 rounding of the scale of each value. */
function compareTo(what: string, got: Float32Array, want: ArrayLike<number>, tol: Tolerance, scale = 1, failures: string[] = []): string[] {
  const bad: string[] = [];
  let n = 0;
  for (let i = 0; i < want.length; i++) {
    const allow = floatAllowance(tol, 4 * Math.max(scale, Math.abs(want[i]!)));
    if (!(Math.abs(got[i]! - want[i]!) <= allow)) {
      n++;
      if (bad.length < MAX_LISTED) bad.push(`[${Math.floor(i / IN)}][${i % IN}] ${fmt(got[i]!)}, expected ${fmt(want[i]!)}`);
    }
  }
  if (n > 0) failures.push(`${what}: ${n} of ${want.length} elements differ: ${bad.join('; ')}`);
  return failures;
}

interface BadCall {
  what: string;
  call(tile: AnalogTile): unknown;
}

/** Each bad call must be refused with a CrossbarError and leave the tile's whole state (getState) as it was. */
async function expectRefusals(tile: AnalogTile, bad: readonly BadCall[], failures: string[]): Promise<void> {
  for (const b of bad) {
    const before = await tileSnapshot(tile);
    let threw: unknown;
    try {
      await b.call(tile);
    } catch (e) {
      threw = e ?? new Error('undefined thrown');
    }
    if (threw === undefined) failures.push(`${b.what}: accepted, must be refused with an InputError`);
    else if (!isRefusal(threw)) failures.push(`${b.what}: threw ${describeError(threw)}, not a CrossbarError`);
    if ((await tileSnapshot(tile)) !== before) failures.push(`${b.what}: the refused call changed the tile (weights or state)`);
  }
}

async function hidden(tile: AnalogTile, names: readonly string[], failures: string[]): Promise<Record<string, Float32Array> | undefined> {
  const hp = await tile.getHiddenParameters();
  const missing = names.filter((n) => !hp[n]);
  if (missing.length > 0) {
    failures.push(`the tile has no hidden parameter(s) ${missing.join(', ')} (aihwkit's names); it has ${Object.keys(hp).join(', ') || 'none'}`);
    return undefined;
  }
  return hp;
}

// ---------------------------------------------------------------- decay

const decay: ConformanceProperty = {
  id: 'tile/decay',
  title: 'decayWeights(α): w ← clip((w − reset_bias)·(1 + α·(decay_scales − 1)) + reset_bias) per device, for α = 1, 0.5, 3; bad α refused',
  async run(ctx) {
    const failures: string[] = [];
    const rng = new DataRng(ctx.seed);
    const config = device({ lifetime: 8, lifetimeDtod: 0.3, reset: 0.05, resetDtod: 0.05, wMaxDtod: 0.2, wMinDtod: 0.2 });
    await withTile(ctx.backend, config, OUT, IN, ctx.seed, async (tile) => {
      const hp = await hidden(tile, ['decay_scales', 'reset_bias', 'max_bound', 'min_bound'], failures);
      if (!hp) return;
      await tile.setWeights(rng.array(OUT * IN, -0.5, 0.5));
      for (const alpha of [1, 0.5, 3]) {
        const w = await tile.getWeights();
        const want = Array.from(w, (v, e) => {
          const b = hp.reset_bias![e]!;
          return clip((v - b) * (1 + alpha * (hp.decay_scales![e]! - 1)) + b, hp.min_bound![e]!, hp.max_bound![e]!);
        });
        if (w.every((v, e) => v === Math.fround(want[e]!))) failures.push(`decay α = ${alpha}: the test data do not move (a decay that does nothing would pass)`);
        await tile.decayWeights(alpha);
        compareTo(`decayWeights(${alpha})`, await tile.getWeights(), want, ctx.tolerance, 0.5, failures);
      }
      await expectRefusals(
        tile,
        [NaN, Infinity, -Infinity, '1' as unknown as number].map((a) => ({ what: `decayWeights(${JSON.stringify(a) ?? String(a)})`, call: (t) => t.decayWeights(a) })),
        failures,
      );
    });
    // IdealDevice (aihwkit's RPUSimple): w·(1 − α/lifetime) when that factor is in (0, 1), no bias, no bounds.
    const ideal = new SingleRPUConfig({});
    (ideal as unknown as { device: IdealDevice }).device = new IdealDevice({ lifetime: 10 });
    await withTile(ctx.backend, ideal.validate(), OUT, IN, ctx.seed, async (tile) => {
      const w0 = rng.array(OUT * IN, -2, 2);
      await tile.setWeights(w0);
      await tile.decayWeights(1);
      compareTo(
        'IdealDevice decayWeights(1)',
        await tile.getWeights(),
        Array.from(w0, (v) => v * 0.9),
        ctx.tolerance,
        2,
        failures,
      );
      await tile.setWeights(w0);
      await tile.decayWeights(12); // 1 − 12/10 < 0: unchanged
      compareTo('IdealDevice decayWeights(12) (factor out of (0, 1): unchanged)', await tile.getWeights(), w0, ctx.tolerance, 2, failures);
    });
    return result(failures);
  },
};

// ---------------------------------------------------------------- diffusion

const diffusion: ConformanceProperty = {
  id: 'tile/diffusion',
  title: 'diffuseWeights: w ← clip(w + diffusion_rates·ξ), ξ standard normal (mean and variance tested), fresh noise per call',
  async run(ctx) {
    const failures: string[] = [];
    const outSize = 24;
    const inSize = 20;
    const n = outSize * inSize;
    const config = device({ diffusion: 0.01, diffusionDtod: 0.3, wMax: 10, wMin: -10, wMaxDtod: 0, wMinDtod: 0 });
    const alpha = FALSE_FAILURE_PER_CHECK / 6;
    await withTile(ctx.backend, config, outSize, inSize, ctx.seed, async (tile) => {
      const hp = await tile.getHiddenParameters();
      const rates = hp.diffusion_rates;
      if (!rates) return void failures.push(`the tile has no hidden parameter diffusion_rates; it has ${Object.keys(hp).join(', ')}`);
      const w0 = new DataRng(ctx.seed).array(n, -0.5, 0.5);
      await tile.setWeights(w0);
      let prev: Float32Array | undefined;
      for (let call = 0; call < 2; call++) {
        const before = await tile.getWeights();
        await tile.diffuseWeights();
        const after = await tile.getWeights();
        const z = Array.from(after, (v, e) => (v - before[e]!) / rates[e]!);
        let sum = 0;
        let sq = 0;
        for (const v of z) {
          sum += v;
          sq += v * v;
        }
        const pMean = 2 * normalUpperTail(Math.abs(sum / Math.sqrt(n)));
        const pVar = 2 * Math.min(chiSquareUpperTail(sq, n), chiSquareLowerTail(sq, n));
        if (pMean < alpha) failures.push(`call ${call + 1}: mean of (Δw / rate) = ${fmt(sum / n)}, not 0 (p = ${pMean.toExponential(2)})`);
        if (pVar < alpha)
          failures.push(
            `call ${call + 1}: Σ(Δw / rate)² = ${fmt(sq)} over ${n} elements, not χ²(${n}) (p = ${pVar.toExponential(2)}): the step std is not diffusion_rates`,
          );
        const dz = Float32Array.from(z);
        if (prev && dz.every((v, e) => v === prev![e])) failures.push('two diffuse calls drew the same noise');
        prev = dz;
      }
    });
    return result(failures, [`mean and variance tests at p >= ${alpha.toExponential(2)}`]);
  },
};

// ---------------------------------------------------------------- reset

/** The columns aihwkit's reset_columns(start, count) resets: count from start on, wrapping; count < 0: all. */
function resetColumnSet(start: number, count: number, inSize: number): Set<number> {
  const c = count < 0 ? inSize : count;
  const out = new Set<number>();
  for (let k = 0; k < c; k++) out.add((start + k) % inSize);
  return out;
}

const RESET_CALLS: ReadonlyArray<[number, number]> = [
  [0, 1],
  [1, 2],
  [IN - 1, 1],
  [IN - 2, 3], // wraps past the last column
  [3, IN], // every column, from 3 on
  [2, 0], // none
  [0, -1], // all (aihwkit's reset())
];

const reset: ConformanceProperty = {
  id: 'tile/reset-columns',
  title:
    'resetColumns(start, count, p): exactly the columns start, start + 1, … (wrapping past the last; count < 0 all) are set to clip(reset_bias), with probability p; bad arguments refused',
  async run(ctx) {
    const failures: string[] = [];
    const rng = new DataRng(ctx.seed);
    const config = device({ reset: 0.1, resetDtod: 0.05, wMaxDtod: 0.2, wMinDtod: 0.2 });
    await withTile(ctx.backend, config, OUT, IN, ctx.seed, async (tile) => {
      const hp = await hidden(tile, ['reset_bias', 'max_bound', 'min_bound'], failures);
      if (!hp) return;
      const target = Array.from(hp.reset_bias!, (b, e) => clip(b, hp.min_bound![e]!, hp.max_bound![e]!));
      for (const [start, count] of RESET_CALLS) {
        const w0 = rng.array(OUT * IN, -0.5, 0.5);
        await tile.setWeights(w0);
        const before = await tile.getWeights();
        await tile.resetColumns(start, count, 1);
        const cols = resetColumnSet(start, count, IN);
        const want = Array.from(before, (v, e) => (cols.has(e % IN) ? target[e]! : v));
        compareTo(`resetColumns(${start}, ${count}) (columns ${[...cols].join(', ') || 'none'})`, await tile.getWeights(), want, ctx.tolerance, 0.5, failures);
      }
      // probability 0.5: every element either kept or reset, about half reset
      const outSize = OUT;
      let reset = 0;
      let total = 0;
      for (let k = 0; k < 8; k++) {
        await tile.setWeights(rng.array(OUT * IN, -0.5, 0.5));
        const before = await tile.getWeights();
        await tile.resetColumns(0, -1, 0.5);
        const after = await tile.getWeights();
        for (let e = 0; e < outSize * IN; e++) {
          total++;
          if (after[e] === before[e]) continue;
          if (Math.abs(after[e]! - target[e]!) <= floatAllowance(ctx.tolerance, 1)) reset++;
          else failures.push(`resetColumns(0, -1, 0.5): element ${e} became ${fmt(after[e]!)}, neither kept nor its reset value ${fmt(target[e]!)}`);
        }
      }
      const z = (reset - total / 2) / Math.sqrt(total / 4);
      if (2 * normalUpperTail(Math.abs(z)) < FALSE_FAILURE_PER_CHECK) failures.push(`resetColumns(·, ·, 0.5) reset ${reset} of ${total} elements (z = ${fmt(z)})`);
      await expectRefusals(
        tile,
        [
          { what: 'resetColumns(-1)', call: (t) => t.resetColumns(-1, 1, 1) },
          { what: `resetColumns(${IN}) (start past the last column)`, call: (t) => t.resetColumns(IN, 1, 1) },
          { what: 'resetColumns(0.5)', call: (t) => t.resetColumns(0.5, 1, 1) },
          { what: `resetColumns(0, ${IN + 1}) (more columns than the tile has)`, call: (t) => t.resetColumns(0, IN + 1, 1) },
          { what: 'resetColumns(0, 1.5)', call: (t) => t.resetColumns(0, 1.5, 1) },
          { what: 'resetColumns(0, 1, 2)', call: (t) => t.resetColumns(0, 1, 2) },
          { what: 'resetColumns(0, 1, -0.1)', call: (t) => t.resetColumns(0, 1, -0.1) },
          { what: 'resetColumns(0, 1, NaN)', call: (t) => t.resetColumns(0, 1, NaN) },
        ],
        failures,
      );
    });
    return result(failures);
  },
};

// ---------------------------------------------------------------- drift

const drift: ConformanceProperty = {
  id: 'tile/device-drift',
  title: "driftWeights: w = w₀·(T/t₀)^(−drift_nu) with each device's own ν and one clock T for all unchanged devices, T growing over calls; bad times refused",
  async run(ctx) {
    const failures: string[] = [];
    const config = device({ drift: { nu: 0.1, nuDtod: 0.3 } });
    await withTile(ctx.backend, config, OUT, IN, ctx.seed, async (tile) => {
      const hp = await hidden(tile, ['drift_nu'], failures);
      if (!hp) return;
      const nu = hp.drift_nu!;
      const w0 = new DataRng(ctx.seed).array(OUT * IN, 0.1, 0.5);
      await tile.setWeights(w0);
      const ref = await tile.getWeights();
      let lastLogT = 0;
      for (const dt of [10, 100, 1000]) {
        await tile.driftWeights(dt);
        const w = await tile.getWeights();
        // log(T/t0) implied by each element: log(w/w0)/(−ν); one value for all elements
        const logT: number[] = [];
        for (let e = 0; e < w.length; e++) if (nu[e]! > 0.02) logT.push(Math.log(w[e]! / ref[e]!) / -nu[e]!);
        const mean = logT.reduce((a, b) => a + b, 0) / logT.length;
        const spread = Math.max(...logT.map((v) => Math.abs(v - mean)));
        if (!(spread <= 1e-3 * Math.max(1, Math.abs(mean)))) {
          failures.push(
            `after driftWeights(${dt}): the elements imply different drift times (log T/t₀ from ${fmt(Math.min(...logT))} to ${fmt(Math.max(...logT))}): ν is not each device's drift_nu`,
          );
        }
        if (!(mean >= lastLogT)) failures.push(`after driftWeights(${dt}): the drift time went back (log T/t₀ ${fmt(mean)} < ${fmt(lastLogT)})`);
        lastLogT = mean;
      }
      if (!(lastLogT > 1)) failures.push(`after 1110 s of drift the weights drifted as for T/t₀ = ${fmt(Math.exp(lastLogT))} only`);
      // A negative ν makes weights grow: they stay clipped to their bounds (aihwkit clips after each drift).
      const hi = (await tile.getHiddenParameters()).max_bound!;
      await tile.setHiddenParameters({ drift_nu: new Float32Array(OUT * IN).fill(-0.3) });
      await tile.setWeights(Float32Array.from(hi, (b) => 0.9 * b));
      for (const dt of [10, 1000]) await tile.driftWeights(dt);
      const grown = await tile.getWeights();
      const outside = grown.findIndex((v, e) => !(v <= hi[e]!));
      if (outside >= 0) failures.push(`with drift_nu −0.3 a weight drifted to ${fmt(grown[outside]!)}, above its max_bound ${fmt(hi[outside]!)}`);
      if (!grown.some((v, e) => v === hi[e])) failures.push('with drift_nu −0.3 no weight grew to its bound in 1010 s');
      await expectRefusals(
        tile,
        [-1, NaN, Infinity].map((t) => ({ what: `driftWeights(${t})`, call: (tl: AnalogTile) => tl.driftWeights(t) })),
        failures,
      );
    });
    // Without a drift (nu = 0) driftWeights changes nothing.
    await withTile(ctx.backend, device(), OUT, IN, ctx.seed, async (tile) => {
      const w0 = new DataRng(ctx.seed).array(OUT * IN, -0.5, 0.5);
      await tile.setWeights(w0);
      const set = await tile.getWeights(); // clipped to the device bounds
      await tile.driftWeights(10);
      await tile.driftWeights(1000);
      compareTo('driftWeights without drift (nu 0)', await tile.getWeights(), set, ctx.tolerance, 0, failures);
    });
    return result(failures);
  },
};

const driftNoise: ConformanceProperty = {
  id: 'tile/device-drift-noise',
  title: 'drift noise: w_noise_std adds w_noise_std·ξ to the drifted weight, nu_std draws ν·(1 + nu_std·ξ) per call (variance tested against tiles without the noise)',
  async run(ctx) {
    const failures: string[] = [];
    const outSize = 24;
    const inSize = 20;
    const n = outSize * inSize;
    const alpha = FALSE_FAILURE_PER_CHECK / 4;
    const w0 = new DataRng(ctx.seed).array(n, 0.1, 0.5);
    const run = (drift: Record<string, number>) =>
      withTile(ctx.backend, device({ wMaxDtod: 0, wMinDtod: 0, drift: { nu: 0.1, ...drift } }), outSize, inSize, ctx.seed, async (tile) => {
        await tile.setWeights(w0);
        await tile.driftWeights(10);
        await tile.driftWeights(100);
        return tile.getWeights();
      });
    const plain = await run({});
    const logT = Array.from(plain, (v, e) => Math.log(v / w0[e]!) / -0.1);
    const chi = (what: string, z: number[], expected: number): void => {
      const sq = z.reduce((a, b) => a + (b * b) / (expected * expected), 0);
      const p = 2 * Math.min(chiSquareUpperTail(sq, z.length), chiSquareLowerTail(sq, z.length));
      if (p < alpha) failures.push(`${what}: the spread is ${fmt(Math.sqrt(sq / z.length) * expected)}, expected ${expected} (χ² p = ${p.toExponential(2)})`);
    };
    const noisy = await run({ wNoiseStd: 0.01 });
    chi(
      'w_noise_std 0.01',
      Array.from(noisy, (v, e) => v - plain[e]!),
      0.01,
    );
    const nuNoisy = await run({ nuStd: 0.2 });
    chi(
      'nu_std 0.2',
      Array.from(nuNoisy, (v, e) => -Math.log(v / w0[e]!) / logT[e]! / 0.1 - 1),
      0.2,
    );
    return result(failures, [`χ² tests at p >= ${alpha.toExponential(2)}`]);
  },
};

// ---------------------------------------------------------------- hidden parameters

const hiddenParameters: ConformanceProperty = {
  id: 'tile/hidden-parameters',
  title:
    'setHiddenParameters writes what getHiddenParameters reads back and clips the weights to new bounds; out-of-range, non-finite, unknown or mis-sized values refused',
  async run(ctx) {
    const failures: string[] = [];
    await withTile(ctx.backend, device({ wMaxDtod: 0.2, wMinDtod: 0.2, lifetime: 10, reset: 0.05 }), OUT, IN, ctx.seed, async (tile) => {
      const hp = await hidden(tile, ['max_bound', 'min_bound', 'dwmin_up', 'dwmin_down', 'decay_scales', 'diffusion_rates', 'reset_bias'], failures);
      if (!hp) return;
      await tile.setWeights(new DataRng(ctx.seed).array(OUT * IN, -0.5, 0.5));
      const size = OUT * IN;
      const set = {
        max_bound: Float32Array.from({ length: size }, (_, e) => 0.2 + 0.01 * e),
        min_bound: Float32Array.from({ length: size }, (_, e) => -0.3 - 0.005 * e),
        dwmin_up: Float32Array.from({ length: size }, (_, e) => 0.01 + 0.0001 * e),
        reset_bias: Float32Array.from({ length: size }, (_, e) => 0.001 * e),
      };
      const before = await tile.getWeights();
      await tile.setHiddenParameters(set);
      const back = await tile.getHiddenParameters();
      for (const [name, v] of Object.entries(set)) compareTo(`${name} read back`, back[name]!, v, ctx.tolerance, 0, failures);
      for (const name of ['dwmin_down', 'decay_scales', 'diffusion_rates']) compareTo(`${name} (not set) read back`, back[name]!, hp[name]!, ctx.tolerance, 0, failures);
      compareTo(
        'weights after new bounds (clipped to them)',
        await tile.getWeights(),
        Array.from(before, (v, e) => clip(v, set.min_bound[e]!, set.max_bound[e]!)),
        ctx.tolerance,
        0.5,
        failures,
      );
      const fill = (v: number): Float32Array => new Float32Array(size).fill(v);
      const oneAt = (base: Float32Array, e: number, v: number): Float32Array => {
        const c = Float32Array.from(base);
        c[e] = v;
        return c;
      };
      await expectRefusals(
        tile,
        [
          { what: 'max_bound below min_bound', call: (t) => t.setHiddenParameters({ max_bound: oneAt(set.max_bound, 7, -0.5) }) },
          { what: 'min_bound above max_bound', call: (t) => t.setHiddenParameters({ min_bound: fill(0.5) }) },
          { what: 'negative dwmin_up (enforce_consistency)', call: (t) => t.setHiddenParameters({ dwmin_up: oneAt(set.dwmin_up, 3, -0.01) }) },
          { what: 'dwmin_down NaN', call: (t) => t.setHiddenParameters({ dwmin_down: oneAt(hp.dwmin_down!, 0, NaN) }) },
          { what: 'reset_bias 1e38', call: (t) => t.setHiddenParameters({ reset_bias: oneAt(set.reset_bias, 1, 1e38) }) },
          { what: 'negative diffusion_rates', call: (t) => t.setHiddenParameters({ diffusion_rates: fill(-0.1) }) },
          { what: 'decay_scales above 1', call: (t) => t.setHiddenParameters({ decay_scales: fill(1.5) }) },
          { what: 'an unknown name', call: (t) => t.setHiddenParameters({ dw_min: fill(0.01) }) },
          { what: 'one element short', call: (t) => t.setHiddenParameters({ reset_bias: fill(0).subarray(1) }) },
          { what: 'a plain Array', call: (t) => t.setHiddenParameters({ reset_bias: Array.from(fill(0)) as unknown as Float32Array }) },
          { what: 'valid values together with a bad one', call: (t) => t.setHiddenParameters({ reset_bias: fill(0.02), max_bound: oneAt(set.max_bound, 0, Infinity) }) },
        ],
        failures,
      );
    });
    return result(failures);
  },
};

// ---------------------------------------------------------------- save / restore

/** A noisy config where every operation draws random numbers. */
function noisyConfig(): RPUConfig {
  return new SingleRPUConfig({
    device: new ConstantStepDevice({ dwMin: 0.02, lifetime: 20, diffusion: 0.005, reset: 0.02, resetStd: 0.01, drift: { nu: 0.05, nuStd: 0.1, wNoiseStd: 0.001 } }),
    forward: { outNoise: 0.02, inpNoise: 0.01 },
    backward: { outNoise: 0.02 },
  });
}

/** The second half of the run: every random-consuming call, with its outputs and the weights after each. */
async function continueRun(tile: AnalogTile, rng: DataRng): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  // First a drift: it depends on the saved drift clock and reference weights.
  await tile.driftWeights(30);
  out.push(await tile.getWeights());
  const x = rng.array(3 * IN, -1, 1);
  const d = rng.array(3 * OUT, -0.5, 0.5);
  out.push(Float32Array.from(await tile.forward(x, 3)));
  out.push(Float32Array.from(await tile.backward(d, 3)));
  await tile.update(x, d, 3, 0.1);
  out.push(await tile.getWeights());
  await tile.diffuseWeights();
  await tile.decayWeights(1);
  await tile.resetColumns(1, 2, 0.5);
  out.push(await tile.getWeights());
  await tile.driftWeights(50);
  out.push(await tile.getWeights());
  out.push(Float32Array.from(await tile.forward(x, 3)));
  return out;
}

async function firstHalf(tile: AnalogTile, rng: DataRng): Promise<void> {
  await tile.setWeights(rng.array(OUT * IN, -0.4, 0.4));
  await tile.driftWeights(5);
  const x = rng.array(2 * IN, -1, 1);
  const d = rng.array(2 * OUT, -0.5, 0.5);
  await tile.forward(x, 2);
  await tile.update(x, d, 2, 0.1);
  await tile.diffuseWeights();
  await tile.driftWeights(20);
}

function firstDifference(a: readonly Float32Array[], b: readonly Float32Array[], tol: Tolerance | null): string | undefined {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k];
    if (!y || y.length !== x.length) return `step ${k}: ${y?.length ?? 0} values, expected ${x.length}`;
    for (let i = 0; i < x.length; i++) {
      const ok = tol === null ? Object.is(x[i], y[i]) : Math.abs(x[i]! - y[i]!) <= floatAllowance(tol, 8 * Math.max(1, Math.abs(x[i]!)));
      if (!ok) return `step ${k}[${i}]: ${fmt(y[i]!)}, the uninterrupted run ${fmt(x[i]!)}`;
    }
  }
  return undefined;
}

const saveRestore: ConformanceProperty = {
  id: 'tile/save-restore',
  title:
    'a tile saved mid-run (getState → JSON) and restored into a new tile continues with exactly the numbers of the uninterrupted run (same random-call position), on this engine and on the others given',
  async run(ctx: PropertyContext): Promise<PropertyResult> {
    const failures: string[] = [];
    const notes: string[] = [];
    const config = noisyConfig();
    const seed = ctx.seed + 31;
    // The uninterrupted run, and the state at its middle.
    const { reference, saved } = await withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
      const rng = new DataRng(ctx.seed);
      await firstHalf(tile, rng);
      const state = JSON.parse(JSON.stringify(await tile.getState())) as TileState;
      return { reference: await continueRun(tile, rng), saved: state };
    });
    const restoredRun = async (backend: typeof ctx.backend): Promise<Float32Array[]> =>
      withTile(backend, config, OUT, IN, seed, async (tile) => {
        const rng = new DataRng(ctx.seed);
        // the data stream must be where the first half left it: replay its draws
        rng.array(OUT * IN, -0.4, 0.4);
        rng.array(2 * IN, -1, 1);
        rng.array(2 * OUT, -0.5, 0.5);
        await tile.forward(new DataRng(ctx.seed + 2).array(IN, -1, 1), 1); // a call the saved state must undo (its noise position)
        await tile.setState(saved);
        return continueRun(tile, rng);
      });
    const same = firstDifference(reference, await restoredRun(ctx.backend), null);
    if (same !== undefined) failures.push(`restored on the same engine, the run differs from the uninterrupted one at ${same}`);
    // Restoring twice from the same state replays the same numbers (the state, not the tile, fixes them).
    const again = firstDifference(reference, await restoredRun(ctx.backend), null);
    if (again !== undefined) failures.push(`a second restore differs at ${again}`);
    for (const other of ctx.others ?? []) {
      const diff = firstDifference(reference, await restoredRun(other.backend), ctx.tolerance);
      if (diff !== undefined) failures.push(`restored on ${other.name}, the run differs beyond float32 rounding at ${diff}`);
      else notes.push(`restored on ${other.name}: the same numbers to float32 rounding`);
    }
    // A bad state is refused and changes nothing.
    await withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
      await firstHalf(tile, new DataRng(ctx.seed + 1));
      const spoil = (f: (s: TileState & Record<string, unknown>) => void): TileState => {
        const s = JSON.parse(JSON.stringify(saved)) as TileState & Record<string, unknown>;
        f(s);
        return s;
      };
      const firstHidden = Object.keys(saved.hiddenParameters)[0]!;
      const driftKey = Object.keys(saved.arrays).find((k) => saved.arrays[k] !== null && k.startsWith('drift.'));
      await expectRefusals(
        tile,
        [
          { what: 'setState with a null weight (JSON NaN)', call: (t) => t.setState(spoil((s) => void ((s.weights as unknown[])[3] = null))) },
          { what: 'setState with a string weight', call: (t) => t.setState(spoil((s) => void ((s.weights as unknown[])[0] = '0.5'))) },
          { what: 'setState with a boolean weight', call: (t) => t.setState(spoil((s) => void ((s.weights as unknown[])[0] = true))) },
          { what: 'setState with weights one short', call: (t) => t.setState(spoil((s) => void s.weights.pop())) },
          { what: `setState with ${firstHidden} null`, call: (t) => t.setState(spoil((s) => void ((s.hiddenParameters[firstHidden] as unknown[])[2] = null))) },
          ...(driftKey ? [{ what: `setState with ${driftKey} too short`, call: (t: AnalogTile) => t.setState(spoil((s) => void (s.arrays[driftKey] = [1, 2]))) }] : []),
          { what: 'setState with a string scalar', call: (t) => t.setState(spoil((s) => void (s.scalars['drift.now'] = 'abc' as unknown as number))) },
          { what: 'setState from another seed', call: (t) => t.setState(spoil((s) => void (s.seed = seed + 1))) },
          { what: 'setState with rngCall 0', call: (t) => t.setState(spoil((s) => void (s.rngCall = 0))) },
          { what: 'setState of another size', call: (t) => t.setState(spoil((s) => void (s.inSize = IN + 1))) },
          { what: 'setState(null)', call: (t) => t.setState(null as unknown as TileState) },
        ],
        failures,
      );
    });
    return result(failures, notes);
  },
};

// ---------------------------------------------------------------- other bad input

const badScales: ConformanceProperty = {
  id: 'bad-input/set-scales',
  title: 'setScales refuses wrong lengths and non-finite scales, leaving the weights and state unchanged',
  async run(ctx) {
    const failures: string[] = [];
    await withTile(ctx.backend, device(), OUT, IN, ctx.seed, async (tile) => {
      await tile.setWeights(new DataRng(ctx.seed).array(OUT * IN, -0.4, 0.4));
      await expectRefusals(
        tile,
        [
          { what: 'scales one short', call: (t) => t.setScales(new Float32Array(OUT - 1).fill(1)) },
          { what: 'scales with NaN', call: (t) => t.setScales(Float32Array.from({ length: OUT }, (_, i) => (i === 2 ? NaN : 1))) },
          { what: 'scales a plain Array', call: (t) => t.setScales(new Array(OUT).fill(1) as unknown as Float32Array) },
        ],
        failures,
      );
    });
    return result(failures);
  },
};

const disposed: ConformanceProperty = {
  id: 'bad-input/disposed-tile',
  title: 'a disposed tile refuses every call with a CrossbarError',
  async run(ctx) {
    const failures: string[] = [];
    const tile = await ctx.backend.createTile({ outSize: OUT, inSize: IN, rpuConfig: device(), seed: ctx.seed });
    await tile.setWeights(new Float32Array(OUT * IN));
    await tile.dispose();
    const calls: Array<[string, () => unknown]> = [
      ['getWeights', () => tile.getWeights()],
      ['setWeights', () => tile.setWeights(new Float32Array(OUT * IN))],
      ['forward', () => tile.forward(new Float32Array(IN), 1)],
      ['backward', () => tile.backward(new Float32Array(OUT), 1)],
      ['update', () => tile.update(new Float32Array(IN), new Float32Array(OUT), 1, 0.1)],
      ['decayWeights', () => tile.decayWeights()],
      ['diffuseWeights', () => tile.diffuseWeights()],
      ['resetColumns', () => tile.resetColumns()],
      ['driftWeights', () => tile.driftWeights(1)],
      ['getHiddenParameters', () => tile.getHiddenParameters()],
      ['getState', () => tile.getState()],
    ];
    for (const [name, call] of calls) {
      try {
        await call();
        failures.push(`${name} on a disposed tile: accepted`);
      } catch (e) {
        if (!isRefusal(e)) failures.push(`${name} on a disposed tile: threw ${describeError(e)}, not a CrossbarError`);
      }
    }
    return result(failures);
  },
};

/** The tile-method properties, appended to PROPERTIES. */
export const TILE_PROPERTIES: readonly ConformanceProperty[] = [
  decay,
  diffusion,
  reset,
  drift,
  driftNoise,
  hiddenParameters,
  saveRestore,
  badScales,
  disposed,
  ...DRAW_PROPERTIES,
  ...EDGE_PROPERTIES,
];
