/**
 * The compound devices of core's tile (aihwkit 0.7.1's unit cells and mixed precision):
 * which device gets which pulses, how the visible weight is read out of the devices,
 * the transfer schedule of Tiki-Taka and its buffered variant, the one-sided pair and
 * its refresh, and the digital rank-update accumulation of mixed precision. Written
 * once, here: each device of a cell is a PulsedDeviceModel (devices.ts) with weights
 * of its own, updated through the engine's `pulsedUpdate` kernel; the transfer and
 * refresh reads go through `perfectMvm` / `analogPass` (mvm.ts's ManagedPass). An
 * engine lacking a kernel refuses with a NotSupportedError naming the device.
 *
 * aihwkit v.0.7.1: src/rpucuda/rpu_vector_device.cpp (VectorUnitCell,
 * ReferenceUnitCell), rpu_onesided_device.cpp (OneSidedUnitCell),
 * rpu_transfer_device.cpp (TransferCompound), rpu_buffered_transfer_device.cpp
 * (BufferedTransferCompound), rpu_mixedprec_device.cpp and
 * rpu_mixedprec_device_base.cpp (MixedPrecisionCompound), and
 * src/aihwkit/simulator/configs/compounds.py (as_bindings). Where aihwkit's C++
 * differs from its docs, the C++ is followed (packages/conformance/oracle/README.md,
 * "Devices and compounds", and docs/training.md).
 *
 * Random numbers: RandomStreamId.CompoundDevice in the operation's tile call: sub 0 the
 * SingleRandom device choice (element = batch row), sub 1 the random_selection start
 * of a transfer and mixed precision's random_row (elements 4·device … 4·device + 3, see
 * aihwkitStartIndex), sub 2 with_reset_prob (element = read vector),
 * sub 3 / 4 mixed precision's stochastic rounding of x / d (element = row · size + index).
 * Each device of a cell draws its own device-to-device values, diffusion, reset and
 * write noise from a seed of its own (deviceSeed); devices that get the same pulses
 * (update_policy All) share the pulse trains of the tile's seed, as aihwkit's devices
 * share one pulse train.
 */
import { IOParameters, UpdateParameters } from '../config/parameters.js';
import type { AnyPulsedDevice, PulsedDevice } from '../config/devices.js';
import { ALL_PULSED_DEVICES, UNIMPLEMENTED_PULSED_DEVICES } from '../config/devices.js';
import {
  BufferedTransferCompound,
  DifferenceUnitCell,
  MixedPrecisionCompound,
  OneSidedUnitCell,
  ReferenceUnitCell,
  TransferCompound,
  VectorUnitCell,
  type UnitCellDevice,
} from '../config/compounds.js';
import type { AnyConfigClass } from '../config/field.js';
import { DigitalRankUpdateRPUConfig, UnitCellRPUConfig, type RPUConfig } from '../config/rpu-configs.js';
import { NotSupportedError } from '../errors.js';
import { drawMvParameters, ioUsesRandomness, resolveIOParameters, type NoiseManagementState } from '../physics/io.js';
import { UpdateRowPlan, updateSettings, type UpdateSettings } from '../physics/update.js';
import { RandomStream, RandomStreamId } from '../rng.js';
import type { HiddenParameters, TileState } from '../tile.js';
import type { TileContext } from './context.js';
import { PulsedDeviceModel, type DeviceModel } from './devices.js';
import { ManagedPass } from './mvm.js';
import { checkStateArray } from './state-checks.js';

const f = Math.fround;
const configName = (c: object) => (c.constructor as unknown as AnyConfigClass).configName;

/**
 * The random start index of a transfer (TransferCompound's random_selection, mixed
 * precision's random_row) as aihwkit 0.7.1 draws it: MAX(MIN((int)floor(u·n), n − 1), 0)
 * with math_util.h's macros, which evaluate an argument again for the result, so the
 * draw is made up to four times (`uniform(0..3)`, in C++'s order): the inner MIN is
 * evaluated once for MAX's test and once more for its value. The first and last index
 * come out more often than a uniform choice: for n = 5, 0.294 and 0.302 against 0.134
 * for each other index (what the oracle case tt_random_selection shows).
 * (aihwkit v.0.7.1 src/rpucuda/rpu_transfer_device.cpp transfer,
 * rpu_mixedprec_device_base.cpp doTransfer, math_util.h MIN/MAX)
 */
export function aihwkitStartIndex(n: number, uniform: (k: number) => number): number {
  const last = n - 1;
  let k = 0;
  const draw = () => Math.floor(f(uniform(k++) * n));
  const clampedBelowLast = () => (draw() < last ? draw() : last); // MIN(floor(u·n), n − 1)
  return clampedBelowLast() > 0 ? clampedBelowLast() : 0; // MAX(MIN(…), 0)
}

/** Whether the tile's config is a compound device (UnitCellRPUConfig or DigitalRankUpdateRPUConfig). */
export function isCompoundConfig(rpuConfig: RPUConfig): rpuConfig is UnitCellRPUConfig | DigitalRankUpdateRPUConfig {
  return rpuConfig instanceof UnitCellRPUConfig || rpuConfig instanceof DigitalRankUpdateRPUConfig;
}

/** The seed of device k of a cell: its own streams (device-to-device draws, diffusion, reset, write noise). */
export function deviceSeed(seed: number, k: number): number {
  return (seed + (k + 1) * 0x9e3779b1) % 4294967296;
}

const isSingle = (d: object): d is AnyPulsedDevice => (ALL_PULSED_DEVICES as readonly unknown[]).includes(d.constructor);

/** A device of a cell as a single pulsed device; refuses nested cells and single devices no engine implements (naming them). */
function checkSingle(device: UnitCellDevice, where: string): PulsedDevice {
  if (!isSingle(device)) {
    throw new NotSupportedError(`${where} = ${configName(device)}: a unit cell inside this compound is not supported (give single pulsed devices)`);
  }
  if ((UNIMPLEMENTED_PULSED_DEVICES as readonly unknown[]).includes(device.constructor)) {
    throw new NotSupportedError(`${where} = ${configName(device)}: no engine implements ${configName(device)} yet (see docs/configuration.md)`);
  }
  return device as PulsedDevice;
}

// ------------------------------------------------------------------ one device of a cell

