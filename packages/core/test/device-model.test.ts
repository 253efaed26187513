/**
 * The pieces of a device model that both engines share (physics/device-model.ts,
 * weightModifierDraws, saveMvmState / loadMvmState): which model a config gets,
 * dw_min and its re-estimation, the simple devices' common behaviour, the
 * modifier's random draws, and the MVM state under the engines' keys.
 */
import { describe, expect, it } from 'vitest';
import {
  ConstantStepDevice,
  deviceModelPlan,
  drawDriftExponents,
  DriftParameter,
  driftSettings,
  DwMinState,
  ExpStepDevice,
  FloatingPointDevice,
  FloatingPointRPUConfig,
  IdealDevice,
  InferenceRPUConfig,
  InputError,
  loadMvmState,
  NotSupportedError,
  PowStepDevice,
  pulsedWeightGranularity,
  reestimatedDwMin,
  saveMvmState,
  SimpleDeviceModel,
  SimpleDriftParameter,
  SingleRPUConfig,
  SoftBoundsDevice,
  UpdateParameters,
  weightModifierDraws,
  WeightModifierParameter,
  type MvParameters,
  type TileState,
} from '../src/index.js';

const f = Math.fround;

describe('deviceModelPlan', () => {
  it('FloatingPointRPUConfig: the floating-point model with the simple drift (one ν) and the device settings', () => {
    const device = new FloatingPointDevice({ diffusion: 0.01, lifetime: 50, drift: new SimpleDriftParameter({ nu: 0.1 }) });
    const plan = deviceModelPlan(new FloatingPointRPUConfig({ device }), 5, 6);
    expect(plan).toEqual({
      kind: 'floatingPoint',
      name: 'FloatingPointDevice',
      diffusion: 0.01,
      lifetime: 50,
      drift: { settings: driftSettings(device.drift), exponents: null },
    });
    // the drifter exists even with nu = 0 (aihwkit's RPUSimple always has its simple drift)
    const still = deviceModelPlan(new FloatingPointRPUConfig(), 5, 6);
    expect(still.kind === 'floatingPoint' && still.drift !== null && still.drift.settings.nu).toBe(0);
  });

  it('InferenceRPUConfig and SingleRPUConfig with IdealDevice: the floating-point model named IdealDevice, no drift', () => {
    const inference = new InferenceRPUConfig({ device: new IdealDevice({ diffusion: 0.2, lifetime: 3 }) });
    expect(deviceModelPlan(inference, 1, 4)).toEqual({ kind: 'floatingPoint', name: 'IdealDevice', diffusion: 0.2, lifetime: 3, drift: null });
    const single = new SingleRPUConfig({ device: new IdealDevice({ diffusion: 0.5, lifetime: 7 }) });
    expect(deviceModelPlan(single, 1, 4)).toEqual({ kind: 'floatingPoint', name: 'IdealDevice', diffusion: 0.5, lifetime: 7, drift: null });
  });

  it('a pulsed device: the pulsed model with the device and the update parameters', () => {
    const device = new SoftBoundsDevice();
    const update = new UpdateParameters({ pulseType: 'DeterministicImplicit' });
    const plan = deviceModelPlan(new SingleRPUConfig({ device, update }), 1, 4);
    expect(plan.kind).toBe('pulsed');
    expect(plan.kind === 'pulsed' && plan.device).toBe(device);
    expect(plan.kind === 'pulsed' && plan.update).toBe(update);
  });

  it('pulse_type None: the floating-point part of the device; per-device ν keyed by construction_seed, else the tile seed', () => {
    const update = new UpdateParameters({ pulseType: 'None' });
    const flat = deviceModelPlan(new SingleRPUConfig({ device: new ConstantStepDevice({ diffusion: 0.3, lifetime: 9 }), update }), 11, 6);
    expect(flat).toEqual({ kind: 'floatingPoint', name: 'ConstantStepDevice with pulse_type None', diffusion: 0.3, lifetime: 9, drift: null });

    const drift = new DriftParameter({ nu: 0.2, nuDtod: 0.3 });
    const own = new ConstantStepDevice({ drift });
    const byTile = deviceModelPlan(new SingleRPUConfig({ device: own, update }), 11, 6);
    expect(byTile.kind === 'floatingPoint' && byTile.drift).toEqual({ settings: driftSettings(drift), exponents: drawDriftExponents(11, drift, 6) });

    const seeded = new ConstantStepDevice({ drift, constructionSeed: 42 });
    const byDevice = deviceModelPlan(new SingleRPUConfig({ device: seeded, update }), 11, 6);
    expect(byDevice.kind === 'floatingPoint' && byDevice.drift?.exponents).toEqual(drawDriftExponents(42, drift, 6));
    expect(byDevice.kind === 'floatingPoint' && byDevice.drift?.exponents).not.toEqual(drawDriftExponents(11, drift, 6));
  });
});

