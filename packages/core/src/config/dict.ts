/**
 * aihwkit-style dicts in and out: what `dataclasses.asdict(rpu_config)` gives
 * in Python (snake_case keys, enums as their string values), plus a "type"
 * key naming the RPU config class, the device and the noise model. Numbers
 * that are infinite are the strings "inf" / "-inf" (JSON has no infinity).
 *
 * Reading: "type" keys may be left out where the keys tell the class (a full
 * `asdict` output, or a partial dict of the default class); a partial dict of
 * a nested config fills in from that field's default.
 */
import { ConfigError } from '../errors.js';
import { configFromDict, dictKeys, inferClass, type AnyConfigClass } from './field.js';
import { RPU_CONFIG_CLASSES, type RPUConfig } from './rpu-configs.js';

const names = () => RPU_CONFIG_CLASSES.map((c) => `"${c.configName}"`).join(', ');

/**
 * SingleRPUConfig, UnitCellRPUConfig and DigitalRankUpdateRPUConfig have the
 * same keys: without a "type", the device tells them apart (its "type", or
 * its keys: unit_cell_devices, a MixedPrecisionCompound's device, a single device's).
 */
function byDevice(dict: Record<string, unknown>): AnyConfigClass | undefined {
  const device = dict.device;
  if (device === null || typeof device !== 'object' || Array.isArray(device)) return undefined;
  const fits = RPU_CONFIG_CLASSES.filter((C) => {
    const field = C.fields.device;
    if (field.kind !== 'nested') return false;
    const classes = field.classes();
    const keys = dictKeys(C);
    const given = Object.keys(dict).filter((k) => k !== 'type');
    if (given.length !== keys.length || !given.every((k) => keys.includes(k))) return false;
    const typeName = (device as Record<string, unknown>).type;
    if (typeName !== undefined) return classes.some((c) => c.configName === typeName);
    return typeof inferClass(classes, device as Record<string, unknown>) !== 'undefined';
  });
  return fits.length === 1 ? fits[0] : undefined;
}

/** Builds an RPU config from its aihwkit dict. Unknown keys and bad values are ConfigErrors that name the key. */
export function rpuConfigFromDict(dict: unknown): RPUConfig {
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    const got = dict === null ? 'null' : Array.isArray(dict) ? 'an array' : typeof dict;
    throw new ConfigError(`rpuConfigFromDict takes a dict (object) of an RPU config, got ${got}`);
  }
  const typeName = (dict as Record<string, unknown>).type;
  let Cls: AnyConfigClass | undefined;
  if (typeName === undefined) {
    const inferred = inferClass(RPU_CONFIG_CLASSES, dict as Record<string, unknown>);
    if (inferred === undefined) {
      throw new ConfigError(`rpuConfigFromDict: the dict's keys (${Object.keys(dict).join(', ')}) fit no RPU config; add a "type" key: one of ${names()}`);
    }
    Cls = typeof inferred === 'string' ? byDevice(dict as Record<string, unknown>) : inferred;
    if (!Cls) throw new ConfigError(`rpuConfigFromDict: ${inferred as string}`);
  } else {
    Cls = RPU_CONFIG_CLASSES.find((c) => c.configName === typeName);
    if (!Cls) {
      throw new ConfigError(`rpuConfigFromDict: "type" = ${JSON.stringify(typeName)} is not allowed: expected one of ${names()}`, {
        configClass: 'RPUConfig',
        field: 'type',
        pyField: 'type',
        value: typeName,
        allowed: `one of ${names()}`,
        path: ['type'],
      });
    }
  }
  return configFromDict(Cls, dict) as RPUConfig;
}

/** The aihwkit dict of an RPU config, with its "type"; JSON-safe (±inf as "inf"/"-inf"). */
export function rpuConfigToDict(config: RPUConfig): Record<string, unknown> {
  const Cls = RPU_CONFIG_CLASSES.find((c) => config instanceof c);
  if (!Cls) throw new ConfigError(`rpuConfigToDict takes a ${RPU_CONFIG_CLASSES.map((c) => c.configName).join(', ')}`);
  return { type: Cls.configName, ...config.validate().toDict() };
}
