/**
 * The new devices and compound devices as configs: what aihwkit refuses when it
 * builds them (and what it would silently ignore) is a ConfigError naming the
 * field; SoftBoundsPmaxDevice's derived values; and the engines' device model,
 * which implements every device of aihwkit 0.7.1.
 */
import { describe, expect, it } from 'vitest';
import {
  BufferedTransferCompound,
  ConfigError,
  ConstantStepDevice,
  DifferenceUnitCell,
  DigitalRankUpdateRPUConfig,
  IdealDevice,
  LinearStepDevice,
  MixedPrecisionCompound,
  OneSidedUnitCell,
  PiecewiseStepDevice,
  PowStepReferenceDevice,
  ReferenceUnitCell,
  SingleRPUConfig,
  SoftBoundsDevice,
  SoftBoundsPmaxDevice,
  SoftBoundsReferenceDevice,
  TransferCompound,
  UnitCellRPUConfig,
  VectorUnitCell,
  deviceModelPlan,
  rpuConfigFromDict,
  softBoundsOfPmax,
  unimplementedDevice,
} from '../src/index.js';
import { aihwkitStartIndex } from '../src/tile/compounds.js';

const cs = () => new ConstantStepDevice();
const sb = () => new SoftBoundsDevice();

/** `run` throws a ConfigError whose message names every one of `mentions` and whose detail names `field`. */
function refused(run: () => unknown, field: string, mentions: (string | RegExp)[]): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error, 'it must throw').toBeInstanceOf(ConfigError);
  const e = error as ConfigError & { detail?: { field?: string } };
  expect(e.detail?.field, e.message).toBe(field);
  for (const m of mentions) expect(e.message).toMatch(m);
}

describe('single devices: refusals as aihwkit', () => {
  it('PiecewiseStepDevice: up and down vectors of different lengths', () => {
    refused(() => new PiecewiseStepDevice({ piecewiseUp: [1, 1, 1], piecewiseDown: [1, 1] }), 'piecewiseDown', ['piecewise_down', 'piecewise_up has 3', 'some size']);
    expect(() => new PiecewiseStepDevice({ piecewiseUp: [1.5, 1, 1.5], piecewiseDown: [1, 1, 1] })).not.toThrow();
    refused(() => new PiecewiseStepDevice({ piecewiseUp: [], piecewiseDown: [] }), 'piecewiseUp', ['non-empty']);
  });

  it('LinearStep / SoftBounds / SoftBoundsPmax: reverse_up or reverse_down need mult_noise', () => {
    refused(() => new LinearStepDevice({ reverseUp: true, multNoise: false }), 'reverseUp', ['mult_noise', 'reverse']);
    refused(() => new SoftBoundsDevice({ reverseDown: true, multNoise: false }), 'reverseDown', ['mult_noise']);
    refused(() => new SoftBoundsPmaxDevice({ reverseUp: true, multNoise: false }), 'reverseUp', ['mult_noise']);
    expect(() => new SoftBoundsDevice({ reverseDown: true, multNoise: true })).not.toThrow();
  });

  it("SoftBoundsPmaxDevice: w_min, w_max, dw_min, up_down are computed (null here), as aihwkit's as_bindings does", () => {
    const d = new SoftBoundsPmaxDevice();
    expect([d.wMin, d.wMax, d.dwMin, d.upDown]).toEqual([null, null, null, null]);
    refused(() => new SoftBoundsPmaxDevice({ wMax: 1 as never }), 'wMax', ['null', 'range_min']);
    refused(() => new SoftBoundsPmaxDevice({ rangeMin: 1, rangeMax: 0.5 }), 'rangeMax', ['range_max']);
    refused(() => new SoftBoundsPmaxDevice({ rangeMin: 0.2, rangeMax: 1 }), 'rangeMin', ['w_min']);
    const p = new SoftBoundsPmaxDevice({ pMax: 200, alpha: 0.01, rangeMin: -0.5, rangeMax: 1.5, dwMinStd: 0.1 });
    const s = softBoundsOfPmax(p);
    const b = 2 / (1 - Math.exp(-2));
    expect(s).toBeInstanceOf(SoftBoundsDevice);
    expect(s.wMin).toBe(-0.5);
    expect(s.wMax).toBeCloseTo(-0.5 + b, 14);
    expect(s.dwMin).toBeCloseTo(b * 0.01, 14);
    expect(s.upDown).toBeCloseTo(1 + (2 * -0.5) / b, 14);
    expect(s.dwMinStd).toBe(0.1);
  });

  it("the reference devices read and print like aihwkit's", () => {
    expect(String(new SoftBoundsReferenceDevice({ referenceMean: 0.1 }))).toBe('SoftBoundsReferenceDevice(referenceMean=0.1)');
    expect(new PowStepReferenceDevice().nEstimationSteps).toBe(-1);
  });
});

