/**
 * Properties of how the device operations address their random numbers
 * (docs/random-numbers.md, "How an engine addresses its draws"): one call index
 * per random-consuming operation and none for an operation that draws nothing
 * (TileState.rngCall), and the exact numbers of each documented stream
 * (core's RandomStreamId comments: DeviceDiffusion, DeviceReset, DeviceDrift,
 * UpdateWriteNoise). Two engines that address the same draws give the same
 * numbers, so these hold on every engine; they catch what a statistical test
 * cannot (noise subtracted instead of added, a reset that picks the other
 * half, an operation that consumes one call too many). Found by mutation
 * testing (docs/conformance.md, "Mutation testing").
 *
 * An engine that refuses getState cannot show its random-call position: the
 * properties then say so in a note and check what they can without it.
 */
import {
  FloatingPointDevice,
  FloatingPointRPUConfig,
  IdealDevice,
  RandomStream,
  RandomStreamId,
  SingleRPUConfig,
  type AnalogTile,
  type RPUConfig,
  type TileState,
} from '@crossbar/core';
import { compare, IN, MAX_LISTED, OUT, pulsed, SIZE, writeNoisy } from './lifecycle-kit.js';
import { withTile } from './run.js';
import { DataRng, fmt, isRefusal, result, type ConformanceProperty, type PropertyContext, type PropertyResult } from './property-kit.js';
import { floatAllowance } from './tolerance.js';

/** The tile's random-call position (TileState.rngCall), or undefined when the engine refuses getState. */
async function rngCall(tile: AnalogTile): Promise<number | undefined> {
  try {
    return (await tile.getState()).rngCall;
  } catch (e) {
    if (isRefusal(e)) return undefined;
    throw e;
  }
}

function floatingPoint(init: ConstructorParameters<typeof FloatingPointDevice>[0] = {}): RPUConfig {
  return new FloatingPointRPUConfig({ device: new FloatingPointDevice(init) });
}

function normals(seed: number, stream: RandomStreamId, call: number, sub: number): Float32Array {
  const out = new Float32Array(SIZE);
  new RandomStream(seed, stream, call, sub).fillNormal(out, 0);
  return out;
}

// ---------------------------------------------------------------- random-call position

interface CountedCall {
  what: string;
  /** Random calls the operation must take (docs/random-numbers.md rule 1). */
  calls: 0 | 1;
  run(tile: AnalogTile): unknown;
}

const x1 = Float32Array.from({ length: IN }, (_, j) => 0.2 + 0.1 * j);
const d1 = Float32Array.from({ length: OUT }, (_, i) => (i % 2 === 0 ? 0.3 : -0.2));

