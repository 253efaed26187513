/**
 * Every config in the aihwkit oracle cases reads into core's config classes,
 * and the configs aihwkit refused are refused too (ConfigError).
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
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
import { rpuConfigOfDevice } from '../src/run.js';
import { suiteSkipReason } from '../src/skips.js';

describe('the oracle configs in core', () => {
  it('reads every config of the aihwkit oracle cases, and refuses those aihwkit refused for their config', () => {
    const { oracle, reason } = loadOracle({});
    if (!oracle) throw new Error(reason);
    let read = 0;
    for (const { id, case: c, expected } of oracleEntries(oracle)) {
      if (suiteSkipReason({ id, file: id.split('/')[0]!, case: c, expected })) continue;
      const cfg = c.config as Record<string, unknown>;
      const parts: [string, () => unknown][] = [];
      if (cfg.io) parts.push(['io', () => configFromDict(IOParameters, cfg.io)]);
      if (cfg.update) parts.push(['update', () => configFromDict(UpdateParameters, cfg.update)]);
      if (cfg.device) parts.push(['device', () => rpuConfigOfDevice(cfg.device as Record<string, unknown>)]);
      if (cfg.modifier) parts.push(['modifier', () => configFromDict(WeightModifierParameter, cfg.modifier)]);
      if (cfg.clip) parts.push(['clip', () => configFromDict(WeightClipParameter, cfg.clip)]);
      if (cfg.remap) parts.push(['remap', () => configFromDict(WeightRemapParameter, cfg.remap)]);
      if (cfg.noise_model) parts.push(['noise_model', () => configFromDict(PCMLikeNoiseModel, cfg.noise_model)]);
      // aihwkit's refusals that core makes when it reads the config: noise management with inp_bound != 1 (io),
      // reverse steps with additive noise and piecewise vectors of different lengths (device)
      const error = expected.ok === false ? (expected.error ?? '') : '';
      const refusedPart = /expects bound==1/.test(error) ? 'io' : /Only mul(ti|it)plicative noise|needs to have some size/.test(error) ? 'device' : undefined;
      for (const [what, readPart] of parts) {
        if (what === refusedPart) expect(readPart, `${id} ${what}`).toThrow(ConfigError);
        else expect(readPart, `${id} ${what}`).not.toThrow();
        read++;
      }
    }
    expect(read).toBeGreaterThan(100);
  });
});
