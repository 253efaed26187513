/**
 * runOracleCase: runs one oracle case on an engine the way aihwkit 0.7.1's own
 * tiles ran it, and returns the result in the format of `oracle/expected/`
 * (same keys and nesting, with every repetition's raw arrays).
 *
 * Which config each kind uses (aihwkit 0.7.1):
 *  - forward / backward: SingleRPUConfig with an IdealDevice (set_weights does not
 *    clip, as the oracle's weights_used shows) and config.io as the forward or
 *    backward IOParameters.
 *  - update: SingleRPUConfig with config.device (a ConstantStepDevice unless it
 *    names another "type") and config.update, over one or several calls
 *    (run-update.ts); weights_fp: the same with pulse_type "None".
 *  - drift "pcm": InferenceRPUConfig with config.noise_model (PCMLikeNoiseModel),
 *    config.drift_compensation (absent: GlobalDriftCompensation, null: none) and
 *    config.io (absent: a perfect forward); `tiles/inference.py` programs the
 *    weights, then drifts them to each absolute t_inference and measures alpha.
 *  - drift "device": SingleRPUConfig with config.device (its DriftParameter);
 *    driftWeights(delta_t) per step (time since the last call).
 *  - modifier, clip, remap: InferenceRPUConfig (in 0.7.1 only the InferenceTile's
 *    post_update_step applies them) with config.io (absent: perfect forward).
 *  - d2d: SingleRPUConfig with config.device, one tile per construction seed, weights
 *    set to 0, hidden parameters read; the result holds the engine's own statistics
 *    (compared by distribution, d2d.ts).
 *  - lifecycle: SingleRPUConfig with config.device; the case's hidden_parameters (the
 *    suite injects aihwkit's drawn ones) and config.set_hidden are set, then config.ops
 *    run in order and the weights are read after each.
 */
import { PCM_DRIFT_EXPONENTS, rpuConfigFromDict, type AnalogTile, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import { OracleFormatError, matrixFromCase, nest, stack, toDense, type OracleCase, type OracleResult, type Dense } from './format.js';
import { summarize } from './stats.js';
import { d2dStatistics } from './d2d.js';
import { hiddenFromCase, runUpdateCase } from './run-update.js';
import { isCompoundCase, runCompoundUpdate } from './compounds-run.js';

/** The seed a case runs with when it names none (aihwkit's harness seeded torch/numpy with it). */
export const DEFAULT_ORACLE_SEED = 1234;

/** Options of `runOracleCase`. */
export interface RunOracleCaseOptions {
  /** Most repetitions to run; default: the case's own `reps`. */
  maxReps?: number;
}

type Dict = Record<string, unknown>;

function now(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? perf.now() : Date.now();
}

export function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function optionalDict(config: Dict, key: string, where: string): Dict | undefined {
  const v = config[key];
  if (v === undefined) return undefined;
  if (!isDict(v)) throw new OracleFormatError(`${where}: config.${key} must be an object`);
  return v;
}

function numberList(config: Dict, key: string, where: string): number[] {
  const v = config[key];
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'number' || !Number.isFinite(t))) {
    throw new OracleFormatError(`${where}: config.${key} must be a list of finite numbers`);
  }
  return v as number[];
}

export function positiveInt(v: unknown, what: string, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new OracleFormatError(`${where}: ${what} must be a positive integer, got ${String(v)}`);
  return v;
}

const PERFECT_IO: Dict = { is_perfect: true };

/** A result under construction: raw arrays per key, stacked over reps at the end. */
export class ResultBuilder {
  private readonly out: Dict = {};

  /** A single array (no rep axis). */
  put(key: string, data: ArrayLike<number>, shape: readonly number[]): void {
    this.out[key] = nest(data, shape);
  }