const COUNTED: ReadonlyArray<{ label: string; config: () => RPUConfig; calls: CountedCall[] }> = [
  {
    label: 'ConstantStep, drift without noise',
    config: () => pulsed({ lifetime: 8, reset: 0.05, diffusion: 0.01, drift: { nu: 0.1 } }),
    calls: [
      { what: 'setWeights', calls: 0, run: (t) => t.setWeights(new DataRng(5).array(SIZE, -0.5, 0.5)) },
      { what: 'decayWeights(1)', calls: 0, run: (t) => t.decayWeights(1) },
      { what: 'driftWeights(10) (no nu_std, no w_noise_std)', calls: 0, run: (t) => t.driftWeights(10) },
      { what: 'resetColumns(0, 0, 1) (no column)', calls: 0, run: (t) => t.resetColumns(0, 0, 1) },
      { what: 'resetColumns(0, 2, 0) (probability 0)', calls: 0, run: (t) => t.resetColumns(0, 2, 0) },
      { what: 'update with learning rate 0', calls: 0, run: (t) => t.update(x1, d1, 1, 0) },
      { what: 'diffuseWeights', calls: 1, run: (t) => t.diffuseWeights() },
      { what: 'resetColumns(1, 2, 1)', calls: 1, run: (t) => t.resetColumns(1, 2, 1) },
      { what: 'update with learning rate 0.1', calls: 1, run: (t) => t.update(x1, d1, 1, 0.1) },
    ],
  },
  {
    label: 'ConstantStep, drift with nu_std',
    config: () => pulsed({ drift: { nu: 0.1, nuStd: 0.1 } }),
    calls: [{ what: 'driftWeights(10) (nu_std 0.1)', calls: 1, run: (t) => t.driftWeights(10) }],
  },
  {
    label: 'ConstantStep, drift with w_noise_std',
    config: () => pulsed({ drift: { nu: 0.1, wNoiseStd: 0.01 } }),
    calls: [{ what: 'driftWeights(10) (w_noise_std 0.01)', calls: 1, run: (t) => t.driftWeights(10) }],
  },
  {
    label: 'LinearStep with write_noise_std, drift without noise',
    config: () => writeNoisy({ lifetime: 8, drift: { nu: 0.1 } }),
    calls: [
      { what: 'setWeights (write noise)', calls: 1, run: (t) => t.setWeights(new DataRng(6).array(SIZE, -0.5, 0.5)) },
      { what: 'decayWeights(1) (write noise)', calls: 1, run: (t) => t.decayWeights(1) },
      { what: 'driftWeights(10) (write noise only)', calls: 1, run: (t) => t.driftWeights(10) },
    ],
  },
  {
    label: 'FloatingPointDevice with drift and diffusion',
    config: () => floatingPoint({ diffusion: 0.01, lifetime: 8, drift: { nu: 0.1 } }),
    calls: [
      { what: 'driftWeights(10)', calls: 0, run: (t) => t.driftWeights(10) },
      { what: 'decayWeights(1)', calls: 0, run: (t) => t.decayWeights(1) },
      { what: 'diffuseWeights', calls: 1, run: (t) => t.diffuseWeights() },
      { what: 'update with learning rate 0', calls: 0, run: (t) => t.update(x1, d1, 1, 0) },
    ],
  },
  {
    label: 'FloatingPointDevice without diffusion',
    config: () => floatingPoint({}),
    calls: [{ what: 'diffuseWeights (diffusion 0: nothing to draw)', calls: 0, run: (t) => t.diffuseWeights() }],
  },
];

const randomCalls: ConformanceProperty = {
  id: 'tile/random-call-count',
  title:
    'each device operation that draws takes exactly one random call (TileState.rngCall + 1) and one that draws nothing takes none (decay, drift without noise, an empty reset, a zero learning rate)',
  async run(ctx) {
    const failures: string[] = [];
    for (const { label, config, calls } of COUNTED) {
      const refused = await withTile(ctx.backend, config(), OUT, IN, ctx.seed, async (tile) => {
        for (const c of calls) {
          const before = await rngCall(tile);
          if (before === undefined) return true;
          await c.run(tile);
          const after = await rngCall(tile);
          if (after !== before + c.calls) failures.push(`${label}: ${c.what} moved rngCall from ${before} to ${after}, expected ${before + c.calls}`);
        }
        return false;
      });
      if (refused) return result([], ['the engine refuses getState: its random-call position cannot be checked']);
    }
    return result(failures);
  },
};

// ---------------------------------------------------------------- the draws

/** Runs fn with the random call the next operation takes (rngCall before it), or records why it cannot. */
async function withCall(tile: AnalogTile, notes: string[], fn: (call: number) => Promise<void>): Promise<void> {
  const call = await rngCall(tile);
  if (call === undefined) {
    if (notes.length === 0) notes.push('the engine refuses getState: the exact draws cannot be addressed');
    return;
  }
  await fn(call);
}