/** One device of a cell: a pulsed device model on weights of its own. */
class CellDevice {
  readonly model: PulsedDeviceModel;
  readonly ctx: TileContext;

  constructor(parent: TileContext, device: PulsedDevice, update: UpdateParameters, seed: number, weights: Float32Array) {
    this.ctx = {
      engine: parent.engine,
      outSize: parent.outSize,
      inSize: parent.inSize,
      seed,
      rpuConfig: parent.rpuConfig,
      size: parent.size,
      weights,
      kernels: parent.kernels,
      nextRandomCall: () => parent.nextRandomCall(),
    };
    this.model = new PulsedDeviceModel(this.ctx, device, update);
  }

  get weights(): Float32Array {
    return this.ctx.weights;
  }
}

/** A device spec with its own construction seed cleared (the cell's seeds every device). */
function specOf(device: PulsedDevice): PulsedDevice {
  const cls = device.constructor as new (init: Record<string, unknown>) => PulsedDevice;
  return new cls({ ...device.fieldValues(), constructionSeed: 0 });
}

/** The transfer / refresh IO: noise and bound management forced off, as aihwkit does for transfers. */
function transferIO(io: IOParameters, forceOff: boolean): IOParameters {
  return forceOff ? new IOParameters({ ...io.fieldValues(), noiseManagement: 'None', boundManagement: 'None' }) : io;
}

/** Reads vectors of a device's weights through an IO (aihwkit's transfer_fb_pass_). */
class VectorReader {
  private readonly pass: ManagedPass;
  private readonly nm: NoiseManagementState = { averageAbsMax: -1 };
  private readonly usesRandom: boolean;

  constructor(
    private readonly ctx: TileContext,
    io: IOParameters,
    readonly direction: 'forward' | 'backward',
    field: string,
    seed: number,
  ) {
    const resolved = resolveIOParameters(io, direction, field, ctx.engine);
    const nOut = direction === 'forward' ? ctx.outSize : ctx.inSize;
    const nIn = direction === 'forward' ? ctx.inSize : ctx.outSize;
    this.pass = new ManagedPass(resolved, drawMvParameters(resolved, nOut, ctx.size, seed), nOut, nIn);
    this.usesRandom = ioUsesRandomness(resolved);
  }

  /** y = f(W v) (forward) or f(Wᵀ v) (backward) of one or more vectors, times `scale`. */
  read(weights: Float32Array, v: Float32Array, batch: number, scale: number): Float32Array {
    const call = this.usesRandom ? this.ctx.nextRandomCall() : 0;
    const y = this.pass.run(this.ctx, weights, v, batch, call, this.nm);
    if (scale !== 1) for (let i = 0; i < y.length; i++) y[i] = f(y[i]! * scale);
    return y;
  }
}

// ------------------------------------------------------------------ the model interface

/** What a compound's parts have in common with a tile's device model. */
interface CompoundModel extends DeviceModel {
  /** The weight granularity of the cell (the mean of its devices'). */
  readonly granularity: number;
  /** A pulsed update with given update parameters (MixedPrecision's transfer onto its device). */
  updateWith(x: Float32Array, d: Float32Array, batch: number, lr: number, update: UpdateParameters, settings: UpdateSettings): void;
  /** aihwkit's set_hidden_update_index. */
  setHiddenUpdateIndex(index: number): void;
  getHiddenUpdateIndex(): number;
}

function pulsedSettings(update: UpdateParameters, where: string): UpdateSettings {
  const s = updateSettings(update);
  if (s === null) {
    throw new NotSupportedError(
      `${where}.pulse_type = ${update.pulseType} with a compound device: aihwkit's compounds need a pulsed update (pulse_type other than None)`,
    );
  }
  return s;
}

/** The model of a UnitCellRPUConfig's or DigitalRankUpdateRPUConfig's device. */
export function createCompoundModel(ctx: TileContext): DeviceModel & { setHiddenUpdateIndex(index: number): void; getHiddenUpdateIndex(): number } {
  const config = ctx.rpuConfig;
  if (config instanceof DigitalRankUpdateRPUConfig) return new MixedPrecisionModel(ctx, config.device, config.update);
  if (!(config instanceof UnitCellRPUConfig)) throw new NotSupportedError(`${ctx.engine} engine: not a compound config`);
  return createCellModel(ctx, config.device, config.update, ctx.weights, 'rpuConfig.device', ctx.seed);
}

function createCellModel(ctx: TileContext, cell: UnitCellDevice, update: UpdateParameters, weights: Float32Array, where: string, seed: number): CompoundModel {
  if (cell instanceof BufferedTransferCompound) return new TransferModel(ctx, cell, update, weights, where, seed, true);
  if (cell instanceof TransferCompound) return new TransferModel(ctx, cell, update, weights, where, seed, false);
  if (cell instanceof OneSidedUnitCell || cell instanceof DifferenceUnitCell) return new OneSidedModel(ctx, cell, update, weights, where, seed);
  if (cell instanceof ReferenceUnitCell || cell instanceof VectorUnitCell) return new VectorModel(ctx, cell, update, weights, where, seed);
  throw new NotSupportedError(`${ctx.engine} engine: ${where} = ${configName(cell)} is not a unit cell`);
}

// ------------------------------------------------------------------ VectorUnitCell, ReferenceUnitCell

type Policy = 'All' | 'SingleFixed' | 'SingleSequential' | 'SingleRandom';

/**
 * aihwkit's VectorRPUDevice: n devices, visible W = Σ gamma_vec[k]·W_k; the pulses of each
 * batch row (computed once with the cell's granularity, the mean of its devices') go to
 * every device (All) or one (SingleFixed: the hidden update index; SingleSequential: the
 * index advances before every batch row; SingleRandom: a random one per row).
 */
class VectorModel implements CompoundModel {
  protected readonly devices: CellDevice[] = [];
  protected gamma: Float32Array;
  protected readonly policy: Policy;
  protected readonly firstIdx: number;
  protected currentIdx: number;
  /** aihwkit's current_update_idx_: batch rows since set_weights. */
  protected updateIdx = 0;
  readonly granularity: number;
  protected readonly plan = new UpdateRowPlan();
  protected readonly settings: UpdateSettings;
  protected readonly size: number;

