/**
 * Edge cases of the device lifecycle that the other properties leave open
 * (found by mutation testing, docs/conformance.md, "Mutation testing"): the
 * conductance offset term of the drifted weight and its reset_tol threshold
 * (aihwkit v.0.7.1 src/rpucuda/weight_drifter.cpp), a saved state without (or
 * with inconsistent) drift entries, drift_nu of a tile without a drift, the
 * strict comparison of the column reset's draw with its probability, and the
 * write noise of a row whose every device received pulses.
 */
import { RandomStream, RandomStreamId, type AnalogTile, type TileState } from '@crossbar/core';
import { compare, IN, MAX_LISTED, OUT, pulsed, SIZE, writeNoisy } from './lifecycle-kit.js';
import { withTile } from './run.js';
import { DataRng, fmt, isRefusal, result, type ConformanceProperty } from './property-kit.js';
import { floatAllowance } from './tolerance.js';

/** The tile's state through JSON, or undefined when the engine refuses getState. */
async function savedState(tile: AnalogTile): Promise<TileState | undefined> {
  try {
    return JSON.parse(JSON.stringify(await tile.getState())) as TileState;
  } catch (e) {
    if (isRefusal(e)) return undefined;
    throw e;
  }
}

/** The drifted weight of an unchanged device: w₀·s + a·(s − 1), s = T^(−ν), in float32 steps. */
function drifted(w0: number, T: number, nu: number, a: number): number {
  const s = Math.fround(Math.pow(T, -Math.fround(nu)));
  const v = Math.fround(w0 * s);
  return a === 0 ? v : Math.fround(v + Math.fround(a * Math.fround(s - 1)));
}

