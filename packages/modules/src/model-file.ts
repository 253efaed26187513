/**
 * Model files: a saved model as two files, tfjs-style — `model.json` (the
 * architecture, configs and every small value, format crossbar-model@2) and a
 * binary sidecar (`model.weights.bin`) that holds the number arrays of the
 * state as little-endian float32 (float64 for the rare array whose values are
 * not all float32), so a file is about the raw size of its weights instead of
 * ~25 bytes of decimal text per float. Old single-file JSON models
 * (crossbar-model@1, arrays inline) still load. See docs/modules.md.
 */
import { InputError } from '@crossbar/core';
import { ModuleError } from './errors.js';
import type { OptimizerState } from './optim.js';
import type { ModuleConfig, ModuleState } from './module.js';

/** The in-memory saved model (saveModel) and the single-file JSON format with inline arrays. */
export const MODEL_FORMAT = 'crossbar-model@1';
/** The model.json of a model file with its arrays in a binary sidecar (encodeModel). */
export const MODEL_FILE_FORMAT = 'crossbar-model@2';
/** The sidecar's default name, next to model.json. */
export const DEFAULT_WEIGHTS_PATH = 'model.weights.bin';
/** Arrays shorter than this stay inline in model.json (readable; the bytes do not matter). */
export const MIN_BINARY_LENGTH = 16;

/** A saved model (saveModel's result): architecture, state and optionally the optimizer's state, JSON-safe. */
export interface SavedModel {
  format: typeof MODEL_FORMAT;
  /** The engine the model ran on when saved (informational; loading picks the engine as described in loadModel). */
  engine: string | null;
  architecture: ModuleConfig;
  state: ModuleState;
  /** The optimizer's state, when saveModel was given one. */
  optimizer?: OptimizerState;
}

/** Where an array of model.json lives in the sidecar: `length` values of `dtype` from byte `byteOffset`. */
export interface BinaryArrayRef {
  dtype: 'float32' | 'float64';
  byteOffset: number;
  length: number;
}

/** The model.json of crossbar-model@2: a SavedModel whose long arrays are BinaryArrayRefs. */
export interface ModelFileJson {
  format: typeof MODEL_FILE_FORMAT;
  engine: string | null;
  architecture: ModuleConfig;
  state: unknown;
  optimizer?: unknown;
  weights: {
    /** The sidecar's file name, relative to model.json. */
    path: string;
    byteLength: number;
    byteOrder: 'little-endian';
  };
}

/** A model as files: the text of model.json and the bytes of its weights sidecar. */
export interface ModelFiles {
  json: string;
  weights: Uint8Array;
}

const BYTES = { float32: 4, float64: 8 } as const;

/** Every number array of a saved state lives here; config dicts (rpuConfig) stay as they are, readable. */
const SKIPPED_KEYS = new Set(['rpuConfig']);

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

class Writer {
  private chunks: Array<{ dtype: 'float32' | 'float64'; values: number[]; byteOffset: number }> = [];
  byteLength = 0;

  add(values: number[], path: string): BinaryArrayRef {
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ModuleError(`encodeModel: ${path}[${bad}] is ${values[bad]}, not a finite number`);
    // Float32 values (weights, draws) are stored in 4 bytes exactly; anything else keeps all 8.
    const dtype = values.every((v) => Math.fround(v) === v) ? 'float32' : 'float64';
    const ref: BinaryArrayRef = { dtype, byteOffset: this.byteLength, length: values.length };
    this.chunks.push({ dtype, values, byteOffset: this.byteLength });
    this.byteLength += values.length * BYTES[dtype];
    return ref;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    const view = new DataView(out.buffer);
    for (const { dtype, values, byteOffset } of this.chunks) {
      if (dtype === 'float32') for (let i = 0; i < values.length; i++) view.setFloat32(byteOffset + 4 * i, values[i]!, true);
      else for (let i = 0; i < values.length; i++) view.setFloat64(byteOffset + 8 * i, values[i]!, true);
    }
    return out;
  }
}

function encodeNode(node: unknown, writer: Writer, path: string): unknown {
  if (isNumberArray(node)) return node.length >= MIN_BINARY_LENGTH ? writer.add(node, path) : node;
  if (Array.isArray(node)) return node.map((v, i) => encodeNode(v, writer, `${path}[${i}]`));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = SKIPPED_KEYS.has(k) ? v : encodeNode(v, writer, `${path}.${k}`);
    return out;
  }
  return node;
}

/**
 * A saved model (saveModel) as files: model.json (crossbar-model@2) and the
 * bytes of its sidecar, which `weightsPath` names (default model.weights.bin,
 * written next to model.json). Refuses non-finite values (ModuleError).
 */
