// The page's state in the URL (src/state.ts).
import { describe, expect, it } from 'vitest';
import { rpuConfigFromDict, rpuConfigToDict, SingleRPUConfig } from '@crossbar/core';
import { decodeState, defaultRpuConfig, defaultState, dictDiff, dictMerge, encodeState, setPath } from '../src/state.js';

describe('page state in the link', () => {
  it('leaves the defaults out of the link', () => {
    expect(encodeState(defaultState())).toBe('');
    expect(decodeState('')).toEqual(defaultState());
    expect(rpuConfigFromDict(defaultState().config).equals(defaultRpuConfig())).toBe(true);
  });

  it('defaults to the wasm engine; another engine is named in the link', () => {
    expect(defaultState().engine).toBe('wasm');
    const s = defaultState();
    s.engine = 'ndarray';
    expect(encodeState(s)).not.toBe('');
    expect(decodeState(encodeState(s)).engine).toBe('ndarray');
  });

  it('round-trips the view, engine, config and settings, keeping only what differs', () => {
    const s = defaultState();
    s.view = 'drift';
    s.engine = 'gpujs';
    s.config = setPath(setPath(s.config, ['forward', 'out_noise'], 0.1), ['noise_model', 'drift_scale'], 2);
    s.tile.seed = 9;
    s.tile.inputs.dist = 'uniform';
    s.drift.times = [1, 3600];
    const hash = encodeState(s);
    expect(hash).toMatch(/^#s=[A-Za-z0-9_-]+$/);
    expect(hash.length).toBeLessThan(400);
    expect(decodeState(hash)).toEqual(s);
    // another config class is a difference to that class's defaults
    const single = defaultState();
    single.config = rpuConfigToDict(new SingleRPUConfig({ forward: { outBound: 3 } }));
    expect(decodeState(encodeState(single)).config).toEqual(single.config);
  });

  it('keeps values as typed (the page checks them where they are used)', () => {
    const s = defaultState();
    s.tile.outSize = 0;
    s.config = setPath(s.config, ['forward', 'inp_bound'], 2);
    expect(decodeState(encodeState(s))).toEqual(s);
  });

  it('refuses a link it cannot read, saying why', () => {
    expect(() => decodeState('#x=1')).toThrow("not in the page's form");
    expect(() => decodeState('#s=%%%')).toThrow("not in the page's form");
    expect(() => decodeState('#s=bm90IGpzb24')).toThrow('could not be read');
    const enc = (o: unknown) => `#s=${Buffer.from(JSON.stringify(o)).toString('base64url')}`;
    expect(() => decodeState(enc({ v: 'nowhere' }))).toThrow('view "nowhere"');
    expect(() => decodeState(enc({ e: 'cuda' }))).toThrow('engine "cuda"');
    expect(() => decodeState(enc({ c: { type: 'Foo' } }))).toThrow('config type "Foo"');
    expect(() => decodeState(enc([1]))).toThrow('not an object');
  });

  it('diffs and merges nested dicts (a nested dict of another type is kept whole)', () => {
    const base = { a: 1, n: { type: 'X', p: 1, q: 2 }, l: [1, 2] };
    const value = { a: 1, n: { type: 'X', p: 1, q: 3 }, l: [1, 3] };
    expect(dictDiff(value, base)).toEqual({ n: { q: 3 }, l: [1, 3] });
    expect(dictMerge(base, dictDiff(value, base))).toEqual(value);
    const other = { a: 1, n: { type: 'Y', r: 0 }, l: [1, 2] };
    expect(dictDiff(other, base)).toEqual({ n: { type: 'Y', r: 0 } });
    expect(dictMerge(base, dictDiff(other, base))).toEqual(other);
  });
});
