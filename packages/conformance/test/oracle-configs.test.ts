/**
 * Every config in the aihwkit oracle cases reads into core's config classes,
 * and the one config aihwkit refused is refused too (ConfigError).
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConstantStepDevice,
  configFromDict,
  IOParameters,
  PCMLikeNoiseModel,
  UpdateParameters,
  WeightClipParameter,
  WeightModifierParameter,
  WeightRemapParameter,
} from '@crossbar/core';
import { oracleEntries } from '../src/format.js';
import { loadOracle } from '../src/node.js';
import { suiteSkipReason } from '../src/skips.js';

describe('the oracle configs in core', () => {
  it('reads every config of the aihwkit oracle cases, and refuses the one aihwkit refused for its config', () => {
    const { oracle, reason } = loadOracle({});
    if (!oracle) throw new Error(reason);
    let read = 0;
    for (const { id, case: c, expected } of oracleEntries(oracle)) {
      if (suiteSkipReason({ id, file: id.split('/')[0]!, case: c, expected })) continue;
      const cfg = c.config as Record<string, unknown>;
      const parts: [string, () => unknown][] = [];
      if (cfg.io) parts.push(['io', () => configFromDict(IOParameters, cfg.io)]);
      if (cfg.update) parts.push(['update', () => configFromDict(UpdateParameters, cfg.update)]);
      if (cfg.device) parts.push(['device', () => configFromDict(ConstantStepDevice, cfg.device)]);
      if (cfg.modifier) parts.push(['modifier', () => configFromDict(WeightModifierParameter, cfg.modifier)]);
      if (cfg.clip) parts.push(['clip', () => configFromDict(WeightClipParameter, cfg.clip)]);
      if (cfg.remap) parts.push(['remap', () => configFromDict(WeightRemapParameter, cfg.remap)]);
      if (cfg.noise_model) parts.push(['noise_model', () => configFromDict(PCMLikeNoiseModel, cfg.noise_model)]);
      const configRefused = expected.ok === false && /expects bound==1/.test(expected.error ?? '');
      for (const [what, readPart] of parts) {
        if (configRefused) expect(readPart, `${id} ${what}`).toThrow(ConfigError);
        else expect(readPart, `${id} ${what}`).not.toThrow();
        read++;
      }
    }
    expect(read).toBeGreaterThan(100);
  });
});
