/**
 * The runner of `update` cases (oracle README: "update" and "More update fields"):
 * SingleRPUConfig with config.device (a ConstantStepDevice unless it names another
 * "type") and config.update; `x`, `d` either 2-d (one batch, applied config.n_updates
 * times) or 3-d [call][batch][size] (one tile.update per call). Per repetition a fresh
 * tile (seed + rep): the case's hidden_parameters are set (the suite injects aihwkit's
 * device-to-device draws there, see compare.ts caseForEngine), then the weights.
 * Results: weights_initial (a stochastic array when write noise makes it differ between
 * reps), weights [rep], with config.record_steps weights_steps [rep][call] and
 * hidden_parameters_initial, with config.record_hidden_steps hidden_parameters_steps,
 * hidden_parameters (rep 0, after the updates), with `inputs` the forward outputs
 * (config.forward_io) after the last call, and weights_fp: the same with pulse_type "None"
 * (not with config.fp_sanity false).
 */
import { rpuConfigFromDict, type AnalogTile, type AnalogTileBackend } from '@crossbar/core';
import { OracleFormatError, matrixFromCase, nest, toDense, type OracleCase } from './format.js';

type Dict = Record<string, unknown>;

/** What the update runner needs of run.ts's result under construction. */
export interface UpdateResultSink {
  put(key: string, data: ArrayLike<number>, shape: readonly number[]): void;
  perRep(key: string, parts: readonly ArrayLike<number>[], shape: readonly number[]): void;
  set(key: string, value: unknown): void;
}

/** The case's tile size, weights, seed and repetitions (run.ts's Prepared). */
export interface UpdatePrepared {
  outSize: number;
  inSize: number;
  weights: Float32Array;
  seed: number;
  reps: number;
  where: string;
}

/** One tile.update call: its batch of x [batch × in] and d [batch × out]. */
export interface UpdateCall {
  x: Float32Array;
  d: Float32Array;
  batch: number;
}

function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optionalDict(config: Dict, key: string, where: string): Dict | undefined {
  const v = config[key];
  if (v === undefined) return undefined;
  if (!isDict(v)) throw new OracleFormatError(`${where}: config.${key} must be an object`);
  return v;
}

function batches(value: unknown, cols: number, where: string): { data: Float32Array; rows: number }[] {
  const dense = toDense(value, where);
  if (dense.shape.length === 2) {
    const m = matrixFromCase(value, where, cols);
    return [{ data: m.data, rows: m.rows }];
  }
  if (dense.shape.length !== 3)
    throw new OracleFormatError(`${where}: expected a 2-d [batch][size] or 3-d [call][batch][size] array, got shape [${dense.shape.join(', ')}]`);
  const [calls, rows, c] = dense.shape as [number, number, number];
  if (c !== cols) throw new OracleFormatError(`${where}: expected ${cols} values per row, got ${c}`);
  const all = Float32Array.from(dense.data);
  return Array.from({ length: calls }, (_, k) => ({ data: all.slice(k * rows * c, (k + 1) * rows * c), rows }));
}

/**
 * The update calls of a case: a 3-d x/d gives one call per batch; a 2-d x/d one batch
 * applied config.n_updates times (default 1).
 */
export function updateCalls(c: OracleCase, inSize: number, outSize: number, where: string): UpdateCall[] {
  const xs = batches(c.x, inSize, `${where}.x`);
  const ds = batches(c.d, outSize, `${where}.d`);
  if (xs.length !== ds.length) throw new OracleFormatError(`${where}: x has ${xs.length} calls but d has ${ds.length}`);
  const calls: UpdateCall[] = xs.map((x, k) => {
    const d = ds[k]!;
    if (x.rows !== d.rows) throw new OracleFormatError(`${where}: call ${k}: x has ${x.rows} rows but d has ${d.rows}`);
    return { x: x.data, d: d.data, batch: x.rows };
  });
  const n = c.config.n_updates ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new OracleFormatError(`${where}: config.n_updates must be a positive integer`);
  if (n === 1) return calls;
  if (calls.length !== 1) throw new OracleFormatError(`${where}: config.n_updates needs a 2-d x and d (3-d ones give the calls themselves)`);
  return Array.from({ length: n }, () => calls[0]!);
}

/** The case's hidden parameters (each [out][in]) as flat arrays, or undefined. */
export function hiddenFromCase(value: unknown, outSize: number, inSize: number, where: string): Record<string, Float32Array> | undefined {
  if (value === undefined) return undefined;
  if (!isDict(value)) throw new OracleFormatError(`${where}: hidden_parameters must be an object of [out][in] arrays`);
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(value)) {
    const m = matrixFromCase(v, `${where}.hidden_parameters.${k}`, inSize);
    if (m.rows !== outSize) throw new OracleFormatError(`${where}.hidden_parameters.${k}: expected ${outSize} rows, got ${m.rows}`);
    out[k] = m.data;
  }
  return out;
}

