/**
 * Compound devices of aihwkit v.0.7.1 (`src/aihwkit/simulator/configs/compounds.py`):
 * unit cells of several pulsed devices per cross-point and the mixed-precision
 * (digital rank update) cell, with aihwkit's fields, defaults and order.
 *
 * The combinations refused here are those aihwkit refuses when it builds the
 * tile (`as_bindings` in compounds.py, and `src/rpucuda/rpu_vector_device.cpp`,
 * `rpu_onesided_device.cpp`, `rpu_transfer_device.cpp`,
 * `rpu_mixedprec_device_base.cpp`), plus the settings aihwkit would silently
 * replace or never act on (a device spec it discards, a transfer schedule that
 * never fires), which Crossbar refuses rather than ignore.
 *
 * Configs only: engines refuse these devices with a NotSupportedError until
 * their physics lands (issue 16).
 */
import { ConfigBase, bool, defineConfig, enumOf, int, nested, nestedList, num, numList, type AnyConfigClass, type Refuse, type Spec } from './field.js';
import { ALL_PULSED_DEVICES, type AnyPulsedDevice } from './devices.js';
import { IOParameters, UpdateParameters } from './parameters.js';

const nonNeg = { min: 0 } as const;
const unit = { min: 0, max: 1 } as const;

const constructionSeed = int(
  0,
  'If not 0, a seed for the device-to-device draws at construction; applies to every device of the cell (their own construction_seed is ignored).',
);

/** The devices a unit cell may hold: every single pulsed device and the unit cells (aihwkit's PulsedRPUDeviceMetaParameterBase). */
const unitCellDeviceClasses = (): readonly AnyConfigClass[] => [...ALL_PULSED_DEVICES, ...UNIT_CELL_CLASSES];

/** What every unit cell has (aihwkit's `UnitCell`). */
export interface UnitCellLike extends ConfigBase {
  unitCellDevices: UnitCellDevice[];
  constructionSeed: number;
}

/** A device of a unit cell: a single pulsed device or a unit cell. */
export type UnitCellDevice = AnyPulsedDevice | UnitCellLike;

const unitCellDevices = (doc: string) => nestedList<UnitCellDevice>(unitCellDeviceClasses, () => [], doc);

/** aihwkit's `UnitCell` base: the devices and the construction seed. */
const UNIT_CELL_FIELDS = {
  unitCellDevices: unitCellDevices('Devices that compose this unit cell.'),
  constructionSeed,
} satisfies Spec;

const isSingle = (d: ConfigBase) => (ALL_PULSED_DEVICES as readonly unknown[]).includes(d.constructor);
const name = (d: ConfigBase) => (d.constructor as unknown as AnyConfigClass).configName;

interface VectorValues {
  unitCellDevices: UnitCellDevice[];
  firstUpdateIdx: number;
  gammaVec: number[];
}

/** aihwkit v.0.7.1 src/rpucuda/rpu_vector_device.cpp populate(): gamma_vec is empty or one weight per device. */
function checkGammaVec(d: VectorValues, n: number, refuse: Refuse): void {
  if (d.gammaVec.length > 0 && d.gammaVec.length !== n) {
    refuse('gammaVec', `expected an empty list or one weight per device (${n}); aihwkit: "Gamma vector should have the same length as number of devices (or empty)!"`);
  }
}

function checkFirstIndex(d: VectorValues, n: number, refuse: Refuse): void {
  if (n > 0 && d.firstUpdateIdx >= n) refuse('firstUpdateIdx', `expected an index of one of the ${n} devices (0 to ${n - 1})`);
}

const updatePolicy = (def: 'All' | 'SingleFixed', doc: string) => enumOf('VectorUnitCellUpdatePolicy', def, doc);
const firstUpdateIdx = (doc: string) => int(0, doc, { min: 0 });

