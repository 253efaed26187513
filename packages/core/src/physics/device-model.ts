/**
 * What every engine's device model shares, apart from the per-element
 * formulas in devices.ts: which model a tile's rpuConfig gets and with which
 * settings (deviceModelPlan), the operations an engine's model offers
 * (EngineDeviceModel), what aihwkit's simple devices have in common
 * (SimpleDeviceModel), and dw_min with the weight granularity of a pulsed
 * device (DwMinState). Each engine maps these to its own classes.
 *
 * aihwkit v.0.7.1 src/rpucuda/rpu.cpp (RPUSimple), rpu_pulsed.cpp
 * (populateParameter: pulse_type None builds the device's simple part),
 * rpu_pulsed_device.cpp (setDeviceParameter), weight_drifter.cpp.
 */

import { NotSupportedError } from '../errors.js';
import { IdealDevice, SoftBoundsPmaxDevice, softBoundsOfPmax, type PulsedDevice } from '../config/devices.js';
import type { UpdateParameters } from '../config/parameters.js';
import { DigitalRankUpdateRPUConfig, FloatingPointRPUConfig, InferenceRPUConfig, UnitCellRPUConfig, type RPUConfig } from '../config/rpu-configs.js';
import type { AnyConfigClass } from '../config/field.js';
import { checkDeviceImplemented } from '../config/support.js';
import type { HiddenParameters, TileState } from '../tile.js';
import { drawDriftExponents, driftSettings, pulsedWeightGranularity, reestimatedDwMin, type DriftSettings } from './devices.js';

// ------------------------------------------------------------------ which model

/** The drift of a floating-point device model: its settings and, where aihwkit draws them per device, the exponents ν (row-major, outSize · inSize). */
export interface SimpleDriftPlan {
  readonly settings: DriftSettings;
  /** null: one ν for all devices (aihwkit's "simple" drift). */
  readonly exponents: Float32Array | null;
}

/** A floating-point device model (aihwkit's RPUSimple): FloatingPointDevice, IdealDevice, InferenceRPUConfig's training update, a pulsed device with pulse_type None. */
export interface SimpleDevicePlan {
  readonly kind: 'floatingPoint';
  /** The config's name for messages. */
  readonly name: string;
  readonly diffusion: number;
  readonly lifetime: number;
  /** null: driftWeights changes nothing. */
  readonly drift: SimpleDriftPlan | null;
}

/** A pulsed device model of SingleRPUConfig. */
export interface PulsedDevicePlan {
  readonly kind: 'pulsed';
  readonly device: PulsedDevice;
  readonly update: UpdateParameters;
}

/** What `deviceModelPlan` decides for a tile: a simple device (with or without drift) or a pulsed device model. */
export type DeviceModelPlan = SimpleDevicePlan | PulsedDevicePlan;

/**
 * Which device model a tile of `rpuConfig` gets, and with which settings, as
 * aihwkit builds it. `seed` is the tile's seed (the drift exponents' key when
 * the device has no construction_seed), `size` = outSize · inSize.
 */
export function deviceModelPlan(rpuConfig: RPUConfig, seed: number, size: number): DeviceModelPlan {
  checkDeviceImplemented(rpuConfig);
  if (rpuConfig instanceof UnitCellRPUConfig || rpuConfig instanceof DigitalRankUpdateRPUConfig) {
    // core's KernelTile builds these itself (tile/compounds.ts) before asking for a plan
    const device = (rpuConfig.device.constructor as unknown as AnyConfigClass).configName;
    throw new NotSupportedError(
      `${device}: compound devices are simulated by core's tile (KernelTile, tile/compounds.ts); an engine with a device model of its own has none`,
    );
  }
  if (rpuConfig instanceof FloatingPointRPUConfig) {
    const dev = rpuConfig.device;
    // aihwkit's RPUSimple drifts with the "simple" drift: one ν, no variation, no offsets or noise
    return {
      kind: 'floatingPoint',
      name: 'FloatingPointDevice',
      diffusion: dev.diffusion,
      lifetime: dev.lifetime,
      drift: { settings: driftSettings(dev.drift), exponents: null },
    };
  }
  if (rpuConfig instanceof InferenceRPUConfig) {
    return { kind: 'floatingPoint', name: 'IdealDevice', diffusion: rpuConfig.device.diffusion, lifetime: rpuConfig.device.lifetime, drift: null };
  }
  if (rpuConfig.device instanceof IdealDevice) {
    const ideal = rpuConfig.device;
    return { kind: 'floatingPoint', name: 'IdealDevice', diffusion: ideal.diffusion, lifetime: ideal.lifetime, drift: null };
  }
  // aihwkit builds SoftBoundsPmaxDevice as a SoftBoundsDevice (devices.py as_bindings)
  const given = rpuConfig.device;
  const dev = given instanceof SoftBoundsPmaxDevice ? softBoundsOfPmax(given) : (given as PulsedDevice);
  if (rpuConfig.update.pulseType !== 'None') return { kind: 'pulsed', device: dev, update: rpuConfig.update };
  // aihwkit builds the device as its floating-point part: no bounds, and a drift only when
  // drift.nu > 0, with per-device ν as aihwkit's WeightDrifter draws them
  let drift: SimpleDriftPlan | null = null;
  if (dev.drift.nu > 0) {
    const key = dev.constructionSeed !== 0 ? dev.constructionSeed : seed;
    drift = { settings: driftSettings(dev.drift), exponents: drawDriftExponents(key, dev.drift, size) };
  }
  return { kind: 'floatingPoint', name: `${dev.constructor.name} with pulse_type None`, diffusion: dev.diffusion, lifetime: dev.lifetime, drift };
}