  constructor(
    protected readonly ctx: TileContext,
    cell: VectorUnitCell | ReferenceUnitCell | TransferCompound | OneSidedUnitCell,
    protected readonly update_: UpdateParameters,
    protected readonly visible: Float32Array,
    protected readonly where: string,
    seed: number,
    lastWeights: Float32Array | null = null,
  ) {
    this.size = ctx.size;
    this.settings = pulsedSettings(update_, 'rpuConfig.update');
    let specs = cell.unitCellDevices;
    if (specs.length === 0) {
      throw new NotSupportedError(`${ctx.engine} engine: ${where}.unitCellDevices (unit_cell_devices) is empty: aihwkit cannot build a unit cell without devices`);
    }
    if (cell instanceof ReferenceUnitCell && specs.length === 1) specs = [specs[0]!, specs[0]!];
    if (cell instanceof OneSidedUnitCell || cell instanceof DifferenceUnitCell) specs = [specs[0]!, specs[0]!];
    if (cell instanceof TransferCompound) specs = specs.map((s, k) => (k >= 2 ? specs[1]! : s));
    const key = cell.constructionSeed !== 0 ? cell.constructionSeed : seed;
    specs.forEach((spec, k) => {
      const dev = checkSingle(spec, `${where}.unitCellDevices[${k}]`);
      const w = k === specs.length - 1 && lastWeights !== null ? lastWeights : new Float32Array(this.size);
      this.devices.push(new CellDevice(ctx, specOf(dev), update_, deviceSeed(key, k), w));
    });
    const n = this.devices.length;
    const gv = 'gammaVec' in cell ? cell.gammaVec : [];
    this.gamma = gv.length === n ? Float32Array.from(gv) : new Float32Array(n).fill(f(1 / n));
    this.policy = ('updatePolicy' in cell ? cell.updatePolicy : 'All') as Policy;
    this.firstIdx = 'firstUpdateIdx' in cell ? cell.firstUpdateIdx : 0;
    this.currentIdx = this.firstIdx;
    let g = 0;
    for (const d of this.devices) g = f(g + d.model.granularity);
    this.granularity = f(g / n);
  }

  get n(): number {
    return this.devices.length;
  }

  /** W = Σ gamma_k·W_k (aihwkit's reduceToWeights, a float32 gemv). */
  protected reduce(): void {
    const w = this.visible;
    const n = this.n;
    for (let e = 0; e < this.size; e++) {
      let s = 0;
      for (let k = 0; k < n; k++) s = f(s + f(this.gamma[k]! * this.devices[k]!.weights[e]!));
      w[e] = s;
    }
  }

  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    if (!(learningRate > 0)) return;
    this.updateWith(x, d, batch, f(learningRate), this.update_, this.settings);
  }

  updateWith(x: Float32Array, d: Float32Array, batch: number, lr: number, update: UpdateParameters, settings: UpdateSettings): void {
    const { inSize, outSize } = this.ctx;
    if (this.policy === 'All') {
      const call = this.ctx.nextRandomCall();
      if (this.plan.compute(x, d, batch, inSize, outSize, lr, this.granularity, settings) > 0) {
        for (const dev of this.devices) dev.model.applyPlan(this.plan, update, settings, x, d, batch, lr, call, this.ctx.seed);
      }
    } else {
      const call = this.ctx.nextRandomCall();
      const pick = this.policy === 'SingleRandom' ? new RandomStream(this.ctx.seed, RandomStreamId.CompoundDevice, call, 0) : null;
      for (let r = 0; r < batch; r++) {
        if (this.policy === 'SingleSequential') this.currentIdx = (this.currentIdx + 1) % this.n;
        else if (pick !== null) this.currentIdx = Math.min(Math.floor(pick.uniform(r) * this.n), this.n - 1);
        const xr = x.subarray(r * inSize, (r + 1) * inSize);
        const dr = d.subarray(r * outSize, (r + 1) * outSize);
        if (this.plan.compute(xr, dr, 1, inSize, outSize, lr, this.granularity, settings) === 0) continue;
        this.devices[this.currentIdx]!.model.applyPlan(this.plan, update, settings, xr, dr, 1, lr, r === 0 ? call : this.ctx.nextRandomCall(), this.ctx.seed);
      }
    }
    this.updateIdx += batch;
    this.reduce();
  }

  setHiddenUpdateIndex(index: number): void {
    this.currentIdx = Math.max(0, Math.min(Math.trunc(index), this.n - 1));
  }

  getHiddenUpdateIndex(): number {
    return this.currentIdx;
  }

  /** aihwkit's resetCounters: returns the device set_weights writes alone (SingleFixed), else −1. */
  protected resetCounters(): number {
    this.updateIdx = 0;
    if (this.policy !== 'SingleFixed') {
      this.currentIdx = this.firstIdx;
      return -1;
    }
    return this.currentIdx;
  }

  onWeightsSet(): void {
    const fixed = this.resetCounters();
    this.devices.forEach((dev, k) => {
      if (fixed < 0 || fixed === k) dev.weights.set(this.visible);
      dev.model.onWeightsSet();
    });
    this.reduce();
  }

  drift(t: number): void {
    for (const d of this.devices) d.model.drift(t);
    this.reduce();
  }

  decay(alpha: number): void {
    for (const d of this.devices) d.model.decay(alpha);
    this.reduce();
  }

  diffuse(): void {
    for (const d of this.devices) d.model.diffuse();
    this.reduce();
  }

  resetColumns(start: number, count: number, resetProb: number): void {
    for (const d of this.devices) d.model.resetColumns(start, count, resetProb);
    this.reduce();
  }

  /** Each device's names with the suffix _k, then hidden_weights_k (aihwkit's get_hidden_parameters order). */
  getHiddenParameters(): HiddenParameters {
    const out: HiddenParameters = {};
    this.devices.forEach((dev, k) => {
      for (const [name, a] of Object.entries(dev.model.getHiddenParameters())) out[`${name}_${k}`] = a;
      out[`hidden_weights_${k}`] = dev.weights.slice();
    });
    return out;
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    this.devices.forEach((dev, k) => {
      const own: Partial<HiddenParameters> = {};
      const suffix = `_${k}`;
      for (const [name, a] of Object.entries(params)) {
        if (a !== undefined && name.endsWith(suffix) && !name.startsWith('hidden_weights_')) own[name.slice(0, -suffix.length)] = a;
      }
      const w = params[`hidden_weights_${k}`];
      if (w !== undefined) dev.weights.set(w);
      dev.model.setHiddenParameters(own); // clips the device's weights to its (new) bounds
    });
    this.reduce();
  }

  checkState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.devices.forEach((dev, k) => dev.model.checkState(subKeys(arrays, k), subKeys(scalars, k)));
  }

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.devices.forEach((dev, k) => {
      const a: TileState['arrays'] = {};
      const s: TileState['scalars'] = {};
      dev.model.saveState(a, s);
      for (const [key, v] of Object.entries(a)) arrays[`compound.${k}.${key}`] = v;
      for (const [key, v] of Object.entries(s)) scalars[`compound.${k}.${key}`] = v;
    });
    scalars['compound.updateIdx'] = this.updateIdx;
    scalars['compound.currentIdx'] = this.currentIdx;
  }

  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.devices.forEach((dev, k) => dev.model.loadState(subKeys(arrays, k), subKeys(scalars, k)));
    const u = scalars['compound.updateIdx'];
    if (typeof u === 'number' && Number.isInteger(u) && u >= 0) this.updateIdx = u;
    const c = scalars['compound.currentIdx'];
    if (typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < this.n) this.currentIdx = c;
  }
}