export function encodeModel(saved: SavedModel, options: { weightsPath?: string } = {}): ModelFiles {
  if (saved === null || typeof saved !== 'object' || saved.format !== MODEL_FORMAT) {
    throw new InputError(`encodeModel: expected a saved model with format "${MODEL_FORMAT}" (saveModel's result)`);
  }
  const path = options.weightsPath ?? DEFAULT_WEIGHTS_PATH;
  if (typeof path !== 'string' || path.length === 0) throw new InputError('encodeModel: weightsPath must be a non-empty string');
  const writer = new Writer();
  const file: ModelFileJson = {
    format: MODEL_FILE_FORMAT,
    engine: saved.engine,
    architecture: saved.architecture,
    state: encodeNode(saved.state, writer, 'state'),
    ...(saved.optimizer === undefined ? {} : { optimizer: encodeNode(saved.optimizer, writer, 'optimizer') }),
    weights: { path, byteLength: writer.byteLength, byteOrder: 'little-endian' },
  };
  return { json: JSON.stringify(file), weights: writer.bytes() };
}

function isRef(v: object): v is BinaryArrayRef {
  const keys = Object.keys(v);
  return keys.length === 3 && 'dtype' in v && 'byteOffset' in v && 'length' in v;
}

function readRef(ref: BinaryArrayRef, view: DataView, path: string): number[] {
  const size = ref.dtype === 'float32' || ref.dtype === 'float64' ? BYTES[ref.dtype] : undefined;
  if (size === undefined) throw new ModuleError(`decodeModel: ${path}.dtype must be "float32" or "float64", got ${JSON.stringify(ref.dtype)}`);
  const { byteOffset, length } = ref;
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0 || !Number.isSafeInteger(length) || length < 0 || byteOffset + length * size > view.byteLength) {
    throw new ModuleError(
      `decodeModel: ${path} (byteOffset ${JSON.stringify(byteOffset)}, length ${JSON.stringify(length)}) is not within the ${view.byteLength}-byte weights`,
    );
  }
  const out = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    const v = size === 4 ? view.getFloat32(byteOffset + 4 * i, true) : view.getFloat64(byteOffset + 8 * i, true);
    if (!Number.isFinite(v)) throw new ModuleError(`decodeModel: ${path}[${i}] is ${v}, not a finite number`);
    out[i] = v;
  }
  return out;
}

function decodeNode(node: unknown, view: DataView, path: string): unknown {
  if (Array.isArray(node)) return node.map((v, i) => decodeNode(v, view, `${path}[${i}]`));
  if (node !== null && typeof node === 'object') {
    if (isRef(node)) return readRef(node, view, path);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = SKIPPED_KEYS.has(k) ? v : decodeNode(v, view, `${path}.${k}`);
    return out;
  }
  return node;
}

function parseJson(json: string | object, where: string): Record<string, unknown> {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new InputError(`${where}: the text is not JSON: ${(e as Error).message}`);
    }
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ModuleError(`${where}: expected a saved model object`);
  return data as Record<string, unknown>;
}

/**
 * Reads model files back into a saved model (for loadModel): `json` is the
 * text (or parsed object) of model.json, `weights` the sidecar's bytes.
 * A crossbar-model@1 JSON (arrays inline) needs no weights and is returned as
 * it is. Refuses a sidecar of the wrong size and non-finite values.
 */
export function decodeModel(json: string | object, weights?: Uint8Array | ArrayBuffer): SavedModel {
  const data = parseJson(json, 'decodeModel');
  if (data.format === MODEL_FORMAT) return data as unknown as SavedModel;
  if (data.format !== MODEL_FILE_FORMAT) {
    throw new ModuleError(`decodeModel: expected a saved model with format "${MODEL_FILE_FORMAT}" or "${MODEL_FORMAT}", got ${JSON.stringify(data.format)}`);
  }
  const file = data as unknown as ModelFileJson;
  const spec = file.weights as Partial<ModelFileJson['weights']> | undefined;
  if (spec === null || typeof spec !== 'object' || spec.byteOrder !== 'little-endian' || !Number.isSafeInteger(spec.byteLength)) {
    throw new ModuleError('decodeModel: model.json needs "weights": { path, byteLength, byteOrder: "little-endian" }');
  }
  if (weights === undefined) {
    throw new InputError(`decodeModel: this ${MODEL_FILE_FORMAT} model keeps its arrays in "${String(spec.path)}": pass its bytes too`);
  }
  if (!(weights instanceof Uint8Array) && !(weights instanceof ArrayBuffer)) {
    throw new InputError('decodeModel: weights must be a Uint8Array or an ArrayBuffer');
  }
  const view = weights instanceof Uint8Array ? new DataView(weights.buffer, weights.byteOffset, weights.byteLength) : new DataView(weights);
  if (view.byteLength !== spec.byteLength) {
    throw new ModuleError(`decodeModel: the weights have ${view.byteLength} bytes, model.json expects ${spec.byteLength} ("${String(spec.path)}" from another save?)`);
  }
  const saved: SavedModel = {
    format: MODEL_FORMAT,
    engine: file.engine,
    architecture: file.architecture,
    state: decodeNode(file.state, view, 'state') as ModuleState,
  };
  if (file.optimizer !== undefined) saved.optimizer = decodeNode(file.optimizer, view, 'optimizer') as OptimizerState;
  return saved;
}
