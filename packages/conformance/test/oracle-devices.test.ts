/**
 * Every device config of the aihwkit oracle's device cases (devices, compounds,
 * d2d, lifecycle) reads into core's config classes — single devices, unit cells
 * and the mixed-precision cell with their nested devices, IO and update
 * parameters — keeps every value aihwkit was given, round-trips through
 * rpuConfigToDict / rpuConfigFromDict, and is refused (ConfigError) exactly
 * where aihwkit refused the config itself. Every one of them is implemented
 * (none is left to the engines' NotSupportedError).
 */
import { describe, expect, it } from 'vitest';
import {
  ALL_PULSED_DEVICES,
  ConfigError,
  DIGITAL_RANK_UPDATE_CELL_CLASSES,
  IdealDevice,
  UNIT_CELL_CLASSES,
  checkDeviceImplemented,
  rpuConfigFromDict,
  rpuConfigToDict,
  unimplementedDevice,
  type RPUConfig,
} from '@crossbar/core';
import type { OracleCase, OracleResult } from '../src/format.js';
import { loadOracle } from '../src/node.js';

const FILES = ['devices', 'compounds', 'd2d', 'lifecycle'];
const names = (classes: readonly { configName: string }[]) => classes.map((c) => c.configName);
const SINGLE = [...names(ALL_PULSED_DEVICES), IdealDevice.configName];
const UNIT_CELLS = names(UNIT_CELL_CLASSES);
const DIGITAL = names(DIGITAL_RANK_UPDATE_CELL_CLASSES);

/** The aihwkit errors that come from the config itself (what a config class must refuse too). */
const CONFIG_REFUSALS = [/Only mulitplicative noise supported with reverse up\/down/, /piecewise_up_vec and piecewise_down_vec needs to have some size/];

/** The RPU config dict aihwkit built the case's tile from. */
function rpuConfigDictOf(c: OracleCase): Record<string, unknown> {
  const cfg = c.config;
  const device = { type: 'ConstantStepDevice', ...(cfg.device as Record<string, unknown>) };
  const type = device.type as string;
  const rpuType = SINGLE.includes(type)
    ? 'SingleRPUConfig'
    : UNIT_CELLS.includes(type)
      ? 'UnitCellRPUConfig'
      : DIGITAL.includes(type)
        ? 'DigitalRankUpdateRPUConfig'
        : undefined;
  if (!rpuType) throw new Error(`${c.name}: device type ${type} is no aihwkit 0.7.1 device`);
  return {
    type: rpuType,
    device,
    ...(cfg.update ? { update: cfg.update } : {}),
    ...(cfg.forward_io ? { forward: cfg.forward_io } : {}),
  };
}

/** Every value of `given` (a dict aihwkit was given) is in `ours` (our dict of what was read), nested dicts and lists included. */
function expectKept(given: unknown, ours: unknown, path: string): void {
  if (Array.isArray(given)) {
    expect(Array.isArray(ours), path).toBe(true);
    expect((ours as unknown[]).length, path).toBe(given.length);
    given.forEach((g, i) => expectKept(g, (ours as unknown[])[i], `${path}[${i}]`));
  } else if (given !== null && typeof given === 'object') {
    for (const [k, v] of Object.entries(given)) {
      expect(ours, path).toHaveProperty(k);
      expectKept(v, (ours as Record<string, unknown>)[k], `${path}.${k}`);
    }
  } else {
    expect(ours, path).toEqual(given);
  }
}

describe("the oracle's device and compound configs in core", () => {
  const { oracle, reason } = loadOracle({});
  if (!oracle) throw new Error(reason);
  const entries: { id: string; c: OracleCase; expected: OracleResult }[] = [];
  for (const f of oracle.files.filter((x) => FILES.includes(x.file))) {
    const byName = new Map(f.expected.map((r) => [r.name, r]));
    for (const c of f.cases) entries.push({ id: `${f.file}/${c.name}`, c, expected: byName.get(c.name)! });
  }

  it('has the four files, with every device type and every compound', () => {
    expect(new Set(entries.map((e) => e.id.split('/')[0]))).toEqual(new Set(FILES));
    const types = new Set(entries.map((e) => (e.c.config.device as { type?: string } | undefined)?.type ?? 'ConstantStepDevice'));
    for (const t of ['SoftBoundsPmaxDevice', 'PiecewiseStepDevice', ...UNIT_CELLS.filter((u) => u !== 'DifferenceUnitCell'), ...DIGITAL]) {
      expect(types, t).toContain(t);
    }
  });

  it("reads every case's device, update and forward IO, keeps every value and round-trips", () => {
    let read = 0;
    for (const { id, c, expected } of entries) {
      const dict = rpuConfigDictOf(c);
      const configRefused = !expected.ok && CONFIG_REFUSALS.some((r) => r.test(expected.error ?? ''));
      if (configRefused) {
        expect(() => rpuConfigFromDict(dict), id).toThrow(ConfigError);
        continue;
      }
      let config: RPUConfig;
      try {
        config = rpuConfigFromDict(dict);
      } catch (e) {
        throw new Error(`${id}: ${(e as Error).message}`);
      }
      const back = rpuConfigToDict(config);
      expectKept(dict, back, id);
      expect(rpuConfigFromDict(JSON.parse(JSON.stringify(back))).equals(config), id).toBe(true);
      read++;
    }
    expect(read).toBeGreaterThan(170);
  });

  it("refuses exactly the configs aihwkit refused for the config's sake, naming the field", () => {
    const refused = entries.filter(({ expected }) => !expected.ok && CONFIG_REFUSALS.some((r) => r.test(expected.error ?? '')));
    expect(refused.map((e) => e.id).sort()).toEqual(['devices/det_ls_reverse_additive_refused', 'devices/det_pw_nodes_length_mismatch_refused']);
    const fields: Record<string, RegExp> = {
      'devices/det_ls_reverse_additive_refused': /reverse_up.*mult_noise/,
      'devices/det_pw_nodes_length_mismatch_refused': /piecewise_down.*piecewise_up/,
    };
    for (const { id, c } of refused) expect(() => rpuConfigFromDict(rpuConfigDictOf(c)), id).toThrow(fields[id]!);
    // Every other refusal is about what the tile was asked to do (reset on IdealDevice), not the config.
    const others = entries.filter(({ expected }) => !expected.ok && !CONFIG_REFUSALS.some((r) => r.test(expected.error ?? '')));
    for (const { id, expected } of others) expect(expected.error, id).toMatch(/Not supported for Simple devices/);
  });

  it("the engines' device model takes every device of the oracle: none is left unimplemented", () => {
    let checked = 0;
    for (const { id, c, expected } of entries) {
      if (!expected.ok) continue;
      const config = rpuConfigFromDict(rpuConfigDictOf(c));
      expect(unimplementedDevice(config), id).toBeUndefined();
      expect(() => checkDeviceImplemented(config), id).not.toThrow();
      checked++;
    }
    expect(checked).toBeGreaterThan(170);
  });
});