  /** One array per rep: `key` [rep][...shape], plus `key_shape`, and `key_mean`/`key_std` over reps when reps > 1. */
  perRep(key: string, parts: readonly ArrayLike<number>[], shape: readonly number[]): void {
    const dense: Dense = stack(parts, shape);
    this.out[key] = nest(dense.data, dense.shape);
    this.out[`${key}_shape`] = dense.shape;
    if (parts.length > 1) {
      const size = shape.reduce((a, b) => a * b, 1);
      const mean = new Float64Array(size);
      const std = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        const s = summarize(dense.data, parts.length, i, size);
        mean[i] = s.mean;
        std[i] = s.std;
      }
      this.out[`${key}_mean`] = nest(mean, shape);
      this.out[`${key}_std`] = nest(std, shape);
    }
  }

  set(key: string, value: unknown): void {
    this.out[key] = value;
  }

  build(): Dict {
    return this.out;
  }
}

async function createTile(backend: AnalogTileBackend, rpuConfig: RPUConfig, outSize: number, inSize: number, seed: number): Promise<AnalogTile> {
  return backend.createTile({ outSize, inSize, rpuConfig, seed });
}

/** Runs fn on a new tile and disposes of it afterwards. */
export async function withTile<T>(
  backend: AnalogTileBackend,
  rpuConfig: RPUConfig,
  outSize: number,
  inSize: number,
  seed: number,
  fn: (tile: AnalogTile) => Promise<T>,
): Promise<T> {
  const tile = await createTile(backend, rpuConfig, outSize, inSize, seed);
  try {
    return await fn(tile);
  } finally {
    await tile.dispose();
  }
}

function identity(n: number): Float32Array {
  const eye = new Float32Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  return eye;
}

/** y [in × out] of a forward pass with the identity → the weights [out × in]. */
function transpose(y: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = y[r * cols + c]!;
  return t;
}

/** Whether an aihwkit IO dict asks for a perfect MVM (is_perfect or mv_type Ideal). */
export function ioIsPerfect(io: Dict | undefined): boolean {
  return io !== undefined && (io.is_perfect === true || io.mv_type === 'Ideal');
}

// ---------------------------------------------------------------- kinds

export interface Prepared {
  outSize: number;
  inSize: number;
  weights: Float32Array;
  seed: number;
  reps: number;
  where: string;
}

async function runMvm(backend: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder): Promise<void> {
  const forward = c.kind === 'forward';
  const io = optionalDict(c.config, 'io', p.where) ?? {};
  const inputs = matrixFromCase(c.inputs, `${p.where}.inputs`, forward ? p.inSize : p.outSize);
  const isTest = c.config.is_test === true;
  const fresh = c.config.fresh_tile_per_rep === true;
  const rpuConfig = rpuConfigFromDict({ type: 'SingleRPUConfig', device: { type: 'IdealDevice' }, [forward ? 'forward' : 'backward']: io });
  const outputs: Float32Array[] = [];
  let tile = await createTile(backend, rpuConfig, p.outSize, p.inSize, p.seed);
  try {
    await tile.setWeights(p.weights);
    r.put('weights_used', await tile.getWeights(), [p.outSize, p.inSize]);
    for (let rep = 0; rep < p.reps; rep++) {
      if (fresh && rep > 0) {
        await tile.dispose();
        tile = await createTile(backend, rpuConfig, p.outSize, p.inSize, p.seed + rep);
        await tile.setWeights(p.weights);
      }
      outputs.push(Float32Array.from(forward ? await tile.forward(inputs.data, inputs.rows, { isTest }) : await tile.backward(inputs.data, inputs.rows)));
    }
  } finally {
    await tile.dispose();
  }
  r.perRep('outputs', outputs, [inputs.rows, forward ? p.outSize : p.inSize]);
}

