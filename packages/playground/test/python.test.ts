// The RPU config in Python (src/python.ts): the dict literal, the aihwkit script, and reading dicts back.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  InferenceRPUConfig,
  SingleRPUConfig,
  ConstantStepDevice,
  MixedPrecisionPCMPreset,
  SoftBoundsPmaxDevice,
  TikiTakaReRamSBPreset,
  rpuConfigFromDict,
  rpuConfigToDict,
} from '@crossbar/core';
import { aihwkitScript, parseDictText, pythonDictLiteral, toPythonLiteral } from '../src/python.js';
import { SettingError } from '../src/settings.js';
import { defaultRpuConfig } from '../src/state.js';

const python = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim();

const configs = () => [
  defaultRpuConfig(),
  new InferenceRPUConfig({
    forward: { outBound: Infinity, inpRes: -1, boundManagement: 'None', mvType: 'PosNegSeparate' },
    driftCompensation: null,
    noiseModel: { gMax: 30, gMin: 1, driftScale: 2 },
  }),
  new SingleRPUConfig({ device: new ConstantStepDevice({ dwMin: 0.01 }), forward: { outNoise: 0.02 } }),
  // aihwkit's unit cells and mixed precision (configs only: no engine simulates them yet)
  TikiTakaReRamSBPreset({ device: { gamma: 0.1 } }),
  MixedPrecisionPCMPreset(),
  new SingleRPUConfig({ device: new SoftBoundsPmaxDevice({ pMax: 500 }) }),
];

describe('config in Python', () => {
  it('writes the dict as a Python literal that reads back to the same config', () => {
    for (const c of configs()) {
      const text = `rpu_config_dict = ${pythonDictLiteral(c)}`;
      expect(text).toMatch(/'type': '\w+RPUConfig'/);
      expect(rpuConfigFromDict(parseDictText(text)).equals(c)).toBe(true);
    }
    const lit = pythonDictLiteral(configs()[1]!);
    expect(lit).toContain("'out_bound': float('inf')");
    expect(lit).toContain("'drift_compensation': None");
    expect(lit).toContain("'max_bm_factor': 1000,"); // an int field stays an int
    expect(lit).toContain("'inp_bound': 1.0,"); // a float field is a float, as asdict prints it
    expect(toPythonLiteral({ a: [true, null, "it's", 1e-5, 2.5e20] })).toBe("{\n    'a': [True, None, 'it\\'s', 1e-05, 2.5e+20],\n}");
  });

  it.skipIf(!python)('is valid Python that evaluates to the JSON dict (python3)', () => {
    for (const c of configs()) {
      const json = JSON.stringify(rpuConfigToDict(c));
      const code = `import json, math, sys\nd = ${pythonDictLiteral(c)}\nj = json.loads(sys.argv[1])\nfix = lambda v: {k: fix(x) for k, x in v.items()} if isinstance(v, dict) else [fix(x) for x in v] if isinstance(v, list) else (float(v) if v in ('inf', '-inf') else v)\nassert d == fix(j), (d, j)\nprint('ok')`;
      const r = spawnSync(python, ['-c', code, json], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('ok');
    }
  });

  it('writes an aihwkit 0.7.1 script with the fields that differ from the class defaults', () => {
    const script = aihwkitScript(configs()[1]!);
    expect(script).toContain('from aihwkit.simulator.configs import AnalogMVType, BoundManagementType, InferenceRPUConfig');
    expect(script).toContain('from aihwkit.inference import PCMLikeNoiseModel, SinglePairConductanceConverter');
    expect(script).toContain("rpu_config.forward.mv_type = AnalogMVType('PosNegSeparate')");
    expect(script).toContain("rpu_config.forward.out_bound = float('inf')");
    expect(script).toContain('rpu_config.forward.inp_res = -1.0');
    expect(script).toContain('rpu_config.noise_model = PCMLikeNoiseModel(g_converter=SinglePairConductanceConverter(g_max=30.0, g_min=1.0), drift_scale=2.0)');
    expect(script).toContain('rpu_config.drift_compensation = None');
    expect(script).not.toContain('out_noise'); // default
    const single = aihwkitScript(configs()[2]!);
    expect(single).toContain('rpu_config = SingleRPUConfig()');
    expect(single).toContain('rpu_config.device.dw_min = 0.01');
    const tikiTaka = aihwkitScript(configs()[3]!);
    expect(tikiTaka).toContain('from aihwkit.simulator.configs import SoftBoundsDevice, TransferCompound, UnitCellRPUConfig');
    expect(tikiTaka).toContain('rpu_config.device = TransferCompound()');
    expect(tikiTaka).toContain('rpu_config.device.unit_cell_devices = [SoftBoundsDevice(), SoftBoundsDevice()]');
    expect(tikiTaka).toContain('rpu_config.device.unit_cell_devices[1].w_max = 1.25');
    expect(tikiTaka).toContain('rpu_config.device.gamma = 0.1');
    expect(aihwkitScript(new InferenceRPUConfig({ forward: { nmDecay: 0.01 } }))).toContain(
      "# rpu_config.forward.nm_decay = 0.01  # not in aihwkit 0.7.1's Python config",
    );
  });

  it('reads Python and JSON dicts, and says where it cannot', () => {
    expect(parseDictText('{"a": [1, 2.5e-3], "b": {"c": null}}')).toEqual({ a: [1, 0.0025], b: { c: null } });
    expect(parseDictText("x = {'a': (1, -inf), 'b': float(\"-inf\"), 'c': True, 'd': False,}  # done")).toEqual({ a: [1, '-inf'], b: '-inf', c: true, d: false });
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['[1, 2]', /expected a dict/],
      ["{'a': 1", /a value is missing|expected/],
      ["{'a': foo}", /"foo" \(only dict literals/],
      ["{'a': 1}\n{'b': 2}", /unexpected text after the dict at line 2, column 1/],
      ["{'a': 1 'b': 2}", /expected ","/],
      ["{'a': 'x}", /does not end/],
      ['{1: 2}', /expected a quoted key/],
    ];
    for (const [text, msg] of bad) {
      expect(() => parseDictText(text), text).toThrow(SettingError);
      expect(() => parseDictText(text), text).toThrow(msg);
    }
  });
});
