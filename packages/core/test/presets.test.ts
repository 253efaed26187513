/**
 * Every preset of aihwkit 0.7.1 (the 58 classes of src/aihwkit/simulator/presets),
 * field by field: test/fixtures/presets/<Name>.json holds what aihwkit's preset
 * class sets (extracted from aihwkit's source by test/fixtures/extract-aihwkit.py,
 * the presets it builds on expanded); every other field must keep its class default.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_CLASSES, ConfigBase, PRESETS, pyName, rpuConfigFromDict, rpuConfigToDict, type AnyConfigClass, type RPUConfig } from '../src/index.js';

interface PresetFixture {
  name: string;
  source: string;
  base: string;
  values: Record<string, unknown>;
}

const dir = new URL('./fixtures/presets/', import.meta.url);
const fixtures: PresetFixture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as PresetFixture);

const classByName = (name: string): AnyConfigClass => {
  const C = CONFIG_CLASSES.find((c) => c.configName === name);
  if (!C) throw new Error(`no config class ${name}`);
  return C;
};
const make = (C: AnyConfigClass): ConfigBase => new (C as unknown as new () => ConfigBase)();
const classOf = (c: ConfigBase) => c.constructor as unknown as AnyConfigClass;

/** A config as plain data with aihwkit's keys, every nested config marked with its class in "__class__". */
function dataOf(config: ConfigBase): Record<string, unknown> {
  const C = classOf(config);
  const self = config as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { __class__: C.configName };
  for (const [k, f] of Object.entries(C.fields)) {
    const v = self[k];
    out[pyName(k, f)] = v instanceof ConfigBase ? dataOf(v) : Array.isArray(v) ? v.map((x: unknown) => (x instanceof ConfigBase ? dataOf(x) : x)) : v;
  }
  return out;
}

const isConfigData = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && '__class__' in v;

/** What aihwkit's preset gives: the class defaults with the preset's values on top (nested presets likewise). */
function expectedOf(values: Record<string, unknown>): Record<string, unknown> {
  const C = classByName(values.__class__ as string);
  const out = dataOf(make(C));
  for (const [py, v] of Object.entries(values)) {
    if (py === '__class__') continue;
    expect(out, `${C.configName} has aihwkit's field ${py}`).toHaveProperty(py);
    out[py] = isConfigData(v) ? expectedOf(v) : Array.isArray(v) ? v.map((x: unknown) => (isConfigData(x) ? expectedOf(x) : x)) : v;
  }
  return out;
}

describe('aihwkit 0.7.1 presets (src/aihwkit/simulator/presets)', () => {
  it('all 58 preset classes are here, each once, and nothing else', () => {
    expect(fixtures).toHaveLength(58);
    expect(PRESETS.map((p) => p.name).sort()).toEqual(fixtures.map((f) => f.name).sort());
    expect(new Set(PRESETS.map((p) => p.name)).size).toBe(PRESETS.length);
  });

  for (const fx of fixtures) {
    it(`${fx.name} (${fx.source}): a ${fx.base} with aihwkit's values, field by field`, () => {
      const p = PRESETS.find((q) => q.name === fx.name);
      expect(p, fx.name).toBeDefined();
      expect(p!.base).toBe(fx.base);
      expect(`src/aihwkit/simulator/${p!.module}`).toBe(fx.source);
      const made = p!.create();
      expect(dataOf(made)).toEqual(expectedOf({ __class__: fx.base, ...fx.values }));
      // A preset is an ordinary config: it validates and its dict reads back the same.
      made.validate();
      if (p!.kind === 'rpuConfig') expect(rpuConfigFromDict(JSON.parse(JSON.stringify(rpuConfigToDict(made as RPUConfig)))).equals(made)).toBe(true);
    });
  }

  it('overrides go on top of a compound preset, nested partials merge', async () => {
    const { TikiTakaReRamSBPreset, MixedPrecisionPCMPreset, TransferCompound, MixedPrecisionCompound, OneSidedUnitCell } = await import('../src/index.js');
    const c = TikiTakaReRamSBPreset({ device: { transferEvery: 2 }, forward: { outNoise: 0 } });
    expect(c.device).toBeInstanceOf(TransferCompound);
    expect((c.device as InstanceType<typeof TransferCompound>).transferEvery).toBe(2);
    expect((c.device as InstanceType<typeof TransferCompound>).unitCellDevices).toHaveLength(2);
    expect(c.forward.outNoise).toBe(0);
    expect(c.forward.outBound).toBe(20);
    const m = MixedPrecisionPCMPreset();
    expect(m.device).toBeInstanceOf(MixedPrecisionCompound);
    expect(m.device.device).toBeInstanceOf(OneSidedUnitCell);
  });
});