/** Several devices per cross-point; the weight is Σ gamma_vec[k]·W_k. */
export const VectorUnitCell = defineConfig(
  'VectorUnitCell',
  {
    ...UNIT_CELL_FIELDS,
    updatePolicy: updatePolicy('All', 'Which devices receive the pulses of each batch row.'),
    firstUpdateIdx: firstUpdateIdx('Device that receives the first batch row (SingleFixed, SingleSequential).'),
    gammaVec: numList([], 'Weights of the devices in the visible weight (empty: 1/n each).'),
  },
  (d, refuse) => {
    checkGammaVec(d, d.unitCellDevices.length, refuse);
    checkFirstIndex(d, d.unitCellDevices.length, refuse);
  },
);
export type VectorUnitCell = InstanceType<typeof VectorUnitCell>;

/**
 * Two devices per cross-point, the second a fixed reference: W = W_0 − W_1
 * (gamma_vec [1, −1]); only device first_update_idx is updated. One device
 * given is used twice (an independent copy).
 */
export const ReferenceUnitCell = defineConfig(
  'ReferenceUnitCell',
  {
    ...UNIT_CELL_FIELDS,
    updatePolicy: updatePolicy('SingleFixed', 'Which device receives the pulses (keep SingleFixed for a reference cell).'),
    firstUpdateIdx: firstUpdateIdx('Device that receives the update.'),
    gammaVec: numList([1, -1], 'Weights of the two devices in the visible weight (default: W_0 − W_1).'),
  },
  (d, refuse) => {
    const n = d.unitCellDevices.length;
    // aihwkit v.0.7.1 compounds.py ReferenceUnitCell.as_bindings(): more than two are cut to the first two.
    if (n > 2) {
      refuse('unitCellDevices', `expected one or two devices, got ${n} (aihwkit silently drops all but the first two)`);
    }
    checkGammaVec(d, 2, refuse); // always two devices (one given is used twice)
    checkFirstIndex(d, 2, refuse);
  },
);
export type ReferenceUnitCell = InstanceType<typeof ReferenceUnitCell>;

const oneSidedFields = {
  ...UNIT_CELL_FIELDS,
  refreshEvery: int(
    0,
    'Refresh every n single vector updates (times the batch size with units_in_mbatch); 0: never. A refresh reads both devices and rewrites the saturated pairs.',
    nonNeg,
  ),
  unitsInMbatch: bool(true, 'Whether refresh_every counts batches (multiplied by the batch size) instead of single vector updates.'),
  refreshUpperThres: num(0.75, 'Upper threshold of the refresh criterion (relative to |w_max| of the device spec).'),
  refreshLowerThres: num(0.25, 'Lower threshold of the refresh criterion.'),
  refreshForward: nested(
    () => [IOParameters],
    () => new IOParameters(),
    'IO parameters of the reads of a refresh.',
  ),
  refreshUpdate: nested(
    () => [UpdateParameters],
    () => new UpdateParameters(),
    'Update parameters of the rewrite of a refresh.',
  ),
  copyInverted: bool(false, 'Whether device 1 is device 0 mirrored (its bounds and steps inverted) instead of an independent draw.'),
} satisfies Spec;

interface OneSidedValues {
  unitCellDevices: UnitCellDevice[];
}

/** aihwkit v.0.7.1 compounds.py OneSidedUnitCell.as_bindings() and src/rpucuda/rpu_onesided_device.cpp appendVecPar(). */
function checkOneSided(d: OneSidedValues, refuse: Refuse): void {
  const devs = d.unitCellDevices;
  if (devs.length > 2) refuse('unitCellDevices', `expected one or two devices, got ${devs.length} (aihwkit: "Need 1 or 2 unit_cell_devices")`);
  const bad = devs.findIndex((x) => !isSingle(x));
  if (bad >= 0) {
    refuse(
      'unitCellDevices',
      `item ${bad} is a ${name(devs[bad]!)}: a one-sided cell takes a single pulsed device (aihwkit: "Could not add unit cell device parameter")`,
    );
  }
  if (devs.length === 2) {
    if (devs[0]!.constructor !== devs[1]!.constructor) {
      refuse(
        'unitCellDevices',
        `both devices must be of the same type, got ${name(devs[0]!)} and ${name(devs[1]!)} (aihwkit: "both devices need to be of the same type")`,
      );
    }
    if (!devs[0]!.equals(devs[1])) {
      refuse('unitCellDevices', 'the second device differs from the first: aihwkit uses the first device spec for both devices (give one device)');
    }
  }
}

