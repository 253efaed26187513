/**
 * The page's state and its form in the URL, so that a setup can be shared as
 * a link: `#s=` and the base64url of a JSON object holding the view, the
 * engine, the RPU config as an aihwkit dict (only what differs from the page's
 * default config, or from the class defaults for another config class) and
 * the tile and drift settings that differ from their defaults.
 */
import { InferenceRPUConfig, RPU_CONFIG_CLASSES, rpuConfigToDict, type AnyConfigClass, type RPUConfig } from '@crossbar/core';
import { DRIFT_DEFAULTS, SettingError, TILE_DEFAULTS, type DriftSettings, type TileSettings } from './settings.js';

export type View = 'tile' | 'drift' | 'config';
export const VIEWS: readonly View[] = ['tile', 'drift', 'config'];
export type EngineName = 'wasm' | 'ndarray' | 'gpujs';
export const ENGINE_NAMES: readonly EngineName[] = ['wasm', 'ndarray', 'gpujs'];
/** The page's engine unless the link names another: the wasm engine (WebAssembly SIMD), as everywhere it loads. */
export const DEFAULT_ENGINE: EngineName = 'wasm';

/**
 * The page's default config: the crossbar demo's hardware-aware training config
 * (PCM-like noise model with g_max 25 µS, global drift compensation, additive
 * weight noise 0.1 in training, channel-wise symmetric remap, layer-Gaussian clip
 * at 2.5σ, digital bias, learned column-wise out scaling, weight scaling to 1) and
 * aihwkit's default forward IOParameters.
 */
export function defaultRpuConfig(): InferenceRPUConfig {
  return new InferenceRPUConfig({
    mapping: { digitalBias: true, learnOutScaling: true, outScalingColumnwise: true, weightScalingOmega: 1.0, weightScalingColumnwise: false },
    noiseModel: { gMax: 25.0 },
    remap: { type: 'ChannelwiseSymmetric' },
    clip: { type: 'LayerGaussian', sigma: 2.5 },
    modifier: { type: 'AddNormal', stdDev: 0.1 },
  });
}

/** What the page shows and computes; settings are as entered (they may be invalid: the page says why). */
export interface PageState {
  view: View;
  engine: EngineName;
  /** The RPU config as an aihwkit dict (rpuConfigToDict form), possibly not (yet) valid. */
  config: Record<string, unknown>;
  tile: TileSettings;
  drift: DriftSettings;
}

