/**
 * The `compounds` oracle file's update cases (oracle/README.md, "More update fields"):
 * a compound device (VectorUnitCell, ReferenceUnitCell, OneSidedUnitCell,
 * TransferCompound, BufferedTransferCompound in a UnitCellRPUConfig;
 * MixedPrecisionCompound in a DigitalRankUpdateRPUConfig) updated over several calls
 * (x, d [call][batch][size]), as aihwkit 0.7.1's harness ran it: set_weights, then
 * `pre_set` (set_hidden_update_index + set_weights per item), `update_index`, the
 * injected hidden parameters (aihwkit's construction draws, `hidden_parameters_initial`,
 * for cases with device-to-device variation), `set_hidden`; then the calls, the weights
 * (and rep 0's hidden parameters) read after each, and a forward pass of `inputs` with
 * `config.forward_io` at the end.
 */
import { rpuConfigFromDict, type AnalogTile, type AnalogTileBackend } from '@crossbar/core';
import { OracleFormatError, matrixFromCase, nest, toDense, type OracleCase } from './format.js';
import { isDict, optionalDict, withTile, type Prepared, type ResultBuilder } from './run.js';
import { hiddenFromCase } from './run-update.js';

type Dict = Record<string, unknown>;

/** The compound device types (aihwkit class names) this runner builds. */
export const COMPOUND_TYPES: readonly string[] = [
  'VectorUnitCell',
  'ReferenceUnitCell',
  'OneSidedUnitCell',
  'DifferenceUnitCell',
  'TransferCompound',
  'BufferedTransferCompound',
  'MixedPrecisionCompound',
];

/** Whether an update case's device is a compound device. */
export function isCompoundCase(c: OracleCase): boolean {
  const device = c.config.device;
  return isDict(device) && typeof device.type === 'string' && COMPOUND_TYPES.includes(device.type);
}

/** x or d of a case: [call][batch][size] (or one call [batch][size]) → one Float32Array per call. */
function perCall(value: unknown, cols: number, where: string): { calls: Float32Array[]; batch: number } {
  const dense = toDense(value, where);
  if (dense.shape.length === 2) {
    const m = matrixFromCase(value, where, cols);
    return { calls: [m.data], batch: m.rows };
  }
  if (dense.shape.length !== 3 || dense.shape[2] !== cols) throw new OracleFormatError(`${where}: expected [call][batch][${cols}], got [${dense.shape.join(', ')}]`);
  const [n, batch] = dense.shape as [number, number, number];
  const size = batch * cols;
  return { calls: Array.from({ length: n }, (_, k) => Float32Array.from(dense.data.subarray(k * size, (k + 1) * size))), batch };
}

async function hiddenDict(tile: AnalogTile, p: Prepared): Promise<Dict> {
  const hp = await tile.getHiddenParameters();
  const out: Dict = {};
  for (const [k, v] of Object.entries(hp)) out[k] = nest(v, [p.outSize, p.inSize]);
  return out;
}