function subKeys<T>(record: Record<string, T>, k: number): Record<string, T> {
  const prefix = `compound.${k}.`;
  const out: Record<string, T> = {};
  for (const [key, v] of Object.entries(record)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = v;
  return out;
}

// ------------------------------------------------------------------ TransferCompound, BufferedTransferCompound

/**
 * aihwkit's TransferRPUDevice (Tiki-Taka) and BufferedTransferRPUDevice (TTv2): the SGD
 * pulses go to device 0 only (learning rate fast_lr when > 0), then after every batch row
 * the update counter advances and each device j whose cycle e_j divides it transfers
 * n_reads_per_transfer columns (rows) onto device j + 1: read through transfer_forward
 * (noise and bound management off), written as a pulsed update with transfer_update.
 * The buffered variant accumulates the reads in a float buffer and writes only whole
 * multiples of thres_scale times the next device's granularity.
 */
class TransferModel extends VectorModel {
  private readonly cell: TransferCompound | BufferedTransferCompound;
  private readonly fullyHidden: boolean;
  private readonly everyVec: number[];
  private readonly lrVec: number[];
  private readonly transferUpdate: UpdateParameters;
  private readonly transferSettings: UpdateSettings;
  private readonly reader: VectorReader;
  private readonly slices: Int32Array;
  private readonly buffers: Float32Array[] = [];
  private readonly fastPlan = new UpdateRowPlan();
  private readonly writePlan = new UpdateRowPlan();
  /** Read vectors (one-hot) and the vectors written, reused. */
  private readonly unit: Float32Array;
  private readonly nVec: number;
  private readonly vecLen: number;

  constructor(
    ctx: TileContext,
    cell: TransferCompound | BufferedTransferCompound,
    update: UpdateParameters,
    visible: Float32Array,
    where: string,
    seed: number,
    private readonly buffered: boolean,
  ) {
    const n = cell.unitCellDevices.length;
    // gamma = 0 (or a gamma_vec whose other weights sum to 0): the last device is the visible weights
    const gammaOthers = cell.gammaVec.length > 0 ? cell.gammaVec.slice(0, -1).reduce((a, b) => a + b, 0) : cell.gamma;
    const fullyHidden = gammaOthers === 0;
    super(ctx, cell, update, visible, where, seed, fullyHidden ? visible : null);
    if (n < 2) throw new NotSupportedError(`${ctx.engine} engine: ${where}.unitCellDevices (unit_cell_devices): a transfer compound needs at least 2 devices`);
    this.cell = cell;
    this.fullyHidden = fullyHidden;
    const gv = cell.gammaVec.length > 0 ? cell.gammaVec : Array.from({ length: n }, (_, k) => Math.pow(cell.gamma, n - 1 - k));
    this.gamma = Float32Array.from(gv);
    const columns = cell.transferColumns;
    this.nVec = columns ? ctx.inSize : ctx.outSize;
    this.vecLen = columns ? ctx.outSize : ctx.inSize;
    const nReads = Math.min(cell.nReadsPerTransfer, this.nVec);
    if (cell.transferEveryVec.length > 0) this.everyVec = cell.transferEveryVec.slice();
    else {
      this.everyVec = [];
      let e = f(cell.transferEvery);
      for (let k = 0; k < n; k++) {
        this.everyVec.push(e);
        e = f(e * f(this.vecLen / nReads));
      }
      if (cell.noSelfTransfer) this.everyVec[n - 1] = 0;
    }
    this.lrVec = cell.transferLrVec.length > 0 ? cell.transferLrVec.slice() : new Array<number>(n).fill(cell.transferLr);
    this.transferUpdate = cell.transferUpdate;
    this.transferSettings = pulsedSettings(cell.transferUpdate, `${where}.transferUpdate`);
    this.reader = new VectorReader(ctx, transferIO(cell.transferForward, true), columns ? 'forward' : 'backward', `${where}.transferForward`, ctx.seed);
    this.slices = new Int32Array(n);
    if (buffered) for (let k = 0; k < n - 1; k++) this.buffers.push(new Float32Array(this.size));
    this.unit = new Float32Array(this.nVec);
    // aihwkit: the transfer writes reuse the device's own granularity; the pulse settings are transfer_update's
  }

  private every(j: number, batch: number): number {
    const e = this.everyVec[j]!;
    return this.cell.unitsInMbatch ? Math.max(Math.ceil(f(e * batch)), 0) : Math.max(Math.round(e), 0);
  }

  protected override reduce(): void {
    if (!this.fullyHidden) super.reduce();
  }

  override update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    if (!(learningRate > 0)) return;
    const lr = f(learningRate);
    const fast = this.cell.fastLr > 0 ? f(this.cell.fastLr) : lr;
    const { inSize, outSize } = this.ctx;
    const n = this.n;
    const every = this.everyVec.map((_, j) => this.every(j, batch));
    let r0 = 0;
    while (r0 < batch) {
      // the rows up to the next transfer event go to device 0 in one call (rows are applied in order)
      let r1 = r0;
      let fires = false;
      while (r1 < batch && !fires) {
        const idx = this.updateIdx + (r1 - r0) + 1;
        fires = every.some((e) => e > 0 && idx % e === 0);
        r1++;
      }
      const xr = x.subarray(r0 * inSize, r1 * inSize);
      const dr = d.subarray(r0 * outSize, r1 * outSize);
      const call = this.ctx.nextRandomCall();
      if (this.fastPlan.compute(xr, dr, r1 - r0, inSize, outSize, fast, this.granularity, this.settings) > 0) {
        this.devices[0]!.model.applyPlan(this.fastPlan, this.update_, this.settings, xr, dr, r1 - r0, fast, call, this.ctx.seed);
      }
      this.updateIdx += r1 - r0;
      for (let j = 0; j < n; j++) {
        const e = every[j]!;
        if (e > 0 && this.updateIdx % e === 0) this.transfer(Math.min(j + 1, n - 1), j, lr);
      }
      r0 = r1;
    }
    this.reduce();
  }

  /** aihwkit's TransferRPUDevice::transfer: n_reads_per_transfer vectors from the current slice on, wrapping. */
  private transfer(to: number, from: number, currentLr: number): void {
    let slice = this.slices[from]!;
    const nVec = this.nVec;
    if (this.cell.randomSelection) {
      const stream = new RandomStream(this.ctx.seed, RandomStreamId.CompoundDevice, this.ctx.nextRandomCall(), 1);
      slice = aihwkitStartIndex(nVec, (k) => stream.uniform(4 * from + k));
    }
    let lr = f(this.lrVec[from]!);
    if (this.cell.scaleTransferLr) lr = f(lr * currentLr);
    if (this.buffered && this.gamma[to]! > 0 && this.gamma[from]! > 0) lr = f(lr * f(this.gamma[from]! / this.gamma[to]!));
    const nTransfer = Math.min(this.cell.nReadsPerTransfer, nVec);
    const rest = nVec - slice;
    if (rest < nTransfer) {
      this.readAndUpdate(to, from, lr, slice, rest);
      this.readAndUpdate(to, from, lr, 0, nTransfer - rest);
    } else this.readAndUpdate(to, from, lr, slice, nTransfer);
    this.slices[from] = (slice + nTransfer) % nVec;
  }

  private readAndUpdate(to: number, from: number, lr: number, start: number, count: number): void {
    if (lr === 0 || to === from) return;
    if (this.buffered) {
      this.readAndUpdateBuffered(to, from, lr, start, count);
      return;
    }
    const columns = this.cell.transferColumns;
    const resetProb = this.cell.withResetProb;
    if (resetProb === 0) {
      this.readAndUpdateBatched(to, from, lr, start, count);
      return;
    }
    const pick = new RandomStream(this.ctx.seed, RandomStreamId.CompoundDevice, this.ctx.nextRandomCall(), 2);
    for (let i = 0; i < count; i++) {
      const col = start + i;
      this.unit.fill(0);
      this.unit[col] = 1;
      const v = this.reader.read(this.devices[from]!.weights, this.unit, 1, -1); // scale −1: a positive update
      if (pick.uniform(i) < resetProb) {
        // the whole current chunk of the source device (aihwkit's resetCols(i_slice, n_vec))
        this.devices[from]!.model.resetColumns(start, count, 1);
      }
      this.write(to, columns, this.unit, v, lr, this.transferUpdate, this.transferSettings);
    }
  }

  /**
   * Without resets, aihwkit's loop (read vector i of `from`, write it onto `to`, next i) is
   * the same as reading all `count` vectors first and writing them as one update of `count`
   * rows (to ≠ from; the rows are applied in order with a plan per row): done so here, one
   * read pass and one kernel call per transfer.
   */
  private readAndUpdateBatched(to: number, from: number, lr: number, start: number, count: number): void {
    const { inSize, outSize } = this.ctx;
    const columns = this.cell.transferColumns;
    const nVec = this.nVec;
    const units = new Float32Array(count * nVec);
    for (let i = 0; i < count; i++) units[i * nVec + start + i] = 1;
    const v = this.reader.read(this.devices[from]!.weights, units, count, -1); // [count × vecLen], scale −1: a positive update
    const x = columns ? units : v;
    const d = columns ? v : units;
    const dev = this.devices[to]!;
    const call = this.ctx.nextRandomCall();
    if (this.writePlan.compute(x, d, count, inSize, outSize, lr, dev.model.granularity, this.transferSettings) === 0) return;
    dev.model.applyPlan(this.writePlan, this.transferUpdate, this.transferSettings, x, d, count, lr, call, dev.ctx.seed);
  }

  /** A pulsed rank-1 update of device `to`: columns: x = the unit vector, d = v; rows: x = v, d = the unit vector. */
  private write(to: number, columns: boolean, unit: Float32Array, v: Float32Array, lr: number, update: UpdateParameters, settings: UpdateSettings): void {
    const { inSize, outSize } = this.ctx;
    const x = columns ? unit : v;
    const d = columns ? v : unit;
    const dev = this.devices[to]!;
    const call = this.ctx.nextRandomCall();
    if (this.writePlan.compute(x, d, 1, inSize, outSize, lr, dev.model.granularity, settings) === 0) return;
    dev.model.applyPlan(this.writePlan, update, settings, x, d, 1, lr, call, dev.ctx.seed);
  }

  /** aihwkit's BufferedTransferRPUDevice::readAndUpdate (no reset; the last device never transfers). */
  private readAndUpdateBuffered(to: number, from: number, lr: number, start: number, count: number): void {
    if (from >= this.n - 1) return;
    const cell = this.cell as BufferedTransferCompound;
    const columns = cell.transferColumns;
    const g = this.devices[to]!.model.granularity;
    const thres = f(f(cell.thresScale) * g);
    const momentum = f(Math.max(Math.min(cell.momentum, 1), 0));
    const subMomentum = f(1 - momentum);
    const maxSteps = this.transferUpdate.desiredBl;
    const lrAbs = Math.abs(lr);
    const buf = this.buffers[from]!;
    const inSize = this.ctx.inSize;
    const out = new Float32Array(this.vecLen);
    for (let i = 0; i < count; i++) {
      const col = start + i;
      this.unit.fill(0);
      this.unit[col] = 1;
      const v = this.reader.read(this.devices[from]!.weights, this.unit, 1, 1);
      let nonZero = 0;
      for (let j = 0; j < this.vecLen; j++) {
        const e = columns ? j * inSize + col : col * inSize + j;
        const omega = f(buf[e]! + f(v[j]! * lrAbs));
        const steps = Math.max(Math.min(Math.trunc(f(omega / thres)), maxSteps), -maxSteps);
        if (cell.forgetBuffer) buf[e] = steps !== 0 ? f(omega * momentum) : omega;
        else buf[e] = steps !== 0 ? f(omega - f(f(subMomentum * steps) * thres)) : omega;
        if (steps !== 0) nonZero++;
        out[j] = steps === 0 ? 0 : -steps;
      }
      if (nonZero > 0) this.write(to, columns, this.unit, out, f(f(cell.step) * g), this.transferUpdate, this.transferSettings);
    }
  }

  override onWeightsSet(): void {
    this.resetCounters();
    this.slices.fill(0);
    const last = this.n - 1;
    if (this.fullyHidden) {
      for (let k = 0; k < last; k++) this.devices[k]!.weights.fill(0);
      this.devices[last]!.model.onWeightsSet(); // the visible weights themselves
      return;
    }
    const gl = this.gamma[last]!;
    for (let k = 0; k < last; k++) this.devices[k]!.weights.fill(0);
    const wl = this.devices[last]!.weights;
    for (let e = 0; e < this.size; e++) wl[e] = f(this.visible[e]! / gl);
    for (const dev of this.devices) dev.model.onWeightsSet();
    this.reduce();
  }

  /** reset_columns resets device 0 only (aihwkit). */
  override resetColumns(start: number, count: number, resetProb: number): void {
    this.devices[0]!.model.resetColumns(start, count, resetProb);
    this.reduce();
  }

  override getHiddenParameters(): HiddenParameters {
    const out = super.getHiddenParameters();
    this.buffers.forEach((b, k) => (out[`buffered_FP_weight_${k}`] = b.slice()));
    return out;
  }

  override setHiddenParameters(params: Partial<HiddenParameters>): void {
    this.buffers.forEach((b, k) => {
      const v = params[`buffered_FP_weight_${k}`];
      if (v !== undefined) b.set(v);
    });
    super.setHiddenParameters(params);
  }

  override saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    super.saveState(arrays, scalars);
    arrays['compound.slices'] = Array.from(this.slices);
  }

  override checkState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    super.checkState(arrays, scalars);
    checkStateArray(arrays, 'compound.slices', this.n, false);
  }

  override loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    super.loadState(arrays, scalars);
    const s = arrays['compound.slices'];
    if (s) s.forEach((v, k) => (this.slices[k] = Math.max(0, Math.min(Math.trunc(v), this.nVec - 1))));
  }
}