async function hiddenOut(tile: AnalogTile, p: UpdatePrepared): Promise<Dict> {
  const hp = await tile.getHiddenParameters();
  const out: Dict = {};
  for (const [k, v] of Object.entries(hp)) out[k] = nest(v, [p.outSize, p.inSize]);
  return out;
}

const same = (a: Float32Array, b: Float32Array): boolean => a.every((v, i) => Object.is(v, b[i]));

/** Runs an `update` case (see the file's comment) into `r`. */
export async function runUpdateCase(backend: AnalogTileBackend, c: OracleCase, p: UpdatePrepared, r: UpdateResultSink): Promise<void> {
  const cfg = c.config;
  const device = optionalDict(cfg, 'device', p.where) ?? {};
  const update = optionalDict(cfg, 'update', p.where) ?? {};
  const forwardIo = optionalDict(cfg, 'forward_io', p.where);
  const lr = cfg.learning_rate;
  if (typeof lr !== 'number' || !Number.isFinite(lr)) throw new OracleFormatError(`${p.where}: config.learning_rate must be a number`);
  const calls = updateCalls(c, p.inSize, p.outSize, p.where);
  const inputs = c.inputs === undefined ? undefined : matrixFromCase(c.inputs, `${p.where}.inputs`, p.inSize);
  const hidden = hiddenFromCase(c.hidden_parameters, p.outSize, p.inSize, p.where);
  const recordSteps = cfg.record_steps === true;
  const recordHiddenSteps = cfg.record_hidden_steps === true;
  const dict = (pulse?: string): Dict => ({
    type: 'SingleRPUConfig',
    device: { type: 'ConstantStepDevice', ...device },
    update: pulse === undefined ? update : { ...update, pulse_type: pulse },
    ...(forwardIo ? { forward: forwardIo } : {}),
  });
  const pulsed = rpuConfigFromDict(dict());
  const size = p.outSize * p.inSize;

  const initial: Float32Array[] = [];
  const weights: Float32Array[] = [];
  const steps: Float32Array[] = [];
  const outputs: Float32Array[] = [];
  for (let rep = 0; rep < p.reps; rep++) {
    const tile = await backend.createTile({ outSize: p.outSize, inSize: p.inSize, rpuConfig: pulsed, seed: p.seed + rep });
    try {
      // Hidden parameters first, then the weights: set_weights clips to the (given) bounds.
      if (hidden) await tile.setHiddenParameters(hidden);
      await tile.setWeights(p.weights);
      initial.push(Float32Array.from(await tile.getWeights()));
      if (rep === 0 && recordSteps) r.set('hidden_parameters_initial', await hiddenOut(tile, p));
      const w = recordSteps ? new Float32Array(calls.length * size) : null;
      const hiddenSteps: Dict[] = [];
      for (let k = 0; k < calls.length; k++) {
        const call = calls[k]!;
        await tile.update(call.x, call.d, call.batch, lr);
        if (w) w.set(await tile.getWeights(), k * size);
        if (rep === 0 && recordHiddenSteps) hiddenSteps.push(await hiddenOut(tile, p));
      }
      weights.push(Float32Array.from(await tile.getWeights()));
      if (w) steps.push(w);
      if (inputs) outputs.push(Float32Array.from(await tile.forward(inputs.data, inputs.rows, { isTest: false })));
      if (rep === 0) {
        r.set('hidden_parameters', await hiddenOut(tile, p));
        if (recordHiddenSteps) r.set('hidden_parameters_steps', hiddenSteps);
      }
    } finally {
      await tile.dispose();
    }
  }
  // Write noise makes the first read-back differ between reps: then it is a stochastic array too.
  if (initial.every((w) => same(w, initial[0]!))) r.put('weights_initial', initial[0]!, [p.outSize, p.inSize]);
  else r.perRep('weights_initial', initial, [p.outSize, p.inSize]);
  r.perRep('weights', weights, [p.outSize, p.inSize]);
  if (recordSteps) r.perRep('weights_steps', steps, [calls.length, p.outSize, p.inSize]);
  if (inputs) r.perRep('outputs', outputs, [inputs.rows, p.outSize]);
  if (cfg.fp_sanity === false) return;
  // pulse_type None ignores the device (aihwkit's floating-point tile has no hidden parameters): weights only.
  const tile = await backend.createTile({ outSize: p.outSize, inSize: p.inSize, rpuConfig: rpuConfigFromDict(dict('None')), seed: p.seed });
  try {
    await tile.setWeights(p.weights);
    r.put('weights_fp_initial', await tile.getWeights(), [p.outSize, p.inSize]);
    for (const call of calls) await tile.update(call.x, call.d, call.batch, lr);
    r.put('weights_fp', await tile.getWeights(), [p.outSize, p.inSize]);
  } finally {
    await tile.dispose();
  }
}