// ------------------------------------------------------------------ the model's operations

/**
 * The operations of an engine's device model: the update W ← W − lr·dᵀx and the
 * device's other weight operations (decay, diffusion, column reset, drift), its
 * hidden parameters and state. `U` is what update returns (void, or a Promise
 * in an engine that waits for its device). As in aihwkit's tiles, update() does
 * not decay or diffuse; a training loop calls those after each mini-batch.
 */
export interface EngineDeviceModel<U> {
  /** Applies a pulsed (or, for simple devices, plain) update W ← W − lr·dᵀx. */
  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): U;
  /** Called after setWeights: pulsed devices clip to their bounds, drift resets, ... */
  onWeightsSet(): void;
  /** Drifts the weights by the time since the last drift call (in the drift parameter's t0 units). */
  drift(timeSinceLastCall: number): void;
  /** Decays the weights towards the device's reset point (aihwkit's decay_weights). */
  decay(alpha: number): void;
  /** Adds the device's diffusion noise to the weights (aihwkit's diffuse_weights). */
  diffuse(): void;
  /** Resets `count` columns from `start` with probability `resetProb` (aihwkit's reset_columns). */
  resetColumns(start: number, count: number, resetProb: number): void;
  /** The device's hidden parameters by aihwkit name. */
  getHiddenParameters(): HiddenParameters;
  /** Overwrites some hidden parameters by aihwkit name. */
  setHiddenParameters(params: Partial<HiddenParameters>): void;
  /** Writes the model's state into a tile state's arrays and scalars. */
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  /** Restores the model's state from a tile state's arrays and scalars. */
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

/** A part of a device model with tile state of its own (an engine's drifter). */
export interface StatefulPart {
  /** Writes the part's state into a tile state's arrays and scalars. */
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  /** Restores the part's state from a tile state's arrays and scalars. */
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

/**
 * What aihwkit's simple devices (RPUSimple) are in every engine: no hidden
 * parameters, no column reset, and no state but their drifter's.
 */
export abstract class SimpleDeviceModel {
  constructor(
    private readonly engine: string,
    /** The config's name for messages. */
    readonly name: string,
    private readonly stateful: StatefulPart | null,
  ) {}

  /** Refuses: simple devices have no column reset (as aihwkit). */
  resetColumns(): void {
    throw new NotSupportedError(
      `${this.engine} engine: resetColumns needs a pulsed device with reset parameters; ${this.name} has none (aihwkit: "Not supported for Simple devices")`,
    );
  }

  /** None: simple devices have no hidden parameters. */
  getHiddenParameters(): HiddenParameters {
    return {};
  }

  /** Nothing to set: simple devices have no hidden parameters. */
  setHiddenParameters(): void {}

  /** Writes the drifter's state, if any. */
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.stateful?.saveState(arrays, scalars);
  }

  /** Restores the drifter's state, if any. */
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.stateful?.loadState(arrays, scalars);
  }
}

// ------------------------------------------------------------------ dw_min of a pulsed device

/**
 * dw_min of a pulsed device (float32) and its weight granularity (the BL and
 * probability scale of the pulsed update): as configured at construction,
 * re-estimated from the hidden steps when they are set (aihwkit's
 * setDeviceParameter, core's reestimatedDwMin), and kept in the tile state
 * as scalars "device.dwMin" and "device.granularity".
 */
export class DwMinState {
  dwMin: number;
  granularity: number;

  constructor(private readonly device: PulsedDevice) {
    this.dwMin = Math.fround(device.dwMin);
    this.granularity = pulsedWeightGranularity(device, this.dwMin);
  }

  /** After the steps dwmin_up / dwmin_down were set. */
  reestimate(scaleUp: Float32Array, scaleDown: Float32Array): void {
    const dwMin = reestimatedDwMin(scaleUp, scaleDown, this.device.dwMin, Math.fround(this.device.dwMinDtod));
    if (dwMin === null) return;
    this.dwMin = dwMin;
    this.granularity = pulsedWeightGranularity(this.device, dwMin);
  }

  /** Writes dwMin and the weight granularity into a tile state's scalars. */
  saveState(scalars: TileState['scalars']): void {
    scalars['device.dwMin'] = this.dwMin;
    scalars['device.granularity'] = this.granularity;
  }

  /** Takes the saved values that are positive numbers; leaves the others as they are. */
  loadState(scalars: TileState['scalars']): void {
    const dwMin = scalars['device.dwMin'];
    const granularity = scalars['device.granularity'];
    if (typeof dwMin === 'number' && dwMin > 0) this.dwMin = dwMin;
    if (typeof granularity === 'number' && granularity > 0) this.granularity = granularity;
  }
}