// ------------------------------------------------------------------ OneSidedUnitCell

/**
 * aihwkit's OneSidedRPUDevice: device 1 is g⁺ (weight +1), device 0 g⁻ (weight −1); a pulse
 * that would increase W is an up pulse on g⁺, one that would decrease it an up pulse on g⁻.
 * The kernel applies pulses of both signs, so each device runs the row on a scratch copy
 * (g⁻ with d negated, so its pulses are up pulses where W decreases) and keeps only the
 * elements that went up: the pulses of one row have one sign per element.
 */
class OneSidedModel extends VectorModel {
  private readonly cellSpec: OneSidedUnitCell | DifferenceUnitCell;
  private readonly scratch: Float32Array;
  private readonly dNeg: Float32Array;
  private readonly refreshReader: VectorReader | null;
  private readonly refreshSettings: UpdateSettings | null;

  constructor(ctx: TileContext, cell: OneSidedUnitCell | DifferenceUnitCell, update: UpdateParameters, visible: Float32Array, where: string, seed: number) {
    super(ctx, cell, update, visible, where, seed);
    this.cellSpec = cell;
    this.gamma = Float32Array.from([-1, 1]);
    this.scratch = new Float32Array(this.size);
    this.dNeg = new Float32Array(ctx.outSize);
    if (cell.copyInverted) this.copyInvert();
    this.refreshReader = cell.refreshEvery > 0 ? new VectorReader(ctx, cell.refreshForward, 'forward', `${where}.refreshForward`, ctx.seed) : null;
    this.refreshSettings = cell.refreshEvery > 0 ? pulsedSettings(cell.refreshUpdate, `${where}.refreshUpdate`) : null;
  }