const driftDetails: ConformanceProperty = {
  id: 'tile/device-drift-details',
  title:
    'drift offset: an unchanged device drifts to w₀·s + a·(s − 1), s = T^(−ν), a = g_offset·wg_ratio + w_offset, and a = 0 when |a| < reset_tol; a state without drift entries, or with drift.active 0 or without one of its arrays, restores as a tile whose drift has not started, and a missing drift.now reads 0; drift_nu set on a tile without a drift reads 0',
  async run(ctx) {
    const failures: string[] = [];
    const notes: string[] = [];
    const seed = ctx.seed;
    const w0 = new DataRng(seed).array(SIZE, 0.1, 0.5);
    // The offset term (T = 10 + 100 after set_weights; bounds ±0.6 are not reached).
    const offsets: Array<[string, Record<string, number>, number]> = [
      ['g_offset 0.05, wg_ratio 2, w_offset −0.02 (a = 0.08 ≥ reset_tol 0.05)', { gOffset: 0.05, wgRatio: 2, wOffset: -0.02 }, 0.08],
      ['w_offset 0.03 (|a| < reset_tol 0.05: no offset term)', { wOffset: 0.03 }, 0],
      ['w_offset −0.2 (a = −0.2)', { wOffset: -0.2 }, -0.2],
      ['reset_tol 0.25, w_offset 0.25 (|a| = reset_tol exactly: kept)', { resetTol: 0.25, wOffset: 0.25 }, 0.25],
    ];
    for (const [label, drift, a] of offsets) {
      await withTile(ctx.backend, pulsed({ drift: { nu: 0.1, resetTol: 0.05, ...drift } }), OUT, IN, seed, async (tile) => {
        await tile.setWeights(w0);
        const set = await tile.getWeights();
        await tile.driftWeights(10);
        await tile.driftWeights(100);
        const want = Array.from(set, (v) => drifted(v, 110, 0.1, Math.fround(a)));
        compare(`drift nu 0.1, ${label}, after 10 s and 100 s: w₀·s + a·(s − 1)`, await tile.getWeights(), want, ctx.tolerance, failures, 0.5);
      });
    }

    // Saved states whose drift entries are missing or inconsistent: the drift has not started.
    const config = pulsed({ drift: { nu: 0.1, nuDtod: 0.2 } });
    const w1 = new DataRng(seed + 1).array(SIZE, 0.1, 0.5);
    const afterDrift = (tile: AnalogTile): Promise<Float32Array> =>
      (async () => {
        await tile.driftWeights(10);
        await tile.driftWeights(100);
        return tile.getWeights();
      })();
    // The reference: a tile with weights w1 whose drift starts at the next call.
    const reference = await withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
      await tile.setWeights(w1);
      return afterDrift(tile);
    });
    // A state saved mid-drift (active, with arrays), on a tile whose weights are then set to w1.
    const midDrift = await withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
      await tile.setWeights(w0);
      await tile.driftWeights(50);
      await tile.setWeights(w1); // changes every weight: the drift arrays of the state still hold w0's
      return savedState(tile);
    });
    if (!midDrift) notes.push('the engine refuses getState: the restores cannot be checked');
    else {
      const variants: Array<[string, (s: TileState) => void]> = [
        [
          'without any drift.* entry',
          (s) => {
            for (const k of Object.keys(s.arrays)) if (k.startsWith('drift.')) delete s.arrays[k];
            for (const k of Object.keys(s.scalars)) if (k.startsWith('drift.')) delete s.scalars[k];
          },
        ],
        ['with drift.active 0 (its drift arrays present)', (s) => void (s.scalars['drift.active'] = 0)],
        ...['drift.previous', 'drift.w0', 'drift.start'].map((key): [string, (s: TileState) => void] => [
          `with drift.active 1 but ${key} null`,
          (s) => {
            s.scalars['drift.active'] = 1;
            s.arrays[key] = null;
          },
        ]),
      ];
      for (const [label, spoil] of variants) {
        const state = JSON.parse(JSON.stringify(midDrift)) as TileState;
        spoil(state);
        await withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
          await tile.setWeights(w0);
          await tile.driftWeights(30);
          await tile.setState(state);
          compare(
            `a state ${label}, restored and drifted 10 s then 100 s (as a tile whose drift has not started)`,
            await afterDrift(tile),
            reference,
            ctx.tolerance,
            failures,
            0.5,
          );
        });
      }
      // A state without drift.now (its drift started): the clock reads 0, as in the state with drift.now 0.
      const restoredWithNow = (now: number | undefined): Promise<Float32Array> =>
        withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
          const state = JSON.parse(JSON.stringify(midDrift)) as TileState;
          if (now === undefined) delete state.scalars['drift.now'];
          else state.scalars['drift.now'] = now;
          await tile.setState(state);
          return afterDrift(tile);
        });
      compare(
        'a started drift state without drift.now, restored and drifted (as with drift.now 0)',
        await restoredWithNow(undefined),
        await restoredWithNow(0),
        ctx.tolerance,
        failures,
        0.5,
      );
    }

    // drift_nu on a tile without a drift (nu 0): aihwkit keeps ν only with a drifter.
    await withTile(ctx.backend, pulsed({ drift: { nu: 0 } }), OUT, IN, seed, async (tile) => {
      if (!(await tile.getHiddenParameters()).drift_nu) return;
      await tile.setHiddenParameters({ drift_nu: new Float32Array(SIZE).fill(0.2) });
      const nu = (await tile.getHiddenParameters()).drift_nu!;
      if (!nu.every((v) => v === 0)) failures.push(`drift_nu set to 0.2 on a tile without a drift (nu 0) reads back ${fmt(nu.find((v) => v !== 0)!)}, must read 0`);
    });
    return result(failures, notes);
  },
};

/** The tile's random-call position (TileState.rngCall), or undefined when the engine refuses getState. */
async function rngCall(tile: AnalogTile): Promise<number | undefined> {
  return (await savedState(tile))?.rngCall;
}

