import { describe, expect, it } from 'vitest';
import { IOParameters, SingleRPUConfig, InferenceRPUConfig, rpuConfigFromDict, rpuConfigToDict, ConfigError, ConstantStepDevice } from '../src/index.js';

describe('smoke', () => {
  it('works', () => {
    const io = new IOParameters({ outNoise: 0, inpRes: -1 });
    expect(io.outNoise).toBe(0);
    expect(String(io)).toBe('IOParameters(inpRes=-1.0, outNoise=0.0)');
    const c = new SingleRPUConfig({ forward: { outNoise: 0.1 }, device: new ConstantStepDevice({ dwMin: 0.01 }) });
    console.log(String(c));
    const d = rpuConfigToDict(c);
    console.log(JSON.stringify(d).slice(0, 400));
    const c2 = rpuConfigFromDict(JSON.parse(JSON.stringify(d)));
    expect(c2.equals(c)).toBe(true);
    expect(() => new IOParameters({ outNoise: -1 })).toThrow(ConfigError);
    try { new IOParameters({ outNoise: -1 }); } catch (e) { console.log((e as Error).message); }
    try { rpuConfigFromDict({ type: 'SingleRPUConfig', forward: { out_nois: 1 } }); } catch (e) { console.log((e as Error).message); }
    try { rpuConfigFromDict({ type: 'SingleRPUConfig', forward: { inp_bound: 2 } }); } catch (e) { console.log((e as Error).message); }
    console.log(String(new InferenceRPUConfig()));
    console.log(new InferenceRPUConfig({driftCompensation: null}).toString());
  });
});