async function checkDiffusion(ctx: PropertyContext, failures: string[], notes: string[]): Promise<void> {
  const seed = ctx.seed;
  await withTile(ctx.backend, pulsed({ diffusion: 0.01, diffusionDtod: 0.3, wMax: 10, wMin: -10 }), OUT, IN, seed, async (tile) => {
    await tile.setWeights(new DataRng(seed).array(SIZE, -0.5, 0.5));
    const rates = (await tile.getHiddenParameters()).diffusion_rates;
    if (!rates) return void failures.push('pulsed diffusion: the tile has no hidden parameter diffusion_rates');
    await withCall(tile, notes, async (call) => {
      const before = await tile.getWeights();
      await tile.diffuseWeights();
      const xi = normals(seed, RandomStreamId.DeviceDiffusion, call, 0);
      const want = Array.from(before, (w, e) => Math.fround(w + Math.fround(rates[e]! * xi[e]!)));
      compare('pulsed diffuseWeights: w + diffusion_rates·ξ(DeviceDiffusion, call, sub 0, element)', await tile.getWeights(), want, ctx.tolerance, failures, 0.5);
    });
  });
  await withTile(ctx.backend, floatingPoint({ diffusion: 0.02 }), OUT, IN, seed, async (tile) => {
    await tile.setWeights(new DataRng(seed + 1).array(SIZE, -0.5, 0.5));
    await withCall(tile, notes, async (call) => {
      const before = await tile.getWeights();
      await tile.diffuseWeights();
      const xi = normals(seed, RandomStreamId.DeviceDiffusion, call, 0);
      const want = Array.from(before, (w, e) => Math.fround(w + Math.fround(Math.fround(0.02) * xi[e]!)));
      compare('FloatingPointDevice diffuseWeights: w + diffusion·ξ', await tile.getWeights(), want, ctx.tolerance, failures, 0.5);
    });
  });
}

async function checkReset(ctx: PropertyContext, failures: string[], notes: string[]): Promise<void> {
  const seed = ctx.seed;
  const std = 0.05;
  await withTile(ctx.backend, pulsed({ reset: 0.1, resetDtod: 0.05, resetStd: std }), OUT, IN, seed, async (tile) => {
    const hp = await tile.getHiddenParameters();
    const bias = hp.reset_bias;
    if (!bias || !hp.max_bound || !hp.min_bound) return void failures.push('reset: the tile has no reset_bias/max_bound/min_bound hidden parameters');
    await tile.setWeights(new DataRng(seed).array(SIZE, -0.5, 0.5));
    await withCall(tile, notes, async (call) => {
      const before = await tile.getWeights();
      await tile.resetColumns(0, -1, 0.5);
      const pick = new RandomStream(seed, RandomStreamId.DeviceReset, call, 0);
      const xi = new RandomStream(seed, RandomStreamId.DeviceReset, call, 1);
      const want = Array.from(before, (w, e) =>
        pick.uniform(e) < Math.fround(0.5)
          ? Math.min(Math.max(Math.fround(bias[e]! + Math.fround(Math.fround(std) * xi.normal(e))), hp.min_bound![e]!), hp.max_bound![e]!)
          : w,
      );
      compare(
        'resetColumns(0, -1, 0.5): element e reset iff uniform(DeviceReset, call, sub 0, e) < 0.5, to reset_bias + reset_std·normal(sub 1, e)',
        await tile.getWeights(),
        want,
        ctx.tolerance,
        failures,
        0.5,
      );
    });
  });
}

async function checkDriftNoise(ctx: PropertyContext, failures: string[], notes: string[]): Promise<void> {
  const seed = ctx.seed;
  const w0 = new DataRng(seed).array(SIZE, 0.1, 0.5);
  // The same devices (ν draws do not depend on the noise settings) drifted with and without noise.
  const drifted = (drift: Record<string, number>): Promise<{ w: Float32Array; call: number | undefined }> =>
    withTile(ctx.backend, pulsed({ drift: { nu: 0.1, nuDtod: 0.2, ...drift } }), OUT, IN, seed, async (tile) => {
      await tile.setWeights(w0);
      await tile.driftWeights(10);
      const call = await rngCall(tile);
      await tile.driftWeights(100);
      return { w: await tile.getWeights(), call };
    });
  const plain = await drifted({});
  const noisy = await drifted({ wNoiseStd: 0.01 });
  if (noisy.call === undefined) return void notes.push('the engine refuses getState: the exact draws cannot be addressed');
  // Both drift calls see unchanged weights (the first starts the clock from set_weights), so
  // the second call's weight is the noise-free one plus its own noise.
  const xi2 = normals(seed, RandomStreamId.DeviceDrift, noisy.call, 1);
  const diff = Array.from(noisy.w, (w, e) => w - plain.w[e]!);
  const want = Array.from(xi2, (z) => 0.01 * z);
  compare('drift with w_noise_std 0.01, second call: w − (w without noise) = w_noise_std·ξ(DeviceDrift, call, sub 1, element)', diff, want, ctx.tolerance, failures, 0.5);
}