const resetWriteNoiseDetails: ConformanceProperty = {
  id: 'tile/device-reset-write-noise-details',
  title:
    "resetColumns(·, ·, p) resets an element iff its draw uniform(DeviceReset, call, sub 0, e) < p, strictly (p set to one element's draw leaves that element); after an update under write noise every device that received pulses shows persistent + std·ξ(UpdateWriteNoise, update call, sub 0, element) and every other keeps its visible weight, with every device of a row pulsed, and with the first column unpulsed",
  async run(ctx) {
    const failures: string[] = [];
    const notes: string[] = [];
    const seed = ctx.seed;
    // Column reset with p equal to a draw: that element is kept (uniform < p is false).
    await withTile(ctx.backend, pulsed({ reset: 0.1, resetDtod: 0.05 }), OUT, IN, seed, async (tile) => {
      const hp = await tile.getHiddenParameters();
      const bias = hp.reset_bias;
      if (!bias) return void failures.push('reset: the tile has no hidden parameter reset_bias');
      await tile.setWeights(new DataRng(seed).array(SIZE, -0.5, 0.5));
      const call = await rngCall(tile);
      if (call === undefined) return void notes.push('the engine refuses getState: the exact draws cannot be addressed');
      const pick = new RandomStream(seed, RandomStreamId.DeviceReset, call, 0);
      const u = Array.from({ length: SIZE }, (_, e) => pick.uniform(e));
      // the element whose draw is nearest 0.5 gives p
      const e0 = u.reduce((best, v, e) => (Math.abs(v - 0.5) < Math.abs(u[best]! - 0.5) ? e : best), 0);
      const p = u[e0]!;
      const before = await tile.getWeights();
      await tile.resetColumns(0, -1, p);
      const want = Array.from(before, (w, e) => (u[e]! < p ? Math.min(Math.max(bias[e]!, -0.6), 0.6) : w));
      compare(`resetColumns(0, -1, p = ${fmt(p)}, the draw of element ${e0}): reset iff uniform(e) < p`, await tile.getWeights(), want, ctx.tolerance, failures, 0.5);
    });
    // Write noise after updates whose rows 0, 2, 4 get pulses (d = 1) at every device (x = 1), then at all but column 0 (x_0 = 0).
    const config = writeNoisy();
    const std = Math.fround(Math.fround(2) * Math.fround(0.01)); // write_noise_std · dw_min
    await withTile(ctx.backend, config, OUT, IN, seed, async (tile) => {
      await tile.setWeights(new DataRng(seed).array(SIZE, -0.3, 0.3));
      // first x = 1 everywhere (rows 0, 2, 4 pulsed at every device), then x_0 = 0 (column 0 gets no pulses)
      for (const x0 of [1, 0]) {
        const call = await rngCall(tile);
        if (call === undefined) return void notes.push('the engine refuses getState: the exact draws cannot be addressed');
        const pwBefore = (await tile.getHiddenParameters()).persistent_weights;
        if (!pwBefore) return void failures.push('write noise: the tile has no hidden parameter persistent_weights (aihwkit name)');
        const before = await tile.getWeights();
        const x = Float32Array.from({ length: IN }, (_, j) => (j === 0 ? x0 : 1));
        const d = Float32Array.from({ length: OUT }, (_, i) => (i % 2 === 0 ? 1 : 0));
        await tile.update(x, d, 1, 0.1);
        const after = await tile.getWeights();
        const pw = (await tile.getHiddenParameters()).persistent_weights!;
        const xi = new Float32Array(SIZE);
        new RandomStream(seed, RandomStreamId.UpdateWriteNoise, call, 0).fillNormal(xi, 0);
        const bad: string[] = [];
        for (let i = 0; i < OUT; i++) {
          for (let j = 0; j < IN; j++) {
            const e = i * IN + j;
            if (i % 2 === 1 || x[j] === 0) {
              if (after[e] !== before[e]) bad.push(`[${i}][${j}] (no pulses: d_i or x_j is 0) changed from ${fmt(before[e]!)} to ${fmt(after[e]!)}`);
              continue;
            }
            if (pw[e] === pwBefore[e]) {
              bad.push(`[${i}][${j}] received no pulses (x_j = d_i = 1, learning rate 0.1): the test needs pulses there`);
              continue;
            }
            const redrawn = Math.fround(pw[e]! + Math.fround(std * xi[e]!));
            if (!(Math.abs(after[e]! - redrawn) <= floatAllowance(ctx.tolerance, 4)))
              bad.push(`[${i}][${j}] ${fmt(after[e]!)}, expected persistent + std·ξ = ${fmt(redrawn)}`);
          }
        }
        if (bad.length > 0) failures.push(`update under write noise, x = [${Array.from(x).join(', ')}], d = 1 on rows 0, 2, 4: ${bad.slice(0, MAX_LISTED).join('; ')}`);
      }
    });
    return result(failures, notes);
  },
};

/** The lifecycle edge-case properties, appended to TILE_PROPERTIES. */
export const EDGE_PROPERTIES: readonly ConformanceProperty[] = [driftDetails, resetWriteNoiseDetails];