export function defaultState(): PageState {
  return {
    view: 'tile',
    engine: DEFAULT_ENGINE,
    config: rpuConfigToDict(defaultRpuConfig()),
    tile: structuredClone(TILE_DEFAULTS),
    drift: structuredClone(DRIFT_DEFAULTS),
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isPlain(a) && isPlain(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** The keys of `value` that differ from `base`, recursively (a nested dict of another "type" is kept whole). */
export function dictDiff(value: Record<string, unknown>, base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const b = base[k];
    if (isPlain(v) && isPlain(b) && v.type === b.type) {
      const d = dictDiff(v, b);
      if (Object.keys(d).length) out[k] = d;
    } else if (!deepEqual(v, b)) out[k] = v;
  }
  return out;
}

/** `base` with `diff` applied (the inverse of dictDiff). */
export function dictMerge(base: Record<string, unknown>, diff: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(diff)) {
    const b = out[k];
    out[k] = isPlain(v) && isPlain(b) && (v.type === undefined || v.type === b.type) ? dictMerge(b, v) : structuredClone(v);
  }
  return out;
}

/** The dict the link's config is a difference to: the page default for its class, else the class defaults. */
export function baseDict(typeName: unknown): Record<string, unknown> {
  if (typeName === undefined || typeName === 'InferenceRPUConfig') return rpuConfigToDict(defaultRpuConfig());
  const Cls = RPU_CONFIG_CLASSES.find((c) => c.configName === typeName) as unknown as (AnyConfigClass & (new () => RPUConfig)) | undefined;
  if (!Cls) throw new SettingError('link', `the link's config type ${JSON.stringify(typeName)} is not one of ${RPU_CONFIG_CLASSES.map((c) => c.configName).join(', ')}`);
  return rpuConfigToDict(new Cls() as RPUConfig);
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** The URL hash ("#s=…") of a state. */
export function encodeState(state: PageState): string {
  const payload: Record<string, Json> = {};
  if (state.view !== 'tile') payload.v = state.view;
  if (state.engine !== DEFAULT_ENGINE) payload.e = state.engine;
  const type = state.config.type;
  let base: Record<string, unknown>;
  try {
    base = baseDict(type);
  } catch {
    base = {};
  }
  const c = dictDiff(state.config, base);
  if (Object.keys(c).length || type !== 'InferenceRPUConfig') payload.c = { type, ...c } as Json;
  const t = dictDiff(state.tile as unknown as Record<string, unknown>, TILE_DEFAULTS as unknown as Record<string, unknown>);
  if (Object.keys(t).length) payload.t = t as Json;
  const d = dictDiff(state.drift as unknown as Record<string, unknown>, DRIFT_DEFAULTS as unknown as Record<string, unknown>);
  if (Object.keys(d).length) payload.d = d as Json;
  return Object.keys(payload).length ? `#s=${toBase64Url(JSON.stringify(payload))}` : '';
}

/**
 * The state of a URL hash; an empty hash gives the defaults. Throws SettingError
 * (with setting "link") when the hash cannot be read; the values themselves are
 * checked where they are used, so a bad one is shown at its control.
 */
export function decodeState(hash: string): PageState {
  const state = defaultState();
  const m = /^#?s=([A-Za-z0-9_-]*)$/.exec(hash.trim());
  if (hash.replace(/^#/, '').trim() === '') return state;
  if (!m) throw new SettingError('link', `the link's settings ("${hash.slice(0, 40)}") are not in the page's form #s=…`);
  let payload: unknown;
  try {
    payload = JSON.parse(fromBase64Url(m[1]!));
  } catch (e) {
    throw new SettingError('link', `the link's settings could not be read: ${(e as Error).message}`);
  }
  if (!isPlain(payload)) throw new SettingError('link', "the link's settings are not an object");
  if (payload.v !== undefined) {
    if (!VIEWS.includes(payload.v as View)) throw new SettingError('link', `the link's view ${JSON.stringify(payload.v)} is not one of ${VIEWS.join(', ')}`);
    state.view = payload.v as View;
  }
  if (payload.e !== undefined) {
    if (!ENGINE_NAMES.includes(payload.e as EngineName)) {
      throw new SettingError('link', `the link's engine ${JSON.stringify(payload.e)} is not one of ${ENGINE_NAMES.join(', ')}`);
    }
    state.engine = payload.e as EngineName;
  }
  if (payload.c !== undefined) {
    if (!isPlain(payload.c)) throw new SettingError('link', "the link's config is not a dict");
    state.config = dictMerge(baseDict(payload.c.type), payload.c);
  }
  if (payload.t !== undefined) {
    if (!isPlain(payload.t)) throw new SettingError('link', "the link's tile settings are not an object");
    state.tile = dictMerge(state.tile as unknown as Record<string, unknown>, payload.t) as unknown as TileSettings;
  }
  if (payload.d !== undefined) {
    if (!isPlain(payload.d)) throw new SettingError('link', "the link's drift settings are not an object");
    state.drift = dictMerge(state.drift as unknown as Record<string, unknown>, payload.d) as unknown as DriftSettings;
  }
  return state;
}

/** Reads a value at a dict path (snake_case keys). */
export function getPath(dict: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = dict;
  for (const k of path) v = isPlain(v) ? v[k] : undefined;
  return v;
}

/** A copy of `dict` with the value at `path` set (creating nested dicts as needed). */
export function setPath(dict: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const out = structuredClone(dict);
  let o: Record<string, unknown> = out;
  path.forEach((k, i) => {
    if (i === path.length - 1) o[k] = value;
    else {
      if (!isPlain(o[k])) o[k] = {};
      o = o[k] as Record<string, unknown>;
    }
  });
  return out;
}

export { isPlain, deepEqual };