async function checkWriteNoise(ctx: PropertyContext, failures: string[], notes: string[]): Promise<void> {
  const seed = ctx.seed;
  const std = Math.fround(Math.fround(2) * Math.fround(0.01)); // write_noise_std · dw_min
  await withTile(ctx.backend, writeNoisy(), OUT, IN, seed, async (tile) => {
    await withCall(tile, notes, async (call) => {
      await tile.setWeights(new DataRng(seed).array(SIZE, -0.5, 0.5));
      const pw = (await tile.getHiddenParameters()).persistent_weights;
      if (!pw) return void failures.push('write noise: the tile has no hidden parameter persistent_weights (aihwkit name)');
      const xi = normals(seed, RandomStreamId.UpdateWriteNoise, call, 1);
      compare(
        'setWeights under write noise: visible = persistent_weights + write_noise_std·dw_min·ξ(UpdateWriteNoise, own call, sub 1, element)',
        await tile.getWeights(),
        Array.from(pw, (p, e) => Math.fround(p + Math.fround(std * xi[e]!))),
        ctx.tolerance,
        failures,
        0.5,
      );
    });
    await withCall(tile, notes, async (call) => {
      const before = await tile.getWeights();
      const pwBefore = (await tile.getHiddenParameters()).persistent_weights!;
      // rows 0, 2, 4 receive pulses (d ≠ 0), rows 1, 3, 5 none
      const d = Float32Array.from({ length: OUT }, (_, i) => (i % 2 === 0 ? 0.5 : 0));
      const x = Float32Array.from({ length: IN }, (_, j) => (j === 3 ? 0 : 0.5 + 0.1 * j));
      await tile.update(x, d, 1, 0.1);
      const after = await tile.getWeights();
      const pw = (await tile.getHiddenParameters()).persistent_weights!;
      const xi = normals(seed, RandomStreamId.UpdateWriteNoise, call, 0);
      const bad: string[] = [];
      let moved = 0;
      for (let e = 0; e < SIZE; e++) {
        const redrawn = Math.fround(pw[e]! + Math.fround(std * xi[e]!));
        const allow = floatAllowance(ctx.tolerance, 4);
        const ok = pw[e] !== pwBefore[e] ? Math.abs(after[e]! - redrawn) <= allow : Math.abs(after[e]! - before[e]!) <= allow || Math.abs(after[e]! - redrawn) <= allow;
        if (pw[e] !== pwBefore[e]) moved++;
        if (!ok && bad.length < MAX_LISTED) bad.push(`[${Math.floor(e / IN)}][${e % IN}] ${fmt(after[e]!)} (before ${fmt(before[e]!)}, redrawn ${fmt(redrawn)})`);
      }
      if (moved === 0) failures.push('update under write noise: no persistent weight moved (the test needs pulses)');
      if (bad.length > 0)
        failures.push(
          `update under write noise: a device that received pulses must show persistent + std·ξ(UpdateWriteNoise, update call, sub 0, element), the others keep their visible weight: ${bad.join('; ')}`,
        );
      for (let i = 1; i < OUT; i += 2) {
        for (let j = 0; j < IN; j++) {
          const e = i * IN + j;
          if (after[e] !== before[e])
            failures.push(`update under write noise: [${i}][${j}] of a row without pulses changed from ${fmt(before[e]!)} to ${fmt(after[e]!)}`);
        }
      }
    });
  });
}