/**
 * A pair of devices per cross-point, g⁺ (device 1) and g⁻ (device 0), each
 * updated in one direction only: W = g⁺ − g⁻, with an occasional refresh of
 * saturated pairs.
 */
export const OneSidedUnitCell = defineConfig('OneSidedUnitCell', oneSidedFields, checkOneSided);
export type OneSidedUnitCell = InstanceType<typeof OneSidedUnitCell>;

/** Deprecated alias of OneSidedUnitCell in aihwkit 0.7.1 (same fields and behaviour). */
export const DifferenceUnitCell = defineConfig('DifferenceUnitCell', oneSidedFields, checkOneSided);
export type DifferenceUnitCell = InstanceType<typeof DifferenceUnitCell>;

const transferFields = {
  ...UNIT_CELL_FIELDS,
  gamma: num(0.0, 'Weighting of the devices: W = gamma^(n−1)·W_0 + … + gamma·W_(n−2) + W_(n−1) (0: fully hidden, only the last device is seen).'),
  gammaVec: numList([], 'User-defined weights of the devices (replaces the gamma scheme when given).'),
  transferEvery: num(
    1.0,
    "Transfer every n vector updates (or n batches with units_in_mbatch); 0: never. The next devices' cycles grow by out_size / n_reads_per_transfer each.",
    nonNeg,
  ),
  noSelfTransfer: bool(true, "Whether the last device's transfer cycle (onto itself) is 0."),
  transferEveryVec: numList([], 'Transfer cycle of each device (replaces the transfer_every scheme when given).'),
  unitsInMbatch: bool(true, 'Whether the transfer cycles count batches (times the batch size, rounded up) instead of vector updates (rounded).'),
  nReadsPerTransfer: int(1, 'Consecutive columns (or rows) read and written per transfer.', { min: 1 }),
  transferColumns: bool(true, "Whether to transfer columns (forward reads) or rows (backward reads, with transfer_forward's settings)."),
  withResetProb: num(0.0, 'Probability of resetting the columns just transferred (column transfer only).', unit),
  randomSelection: bool(
    false,
    'Whether each transfer starts at a random column instead of where the previous one stopped (drawn as aihwkit 0.7.1 draws it: the first and last column come out more often, see docs/training.md).',
  ),
  fastLr: num(0.0, "If > 0, the fixed learning rate of the SGD update onto the first (fast) device; the tile's rate then only scales transfers.", nonNeg),
  transferLr: num(1.0, 'Learning rate of the transfer updates (its sign is applied internally).', nonNeg),
  transferLrVec: numList([], 'Transfer learning rate of each device (replaces transfer_lr when given).'),
  scaleTransferLr: bool(true, "Whether the transfer learning rate is relative to the tile's current learning rate."),
  transferForward: nested(
    () => [IOParameters],
    () => new IOParameters(),
    'IO parameters of the transfer reads (aihwkit forces their noise and bound management to None).',
  ),
  transferUpdate: nested(
    () => [UpdateParameters],
    () => new UpdateParameters(),
    'Update parameters of the transfer writes.',
  ),
} satisfies Spec;

interface TransferValues {
  unitCellDevices: UnitCellDevice[];
  gammaVec: number[];
  transferEvery: number;
  transferEveryVec: number[];
  unitsInMbatch: boolean;
  transferLrVec: number[];
  transferColumns: boolean;
  withResetProb: number;
}