async function runDrift(backend: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder): Promise<void> {
  const cfg = c.config;
  const mode = cfg.mode;
  if (mode === 'pcm') {
    const times = numberList(cfg, 't_inference', p.where);
    const inputs = matrixFromCase(c.inputs, `${p.where}.inputs`, p.inSize);
    const noiseModel = optionalDict(cfg, 'noise_model', p.where) ?? {};
    const comp = cfg.drift_compensation;
    if (comp !== undefined && comp !== null && !isDict(comp)) throw new OracleFormatError(`${p.where}: config.drift_compensation must be an object or null`);
    const rpuConfig = rpuConfigFromDict({
      type: 'InferenceRPUConfig',
      forward: optionalDict(cfg, 'io', p.where) ?? PERFECT_IO,
      noise_model: { type: 'PCMLikeNoiseModel', ...noiseModel },
      drift_compensation: comp === null ? null : { type: 'GlobalDriftCompensation', ...(comp ?? {}) },
    });
    const programmed: Float32Array[] = [];
    const nuDrift: Float32Array[] = [];
    const drifted: Float32Array[] = [];
    const alpha: Float32Array[] = [];
    const outputs: Float32Array[] = [];
    const wSize = p.outSize * p.inSize;
    const ySize = inputs.rows * p.outSize;
    for (let rep = 0; rep < p.reps; rep++) {
      await withTile(backend, rpuConfig, p.outSize, p.inSize, p.seed + rep, async (tile) => {
        await tile.setWeights(p.weights);
        await tile.programWeights();
        programmed.push(Float32Array.from(await tile.getWeights()));
        // The PCM drift exponents of the g+ and g- devices (aihwkit's nu_drift_list), drawn at programming.
        const hidden = await tile.getHiddenParameters();
        const nu = new Float32Array(2 * wSize);
        PCM_DRIFT_EXPONENTS.forEach((name, k) => {
          const v = hidden[name];
          if (!v) throw new OracleFormatError(`${p.where}: the engine's InferenceRPUConfig tile has no hidden parameter "${name}"`);
          nu.set(v, k * wSize);
        });
        nuDrift.push(nu);
        const dw = new Float32Array(times.length * wSize);
        const al = new Float32Array(times.length);
        const ys = new Float32Array(times.length * ySize);
        for (let k = 0; k < times.length; k++) {
          await tile.driftWeights(times[k]!);
          dw.set(await tile.getWeights(), k * wSize);
          al[k] = await tile.getDriftCompensationScale();
          ys.set(await tile.forward(inputs.data, inputs.rows, { isTest: true }), k * ySize);
        }
        drifted.push(dw);
        alpha.push(al);
        outputs.push(ys);
      });
    }
    r.set('t_inference', times);
    r.perRep('programmed_weights', programmed, [p.outSize, p.inSize]);
    r.perRep('nu_drift', nuDrift, [2, p.outSize, p.inSize]);
    r.perRep('drifted_weights', drifted, [times.length, p.outSize, p.inSize]);
    r.perRep('alpha', alpha, [times.length]);
    r.perRep('outputs', outputs, [times.length, inputs.rows, p.outSize]);
    return;
  }
  if (mode === 'device') {
    const steps = numberList(cfg, 'delta_t', p.where);
    const device = optionalDict(cfg, 'device', p.where) ?? {};
    const rpuConfig = rpuConfigFromDict({ type: 'SingleRPUConfig', device: { type: 'ConstantStepDevice', ...device } });
    const wSize = p.outSize * p.inSize;
    const weights: Float32Array[] = [];
    for (let rep = 0; rep < p.reps; rep++) {
      await withTile(backend, rpuConfig, p.outSize, p.inSize, p.seed + rep, async (tile) => {
        await tile.setWeights(p.weights);
        if (rep === 0) r.put('weights_initial', await tile.getWeights(), [p.outSize, p.inSize]);
        const w = new Float32Array(steps.length * wSize);
        for (let k = 0; k < steps.length; k++) {
          await tile.driftWeights(steps[k]!);
          w.set(await tile.getWeights(), k * wSize);
        }
        weights.push(w);
      });
    }
    r.set('delta_t', steps);
    r.perRep('weights', weights, [steps.length, p.outSize, p.inSize]);
    return;
  }
  throw new OracleFormatError(`${p.where}: config.mode must be "pcm" or "device", got ${JSON.stringify(mode)}`);
}