describe('DwMinState', () => {
  it('starts at the float32 dw_min and the device granularity', () => {
    const c = new DwMinState(new ConstantStepDevice({ dwMin: 0.1 }));
    expect(c.dwMin).toBe(f(0.1));
    expect(c.granularity).toBe(f(0.1));
    const pow = new PowStepDevice({ dwMin: 0.1, powGamma: 2 });
    expect(new DwMinState(pow).granularity).toBe(pulsedWeightGranularity(pow, f(0.1)));
    const exp = new ExpStepDevice({ dwMin: 0.1 });
    expect(new DwMinState(exp).granularity).toBe(pulsedWeightGranularity(exp, f(0.1)));
  });

  it('re-estimates dw_min and the granularity from the steps as reestimatedDwMin says, and keeps them otherwise', () => {
    const device = new PowStepDevice({ dwMin: 0.01, dwMinDtod: 0.3, powGamma: 1.5 });
    const s = new DwMinState(device);
    const near = new Float32Array([0.0101, 0.0099]);
    s.reestimate(near, near);
    expect(reestimatedDwMin(near, near, device.dwMin, f(device.dwMinDtod))).toBeNull();
    expect(s.dwMin).toBe(f(0.01));
    const far = new Float32Array([0.05, 0.05]);
    s.reestimate(far, far);
    const expected = reestimatedDwMin(far, far, device.dwMin, f(device.dwMinDtod))!;
    expect(expected).toBe(f(0.05));
    expect(s.dwMin).toBe(expected);
    expect(s.granularity).toBe(pulsedWeightGranularity(device, expected));
  });

  it('saves both scalars and loads positive numbers only', () => {
    const s = new DwMinState(new ConstantStepDevice({ dwMin: 0.2 }));
    const scalars: TileState['scalars'] = {};
    s.saveState(scalars);
    expect(scalars).toEqual({ 'device.dwMin': f(0.2), 'device.granularity': f(0.2) });
    const t = new DwMinState(new ConstantStepDevice({ dwMin: 0.5 }));
    t.loadState({ 'device.dwMin': 0.3, 'device.granularity': 0 });
    expect([t.dwMin, t.granularity]).toEqual([0.3, f(0.5)]);
    t.loadState({ 'device.dwMin': null, 'device.granularity': 0.7 });
    expect([t.dwMin, t.granularity]).toEqual([0.3, 0.7]);
  });
});

describe('SimpleDeviceModel', () => {
  class Model extends SimpleDeviceModel {}
  const calls: string[] = [];
  const drifter = {
    saveState: (arrays: TileState['arrays'], scalars: TileState['scalars']) => {
      calls.push('save');
      scalars['drift.x'] = 1;
    },
    loadState: () => void calls.push('load'),
  };

  it('refuses a column reset, naming the engine and the device, and has no hidden parameters', () => {
    const m = new Model('someengine', 'FloatingPointDevice', null);
    expect(() => m.resetColumns()).toThrow(NotSupportedError);
    expect(() => m.resetColumns()).toThrow(/^someengine engine: resetColumns .*FloatingPointDevice has none/);
    expect(m.getHiddenParameters()).toEqual({});
    const scalars: TileState['scalars'] = {};
    m.saveState({}, scalars);
    m.loadState({}, scalars);
    expect(scalars).toEqual({});
  });

  it('saves and loads the state of its drifter', () => {
    const m = new Model('e', 'IdealDevice', drifter);
    const scalars: TileState['scalars'] = {};
    m.saveState({}, scalars);
    m.loadState({}, scalars);
    expect(calls).toEqual(['save', 'load']);
    expect(scalars).toEqual({ 'drift.x': 1 });
  });
});

