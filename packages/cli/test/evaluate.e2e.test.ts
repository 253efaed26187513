/**
 * End-to-end tests of `crossbar evaluate` (an ONNX model on analog hardware
 * over drift) and `crossbar demo --model cnn`, run as separate processes
 * against the built dist.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_ROOT, crossbar, distProblem, lines, tempDir } from './helpers/spawn.js';

beforeAll(() => {
  const problem = distProblem();
  if (problem) throw new Error(problem);
});

/** The LeNet fixture of @crossbar/modules (trained and exported by PyTorch). */
const LENET = join(CLI_ROOT, '..', 'modules', 'test', 'fixtures', 'lenet.onnx');

function expectOneLineError(r: { code: number | null; stderr: string }, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const errLines = lines(r.stderr);
  expect(errLines, r.stderr).toHaveLength(1);
  expect(errLines[0]).toMatch(/^error: /);
  expect(errLines[0]).toMatch(pattern);
}

/** A data file in the documented format: the first `n` digits of each class of the mnist package. */
function digitsFile(dir: string, perClass: number): string {
  const mnist = createRequire(join(CLI_ROOT, 'package.json'))('mnist') as Array<{ get(i: number): number[] }>;
  const inputs: number[][] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    for (let i = 0; i < perClass; i++) {
      inputs.push(mnist[d]!.get(i));
      labels.push(d);
    }
  }
  const file = join(dir, 'digits.json');
  writeFileSync(file, JSON.stringify({ shape: [1, 28, 28], inputs, labels }));
  return file;
}

describe('crossbar evaluate', () => {
  it('imports the PyTorch LeNet, programs it on PCM and reports accuracy vs drift: table, JSON report and SVG', () => {
    const dir = tempDir();
    const data = digitsFile(dir, 4);
    const r = crossbar(['evaluate', LENET, '--preset', 'pcm', '--drift', '1s,1d,1y', '--data', data, '--engine', 'ndarray', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/lenet\.onnx \(\[1, 28, 28\] → \[10\], 5 analog tiles: AnalogConv2dMapped, ReLU, MaxPool2d, BatchNorm2d/);
    expect(r.stdout).toMatch(/^digital \(ideal config\)\s+\d+\.\d\d %/m);
    for (const t of ['1 s', '1 day', '1 year']) expect(r.stdout).toMatch(new RegExp(`^${t}\\s+\\d+\\.\\d\\d %\\s+\\d+\\.\\d\\d %\\s+\\d\\.\\d{3}`, 'm'));
    const report = JSON.parse(readFileSync(join(dir, 'evaluate-output', 'report.json'), 'utf8')) as {
      format: string;
      data: { count: number };
      hardware: { preset: string; rpuConfig: { type: string } };
      digitalAccuracy: number;
      points: { t: number; compensationScale: number }[];
    };
    expect(report.format).toBe('crossbar-evaluate-report@1');
    expect(report.data.count).toBe(40);
    expect(report.hardware).toMatchObject({ preset: 'pcm', rpuConfig: { type: 'InferenceRPUConfig' } });
    expect(report.points.map((p) => p.t)).toEqual([1, 86400, 365 * 86400]);
    expect(report.points[2]!.compensationScale).toBeGreaterThan(report.points[0]!.compensationScale);
    // The trained network classifies the first digits of each class well in digital.
    expect(report.digitalAccuracy).toBeGreaterThan(0.9);
    const svg = readFileSync(join(dir, 'evaluate-output', 'accuracy-vs-time.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('>1 year<');
  });

  it('--preset ideal keeps the digital accuracy at every time; --json prints the report', () => {
    const dir = tempDir();
    const data = digitsFile(dir, 2);
    const r = crossbar(['evaluate', LENET, '--preset', 'ideal', '--drift', '1h', '--data', data, '--engine', 'ndarray', '--json', '--out', 'o'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { digitalAccuracy: number; beforeProgramming: number; points: { compensated: { mean: number } }[] };
    expect(rep.beforeProgramming).toBe(rep.digitalAccuracy);
    expect(rep.points[0]!.compensated.mean).toBe(rep.digitalAccuracy);
  });

  it('errors: a missing file, bytes that are not ONNX, bad --drift, data that does not fit the model, an unknown preset', () => {
    const dir = tempDir();
    expectOneLineError(crossbar(['evaluate', 'none.onnx', '--engine', 'ndarray'], { cwd: dir }), 2, /none\.onnx: no such file/);
    writeFileSync(join(dir, 'text.onnx'), 'not a model at all');
    expectOneLineError(
      crossbar(['evaluate', 'text.onnx', '--engine', 'ndarray', '--quiet', '--data', digitsFile(dir, 1)], { cwd: dir }),
      2,
      /OnnxImportError: importOnnx: not an ONNX model/,
    );
    expectOneLineError(crossbar(['evaluate', LENET, '--drift', '1s,soon'], { cwd: dir }), 2, /--drift.*"soon" is not a time > 0/);
    writeFileSync(join(dir, 'small.json'), JSON.stringify({ inputs: [[1, 2, 3]], labels: [0] }));
    expectOneLineError(
      crossbar(['evaluate', LENET, '--engine', 'ndarray', '--quiet', '--data', 'small.json'], { cwd: dir }),
      2,
      /the model takes \[1, 28, 28\] \(784 values\) per sample, the data has 3/,
    );
    expectOneLineError(crossbar(['evaluate', LENET, '--preset', 'rram'], { cwd: dir }), 2, /--preset.*Allowed choices are pcm, pcm-perfect-io, ideal/);
  });
});

describe('crossbar demo --model cnn', () => {
  it('trains the CNN hardware-aware and evaluates it over drift', () => {
    const dir = tempDir();
    const r = crossbar(
      [
        'demo',
        '--model',
        'cnn',
        '--engine',
        'ndarray',
        '--epochs',
        '1',
        '--train-size',
        '200',
        '--test-size',
        '100',
        '--hidden',
        '16',
        '--times',
        '1,86400',
        '--quiet',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      model: { kind: string; description: string; layerTypes: string[]; tiles: number; parameters: number };
      training: { history: { loss: number }[] };
      inference: { points: unknown[] };
    };
    expect(rep.model).toMatchObject({
      kind: 'cnn',
      description: 'conv5x5(4)-maxpool2-conv5x5(8)-maxpool2-128-16-10',
      layerTypes: ['AnalogConv2dMapped', 'AnalogConv2dMapped', 'AnalogLinearMapped', 'AnalogLinearMapped'],
      tiles: 4,
      // (1·25 + 1)·4 + (4·25 + 1)·8 + (128 + 1)·16 + (16 + 1)·10
      parameters: 104 + 808 + 2064 + 170,
    });
    expect(rep.training.history).toHaveLength(1);
    expect(Number.isFinite(rep.training.history[0]!.loss)).toBe(true);
    expect(rep.inference.points).toHaveLength(2);
  });
});
