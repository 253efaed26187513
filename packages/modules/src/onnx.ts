/**
 * importOnnx: a trained MLP or CNN from an ONNX file (every major framework
 * exports one; PyTorch's torch.onnx.export, tf2onnx, ...) as an
 * AnalogSequential whose Gemm / MatMul(+Add) / Conv layers run on analog tiles
 * with the given RPU config, holding the trained weights, and whose other
 * operators become the digital layers of this package. The file is read with
 * the ONNX protobuf schema (the onnx-proto package); the graph must be a chain
 * (each operator reads the previous one's output), as a Sequential model is.
 */
import { CrossbarError, InputError, RPU_CONFIG_CLASSES, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import './protobuf-long.js';
import onnxProto from 'onnx-proto';
import { Flatten, ReLU, Sigmoid, Softmax, Tanh } from './activations.js';
import { AnalogConv1d, AnalogConv1dMapped, AnalogConv2d, AnalogConv2dMapped } from './conv.js';
import { OnnxImportError } from './errors.js';
import { AvgPool2d, BatchNorm2d, Dropout, LogSoftmax, MaxPool2d } from './layers.js';
import { AnalogLinear, AnalogLinearMapped } from './linear.js';
import type { Module } from './module.js';
import { AnalogSequential } from './sequential.js';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IAttribute = onnxProto.onnx.IAttributeProto;
type Int = number | { toNumber(): number };

/** The opsets of the default ONNX domain this importer knows the semantics of. */
export const ONNX_OPSETS = { min: 9, max: 21 } as const;

/** The operators importOnnx turns into layers. */
export const ONNX_OPERATORS = [
  'Gemm',
  'MatMul',
  'Add (after MatMul)',
  'Conv',
  'Relu',
  'Tanh',
  'Sigmoid',
  'MaxPool',
  'AveragePool',
  'Flatten',
  'Reshape (to [batch, features])',
  'BatchNormalization',
  'Softmax',
  'LogSoftmax',
  'Dropout',
  'Pad (zeros, before Conv or AveragePool)',
  'Identity',
  'Constant',
] as const;

/** importOnnx's options. */
export interface ImportOnnxOptions {
  /** The analog layers' config (FloatingPointRPUConfig for an ideal, digital-equivalent model). */
  rpuConfig: RPUConfig;
  /** Engine of the analog tiles (default: the registry's default). */
  engine?: string | AnalogTileBackend;
  /** Mapped layers (AnalogLinearMapped, AnalogConv2dMapped); default: what rpuConfig.getLinear() asks for. */
  mapped?: boolean;
  /**
   * The shape of one input sample ([channels, height, width], [channels, length]
   * or [features]) when the file leaves more than the batch axis symbolic.
   */
  inputShape?: number[];
}

/** What importOnnx returns: the model and its input and output shapes. */
export interface ImportedOnnx {
  /** The imported model (in eval mode). */
  model: AnalogSequential;
  /** The shape of one input sample. */
  inputShape: number[];
  /** The shape of one output sample. */
  outputShape: number[];
  /** Graph input and output names. */
  inputName: string;
  outputName: string;
}

function toInt(v: Int | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function describeNode(node: INode, index: number): string {
  return `node ${index} "${node.name || node.output?.[0] || '?'}" (${node.opType})`;
}

/** Reads a float (or int64, for shapes) initializer as numbers. */
function tensorValues(t: ITensor, where: string): { dims: number[]; values: Float32Array | number[] } {
  const dims = (t.dims ?? []).map((d) => toInt(d as Int));
  const count = dims.reduce((a, b) => a * b, 1);
  const type = t.dataType ?? 0;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new OnnxImportError(`${where}: tensor "${t.name}" keeps its data in an external file, which is not supported`);
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  if (type === onnx.TensorProto.DataType.FLOAT) {
    let values: Float32Array;
    if (raw) {
      if (raw.length !== count * 4) throw new OnnxImportError(`${where}: tensor "${t.name}" has ${raw.length} bytes, its dims [${dims.join(', ')}] need ${count * 4}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(4 * i, true);
    } else {
      values = Float32Array.from(t.floatData ?? []);
      if (values.length !== count) throw new OnnxImportError(`${where}: tensor "${t.name}" has ${values.length} values, its dims [${dims.join(', ')}] need ${count}`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) throw new OnnxImportError(`${where}: tensor "${t.name}" has a non-finite value at ${i}`);
    }
    return { dims, values };
  }
  if (type === onnx.TensorProto.DataType.INT64) {
    let values: number[];
    if (raw) {
      if (raw.length !== count * 8) throw new OnnxImportError(`${where}: tensor "${t.name}" has ${raw.length} bytes, its dims [${dims.join(', ')}] need ${count * 8}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = Array.from({ length: count }, (_, i) => Number(view.getBigInt64(8 * i, true)));
    } else {
      values = (t.int64Data ?? []).map((v) => toInt(v as Int));
      if (values.length !== count) throw new OnnxImportError(`${where}: tensor "${t.name}" has ${values.length} values, its dims need ${count}`);
    }
    return { dims, values };
  }
  throw new OnnxImportError(`${where}: tensor "${t.name}" has data type ${onnx.TensorProto.DataType[type] ?? type}; only FLOAT (and INT64 shapes) are supported`);
}

class Attributes {
  private readonly map = new Map<string, IAttribute>();
  constructor(
    node: INode,
    private readonly where: string,
  ) {
    for (const a of node.attribute ?? []) if (a.name) this.map.set(a.name, a);
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  int(name: string, fallback: number): number {
    const a = this.map.get(name);
    return a ? toInt(a.i as Int) : fallback;
  }
  float(name: string, fallback: number): number {
    const a = this.map.get(name);
    return a ? (a.f ?? 0) : fallback;
  }
  ints(name: string, fallback: number[] | null): number[] | null {
    const a = this.map.get(name);
    return a ? (a.ints ?? []).map((v) => toInt(v as Int)) : fallback;
  }
  string(name: string, fallback: string): string {
    const a = this.map.get(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }
  /** Refuses attributes this importer does not read (so none is silently ignored). */
  only(names: readonly string[]): void {
    for (const k of this.map.keys()) {
      if (!names.includes(k)) throw new OnnxImportError(`${this.where}: attribute "${k}" is not supported`);
    }
  }
}

/** Decodes the bytes and checks what every model needs: a graph, the default-domain opset. */
function decodeModel(bytes: Uint8Array): { graph: onnxProto.onnx.IGraphProto; opset: number } {
  if (!(bytes instanceof Uint8Array)) throw new InputError('importOnnx: bytes must be a Uint8Array (the contents of an .onnx file)');
  if (bytes.length === 0) throw new OnnxImportError('importOnnx: the file is empty, not an ONNX model');
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxImportError(`importOnnx: not an ONNX model, or a truncated one: the protobuf does not decode (${(e as Error).message})`);
  }
  const ir = toInt(model.irVersion as Int);
  if (!(ir >= 3) || !model.graph || (model.opsetImport ?? []).length === 0) {
    throw new OnnxImportError(
      `importOnnx: not an ONNX model: ${!model.graph ? 'no graph' : !(ir >= 3) ? `ir_version ${ir}` : 'no opset_import'} (the bytes decode, but not as an ONNX ModelProto)`,
    );
  }
  const def = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = def ? toInt(def.version as Int) : 0;
  if (opset < ONNX_OPSETS.min || opset > ONNX_OPSETS.max) {
    throw new OnnxImportError(`importOnnx: opset_import version ${opset} of the default domain is not supported (supported: ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max})`);
  }
  return { graph: model.graph, opset };
}

function tensorShape(v: onnxProto.onnx.IValueInfoProto): Array<number | null> | null {
  const dims = v.type?.tensorType?.shape?.dim;
  if (!dims) return null;
  return dims.map((d) => (d.dimValue !== null && d.dimValue !== undefined && toInt(d.dimValue as Int) > 0 ? toInt(d.dimValue as Int) : null));
}

/**
 * Reads an ONNX model into an AnalogSequential (in eval mode: call train() to
 * fine-tune it). Analog layers get `options.rpuConfig`; weights keep their
 * trained values (through the config's weight scaling). Refuses, with one
 * line naming the node or field: bytes that are not an ONNX model or are
 * truncated, an opset outside 9–21, operators other than ONNX_OPERATORS,
 * graphs that are not a chain, and shapes that do not match the data.
 */
export async function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions): Promise<ImportedOnnx> {
  if (options === null || typeof options !== 'object') throw new InputError('importOnnx: options with rpuConfig are required');
  const { rpuConfig } = options;
  if (!RPU_CONFIG_CLASSES.some((C) => rpuConfig instanceof C)) {
    throw new InputError('importOnnx: options.rpuConfig must be a FloatingPointRPUConfig, SingleRPUConfig or InferenceRPUConfig');
  }
  const mapped = options.mapped ?? rpuConfig.getLinear() === 'AnalogLinearMapped';
  const { graph, opset } = decodeModel(bytes);

  const inits = new Map<string, ITensor>();
  for (const t of graph.initializer ?? []) if (t.name) inits.set(t.name, t);
  const inputs = (graph.input ?? []).filter((v) => v.name && !inits.has(v.name));
  if (inputs.length !== 1) {
    throw new OnnxImportError(`importOnnx: the graph has ${inputs.length} data inputs (${inputs.map((v) => v.name).join(', ')}); one is supported`);
  }
  const input = inputs[0]!;
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) throw new OnnxImportError(`importOnnx: the graph has ${outputs.length} outputs; one is supported`);

  let shape: number[];
  const declared = tensorShape(input);
  if (options.inputShape !== undefined) {
    if (!Array.isArray(options.inputShape) || options.inputShape.length === 0 || !options.inputShape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new InputError('importOnnx: options.inputShape must be a non-empty list of positive integers');
    }
    shape = [...options.inputShape];
    if (declared && (declared.length !== shape.length + 1 || declared.slice(1).some((d, i) => d !== null && d !== shape[i]))) {
      throw new OnnxImportError(
        `importOnnx: options.inputShape [${shape.join(', ')}] does not match the graph input "${input.name}" [${declared.map((d) => d ?? '?').join(', ')}]`,
      );
    }
  } else {
    if (!declared || declared.length < 2 || declared.slice(1).some((d) => d === null)) {
      throw new OnnxImportError(`importOnnx: the graph input "${input.name}" has no fixed per-sample shape ([batch, ...] with known sizes); give options.inputShape`);
    }
    shape = declared.slice(1) as number[];
  }
  if (shape.length > 3) throw new OnnxImportError(`importOnnx: the input "${input.name}" has ${shape.length + 1} dimensions; at most 4 (NCHW) are supported`);
  const inputShape = [...shape];

  const constants = new Map<string, ITensor>();
  const layers: Module[] = [];
  let current = input.name!;
  const nodes = graph.node ?? [];
  /** Spatial zero padding of a Pad node, folded into the Conv or AveragePool that reads it. */
  let pendingPad: { pads: number[]; node: string } | null = null;
  try {
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n]!;
      const op = node.opType ?? '';
      const where = `importOnnx: ${describeNode(node, n)}`;
      if (node.domain && node.domain !== 'ai.onnx') throw new OnnxImportError(`${where}: operator domain "${node.domain}" is not supported`);
      const ins = node.input ?? [];
      const outs = node.output ?? [];
      const attrs = new Attributes(node, where);
      const param = (i: number, what: string): { dims: number[]; values: Float32Array | number[] } => {
        const name = ins[i];
        const t = name ? (inits.get(name) ?? constants.get(name)) : undefined;
        if (!t) throw new OnnxImportError(`${where}: input ${i} (${what}) must be an initializer or Constant, "${name ?? ''}" is not`);
        return tensorValues(t, where);
      };
      const floats = (i: number, what: string): { dims: number[]; values: Float32Array } => {
        const t = param(i, what);
        if (!(t.values instanceof Float32Array)) throw new OnnxImportError(`${where}: ${what} must be a FLOAT tensor`);
        return t as { dims: number[]; values: Float32Array };
      };
      if (op === 'Constant') {
        attrs.only(['value']);
        const a = (node.attribute ?? []).find((x) => x.name === 'value');
        if (!a?.t || !outs[0]) throw new OnnxImportError(`${where}: only a tensor "value" is supported`);
        constants.set(outs[0], { ...a.t, name: outs[0] });
        continue;
      }
      if (ins[0] !== current) {
        throw new OnnxImportError(
          `${where}: reads "${ins[0] ?? ''}", not the previous operator's output "${current}"; only chains of operators (Sequential models) are supported`,
        );
      }
      const features = shape.reduce((a, b) => a * b, 1);
      const next = (layer: Module | null, outShape: number[], out = outs[0]): void => {
        if (layer) layers.push(layer);
        shape = outShape;
        current = out!;
      };
      /** The node's pads plus a preceding Pad node's (which then counts as used). */
      const addPending = (pads: number[]): number[] => {
        if (!pendingPad) return pads;
        const sum = pads.map((v, i) => v + (pendingPad!.pads[i] ?? 0));
        pendingPad = null;
        return sum;
      };
      const extraOutputs = (count: number): void => {
        if (outs.slice(count).some((o) => o !== '')) throw new OnnxImportError(`${where}: only its first ${count === 1 ? 'output' : `${count} outputs`} may be used`);
      };
      if (pendingPad && op !== 'Conv' && op !== 'AveragePool') {
        throw new OnnxImportError(`importOnnx: ${pendingPad.node}: a Pad is supported only before Conv or AveragePool, it is followed by ${op}`);
      }
      try {
        switch (op) {
          case 'Pad': {
            attrs.only(['mode']);
            const mode = attrs.string('mode', 'constant');
            if (mode !== 'constant') throw new OnnxImportError(`${where}: mode "${mode}" is not supported, only constant zeros`);
            if (ins[2] && param(2, 'constant_value').values.some((v) => v !== 0)) throw new OnnxImportError(`${where}: only a constant value of 0 is supported`);
            if (ins[3]) throw new OnnxImportError(`${where}: the axes input is not supported`);
            const pads = opset >= 11 ? Array.from(param(1, 'pads').values) : attrs.ints('pads', [])!;
            const rank = shape.length + 1;
            if (pads.length !== 2 * rank) throw new OnnxImportError(`${where}: pads must have ${2 * rank} values for a rank-${rank} input, got ${pads.length}`);
            if (pads[0] !== 0 || pads[1] !== 0 || pads[rank] !== 0 || pads[rank + 1] !== 0) {
              throw new OnnxImportError(`${where}: padding the batch or channel axis is not supported`);
            }
            const spatial = [...pads.slice(2, rank), ...pads.slice(rank + 2)];
            if (spatial.some((v) => v < 0)) throw new OnnxImportError(`${where}: negative pads (cropping) are not supported`);
            if (spatial.some((v) => v !== 0)) pendingPad = { pads: spatial, node: describeNode(node, n) };
            next(null, shape);
            break;
          }
          case 'Identity':
            next(null, shape);
            break;
          case 'Relu':
          case 'Tanh':
          case 'Sigmoid':
            attrs.only([]);
            next(op === 'Relu' ? new ReLU() : op === 'Tanh' ? new Tanh() : new Sigmoid(), shape);
            break;
          case 'Dropout': {
            attrs.only(['ratio', 'seed']);
            extraOutputs(1);
            const ratio = ins[1] ? Number(param(1, 'ratio').values[0]) : attrs.float('ratio', 0.5);
            if (ins[2]) throw new OnnxImportError(`${where}: the training_mode input is not supported`);
            next(new Dropout(ratio), shape);
            break;
          }
          case 'Softmax':
          case 'LogSoftmax': {
            attrs.only(['axis']);
            const axis = attrs.int('axis', opset >= 13 ? -1 : 1);
            const rank = shape.length + 1;
            const last = axis === -1 || axis === rank - 1;
            // Before opset 13 the input is coerced to 2-d at `axis`: axis 1 is the whole sample.
            if (!(shape.length === 1 ? last || axis === 1 : opset < 13 && axis === 1)) {
              throw new OnnxImportError(`${where}: axis ${axis} over a [batch, ${shape.join(', ')}] tensor is not supported: only over all features of a sample`);
            }
            next(op === 'Softmax' ? new Softmax() : new LogSoftmax(), [features]);
            break;
          }
          case 'Flatten': {
            attrs.only(['axis']);
            const axis = attrs.int('axis', 1);
            if (axis !== 1) throw new OnnxImportError(`${where}: axis ${axis} is not supported, only 1 (flatten each sample)`);
            next(new Flatten(shape), [features]);
            break;
          }
          case 'Reshape': {
            attrs.only(['allowzero']);
            const target = param(1, 'shape').values;
            const t = Array.from(target);
            const ok = t.length === 2 && (t[0] === -1 || t[0] === 0) && (t[1] === features || (t[1] === -1 && t[0] !== -1));
            const okBatch = t.length === 2 && t[0]! > 0 && t[1] === features;
            if (!ok && !okBatch) {
              throw new OnnxImportError(
                `${where}: shape [${t.join(', ')}] of a [batch, ${shape.join(', ')}] tensor is not supported, only [batch, ${features}] (flatten)`,
              );
            }
            next(new Flatten(shape), [features]);
            break;
          }
          case 'Gemm':
          case 'MatMul': {
            if (shape.length !== 1)
              throw new OnnxImportError(`${where}: the input is [batch, ${shape.join(', ')}]; a fully connected layer needs [batch, features] (Flatten first)`);
            let weight: Float32Array;
            let out: number;
            let bias: Float32Array | null = null;
            const B = floats(1, 'B');
            if (B.dims.length !== 2) throw new OnnxImportError(`${where}: B must be 2-d, it has dims [${B.dims.join(', ')}]`);
            let outName = outs[0]!;
            if (op === 'Gemm') {
              attrs.only(['alpha', 'beta', 'transA', 'transB']);
              if (attrs.int('transA', 0) !== 0) throw new OnnxImportError(`${where}: transA = 1 is not supported`);
              const transB = attrs.int('transB', 0) !== 0;
              const alpha = attrs.float('alpha', 1);
              const beta = attrs.float('beta', 1);
              const [r, c] = B.dims as [number, number];
              const inF = transB ? c : r;
              out = transB ? r : c;
              if (inF !== features) throw new OnnxImportError(`${where}: B [${B.dims.join(', ')}] takes ${inF} features, the input has ${features}`);
              weight = new Float32Array(out * inF);
              for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) weight[o * inF + i] = alpha * (transB ? B.values[o * inF + i]! : B.values[i * out + o]!);
              if (ins[2]) {
                const C = floats(2, 'C');
                if (C.values.length !== out && C.values.length !== 1) {
                  throw new OnnxImportError(`${where}: C [${C.dims.join(', ')}] does not broadcast to the ${out} outputs`);
                }
                bias = new Float32Array(out);
                for (let o = 0; o < out; o++) bias[o] = beta * C.values[C.values.length === 1 ? 0 : o]!;
              }
            } else {
              attrs.only([]);
              const [inF, o2] = B.dims as [number, number];
              out = o2;
              if (inF !== features) throw new OnnxImportError(`${where}: B [${B.dims.join(', ')}] takes ${inF} features, the input has ${features}`);
              weight = new Float32Array(out * inF);
              for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) weight[o * inF + i] = B.values[i * out + o]!;
              // MatMul + Add of a constant vector: a linear layer with a bias.
              const add = nodes[n + 1];
              if (add?.opType === 'Add' && (add.input ?? []).includes(outName)) {
                const other = (add.input ?? []).find((x) => x !== outName);
                const t = other ? (inits.get(other) ?? constants.get(other)) : undefined;
                if (t) {
                  const bv = tensorValues(t, `importOnnx: ${describeNode(add, n + 1)}`);
                  if (!(bv.values instanceof Float32Array) || (bv.values.length !== out && bv.values.length !== 1)) {
                    throw new OnnxImportError(
                      `importOnnx: ${describeNode(add, n + 1)}: the added tensor [${bv.dims.join(', ')}] does not broadcast to the ${out} outputs`,
                    );
                  }
                  bias = new Float32Array(out);
                  for (let o = 0; o < out; o++) bias[o] = bv.values[bv.values.length === 1 ? 0 : o]!;
                  outName = add.output![0]!;
                  n++;
                }
              }
            }
            const Cls = mapped ? AnalogLinearMapped : AnalogLinear;
            const layer = new Cls(features, out, { bias: bias !== null, rpuConfig, engine: options.engine });
            layers.push(layer);
            await layer.setWeights(weight, bias);
            next(null, [out], outName);
            break;
          }
          case 'Conv': {
            attrs.only(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad']);
            const dims = shape.length - 1;
            if (dims !== 1 && dims !== 2) throw new OnnxImportError(`${where}: the input is [batch, ${shape.join(', ')}]; Conv needs [batch, C, L] or [batch, C, H, W]`);
            if (attrs.int('group', 1) !== 1) throw new OnnxImportError(`${where}: group = ${attrs.int('group', 1)} is not supported, only 1 (as aihwkit)`);
            const autoPad = attrs.string('auto_pad', 'NOTSET');
            if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new OnnxImportError(`${where}: auto_pad ${autoPad} is not supported (NOTSET or VALID)`);
            const W = floats(1, 'W');
            if (W.dims.length !== dims + 2) throw new OnnxImportError(`${where}: W has dims [${W.dims.join(', ')}], a ${dims}-d convolution needs ${dims + 2}`);
            const [outC, inC, ...kernel] = W.dims as number[];
            if (inC !== shape[0]) throw new OnnxImportError(`${where}: W [${W.dims.join(', ')}] takes ${inC} channels, the input has ${shape[0]}`);
            const ks = attrs.ints('kernel_shape', null);
            if (ks && ks.join() !== kernel.join()) throw new OnnxImportError(`${where}: kernel_shape [${ks.join(', ')}] does not match W [${W.dims.join(', ')}]`);
            const strides = attrs.ints('strides', new Array<number>(dims).fill(1))!;
            const dil = attrs.ints('dilations', new Array<number>(dims).fill(1))!;
            const pads = autoPad === 'VALID' ? new Array<number>(2 * dims).fill(0) : attrs.ints('pads', new Array<number>(2 * dims).fill(0))!;
            const padding = symmetricPads(where, addPending(pads), dims);
            let bias: Float32Array | null = null;
            if (ins[2]) {
              bias = floats(2, 'B').values;
              if (bias.length !== outC) throw new OnnxImportError(`${where}: B has ${bias.length} values, W has ${outC} output channels`);
            }
            const Cls = dims === 1 ? (mapped ? AnalogConv1dMapped : AnalogConv1d) : mapped ? AnalogConv2dMapped : AnalogConv2d;
            const layer = new Cls(inC!, outC!, kernel, {
              stride: strides,
              padding,
              dilation: dil,
              inputSize: shape.slice(1),
              bias: bias !== null,
              rpuConfig,
              engine: options.engine,
            });
            layers.push(layer);
            await layer.setWeights(W.values, bias);
            next(null, layer.outputShape());
            break;
          }
          case 'MaxPool':
          case 'AveragePool': {
            const isMax = op === 'MaxPool';
            attrs.only(
              isMax
                ? ['kernel_shape', 'strides', 'pads', 'dilations', 'ceil_mode', 'auto_pad', 'storage_order']
                : ['kernel_shape', 'strides', 'pads', 'ceil_mode', 'auto_pad', 'count_include_pad'],
            );
            extraOutputs(1);
            const dims = shape.length - 1;
            if (dims !== 2) throw new OnnxImportError(`${where}: the input is [batch, ${shape.join(', ')}]; only 2-d pooling ([batch, C, H, W]) is supported`);
            const autoPad = attrs.string('auto_pad', 'NOTSET');
            if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new OnnxImportError(`${where}: auto_pad ${autoPad} is not supported (NOTSET or VALID)`);
            const kernel = attrs.ints('kernel_shape', null);
            if (!kernel || kernel.length !== 2) throw new OnnxImportError(`${where}: kernel_shape must have 2 values`);
            const strides = attrs.ints('strides', [1, 1])!;
            const folded = !isMax && pendingPad !== null;
            if (folded && attrs.ints('pads', [0, 0, 0, 0])!.some((v) => v !== 0)) {
              throw new OnnxImportError(`${where}: pads after a Pad node are not supported`);
            }
            const pads = addPending(autoPad === 'VALID' ? [0, 0, 0, 0] : attrs.ints('pads', [0, 0, 0, 0])!);
            const padding = symmetricPads(where, pads, 2);
            const ceilMode = attrs.int('ceil_mode', 0) !== 0;
            const inputShape = [...shape];
            const layer = isMax
              ? new MaxPool2d(kernel, { stride: strides, padding, ceilMode, dilation: attrs.ints('dilations', [1, 1])!, inputShape })
              : new AvgPool2d(kernel, { stride: strides, padding, ceilMode, countIncludePad: folded || attrs.int('count_include_pad', 0) !== 0, inputShape });
            next(layer, layer.outputShape);
            break;
          }
          case 'BatchNormalization': {
            attrs.only(['epsilon', 'momentum', 'training_mode', 'spatial']);
            extraOutputs(1);
            if (attrs.int('training_mode', 0) !== 0) throw new OnnxImportError(`${where}: training_mode = 1 is not supported (export the model in eval mode)`);
            if (attrs.has('spatial') && attrs.int('spatial', 1) !== 1) throw new OnnxImportError(`${where}: spatial = 0 is not supported`);
            const C = shape[0]!;
            const [scale, b, mean, variance] = [1, 2, 3, 4].map((i, k) => floats(i, ['scale', 'B', 'input_mean', 'input_var'][k]!).values);
            for (const [name, v] of [
              ['scale', scale],
              ['B', b],
              ['input_mean', mean],
              ['input_var', variance],
            ] as const) {
              if (v!.length !== C) throw new OnnxImportError(`${where}: ${name} has ${v!.length} values, the input has ${C} channels`);
            }
            const momentum = attrs.float('momentum', 0.9);
            // ONNX's momentum weighs the old running value (torch's is 1 − it).
            const layer = new BatchNorm2d(C, { eps: attrs.float('epsilon', 1e-5), momentum: Math.min(1, Math.max(0, 1 - momentum)) });
            layer.setStatistics({ weight: scale, bias: b, runningMean: mean, runningVar: variance });
            next(layer, shape);
            break;
          }
          default:
            throw new OnnxImportError(`${where}: operator ${op} is not supported (supported: ${ONNX_OPERATORS.join(', ')})`);
        }
      } catch (e) {
        // A layer's own refusal (a size it cannot take), named with the node it came from.
        if (e instanceof OnnxImportError || !(e instanceof CrossbarError)) throw e;
        throw new OnnxImportError(`${where}: ${e.message}`);
      }
    }
    if (pendingPad)
      throw new OnnxImportError(`importOnnx: ${(pendingPad as { node: string }).node}: a Pad is supported only before Conv or AveragePool, it ends the graph`);
    const outName = outputs[0]!.name;
    if (current !== outName) {
      throw new OnnxImportError(`importOnnx: the graph output "${outName}" is not the end of the operator chain ("${current}")`);
    }
  } catch (e) {
    for (const l of layers) await l.dispose();
    throw e;
  }
  if (layers.length === 0) throw new OnnxImportError('importOnnx: the graph has no layers');
  const model = new AnalogSequential(...layers).eval();
  return { model, inputShape, outputShape: shape, inputName: input.name!, outputName: current };
}

/** ONNX pads [begin..., end...] → one padding per axis (begin must equal end, as torch's). */
function symmetricPads(where: string, pads: number[], dims: number): number[] {
  if (pads.length !== 2 * dims) throw new OnnxImportError(`${where}: pads must have ${2 * dims} values, got ${pads.length}`);
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    if (pads[i] !== pads[i + dims]) throw new OnnxImportError(`${where}: asymmetric pads [${pads.join(', ')}] are not supported`);
    out.push(pads[i]!);
  }
  return out;
}