/** Runs one compound update case (see the file comment). */
export async function runCompoundUpdate(backend: AnalogTileBackend, c: OracleCase, p: Prepared, r: ResultBuilder): Promise<void> {
  const cfg = c.config;
  const device = optionalDict(cfg, 'device', p.where)!;
  const update = optionalDict(cfg, 'update', p.where) ?? {};
  const forwardIO = optionalDict(cfg, 'forward_io', p.where);
  const lr = cfg.learning_rate;
  if (typeof lr !== 'number' || !Number.isFinite(lr)) throw new OracleFormatError(`${p.where}: config.learning_rate must be a number`);
  const xs = perCall(c.x, p.inSize, `${p.where}.x`);
  const ds = perCall(c.d, p.outSize, `${p.where}.d`);
  if (xs.calls.length !== ds.calls.length || xs.batch !== ds.batch) throw new OracleFormatError(`${p.where}: x and d differ in calls or batch`);
  const nCalls = xs.calls.length;
  const batch = xs.batch;
  const inputs = c.inputs === undefined ? undefined : matrixFromCase(c.inputs, `${p.where}.inputs`, p.inSize);
  const type = device.type === 'MixedPrecisionCompound' ? 'DigitalRankUpdateRPUConfig' : 'UnitCellRPUConfig';
  const rpuConfig = rpuConfigFromDict({ type, device, update, ...(forwardIO ? { forward: forwardIO } : {}) });
  const injected = hiddenFromCase(c.hidden_parameters, p.outSize, p.inSize, p.where);
  const preSet = Array.isArray(cfg.pre_set) ? (cfg.pre_set as unknown[]) : [];
  const setHidden = cfg.set_hidden === undefined ? undefined : optionalDict(cfg, 'set_hidden', p.where);

  const weights: Float32Array[] = [];
  const steps: Float32Array[] = [];
  const outputs: Float32Array[] = [];
  for (let rep = 0; rep < p.reps; rep++) {
    await withTile(backend, rpuConfig, p.outSize, p.inSize, p.seed + rep, async (tile) => {
      await tile.setWeights(p.weights);
      const indexTile = (where: string) => {
        if (tile.setHiddenUpdateIndex === undefined) throw new OracleFormatError(`${p.where}: ${where} needs the engine's tile to offer setHiddenUpdateIndex`);
        return tile.setHiddenUpdateIndex.bind(tile);
      };
      for (const [i, item] of preSet.entries()) {
        if (!isDict(item) || typeof item.index !== 'number') throw new OracleFormatError(`${p.where}: config.pre_set[${i}] must be {index, weights}`);
        await indexTile('pre_set')(item.index);
        await tile.setWeights(matrixFromCase(item.weights, `${p.where}.pre_set[${i}].weights`, p.inSize).data);
      }
      if (typeof cfg.update_index === 'number') await indexTile('update_index')(cfg.update_index);
      if (injected) await tile.setHiddenParameters(injected);
      if (setHidden) {
        const hp = await tile.getHiddenParameters();
        const out: Record<string, Float32Array> = {};
        for (const [name, v] of Object.entries(setHidden)) {
          if (hp[name] === undefined) throw new OracleFormatError(`${p.where}: config.set_hidden.${name}: the engine's tile has no such hidden parameter`);
          out[name] = typeof v === 'number' ? new Float32Array(p.outSize * p.inSize).fill(v) : matrixFromCase(v, `${p.where}.set_hidden.${name}`, p.inSize).data;
        }
        await tile.setHiddenParameters(out);
      }
      if (rep === 0) {
        r.put('weights_initial', await tile.getWeights(), [p.outSize, p.inSize]);
        r.set('hidden_parameters_initial', await hiddenDict(tile, p));
      }
      const hiddenSteps: Dict[] = [];
      for (let k = 0; k < nCalls; k++) {
        await tile.update(xs.calls[k]!, ds.calls[k]!, batch, lr);
        steps.push(Float32Array.from(await tile.getWeights()));
        if (rep === 0 && cfg.record_hidden_steps === true) hiddenSteps.push(await hiddenDict(tile, p));
      }
      weights.push(Float32Array.from(await tile.getWeights()));
      if (rep === 0) {
        r.set('hidden_parameters', await hiddenDict(tile, p));
        if (cfg.record_hidden_steps === true) r.set('hidden_parameters_steps', hiddenSteps);
      }
      if (inputs) outputs.push(Float32Array.from(await tile.forward(inputs.data, inputs.rows)));
    });
  }
  r.perRep('weights', weights, [p.outSize, p.inSize]);
  if (cfg.record_steps === true) {
    // one part per rep: [call][out][in]
    const size = p.outSize * p.inSize;
    const parts = Array.from({ length: p.reps }, (_, rep) => {
      const a = new Float32Array(nCalls * size);
      for (let k = 0; k < nCalls; k++) a.set(steps[rep * nCalls + k]!, k * size);
      return a;
    });
    r.perRep('weights_steps', parts, [nCalls, p.outSize, p.inSize]);
  }
  if (inputs) r.perRep('outputs', outputs, [inputs.rows, p.outSize]);
}