  /**
   * copy_inverted (aihwkit's copyInvertDeviceParameter): device 1's own drawn bounds mirrored
   * (max ↔ −min) and its up/down steps swapped; LinearStep / SoftBounds slopes from device 0
   * (slope_up_1 = −slope_down_0, slope_down_1 = −slope_up_0).
   */
  private copyInvert(): void {
    const h0 = this.devices[0]!.model.getHiddenParameters();
    const h1 = this.devices[1]!.model.getHiddenParameters();
    const neg = (a: Float32Array) => a.map((v) => -v);
    const set: HiddenParameters = { max_bound: neg(h1['min_bound']!), min_bound: neg(h1['max_bound']!), dwmin_up: h1['dwmin_down']!, dwmin_down: h1['dwmin_up']! };
    if (h0['slope_up'] !== undefined && h0['slope_down'] !== undefined) {
      set['slope_up'] = neg(h0['slope_down']);
      set['slope_down'] = neg(h0['slope_up']);
    }
    this.devices[1]!.model.setHiddenParameters(set);
  }

  override updateWith(x: Float32Array, d: Float32Array, batch: number, lr: number, update: UpdateParameters, settings: UpdateSettings): void {
    const { inSize, outSize } = this.ctx;
    for (let r = 0; r < batch; r++) {
      const xr = x.subarray(r * inSize, (r + 1) * inSize);
      const dr = d.subarray(r * outSize, (r + 1) * outSize);
      const call = this.ctx.nextRandomCall();
      if (this.plan.compute(xr, dr, 1, inSize, outSize, lr, this.granularity, settings) > 0) {
        for (let i = 0; i < outSize; i++) this.dNeg[i] = -dr[i]!;
        this.oneSided(this.devices[1]!, xr, dr, lr, update, settings, call);
        this.oneSided(this.devices[0]!, xr, this.dNeg, lr, update, settings, call);
      }
      this.updateIdx++;
      this.reduce();
      const every = this.cellSpec.refreshEvery;
      if (every > 0) {
        const cycle = this.cellSpec.unitsInMbatch ? every * batch : every;
        if (this.updateIdx % cycle === 0) this.refresh();
      }
    }
  }