/** aihwkit v.0.7.1 compounds.py TransferCompound.as_bindings() and src/rpucuda/rpu_transfer_device.cpp initializeWithSize(). */
function checkTransfer(d: TransferValues, refuse: Refuse): void {
  const devs = d.unitCellDevices;
  const n = devs.length;
  if (n === 1) refuse('unitCellDevices', 'expected at least two devices (aihwkit: "Need at least 2 devices")');
  // aihwkit uses device 1's spec for every device after the first.
  const other = devs.findIndex((x, i) => i >= 2 && !x.equals(devs[1]));
  if (other >= 0) {
    refuse('unitCellDevices', `item ${other} differs from item 1: aihwkit builds every device after the first from item 1's spec (only the first device may differ)`);
  }
  if (d.gammaVec.length > 0) {
    if (n > 0 && d.gammaVec.length !== n) {
      refuse('gammaVec', `expected one weight per device (${n}); aihwkit: "If gamma_vec is set manually expect the same size as number of devices."`);
    }
    if (d.gammaVec[d.gammaVec.length - 1] === 0) {
      refuse('gammaVec', 'the last device needs a weight other than 0 (aihwkit: "Expect that last device has some constribution to the network weights")');
    }
  }
  if (d.transferLrVec.length > 0 && n > 0 && d.transferLrVec.length !== n) {
    refuse('transferLrVec', `expected one learning rate per device (${n}); aihwkit: "Expect transfer_lr_vec of size n_devices."`);
  }
  if (d.transferEveryVec.length > 0 && n > 0 && d.transferEveryVec.length !== n) {
    refuse('transferEveryVec', `expected one cycle per device (${n}); aihwkit: "Expect transfer_every_vec to be of length n_devices"`);
  }
  if (d.withResetProb > 0 && !d.transferColumns) {
    refuse(
      'withResetProb',
      'a reset after transfer needs transferColumns (transfer_columns) true (aihwkit: "Reset prob is only implemented for column-transfer so far.")',
    );
  }
  // A cycle aihwkit turns into 0 (no transfer, ever): negative, or below 0.5 vector updates when not in batches.
  const never = (x: number) => x < 0 || (!d.unitsInMbatch && x > 0 && Math.round(x) === 0);
  const why = (x: number) =>
    x < 0
      ? `${x} < 0 never transfers (aihwkit treats it as 0); use 0 for no transfer`
      : `${x} vector updates round to 0 with unitsInMbatch (units_in_mbatch) false, so it never transfers (aihwkit rounds the cycle); use at least 0.5, or unitsInMbatch true`;
  if (never(d.transferEvery)) refuse('transferEvery', why(d.transferEvery));
  const bad = d.transferEveryVec.findIndex((x, i) => never(x) && !(i === d.transferEveryVec.length - 1 && x === 0));
  if (bad >= 0) refuse('transferEveryVec', `item ${bad}: ${why(d.transferEveryVec[bad]!)}`);
}

/**
 * Tiki-Taka (Gokmen & Haensch 2020): SGD pulses go to the first (fast)
 * device; every transfer_every updates columns of device j are read and
 * written onto device j + 1.
 */
export const TransferCompound = defineConfig('TransferCompound', transferFields, checkTransfer);
export type TransferCompound = InstanceType<typeof TransferCompound>;

/**
 * Tiki-Taka v2 (Gokmen 2021): the transfer reads go into a floating-point
 * buffer, and only what crosses thres_scale times the next device's
 * granularity is written, as pulses.
 */
export const BufferedTransferCompound = defineConfig(
  'BufferedTransferCompound',
  {
    ...transferFields,
    transferUpdate: nested(
      () => [UpdateParameters],
      () => new UpdateParameters({ desiredBl: 1, updateBlManagement: false, updateManagement: false }),
      "Update parameters of the transfer writes (aihwkit's default: desired_bl 1, no update or BL management).",
    ),
    thresScale: num(1.0, "Threshold of the buffer, in units of the next device's granularity.", { min: 0, minExclusive: true }),
    step: num(1.0, 'Value of the d vector of a transfer write where the buffer is above threshold.'),
    momentum: num(0.1, 'Fraction of the transferred amount that stays on the buffer.', unit),
    forgetBuffer: bool(true, 'Whether the buffer is reset to momentum times its value after a transfer (else the transferred amount is subtracted).'),
  },
  checkTransfer,
);
export type BufferedTransferCompound = InstanceType<typeof BufferedTransferCompound>;

