/**
 * importOnnx on small models written here with the ONNX schema (onnx-proto):
 * MatMul + Add, Softmax, Reshape, and every refusal (one line naming the node or field).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// protobufjs's Long before onnx-proto loads (see src/protobuf-long.ts)
import '../src/protobuf-long.js';
import onnxProto from 'onnx-proto';
import { FloatingPointRPUConfig } from '@crossbar/core';
import { importOnnx, OnnxImportError } from '../src/index.js';
import './helpers/engines.js';
import { maxAbsDiff, uniform } from './helpers/data.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function tensor(name: string, dims: number[], values: ArrayLike<number>, dataType = FLOAT): onnxProto.onnx.ITensorProto {
  return dataType === FLOAT ? { name, dims, dataType, floatData: Array.from(values) } : { name, dims, dataType, int64Data: Array.from(values) };
}

interface Spec {
  nodes: onnxProto.onnx.INodeProto[];
  inits?: onnxProto.onnx.ITensorProto[];
  input?: Array<number | string>;
  output?: string;
  opset?: number;
}

function model({ nodes, inits = [], input = ['N', 4], output, opset = 13 }: Spec): Uint8Array {
  const dim = (d: number | string): onnxProto.onnx.TensorShapeProto.IDimension => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const out = output ?? nodes[nodes.length - 1]!.output![0]!;
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'crossbar-test',
    graph: {
      name: 'g',
      node: nodes,
      initializer: inits,
      input: [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: input.map(dim) } } } }],
      output: [{ name: out, type: { tensorType: { elemType: FLOAT } } }],
    },
  }).finish();
}

const rpuConfig = new FloatingPointRPUConfig();
const W = uniform(12, 1); // [4 × 3] for MatMul
const b = uniform(3, 2);

const mlp = (): Uint8Array =>
  model({
    nodes: [
      { opType: 'MatMul', name: 'mm', input: ['x', 'W'], output: ['h'] },
      { opType: 'Add', name: 'add', input: ['h', 'b'], output: ['z'] },
      { opType: 'Softmax', name: 'sm', input: ['z'], output: ['y'], attribute: [{ name: 'axis', i: -1, type: onnx.AttributeProto.AttributeType.INT }] },
    ],
    inits: [tensor('W', [4, 3], W), tensor('b', [3], b)],
  });

describe('importOnnx', () => {
  it('MatMul + Add becomes one linear layer with a bias, then Softmax', async () => {
    const { model: m, inputShape, outputShape } = await importOnnx(mlp(), { rpuConfig, engine: 'ndarray', mapped: false });
    expect(m.children().map((c) => c.type)).toEqual(['AnalogLinear', 'Softmax']);
    expect([inputShape, outputShape]).toEqual([[4], [3]]);
    const x = uniform(8, 3);
    const want = new Float64Array(6);
    for (let r = 0; r < 2; r++) {
      const z = [0, 1, 2].map((o) => b[o]! + [0, 1, 2, 3].reduce((s, i) => s + x[r * 4 + i]! * W[i * 3 + o]!, 0));
      const e = z.map(Math.exp);
      const sum = e.reduce((p, q) => p + q, 0);
      e.forEach((v, o) => (want[r * 3 + o] = v / sum));
    }
    expect(maxAbsDiff(await m.forward(x, 2), want)).toBeLessThan(1e-6);
    await m.dispose();
  });

  it('Reshape to [batch, features] becomes Flatten', async () => {
    const bytes = model({
      input: ['N', 2, 2],
      nodes: [
        { opType: 'Reshape', name: 'flat', input: ['x', 'shape'], output: ['f'] },
        { opType: 'Gemm', name: 'fc', input: ['f', 'Wt'], output: ['y'], attribute: [{ name: 'transB', i: 1, type: onnx.AttributeProto.AttributeType.INT }] },
      ],
      inits: [tensor('shape', [2], [-1, 4], INT64), tensor('Wt', [3, 4], W)],
    });
    const { model: m } = await importOnnx(bytes, { rpuConfig, engine: 'ndarray' });
    expect(m.children().map((c) => c.type)).toEqual(['Flatten', 'AnalogLinearMapped']);
    await m.dispose();
  });

  it('a zero Pad before Conv becomes the convolution’s padding', async () => {
    const K = uniform(2 * 1 * 3 * 3, 7);
    const padded = model({
      input: ['N', 1, 4, 4],
      nodes: [
        {
          opType: 'Pad',
          name: 'pad',
          input: ['x', 'pads'],
          output: ['p'],
          attribute: [{ name: 'mode', s: new TextEncoder().encode('constant'), type: onnx.AttributeProto.AttributeType.STRING }],
        },
        { opType: 'Conv', name: 'conv', input: ['p', 'K'], output: ['y'] },
      ],
      inits: [tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1], INT64), tensor('K', [2, 1, 3, 3], K)],
    });
    const direct = model({
      input: ['N', 1, 4, 4],
      nodes: [
        {
          opType: 'Conv',
          name: 'conv',
          input: ['x', 'K'],
          output: ['y'],
          attribute: [{ name: 'pads', ints: [1, 1, 1, 1], type: onnx.AttributeProto.AttributeType.INTS }],
        },
      ],
      inits: [tensor('K', [2, 1, 3, 3], K)],
    });
    const a = await importOnnx(padded, { rpuConfig, engine: 'ndarray' });
    const b = await importOnnx(direct, { rpuConfig, engine: 'ndarray' });
    expect(a.outputShape).toEqual([2, 4, 4]);
    const x = uniform(32, 8);
    expect(Array.from(await a.model.forward(x, 2))).toEqual(Array.from(await b.model.forward(x, 2)));
    await a.model.dispose();
    await b.model.dispose();
    const trailing = model({
      input: ['N', 1, 4, 4],
      nodes: [{ opType: 'Pad', name: 'pad', input: ['x', 'pads'], output: ['p'] }],
      inits: [tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1], INT64)],
    });
    await expect(importOnnx(trailing, { rpuConfig, engine: 'ndarray' })).rejects.toThrow(
      /node 0 "pad" \(Pad\): a Pad is supported only before Conv or AveragePool, it ends the graph/,
    );
  });

  const refusals: Array<[string, () => Uint8Array, RegExp]> = [
    ['an empty file', () => new Uint8Array(0), /the file is empty, not an ONNX model/],
    ['bytes that are not protobuf', () => new TextEncoder().encode('this is not an onnx file at all, just text'), /not an ONNX model/],
    ['a truncated file', () => mlp().subarray(0, 60), /not an ONNX model, or a truncated one|not an ONNX model/],
    ['an unsupported opset', () => model({ ...specOf(), opset: 7 }), /opset_import version 7 of the default domain is not supported \(supported: 9 to 21\)/],
    [
      'an unsupported operator, named with its node',
      () => model({ nodes: [{ opType: 'LSTM', name: 'rnn0', input: ['x'], output: ['y'] }] }),
      /node 0 "rnn0" \(LSTM\): operator LSTM is not supported/,
    ],
    [
      'weights that do not match the input',
      () => model({ nodes: [{ opType: 'MatMul', name: 'mm', input: ['x', 'W'], output: ['y'] }], inits: [tensor('W', [3, 4], W)] }),
      /node 0 "mm" \(MatMul\): B \[3, 4\] takes 3 features, the input has 4/,
    ],
    [
      'a conv whose channels do not match the data',
      () =>
        model({
          input: ['N', 2, 5, 5],
          nodes: [{ opType: 'Conv', name: 'c1', input: ['x', 'K'], output: ['y'] }],
          inits: [tensor('K', [1, 3, 2, 2], new Array(12).fill(0.1))],
        }),
      /node 0 "c1" \(Conv\): W \[1, 3, 2, 2\] takes 3 channels, the input has 2/,
    ],
    [
      'grouped convolutions',
      () =>
        model({
          input: ['N', 2, 5, 5],
          nodes: [{ opType: 'Conv', name: 'dw', input: ['x', 'K'], output: ['y'], attribute: [{ name: 'group', i: 2, type: onnx.AttributeProto.AttributeType.INT }] }],
          inits: [tensor('K', [2, 1, 2, 2], new Array(8).fill(0.1))],
        }),
      /node 0 "dw" \(Conv\): group = 2 is not supported, only 1/,
    ],
    [
      'a graph that is not a chain',
      () =>
        model({
          nodes: [
            { opType: 'Relu', name: 'r', input: ['x'], output: ['a'] },
            { opType: 'Relu', name: 'r2', input: ['x'], output: ['y'] },
          ],
        }),
      /node 1 "r2" \(Relu\): reads "x", not the previous operator's output "a"/,
    ],
    [
      'a weight tensor whose data does not fit its dims',
      () => model({ nodes: [{ opType: 'MatMul', name: 'mm', input: ['x', 'W'], output: ['y'] }], inits: [tensor('W', [4, 3], [1, 2])] }),
      /node 0 "mm" \(MatMul\): tensor "W" has 2 values, its dims \[4, 3\] need 12/,
    ],
    ['an input without a per-sample shape', () => model({ ...specOf(), input: ['N', 'F'] }), /graph input "x" has no fixed per-sample shape.*give options.inputShape/],
  ];
  for (const [what, bytes, message] of refusals) {
    it(`refuses ${what} with one clear line`, async () => {
      const p = importOnnx(bytes(), { rpuConfig, engine: 'ndarray' });
      await expect(p).rejects.toThrow(OnnxImportError);
      await expect(p).rejects.toThrow(message);
      const e = await p.catch((err: Error) => err);
      expect((e as Error).message.split('\n')).toHaveLength(1);
    });
  }

  it('refuses a non-Uint8Array and a missing rpuConfig', async () => {
    await expect(importOnnx('x' as never, { rpuConfig })).rejects.toThrow(/bytes must be a Uint8Array/);
    await expect(importOnnx(mlp(), {} as never)).rejects.toThrow(/rpuConfig must be a FloatingPointRPUConfig/);
  });

  it('refuses every truncation of the LeNet fixture', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/lenet.onnx', import.meta.url)));
    for (const n of [1, 10, 100, 1000, 50_000, bytes.length - 1]) {
      await expect(importOnnx(bytes.subarray(0, n), { rpuConfig, engine: 'ndarray' }), `first ${n} bytes`).rejects.toThrow(OnnxImportError);
    }
  });
});

function specOf(): Spec {
  return {
    nodes: [{ opType: 'MatMul', name: 'mm', input: ['x', 'W'], output: ['y'] }],
    inits: [tensor('W', [4, 3], W)],
  };
}