  private oneSided(dev: CellDevice, x: Float32Array, d: Float32Array, lr: number, update: UpdateParameters, settings: UpdateSettings, call: number): void {
    const w = dev.weights;
    const s = this.scratch;
    s.set(w);
    // the device model acts on its own weights: run it there, then keep only the increases
    dev.model.applyPlan(this.plan, update, settings, x, d, 1, lr, call, this.ctx.seed);
    for (let e = 0; e < this.size; e++) if (!(w[e]! > s[e]!)) w[e] = s[e]!;
  }

  /** aihwkit's refreshWeights: per column, read both devices, reset and rewrite the saturated pairs. */
  private refresh(): void {
    const { inSize, outSize } = this.ctx;
    const reader = this.refreshReader!;
    const settings = this.refreshSettings!;
    const spec = this.cellSpec.unitCellDevices[0] as PulsedDevice;
    const wMax = Math.abs(f(spec.wMax));
    const upper = f(this.cellSpec.refreshUpperThres);
    const lower = f(this.cellSpec.refreshLowerThres);
    const unit = new Float32Array(inSize);
    const pVec = new Float32Array(outSize);
    const mVec = new Float32Array(outSize);
    const gp = this.devices[1]!;
    const gm = this.devices[0]!;
    // DeterministicImplicit and MeanCount lose the sign of aihwkit's learning rate −1 (x and d both negated)
    const deterministic = settings.pulseType === 'DeterministicImplicit' || settings.pulseType === 'MeanCount';
    let changed = false;
    for (let col = 0; col < inSize; col++) {
      unit.fill(0);
      unit[col] = 1;
      const wp = reader.read(gp.weights, unit, 1, 1);
      const wm = reader.read(gm.weights, unit, 1, 1);
      let np = 0;
      let nm = 0;
      const idx: number[] = [];
      for (let i = 0; i < outSize; i++) {
        const p = wp[i]!;
        const m = wm[i]!;
        pVec[i] = 0;
        mVec[i] = 0;
        const crit = p > m ? f(p / wMax) > upper && f(m / wMax) > lower : f(p / wMax) > lower && f(m / wMax) > upper;
        if (!crit) continue;
        if (p > m) {
          pVec[i] = f(p - m);
          np++;
        } else {
          mVec[i] = f(m - p);
          nm++;
        }
        idx.push(i * inSize + col);
      }
      if (idx.length === 0) continue;
      changed = true;
      gp.model.resetAt(idx);
      gm.model.resetAt(idx);
      // learning rate −1: W ← W + v·e_colᵀ (right sign with stochastic pulses; deterministic ones write −v)
      for (const [dev, v, count] of [
        [gp, pVec, np],
        [gm, mVec, nm],
      ] as const) {
        if (count === 0) continue;
        const d = new Float32Array(outSize);
        for (let i = 0; i < outSize; i++) d[i] = deterministic ? v[i]! : -v[i]!;
        const call = this.ctx.nextRandomCall();
        if (this.plan.compute(unit, d, 1, inSize, outSize, 1, dev.model.granularity, settings) > 0) {
          dev.model.applyPlan(this.plan, this.cellSpec.refreshUpdate, settings, unit, d, 1, 1, call, dev.ctx.seed);
        }
      }
    }
    if (changed) this.reduce();
  }

  override onWeightsSet(): void {
    this.updateIdx = 0;
    this.currentIdx = this.firstIdx;
    const gp = this.devices[1]!.weights;
    const gm = this.devices[0]!.weights;
    for (let e = 0; e < this.size; e++) {
      const w = this.visible[e]!;
      gp[e] = w > 0 ? w : 0;
      gm[e] = w < 0 ? -w : 0;
    }
    this.devices[1]!.model.onWeightsSet();
    this.devices[0]!.model.onWeightsSet();
    this.reduce();
  }
}

// ------------------------------------------------------------------ MixedPrecisionCompound

/**
 * aihwkit's MixedPrecRPUDevice: per batch row χ += lr·d·xᵀ (x, d optionally quantised);
 * after χ took row k (counted from 0 after set_weights), when k > 0 and
 * k % (transfer_every·batch) = 0, n_rows_per_transfer rows of χ from the current one on are
 * transferred: n = trunc(χ_row/ε), χ_row −= n·ε, then a pulsed update of the row with x = n,
 * d = e_row, learning rate ε·transfer_lr, update and BL management forced on.
 */
class MixedPrecisionModel implements CompoundModel {
  private readonly inner: CompoundModel | null;
  private readonly single: CellDevice | null;
  private readonly chi: Float32Array;
  private rowIdx = 0;
  private currentRow = 0;
  readonly granularity: number;
  private readonly transferUpdate: UpdateParameters;
  private readonly transferSettings: UpdateSettings;
  private readonly plan = new UpdateRowPlan();
  private readonly size: number;

  constructor(
    private readonly ctx: TileContext,
    private readonly cell: MixedPrecisionCompound,
    update: UpdateParameters,
  ) {
    this.size = ctx.size;
    pulsedSettings(update, 'rpuConfig.update');
    const key = cell.constructionSeed !== 0 ? cell.constructionSeed : ctx.seed;
    this.transferUpdate = new UpdateParameters({ ...update.fieldValues(), updateManagement: true, updateBlManagement: true });
    this.transferSettings = pulsedSettings(this.transferUpdate, 'rpuConfig.update');
    const dev = cell.device;
    if (isSingle(dev)) {
      this.single = new CellDevice(ctx, specOf(checkSingle(dev, 'rpuConfig.device.device')), update, deviceSeed(key, 0), ctx.weights);
      this.inner = null;
      this.granularity = this.single.model.granularity;
    } else {
      this.single = null;
      this.inner = createCellModel(ctx, dev, update, ctx.weights, 'rpuConfig.device.device', key);
      this.granularity = this.inner.granularity;
    }
    this.chi = new Float32Array(this.size);
  }