async function runModifier(backend: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder): Promise<void> {
  const io = optionalDict(c.config, 'io', p.where);
  const modifier = optionalDict(c.config, 'modifier', p.where) ?? {};
  const inputs = matrixFromCase(c.inputs, `${p.where}.inputs`, p.inSize);
  const rpuConfig = rpuConfigFromDict({ type: 'InferenceRPUConfig', forward: io ?? PERFECT_IO, modifier });
  // The modified weights are read through a perfect forward of the identity
  // (exact: each output is one product w · 1); with a non-perfect io they are not observable.
  const observable = io === undefined || ioIsPerfect(io);
  const eye = identity(p.inSize);
  const modified: Float32Array[] = [];
  const outputs: Float32Array[] = [];
  await withTile(backend, rpuConfig, p.outSize, p.inSize, p.seed, async (tile) => {
    await tile.setWeights(p.weights);
    r.put('weights_used', await tile.getWeights(), [p.outSize, p.inSize]);
    for (let rep = 0; rep < p.reps; rep++) {
      await tile.applyWeightModifier();
      if (observable) modified.push(transpose(Float32Array.from(await tile.forward(eye, p.inSize, { isTest: false })), p.inSize, p.outSize));
      outputs.push(Float32Array.from(await tile.forward(inputs.data, inputs.rows, { isTest: false })));
      if (rep === 0) {
        const yTest = await tile.forward(inputs.data, inputs.rows, { isTest: true });
        r.perRep('outputs_test', [yTest], [inputs.rows, p.outSize]);
      }
    }
  });
  if (observable) r.perRep('modified_weights', modified, [p.outSize, p.inSize]);
  r.perRep('outputs', outputs, [inputs.rows, p.outSize]);
}

async function runClip(backend: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder): Promise<void> {
  const clip = optionalDict(c.config, 'clip', p.where) ?? {};
  const n = positiveInt(c.config.n ?? 1, 'config.n', p.where);
  const rpuConfig = rpuConfigFromDict({ type: 'InferenceRPUConfig', forward: PERFECT_IO, clip });
  const weights: Float32Array[] = [];
  await withTile(backend, rpuConfig, p.outSize, p.inSize, p.seed, async (tile) => {
    await tile.setWeights(p.weights);
    for (let k = 0; k < n; k++) {
      await tile.clipWeights();
      weights.push(Float32Array.from(await tile.getWeights()));
    }
  });
  const dense = stack(weights, [p.outSize, p.inSize]);
  r.put('weights', dense.data, dense.shape);
}

async function runRemap(backend: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder): Promise<void> {
  const remap = optionalDict(c.config, 'remap', p.where) ?? {};
  const n = positiveInt(c.config.n ?? 1, 'config.n', p.where);
  const inputs = matrixFromCase(c.inputs, `${p.where}.inputs`, p.inSize);
  let scalesInit: Float32Array | undefined;
  if (c.config.scales_init !== undefined) {
    const s = toDense(c.config.scales_init, `${p.where}.config.scales_init`);
    if (s.shape.length !== 1 || s.shape[0] !== p.outSize) throw new OracleFormatError(`${p.where}: config.scales_init must have ${p.outSize} values`);
    scalesInit = Float32Array.from(s.data);
  }
  const rpuConfig = rpuConfigFromDict({ type: 'InferenceRPUConfig', forward: optionalDict(c.config, 'io', p.where) ?? PERFECT_IO, remap });
  const weights: Float32Array[] = [];
  const scales: Float32Array[] = [];
  await withTile(backend, rpuConfig, p.outSize, p.inSize, p.seed, async (tile) => {
    await tile.setWeights(p.weights);
    if (scalesInit) await tile.setScales(scalesInit);
    for (let k = 0; k < n; k++) {
      await tile.remapWeights();
      weights.push(Float32Array.from(await tile.getWeights()));
      scales.push(Float32Array.from(await tile.getScales()));
    }
    r.put('outputs', await tile.forward(inputs.data, inputs.rows, { isTest: false }), [inputs.rows, p.outSize]);
  });
  const w = stack(weights, [p.outSize, p.inSize]);
  const s = stack(scales, [p.outSize]);
  r.put('weights', w.data, w.shape);
  r.put('scales', s.data, s.shape);
}