/** Every unit cell class (UnitCellRPUConfig.device). */
export const UNIT_CELL_CLASSES = [VectorUnitCell, ReferenceUnitCell, OneSidedUnitCell, DifferenceUnitCell, TransferCompound, BufferedTransferCompound] as const;
/** An instance of any unit cell class (see UNIT_CELL_CLASSES). */
export type UnitCell = VectorUnitCell | ReferenceUnitCell | OneSidedUnitCell | DifferenceUnitCell | TransferCompound | BufferedTransferCompound;

/** The analog device of a mixed-precision cell: a single pulsed device or a vector, reference or one-sided unit cell. */
export type MixedPrecisionDevice = AnyPulsedDevice | VectorUnitCell | ReferenceUnitCell | OneSidedUnitCell | DifferenceUnitCell;

/**
 * Mixed precision (Nandakumar et al. 2020): the rank update is accumulated in
 * a digital matrix χ, and rows of it are transferred to the analog device as
 * pulses whenever they reach the granularity.
 */
export const MixedPrecisionCompound = defineConfig(
  'MixedPrecisionCompound',
  {
    device: nested<MixedPrecisionDevice>(
      () => [...ALL_PULSED_DEVICES, VectorUnitCell, ReferenceUnitCell, OneSidedUnitCell, DifferenceUnitCell],
      // aihwkit's default is an empty VectorUnitCell, which aihwkit cannot build; see docs/configuration.md.
      () => new VectorUnitCell(),
      'The analog device used for forward and backward, onto which χ is transferred.',
      { typed: true },
    ),
    constructionSeed,
    transferEvery: int(1, 'Transfer every n batches (n times the batch size in vector updates); 0: never.', nonNeg),
    nRowsPerTransfer: int(-1, 'Rows of χ transferred per transfer event (−1: all).', { min: -1 }),
    randomRow: bool(
      false,
      'Whether each transfer starts at a random row instead of where the previous one stopped (when not every row is transferred; drawn as aihwkit 0.7.1 draws it: the first and last row come out more often, see docs/training.md).',
    ),
    granularity: num(0.0, "Granularity ε: χ is transferred in multiples of it (0: the device's own granularity).", nonNeg),
    transferLr: num(1.0, 'Scale of the transfer onto the analog device.'),
    nXBins: int(0, 'Bins to quantise x into (symmetric around 0, by its abs-max) before the outer product; 0: no quantisation.', nonNeg),
    nDBins: int(0, 'Bins to quantise d into before the outer product; 0: no quantisation.', nonNeg),
    stocRoundX: bool(true, 'Whether the quantisation of x rounds stochastically.'),
    stocRoundD: bool(true, 'Whether the quantisation of d rounds stochastically.'),
  },
  (d, refuse) => {
    // aihwkit v.0.7.1 src/rpucuda/rpu_mixedprec_device.cpp: with only one of the two bin counts set, the
    // quantised d lands at a wrong index and χ stays 0 (the oracle README): refuse rather than compute nothing.
    if (d.nXBins > 0 !== d.nDBins > 0) {
      refuse(d.nXBins > 0 ? 'nDBins' : 'nXBins', 'set both nXBins (n_x_bins) and nDBins (n_d_bins), or neither: with only one, aihwkit 0.7.1 never updates χ');
    }
  },
);
export type MixedPrecisionCompound = InstanceType<typeof MixedPrecisionCompound>;

/** Every digital rank update cell class (DigitalRankUpdateRPUConfig.device). */
export const DIGITAL_RANK_UPDATE_CELL_CLASSES = [MixedPrecisionCompound] as const;
/** An instance of any digital rank update cell class (see DIGITAL_RANK_UPDATE_CELL_CLASSES). */
export type DigitalRankUpdateCell = MixedPrecisionCompound;

/** Every compound device class. */
export const COMPOUND_DEVICE_CLASSES = [...UNIT_CELL_CLASSES, ...DIGITAL_RANK_UPDATE_CELL_CLASSES] as const;