describe('weightModifierDraws', () => {
  const draws = (init: ConstructorParameters<typeof WeightModifierParameter>[0]) => weightModifierDraws(new WeightModifierParameter(init));

  it('normal draws for the noise types with std_dev > 0 (as float32), DiscretizeAddNormal with res or std_dev, PCMNoise', () => {
    for (const type of ['AddNormal', 'MultNormal', 'Poly', 'ProgNoise'] as const) {
      expect(draws({ type, stdDev: 0.1 }).normal).toBe(true);
      expect(draws({ type, stdDev: 0 }).normal).toBe(false);
      expect(draws({ type, stdDev: 1e-50 })).toEqual({ normal: false, rounding: false, drop: false, any: false }); // 0 in float32
    }
    expect(draws({ type: 'DiscretizeAddNormal', res: 0.1 }).normal).toBe(true);
    expect(draws({ type: 'DiscretizeAddNormal', stdDev: 0.1 }).normal).toBe(true);
    expect(draws({ type: 'DiscretizeAddNormal' }).normal).toBe(false);
    expect(draws({ type: 'PCMNoise' })).toEqual({ normal: true, rounding: false, drop: false, any: true });
    expect(draws({ type: 'Discretize', stdDev: 0.1 }).normal).toBe(false);
  });

  it('rounding uniforms under sto_round for the discretising types; drop uniforms with pdrop > 0', () => {
    for (const type of ['Discretize', 'DoReFa', 'DiscretizeAddNormal'] as const) {
      expect(draws({ type, stoRound: true }).rounding).toBe(true);
      expect(draws({ type, stoRound: false }).rounding).toBe(false);
    }
    expect(draws({ type: 'AddNormal', stoRound: true }).rounding).toBe(false);
    expect(draws({ type: 'Copy', pdrop: 0.1 })).toEqual({ normal: false, rounding: false, drop: true, any: true });
    expect(draws({ type: 'Copy' }).any).toBe(false);
    expect(draws({ type: 'Discretize', res: 0.1, stoRound: true })).toEqual({ normal: false, rounding: true, drop: false, any: true });
  });
});

describe('saveMvmState / loadMvmState', () => {
  const pass = (): MvParameters => ({ vOffset: new Float32Array([0.1, -0.2]), outNonlinearity: null, nlFactor: 1, wAsymmetry: new Float32Array([1, 2, 3, 4, 5, 6]) });

  it('round-trips the running AverageAbsMax and the draws of both directions under the engines keys', () => {
    const fwd = pass();
    const bwd: MvParameters = { vOffset: null, outNonlinearity: new Float32Array([0.5, 0.25, 0.125]), nlFactor: 1, wAsymmetry: null };
    const arrays: TileState['arrays'] = {};
    const scalars: TileState['scalars'] = {};
    saveMvmState({ averageAbsMax: 2.5 }, fwd, bwd, arrays, scalars);
    expect(scalars).toEqual({ 'mvm.averageAbsMax': 2.5 });
    expect(Object.keys(arrays).sort()).toEqual(['mvm.backward.outNonlinearity', 'mvm.forward.vOffset', 'mvm.forward.wAsymmetry']);
    expect(arrays['mvm.forward.vOffset']).toEqual([f(0.1), f(-0.2)]);

    const nm = { averageAbsMax: -1 };
    const fwd2: MvParameters = { vOffset: new Float32Array(2), outNonlinearity: null, nlFactor: 1, wAsymmetry: new Float32Array(6) };
    const bwd2: MvParameters = { vOffset: null, outNonlinearity: new Float32Array(3), nlFactor: 1, wAsymmetry: null };
    const target = fwd2.vOffset;
    loadMvmState(nm, fwd2, bwd2, arrays, { 'mvm.averageAbsMax': 0.1 });
    expect(nm.averageAbsMax).toBe(f(0.1));
    expect(fwd2.vOffset).toBe(target); // written in place
    expect(fwd2).toEqual(fwd);
    expect(bwd2).toEqual(bwd);
  });

  it('leaves missing entries and draws the tile does not have as they are', () => {
    const nm = { averageAbsMax: 3 };
    const fwd = pass();
    const bwd: MvParameters = { vOffset: null, outNonlinearity: null, nlFactor: 1, wAsymmetry: null };
    loadMvmState(nm, fwd, bwd, { 'mvm.backward.vOffset': [1, 2], 'mvm.forward.vOffset': null }, { 'mvm.averageAbsMax': null });
    expect(nm.averageAbsMax).toBe(3);
    expect(fwd).toEqual(pass());
  });

  it('refuses a state that does not fit and then changes nothing', () => {
    const nm = { averageAbsMax: 3 };
    const fwd = pass();
    const bwd = pass();
    const good = { 'mvm.forward.vOffset': [7, 8] };
    expect(() => loadMvmState(nm, fwd, bwd, { ...good, 'mvm.backward.wAsymmetry': [1, 2] }, { 'mvm.averageAbsMax': 1 })).toThrow(InputError);
    expect(() => loadMvmState(nm, fwd, bwd, { ...good, 'mvm.backward.vOffset': [1, NaN] }, {})).toThrow(/mvm\.backward\.vOffset.*2 finite numbers/);
    expect(() => loadMvmState(nm, fwd, bwd, good, { 'mvm.averageAbsMax': Infinity })).toThrow(/mvm\.averageAbsMax/);
    expect(nm.averageAbsMax).toBe(3);
    expect(fwd).toEqual(pass());
    expect(bwd).toEqual(pass());
  });
});