describe('compound devices: sub-device mixes and schedules', () => {
  it('unit cells take single pulsed devices and unit cells, not IdealDevice', () => {
    refused(() => new VectorUnitCell({ unitCellDevices: [new IdealDevice() as never] }), 'unitCellDevices', ['IdealDevice', 'ConstantStepDevice']);
    expect(() => new VectorUnitCell({ unitCellDevices: [cs(), new VectorUnitCell({ unitCellDevices: [sb()] })] })).not.toThrow();
  });

  it('VectorUnitCell: gamma_vec empty or one per device; first_update_idx a device', () => {
    refused(() => new VectorUnitCell({ unitCellDevices: [cs(), sb()], gammaVec: [1] }), 'gammaVec', ['same length']);
    refused(() => new VectorUnitCell({ unitCellDevices: [cs(), sb()], firstUpdateIdx: 2 }), 'firstUpdateIdx', ['0 to 1']);
  });

  it('ReferenceUnitCell: at most two devices (aihwkit drops the rest)', () => {
    refused(() => new ReferenceUnitCell({ unitCellDevices: [cs(), cs(), cs()] }), 'unitCellDevices', ['first two']);
    expect(() => new ReferenceUnitCell({ unitCellDevices: [sb()] })).not.toThrow();
  });

  it('OneSidedUnitCell (and DifferenceUnitCell): one single device spec', () => {
    refused(() => new OneSidedUnitCell({ unitCellDevices: [cs(), cs(), cs()] }), 'unitCellDevices', ['Need 1 or 2']);
    refused(() => new OneSidedUnitCell({ unitCellDevices: [cs(), sb()] }), 'unitCellDevices', ['same type']);
    refused(() => new DifferenceUnitCell({ unitCellDevices: [new VectorUnitCell({ unitCellDevices: [cs()] })] }), 'unitCellDevices', ['single pulsed device']);
    refused(() => new OneSidedUnitCell({ unitCellDevices: [cs(), new ConstantStepDevice({ dwMin: 0.01 })] }), 'unitCellDevices', ['first device spec']);
    expect(() => new OneSidedUnitCell({ unitCellDevices: [cs(), cs()] })).not.toThrow();
  });

  it('TransferCompound / BufferedTransferCompound: devices, vectors and reset', () => {
    for (const T of [TransferCompound, BufferedTransferCompound]) {
      refused(() => new T({ unitCellDevices: [cs()] }), 'unitCellDevices', ['at least 2']);
      refused(() => new T({ unitCellDevices: [sb(), cs(), sb()] }), 'unitCellDevices', ['item 2', 'item 1']);
      expect(() => new T({ unitCellDevices: [sb(), cs(), cs()] })).not.toThrow();
      refused(() => new T({ unitCellDevices: [cs(), cs()], gammaVec: [1, 1, 1] }), 'gammaVec', ['same size']);
      refused(() => new T({ unitCellDevices: [cs(), cs()], gammaVec: [1, 0] }), 'gammaVec', ['last device']);
      refused(() => new T({ unitCellDevices: [cs(), cs()], transferLrVec: [1] }), 'transferLrVec', ['transfer_lr_vec']);
      refused(() => new T({ unitCellDevices: [cs(), cs()], transferEveryVec: [1, 0, 0] }), 'transferEveryVec', ['transfer_every_vec']);
      refused(() => new T({ unitCellDevices: [cs(), cs()], withResetProb: 0.5, transferColumns: false }), 'withResetProb', ['column-transfer']);
    }
  });

  it('a transfer schedule that can never fire', () => {
    refused(() => new TransferCompound({ transferEvery: 0.3, unitsInMbatch: false }), 'transferEvery', ['units_in_mbatch', 'never']);
    refused(() => new TransferCompound({ transferEvery: -1 }), 'transferEvery', ['>= 0']);
    refused(() => new TransferCompound({ unitCellDevices: [cs(), cs()], transferEveryVec: [-2, 0] }), 'transferEveryVec', ['never']);
    refused(() => new TransferCompound({ unitCellDevices: [cs(), cs()], transferEveryVec: [0.2, 0], unitsInMbatch: false }), 'transferEveryVec', ['round to 0']);
    // In batches any positive cycle fires (ceil(every · batch) >= 1); 0 is "no transfer" as aihwkit documents.
    expect(() => new TransferCompound({ transferEvery: 0.3, unitsInMbatch: true })).not.toThrow();
    expect(() => new TransferCompound({ transferEvery: 0 })).not.toThrow();
    expect(() => new TransferCompound({ transferEvery: 0.5, unitsInMbatch: false })).not.toThrow();
    refused(() => new OneSidedUnitCell({ refreshEvery: -1 }), 'refreshEvery', ['>= 0']);
    refused(() => new MixedPrecisionCompound({ transferEvery: -1 }), 'transferEvery', ['>= 0']);
  });

  it('MixedPrecisionCompound: its device, and both bin counts or neither', () => {
    refused(() => new MixedPrecisionCompound({ device: new TransferCompound() as never }), 'device', ['VectorUnitCell']);
    refused(() => new MixedPrecisionCompound({ device: cs(), nXBins: 8 }), 'nDBins', ['n_d_bins', 'n_x_bins']);
    expect(() => new MixedPrecisionCompound({ device: cs(), nXBins: 8, nDBins: 8 })).not.toThrow();
  });

  it('refusals inside an RPU config dict name the path', () => {
    const dict = { type: 'UnitCellRPUConfig', device: { type: 'TransferCompound', unit_cell_devices: [{ type: 'ConstantStepDevice' }], gamma: 0.5 } };
    expect(() => rpuConfigFromDict(dict)).toThrow(/UnitCellRPUConfig\.device\.unit_cell_devices/);
    const bad = { type: 'UnitCellRPUConfig', device: { type: 'VectorUnitCell', unit_cell_devices: [{ type: 'ConstantStepDevice', dw_min: -1 }] } };
    expect(() => rpuConfigFromDict(bad)).toThrow(/unit_cell_devices\[0\]\.dw_min/);
    const unknown = { type: 'UnitCellRPUConfig', device: { type: 'VectorUnitCell', unit_cell_devices: [{ type: 'NoSuchDevice' }] } };
    expect(() => rpuConfigFromDict(unknown)).toThrow(/unit_cell_devices\[0\]\.type/);
  });
});