  private get model(): DeviceModel {
    return this.inner ?? this.single!.model;
  }

  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    if (!(learningRate > 0)) return;
    const lr = f(learningRate);
    const { inSize, outSize } = this.ctx;
    const cell = this.cell;
    const quant = cell.nXBins > 0 && cell.nDBins > 0;
    const call = this.ctx.nextRandomCall();
    const rx = quant && cell.stocRoundX ? new RandomStream(this.ctx.seed, RandomStreamId.CompoundDevice, call, 3) : null;
    const rd = quant && cell.stocRoundD ? new RandomStream(this.ctx.seed, RandomStreamId.CompoundDevice, call, 4) : null;
    const xq = new Float32Array(inSize);
    const dq = new Float32Array(outSize);
    const every = cell.transferEvery * batch;
    for (let r = 0; r < batch; r++) {
      let xr: Float32Array = x.subarray(r * inSize, (r + 1) * inSize);
      let dr: Float32Array = d.subarray(r * outSize, (r + 1) * outSize);
      if (quant) {
        quantise(xr, xq, cell.nXBins, rx, r * inSize);
        quantise(dr, dq, cell.nDBins, rd, r * outSize);
        xr = xq;
        dr = dq;
      }
      const chi = this.chi;
      for (let i = 0; i < outSize; i++) {
        const a = f(lr * dr[i]!);
        if (a === 0) continue;
        const base = i * inSize;
        for (let j = 0; j < inSize; j++) chi[base + j] = f(chi[base + j]! + f(a * xr[j]!));
      }
      if (this.rowIdx > 0 && every > 0 && this.rowIdx % every === 0) this.transfer();
      this.rowIdx++;
    }
  }

  private transfer(): void {
    const { inSize, outSize } = this.ctx;
    const cell = this.cell;
    const nRows = cell.nRowsPerTransfer < 0 ? outSize : Math.min(cell.nRowsPerTransfer, outSize);
    if (nRows === 0) return;
    const eps = cell.granularity > 0 ? f(cell.granularity) : this.granularity;
    const lr = f(eps * f(cell.transferLr));
    if (cell.randomRow && nRows < outSize) {
      // aihwkit draws the start row only when not every row is transferred
      const stream = new RandomStream(this.ctx.seed, RandomStreamId.CompoundDevice, this.ctx.nextRandomCall(), 1);
      this.currentRow = aihwkitStartIndex(outSize, (k) => stream.uniform(k));
    }
    const xv = new Float32Array(inSize);
    const dv = new Float32Array(outSize);
    for (let k = 0; k < nRows; k++) {
      const row = (this.currentRow + k) % outSize;
      let any = false;
      for (let j = 0; j < inSize; j++) {
        const e = row * inSize + j;
        const n = Math.trunc(f(this.chi[e]! / eps));
        xv[j] = n;
        if (n !== 0) {
          this.chi[e] = f(this.chi[e]! - f(n * eps));
          any = true;
        }
      }
      if (!any || !(lr > 0)) continue;
      dv.fill(0);
      dv[row] = 1;
      this.pulse(xv, dv, lr);
    }
    this.currentRow = (this.currentRow + nRows) % outSize;
  }

  /** x = n (counts of ε), d = e_row: W ← W − ε·transfer_lr·n, the SGD step χ held. */
  private pulse(xn: Float32Array, d: Float32Array, lr: number): void {
    if (this.inner !== null) {
      this.inner.updateWith(xn, d, 1, lr, this.transferUpdate, this.transferSettings);
      return;
    }
    const dev = this.single!;
    const { inSize, outSize } = this.ctx;
    const call = this.ctx.nextRandomCall();
    if (this.plan.compute(xn, d, 1, inSize, outSize, lr, dev.model.granularity, this.transferSettings) === 0) return;
    dev.model.applyPlan(this.plan, this.transferUpdate, this.transferSettings, xn, d, 1, lr, call, this.ctx.seed);
  }

  updateWith(): void {
    throw new NotSupportedError(`${this.ctx.engine} engine: a MixedPrecisionCompound cannot be the device of another compound`);
  }

  setHiddenUpdateIndex(index: number): void {
    this.inner?.setHiddenUpdateIndex(index);
  }

  getHiddenUpdateIndex(): number {
    return this.inner?.getHiddenUpdateIndex() ?? 0;
  }

  onWeightsSet(): void {
    this.rowIdx = 0;
    this.currentRow = 0;
    this.chi.fill(0);
    this.model.onWeightsSet();
  }

  drift(t: number): void {
    this.model.drift(t);
  }

  decay(alpha: number): void {
    this.model.decay(alpha);
  }

  diffuse(): void {
    this.model.diffuse();
  }

  resetColumns(start: number, count: number, resetProb: number): void {
    this.model.resetColumns(start, count, resetProb);
  }

  getHiddenParameters(): HiddenParameters {
    return { ...this.model.getHiddenParameters(), hidden_weights_chi: this.chi.slice() };
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    const chi = params['hidden_weights_chi'];
    if (chi !== undefined) this.chi.set(chi);
    this.model.setHiddenParameters(params);
  }

  checkState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.model.checkState(arrays, scalars);
  }

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.model.saveState(arrays, scalars);
    scalars['compound.mpRow'] = this.rowIdx;
    scalars['compound.mpCurrentRow'] = this.currentRow;
  }

  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.model.loadState(arrays, scalars);
    const r = scalars['compound.mpRow'];
    if (typeof r === 'number' && Number.isInteger(r) && r >= 0) this.rowIdx = r;
    const c = scalars['compound.mpCurrentRow'];
    if (typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < this.ctx.outSize) this.currentRow = c;
  }
}

/** aihwkit's mixed-precision quantisation: q = clamp(rint(v/width + u), ±(bins div 2))·width, width = max|v|/(bins div 2). */
function quantise(v: Float32Array, out: Float32Array, bins: number, rounding: RandomStream | null, start: number): void {
  const half = Math.floor(bins / 2);
  let amax = 0;
  for (let i = 0; i < v.length; i++) amax = Math.max(amax, Math.abs(v[i]!));
  if (amax === 0 || half === 0) {
    out.fill(0);
    return;
  }
  const width = f(amax / half);
  for (let i = 0; i < v.length; i++) {
    const u = rounding === null ? 0 : rounding.uniform(start + i) - 0.5;
    const q = Math.max(Math.min(rintEven(f(f(v[i]! / width) + u)), half), -half);
    out[i] = f(q * width);
  }
}

function rintEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