function deviceConfig(c: OracleCase, p: Prepared, extra: Dict = {}): RPUConfig {
  const device = optionalDict(c.config, 'device', p.where) ?? {};
  const update = optionalDict(c.config, 'update', p.where);
  const dev = { type: 'ConstantStepDevice', ...device, ...extra };
  // a compound device's case names its config class as compounds-run.ts does (a SingleRPUConfig holds one pulsed device)
  const type = dev.type === 'MixedPrecisionCompound' ? 'DigitalRankUpdateRPUConfig' : COMPOUND_CELL_TYPES.has(String(dev.type)) ? 'UnitCellRPUConfig' : 'SingleRPUConfig';
  return rpuConfigFromDict({ type, device: dev, ...(update ? { update } : {}) });
}

const COMPOUND_CELL_TYPES = new Set(['VectorUnitCell', 'ReferenceUnitCell', 'OneSidedUnitCell', 'DifferenceUnitCell', 'TransferCompound', 'BufferedTransferCompound']);

async function hiddenOut(tile: AnalogTile, p: Prepared): Promise<Dict> {
  const hp = await tile.getHiddenParameters();
  const out: Dict = {};
  for (const [k, v] of Object.entries(hp)) out[k] = nest(v, [p.outSize, p.inSize]);
  return out;
}

async function runD2d(backend: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder): Promise<void> {
  const seeds = numberList(c.config, 'seeds', p.where);
  const size = numberList(c.config, 'size', p.where);
  if (size.length !== 2) throw new OracleFormatError(`${p.where}: config.size must be [out, in]`);
  const [outSize, inSize] = [positiveInt(size[0], 'size[0]', p.where), positiveInt(size[1], 'size[1]', p.where)];
  const n = outSize * inSize;
  const draws = new Map<string, Float32Array>();
  let names: string[] = [];
  const first: Record<string, Float32Array>[] = [];
  for (let s = 0; s < seeds.length; s++) {
    const rpuConfig = deviceConfig(c, p, { construction_seed: seeds[s] });
    await withTile(backend, rpuConfig, outSize, inSize, p.seed, async (tile) => {
      await tile.setWeights(new Float32Array(n));
      const hp = await tile.getHiddenParameters();
      if (s === 0) names = Object.keys(hp);
      if (s < 2) first.push(hp);
      for (const name of names) {
        const v = hp[name];
        if (!v) throw new OracleFormatError(`${p.where}: the engine's hidden parameters changed names between seeds`);
        let all = draws.get(name);
        if (!all) draws.set(name, (all = new Float32Array(seeds.length * n)));
        all.set(v, s * n);
      }
    });
  }
  // Same construction seed → the same draws (a second tile of the first seed).
  const again = await withTile(backend, deviceConfig(c, p, { construction_seed: seeds[0] }), outSize, inSize, p.seed + 1, async (tile) => {
    await tile.setWeights(new Float32Array(n));
    return tile.getHiddenParameters();
  });
  const same = (a: Float32Array | undefined, b: Float32Array | undefined): boolean => a !== undefined && b !== undefined && a.every((v, i) => Object.is(v, b[i]));
  r.set('size', [outSize, inSize]);
  r.set('seeds', seeds);
  r.set('names', names);
  r.set(
    'reproducible',
    names.every((k) => same(first[0]![k], again[k])),
  );
  r.set('seeds_differ', first.length < 2 || names.length === 0 || names.some((k) => !same(first[0]![k], first[1]![k])));
  // checkOracleCase passes aihwkit's quantile levels and values, to locate them in our draws.
  const levels = Array.isArray(c.config.quantile_levels) ? (c.config.quantile_levels as number[]) : undefined;
  const reference = isDict(c.config.reference_quantiles) ? (c.config.reference_quantiles as Record<string, number[]>) : undefined;
  const { stats, correlation, quantileLevels } = d2dStatistics(names, draws, seeds.length, levels, reference);
  r.set('quantile_levels', quantileLevels);
  r.set('stats', stats);
  r.set('correlation', correlation);
}