const draws: ConformanceProperty = {
  id: 'tile/device-draws',
  title:
    "diffusion, column reset, drift noise and write noise use exactly the numbers of core's documented streams (RandomStreamId: DeviceDiffusion, DeviceReset, DeviceDrift, UpdateWriteNoise) at the operation's random call",
  async run(ctx: PropertyContext): Promise<PropertyResult> {
    const failures: string[] = [];
    const notes: string[] = [];
    await checkDiffusion(ctx, failures, notes);
    await checkReset(ctx, failures, notes);
    await checkDriftNoise(ctx, failures, notes);
    await checkWriteNoise(ctx, failures, notes);
    return result(failures, notes);
  },
};

// ---------------------------------------------------------------- the rest of the device lifecycle

const lifecycle: ConformanceProperty = {
  id: 'tile/device-lifecycle-details',
  title:
    'FloatingPointDevice drifts (w₀·T^(−ν)); reset_tol 0 still drifts unchanged weights; getHiddenParameters returns copies (drift_nu 0 without a drift); setHiddenParameters under write noise resets the persistent weights; a state saved before the first drift restores',
  async run(ctx) {
    const failures: string[] = [];
    const seed = ctx.seed;
    const w0 = new DataRng(seed).array(SIZE, 0.1, 0.5);
    // FloatingPointRPUConfig: aihwkit's simple drift, one ν; the first call after set_weights starts the clock.
    await withTile(ctx.backend, floatingPoint({ drift: { nu: 0.1 } }), OUT, IN, seed, async (tile) => {
      await tile.setWeights(w0);
      await tile.driftWeights(10);
      await tile.driftWeights(100);
      const w = await tile.getWeights();
      const want = Array.from(w0, (v) => Math.fround(v * Math.fround(Math.pow(110, -0.1))));
      compare('FloatingPointDevice drift nu 0.1 after 10 s and 100 s: w₀·110^(−0.1)', w, want, ctx.tolerance, failures, 0.5);
    });
    // reset_tol 0: an unchanged weight (difference exactly 0) is not a change.
    await withTile(ctx.backend, pulsed({ drift: { nu: 0.1, resetTol: 0 } }), OUT, IN, seed, async (tile) => {
      await tile.setWeights(w0);
      await tile.driftWeights(10);
      const first = await tile.getWeights();
      await tile.driftWeights(100);
      const w = await tile.getWeights();
      if (!w.every((v, e) => v < first[e]!))
        failures.push('drift with reset_tol 0: an unchanged weight did not drift on the second call (a zero difference taken for a change)');
    });
    // Hidden parameters are copies; without a drift drift_nu reads 0.
    await withTile(ctx.backend, pulsed({ drift: { nu: 0, nuDtod: 0.3 }, lifetime: 10 }), OUT, IN, seed, async (tile) => {
      const hp = await tile.getHiddenParameters();
      const keep = Object.fromEntries(Object.entries(hp).map(([k, v]) => [k, Float32Array.from(v)]));
      for (const v of Object.values(hp)) v.fill(0.123);
      const again = await tile.getHiddenParameters();
      for (const [k, v] of Object.entries(keep)) {
        if (!again[k] || !again[k].every((a, e) => Object.is(a, v[e])))
          failures.push(`getHiddenParameters().${k}: writing into the returned array changed the tile's hidden parameter`);
      }
      const nu = again.drift_nu;
      if (nu && !nu.every((v) => v === 0)) failures.push('drift_nu without a drift (nu 0): must read 0 (aihwkit keeps ν only with a drifter)');
    });
    // setHiddenParameters under write noise: the persistent weights become the (clipped) visible ones.
    await withTile(ctx.backend, writeNoisy(), OUT, IN, seed, async (tile) => {
      await tile.setWeights(w0);
      const visible = await tile.getWeights();
      await tile.setHiddenParameters({ max_bound: new Float32Array(SIZE).fill(0.55) });
      const pw = (await tile.getHiddenParameters()).persistent_weights;
      if (pw)
        compare(
          'persistent_weights after setHiddenParameters (without persistent_weights): the visible weights clipped to the new bounds',
          pw,
          Array.from(visible, (v) => Math.min(v, 0.55)),
          ctx.tolerance,
          failures,
          0.5,
        );
    });
    // A state saved before the first drift (the drift not started) restores and continues alike.
    const config = pulsed({ drift: { nu: 0.1, nuDtod: 0.2 } });
    const { saved, reference } = await withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
      await tile.setWeights(w0);
      let state: TileState | undefined;
      try {
        state = JSON.parse(JSON.stringify(await tile.getState())) as TileState;
      } catch (e) {
        if (!isRefusal(e)) throw e;
      }
      await tile.driftWeights(10);
      await tile.driftWeights(100);
      return { saved: state, reference: await tile.getWeights() };
    });
    if (saved) {
      await withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
        await tile.setWeights(new DataRng(seed + 3).array(SIZE, 0.1, 0.5));
        await tile.driftWeights(7);
        await tile.setState(saved);
        await tile.driftWeights(10);
        await tile.driftWeights(100);
        compare('restored from a state saved before the first drift, then drifted', await tile.getWeights(), reference, ctx.tolerance, failures, 0.5);
      });
    }
    // IdealDevice (RPUSimple) decays only with a factor 1 − α/lifetime strictly inside (0, 1).
    const ideal = new SingleRPUConfig({});
    (ideal as unknown as { device: IdealDevice }).device = new IdealDevice({ lifetime: 10 });
    await withTile(ctx.backend, ideal.validate(), OUT, IN, seed, async (tile) => {
      await tile.setWeights(w0);
      for (const alpha of [10, -1]) {
        await tile.decayWeights(alpha);
        compare(`IdealDevice lifetime 10, decayWeights(${alpha}) (factor ${1 - alpha / 10}: unchanged)`, await tile.getWeights(), w0, ctx.tolerance, failures, 0.5);
      }
    });
    // Tiles without a drifter (IdealDevice; a pulsed device with nu 0) and a FloatingPointDevice tile save and restore too.
    const restores: Array<[string, RPUConfig]> = [
      [
        'IdealDevice with diffusion',
        (() => {
          const c = new SingleRPUConfig({});
          (c as unknown as { device: IdealDevice }).device = new IdealDevice({ diffusion: 0.01 });
          return c.validate();
        })(),
      ],
      ['ConstantStep without drift', pulsed({ diffusion: 0.01 })],
      ['FloatingPointDevice with drift', floatingPoint({ diffusion: 0.01, drift: { nu: 0.1 } })],
    ];
    for (const [label, cfg] of restores) {
      const run = async (tile: AnalogTile): Promise<Float32Array> => {
        await tile.driftWeights(100);
        await tile.diffuseWeights();
        return tile.getWeights();
      };
      const first = await withTile(ctx.backend, cfg, OUT, IN, seed, async (tile) => {
        await tile.setWeights(w0);
        await tile.driftWeights(10);
        let state: TileState | undefined;
        try {
          state = JSON.parse(JSON.stringify(await tile.getState())) as TileState;
        } catch (e) {
          if (!isRefusal(e)) throw e;
        }
        return { state, reference: await run(tile) };
      });
      if (!first.state) continue;
      await withTile(ctx.backend, cfg, OUT, IN, seed, async (tile) => {
        await tile.diffuseWeights();
        await tile.setState(first.state!);
        compare(`${label}: saved, restored and continued`, await run(tile), first.reference, ctx.tolerance, failures, 0.5);
      });
    }
    // setHiddenParameters with persistent_weights keeps the given ones.
    await withTile(ctx.backend, writeNoisy(), OUT, IN, seed, async (tile) => {
      await tile.setWeights(w0);
      const given = Float32Array.from(w0, (v) => v / 2);
      await tile.setHiddenParameters({ persistent_weights: given });
      const pw = (await tile.getHiddenParameters()).persistent_weights;
      if (pw) compare('persistent_weights set by setHiddenParameters, read back', pw, given, ctx.tolerance, failures, 0.5);
    });
    return result(failures);
  },
};

/** The random-draw and lifecycle-detail properties, appended to TILE_PROPERTIES. */
export const DRAW_PROPERTIES: readonly ConformanceProperty[] = [randomCalls, draws, lifecycle];
