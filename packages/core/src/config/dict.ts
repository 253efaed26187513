/**
 * aihwkit-style dicts in and out: what `dataclasses.asdict(rpu_config)` gives
 * in Python (snake_case keys, enums as their string values), plus a "type"
 * key naming the RPU config class, the device and the noise model.
 */
import { ConfigError } from '../errors.js';
import { configFromDict, type AnyConfigClass } from './field.js';
import { RPU_CONFIG_CLASSES, type RPUConfig } from './rpu-configs.js';

/** Builds an RPU config from its aihwkit dict. Unknown keys and bad values are ConfigErrors that name the key. */
export function rpuConfigFromDict(dict: unknown): RPUConfig {
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    throw new ConfigError(`rpuConfigFromDict takes a dict (object), got ${dict === null ? 'null' : Array.isArray(dict) ? 'an array' : typeof dict}`);
  }
  const typeName = (dict as Record<string, unknown>).type;
  const names = RPU_CONFIG_CLASSES.map((c) => `"${c.configName}"`).join(', ');
  if (typeName === undefined) {
    throw new ConfigError(`rpuConfigFromDict: the dict needs a "type" key naming the config class: one of ${names}`);
  }
  const Cls = RPU_CONFIG_CLASSES.find((c) => c.configName === typeName);
  if (!Cls) throw new ConfigError(`rpuConfigFromDict: "type" = ${JSON.stringify(typeName)} is not allowed: expected one of ${names}`);
  return configFromDict(Cls as AnyConfigClass, dict) as RPUConfig;
}

/** The aihwkit dict of an RPU config, with its "type"; JSON-safe (±inf as "inf"/"-inf"). */
export function rpuConfigToDict(config: RPUConfig): Record<string, unknown> {
  const Cls = RPU_CONFIG_CLASSES.find((c) => config instanceof c);
  if (!Cls) throw new ConfigError('rpuConfigToDict takes a FloatingPointRPUConfig, SingleRPUConfig or InferenceRPUConfig');
  return { type: Cls.configName, ...config.toDict() };
}