function lifecycleMatrix(value: unknown, fallback: { data: Float32Array; rows: number } | undefined, cols: number, where: string): { data: Float32Array; rows: number } {
  if (value !== undefined) return matrixFromCase(value, where, cols);
  if (!fallback) throw new OracleFormatError(`${where}: missing (neither the op nor the case gives it)`);
  return fallback;
}

async function runLifecycle(backend: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder): Promise<void> {
  const cfg = c.config;
  const ops = cfg.ops;
  if (!Array.isArray(ops) || ops.some((o) => !isDict(o) || typeof o.op !== 'string')) {
    throw new OracleFormatError(`${p.where}: config.ops must be a list of {op: ...} objects`);
  }
  const rpuConfig = deviceConfig(c, p);
  const hidden = hiddenFromCase(c.hidden_parameters, p.outSize, p.inSize, p.where);
  const x = c.x === undefined ? undefined : matrixFromCase(c.x, `${p.where}.x`, p.inSize);
  const d = c.d === undefined ? undefined : matrixFromCase(c.d, `${p.where}.d`, p.outSize);
  const lr = cfg.learning_rate ?? 0.1;
  if (typeof lr !== 'number' || !Number.isFinite(lr)) throw new OracleFormatError(`${p.where}: config.learning_rate must be a number`);
  const setHidden = optionalDict(cfg, 'set_hidden', p.where);
  const size = p.outSize * p.inSize;
  const weights: Float32Array[] = [];
  const initial: Float32Array[] = [];
  for (let rep = 0; rep < p.reps; rep++) {
    await withTile(backend, rpuConfig, p.outSize, p.inSize, p.seed + rep, async (tile) => {
      if (hidden) await tile.setHiddenParameters(hidden);
      await tile.setWeights(p.weights);
      let given: Record<string, Float32Array> | undefined;
      if (setHidden) {
        given = {};
        for (const [name, v] of Object.entries(setHidden)) {
          given[name] = typeof v === 'number' ? new Float32Array(size).fill(v) : matrixFromCase(v, `${p.where}.config.set_hidden.${name}`, p.inSize).data;
        }
        await tile.setHiddenParameters(given);
      }
      initial.push(Float32Array.from(await tile.getWeights()));
      if (rep === 0) {
        const hp = await tile.getHiddenParameters();
        r.set('hidden_parameters', await hiddenOut(tile, p));
        if (given) {
          r.set(
            'hidden_roundtrip_changed',
            Object.keys(given).filter((k) => !hp[k] || hp[k]!.some((v, i) => v !== given![k]![i])),
          );
        }
      }
      const w = new Float32Array(ops.length * size);
      for (let k = 0; k < ops.length; k++) {
        const op = ops[k] as Dict;
        const num = (key: string, dflt: number): number => {
          const v = op[key] ?? dflt;
          if (typeof v !== 'number' || !Number.isFinite(v)) throw new OracleFormatError(`${p.where}: ops[${k}].${key} must be a number`);
          return v;
        };
        switch (op.op) {
          case 'decay':
            await tile.decayWeights(num('alpha', 1));
            break;
          case 'diffuse':
            await tile.diffuseWeights();
            break;
          case 'reset_columns':
            await tile.resetColumns(num('start', 0), num('num', 1), num('prob', 1));
            break;
          case 'reset':
            await tile.resetColumns(0, -1, num('prob', 1));
            break;
          case 'drift':
            await tile.driftWeights(num('dt', 0));
            break;
          case 'update': {
            const xo = lifecycleMatrix(op.x, x, p.inSize, `${p.where}.ops[${k}].x`);
            const dd = lifecycleMatrix(op.d, d, p.outSize, `${p.where}.ops[${k}].d`);
            await tile.update(xo.data, dd.data, xo.rows, lr);
            break;
          }
          case 'set_weights':
            await tile.setWeights(op.weights === undefined ? p.weights : matrixFromCase(op.weights, `${p.where}.ops[${k}].weights`, p.inSize).data);
            break;
          default:
            throw new OracleFormatError(`${p.where}: unknown op ${JSON.stringify(op.op)}`);
        }
        w.set(await tile.getWeights(), k * size);
      }
      weights.push(w);
      if (rep === 0 && cfg.record_hidden_final === true) r.set('hidden_parameters_final', await hiddenOut(tile, p));
    });
  }
  r.perRep('weights', weights, [ops.length, p.outSize, p.inSize]);
  // Write noise makes the first read-back differ between reps: then it is a stochastic array too.
  if (initial.every((w) => w.every((v, i) => v === initial[0]![i]))) r.put('weights_initial', initial[0]!, [p.outSize, p.inSize]);
  else r.perRep('weights_initial', initial, [p.outSize, p.inSize]);
}