describe("the engines' device model: every aihwkit 0.7.1 device is implemented", () => {
  it('the issue-16 single devices, alone and inside a unit cell, need no refusal', () => {
    for (const config of [
      new SingleRPUConfig({ device: new PiecewiseStepDevice() }),
      new SingleRPUConfig({ device: new SoftBoundsPmaxDevice() }),
      new SingleRPUConfig({ device: new SoftBoundsReferenceDevice() }),
      new SingleRPUConfig({ device: new PowStepReferenceDevice() }),
      new UnitCellRPUConfig({ device: new VectorUnitCell({ unitCellDevices: [cs(), new PiecewiseStepDevice()] }) }),
    ]) {
      expect(unimplementedDevice(config)).toBeUndefined();
    }
    expect(() => deviceModelPlan(new SingleRPUConfig({ device: new PiecewiseStepDevice() }), 1, 4)).not.toThrow();
  });
  it("compound devices are core's tile's: implemented, but no device model plan of an engine's own", () => {
    for (const config of [
      new UnitCellRPUConfig({ device: new TransferCompound({ unitCellDevices: [cs(), cs()] }) }),
      new UnitCellRPUConfig(),
      new DigitalRankUpdateRPUConfig({ device: new MixedPrecisionCompound({ device: cs() }) }),
    ]) {
      expect(unimplementedDevice(config)).toBeUndefined();
      expect(() => deviceModelPlan(config, 1, 4)).toThrow(/compound devices are simulated by core's tile/);
    }
  });
  it('the implemented devices still get their plan', () => {
    expect(unimplementedDevice(new SingleRPUConfig({ device: sb() }))).toBeUndefined();
    expect(deviceModelPlan(new SingleRPUConfig({ device: sb() }), 1, 4).kind).toBe('pulsed');
    const piecewise = new PiecewiseStepDevice({ piecewiseUp: [1, 2], piecewiseDown: [2, 1] });
    expect(unimplementedDevice(new SingleRPUConfig({ device: piecewise }))).toBeUndefined();
    expect(deviceModelPlan(new SingleRPUConfig({ device: piecewise }), 1, 4)).toMatchObject({ kind: 'pulsed', device: piecewise });
    for (const device of [new SoftBoundsReferenceDevice(), new PowStepReferenceDevice()]) {
      expect(deviceModelPlan(new SingleRPUConfig({ device }), 1, 4)).toMatchObject({ kind: 'pulsed', device });
    }
  });
  it('SoftBoundsPmaxDevice is built as the SoftBoundsDevice of its p_max experiment (aihwkit as_bindings)', () => {
    const pmax = new SoftBoundsPmaxDevice({ pMax: 50, alpha: 0.05, rangeMin: -0.5, rangeMax: 1, constructionSeed: 7 });
    const plan = deviceModelPlan(new SingleRPUConfig({ device: pmax }), 1, 4);
    if (plan.kind !== 'pulsed') throw new Error('expected a pulsed plan');
    expect(plan.device).toBeInstanceOf(SoftBoundsDevice);
    const b = 1.5 / (1 - Math.exp(-50 * 0.05));
    expect(plan.device.wMin).toBe(-0.5);
    expect(plan.device.wMax).toBeCloseTo(-0.5 + b, 12);
    expect(plan.device.dwMin).toBeCloseTo(b * 0.05, 12);
    expect(plan.device.upDown).toBeCloseTo(1 - 1 / b, 12);
    expect(plan.device.constructionSeed).toBe(7);
  });
});

describe("the random start index of a transfer (aihwkit's MAX(MIN(floor(u·n), n − 1), 0) macros)", () => {
  /** The exact probability of each index: every draw takes each of `grid` equally spaced values. */
  function distribution(n: number, grid: number): number[] {
    const counts = new Array<number>(n).fill(0);
    const values = Array.from({ length: grid }, (_, i) => (i + 0.5) / grid);
    for (const a of values)
      for (const b of values)
        for (const c of values)
          for (const d of values) {
            const draws = [a, b, c, d];
            counts[aihwkitStartIndex(n, (k) => draws[k]!)]! += 1;
          }
    return counts.map((c) => c / grid ** 4);
  }

  it('favours the first and last index as the C++ does (each draw is made again for the result)', () => {
    const p = distribution(5, 20);
    // X = MIN(...): a0 < 4 ? a1 : 4, drawn twice (for MAX's test and for its value)
    const p0 = 0.8 * 0.2; // P(X = 0)
    const expected = [p0 + (1 - p0) * p0, ...[1, 2, 3].map(() => (1 - p0) * 0.16), (1 - p0) * (0.2 + 0.8 * 0.2)];
    for (let i = 0; i < 5; i++) expect(p[i]).toBeCloseTo(expected[i]!, 12);
    expect(expected.map((x) => x.toFixed(4))).toEqual(['0.2944', '0.1344', '0.1344', '0.1344', '0.3024']);
  });

  it('uses the draws in C++ order and only as many as it needs', () => {
    const seen: number[] = [];
    const at = (draws: number[]) => aihwkitStartIndex(5, (k) => (seen.push(k), draws[k]!));
    expect(at([0.99, 0.9])).toBe(4); // MIN's test floor(4.95) = 4 is not < 4: 4 without a value draw; MAX's value: the same again
    expect(seen).toEqual([0, 1]);
    seen.length = 0;
    expect(at([0.1, 0.5, 0.3, 0.7])).toBe(3); // test 0 < 4 → value floor(2.5) = 2 > 0 → again: 1 < 4 → floor(3.5) = 3
    expect(seen).toEqual([0, 1, 2, 3]);
    seen.length = 0;
    expect(at([0.1, 0.1, 0.9, 0.9])).toBe(0); // X = floor(0.5) = 0: MAX gives 0 without drawing again
    expect(seen).toEqual([0, 1]);
  });

  it('one index: always 0', () => {
    expect(aihwkitStartIndex(1, () => 0.7)).toBe(0);
  });
});