const RUNNERS: Record<OracleCase['kind'], (b: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder) => Promise<void>> = {
  forward: runMvm,
  backward: runMvm,
  update: (b, c, p, r) => (isCompoundCase(c) ? runCompoundUpdate(b, c, p, r) : runUpdateCase(b, c, p, r)),
  drift: runDrift,
  modifier: runModifier,
  clip: runClip,
  remap: runRemap,
  d2d: runD2d,
  lifecycle: runLifecycle,
};

/** Kinds whose result has one repetition whatever the case says. */
const SINGLE_RUN_KINDS = new Set(['clip', 'remap', 'd2d']);

/**
 * Runs one oracle case on an engine. Returns a result in the format of
 * `oracle/expected/` (see oracle/README.md): `ok: false` with `error` and
 * `error_type` when the engine (or config validation in @crossbar/core)
 * refused it. Problems with the case data itself throw an OracleFormatError.
 */
export async function runOracleCase(backend: AnalogTileBackend, caseObject: OracleCase, options: RunOracleCaseOptions = {}): Promise<OracleResult> {
  if (!isDict(caseObject) || typeof caseObject.name !== 'string' || !(caseObject.kind in RUNNERS) || !isDict(caseObject.config)) {
    throw new OracleFormatError(`runOracleCase: expected a case object with a name, a config and a kind this suite runs (${Object.keys(RUNNERS).join(', ')})`);
  }
  const c = caseObject;
  const where = c.name;
  const seed = c.seed ?? DEFAULT_ORACLE_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new OracleFormatError(`${where}: seed must be a non-negative integer`);
  const caseReps = SINGLE_RUN_KINDS.has(c.kind) ? 1 : positiveInt(c.reps ?? 1, 'reps', where);
  const maxReps = options.maxReps === undefined ? caseReps : positiveInt(options.maxReps, 'options.maxReps', where);
  const reps = Math.min(caseReps, maxReps);
  // d2d cases have no weights (config.size gives the tile's).
  const w = c.kind === 'd2d' ? { rows: 1, cols: 1, data: new Float32Array(1) } : matrixFromCase(c.weights, `${where}.weights`);
  const prepared: Prepared = { outSize: w.rows, inSize: w.cols, weights: w.data, seed, reps, where };

  const head: OracleResult = { name: c.name, kind: c.kind, ok: true, seed, reps };
  if (reps !== caseReps) head.reps_case = caseReps;
  const builder = new ResultBuilder();
  const t0 = now();
  try {
    await RUNNERS[c.kind]!(backend, c, prepared, builder);
  } catch (e) {
    if (e instanceof OracleFormatError) throw e;
    const err = e instanceof Error ? e : new Error(String(e));
    return { ...head, ok: false, error: `${err.name}: ${err.message}`, error_type: err.name, seconds: (now() - t0) / 1000 };
  }
  return { ...head, ...builder.build(), seconds: (now() - t0) / 1000 };
}
