/**
 * The drift view's computation, without the page: a small analog MLP
 * (64-hidden-10, ReLU) trained hardware-aware on noisy digit glyphs with an
 * InferenceRPUConfig, then programmed onto PCM devices and evaluated at times
 * after programming, with global drift compensation and, on a twin whose
 * config has drift_compensation None, without (as the crossbar demo does).
 * The page shows what this returns; the Node test recomputes it with the same
 * seed and compares.
 */
import { CrossbarError, GlobalDriftCompensation, InferenceRPUConfig, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import {
  AnalogSequential,
  decodeModel,
  MODEL_FILE_FORMAT,
  MODEL_FORMAT,
  AnalogSGD,
  classificationAccuracy,
  driftAccuracy,
  LambdaLR,
  ReLU,
  getLinear,
  loadModel,
  manualSeed,
  saveModel,
  trainClassifierEpoch,
  type AccuracyStats,
  type DriftAccuracyPoint,
  type Module,
  type SavedModel,
} from '@crossbar/modules';
import { epochOrder, GLYPH_CLASSES, GLYPH_PIXELS, glyphSet, type GlyphSet } from './data.js';
import { SettingError, type DriftSettings } from './settings.js';
import { isPlain } from './state.js';

/** Progress of a long computation: what it does and how far (0 … 1). */
export type Progress = (message: string, fraction: number) => void;

export interface RunControl {
  progress?: Progress;
  /** Checked between batches: true stops the computation with a Cancelled error. */
  cancelled?: () => boolean;
}

/** Thrown when RunControl.cancelled() says so (a newer request replaced this one). */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** The drift view's model config: the current RPU config, which must be an InferenceRPUConfig. */
export function inferenceConfigOf(rpuConfig: RPUConfig): InferenceRPUConfig {
  if (!(rpuConfig instanceof InferenceRPUConfig)) {
    throw new SettingError(
      'rpuConfig',
      `The drift view needs an InferenceRPUConfig (PCM programming, drift and read noise); the current config is a ${rpuConfig.constructor.name}. ` +
        'Load an InferenceRPUConfig dict, or use the tile view with this one.',
    );
  }
  return rpuConfig;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
}

export interface TrainedModel {
  /** The trained model (saveModel's JSON form: architecture, configs as aihwkit dicts, weights). */
  saved: SavedModel;
  history: EpochRecord[];
  /** Test accuracy in evaluation mode before programming. */
  beforeProgramming: number;
  seconds: number;
}

/** Mean, sample std (0 with one) and values over the repeats. */
export type { AccuracyStats };

/** One time after programming: accuracy with and without compensation, and the mean compensation factor of the tiles. */
export type DriftPoint = DriftAccuracyPoint;

export interface DriftCurves {
  beforeProgramming: number;
  points: DriftPoint[];
  seconds: number;
}

/** The glyph sets of the settings. */
export function glyphData(s: DriftSettings): { train: GlyphSet; test: GlyphSet } {
  return { train: glyphSet(s.seed, 0, s.trainSize, s.pixelNoise), test: glyphSet(s.seed, 1, s.testSize, s.pixelNoise) };
}

/** Fraction of `data` the model (in its current mode) classifies right, in batches of 250. */
export function accuracy(model: Module, data: GlyphSet, batch = 250): Promise<number> {
  return classificationAccuracy(model, data, batch);
}

/** The MLP 64-hidden-10 with ReLU on `engine` (layer seeds from manualSeed(seed)). */
export function buildModel(rpuConfig: InferenceRPUConfig, hidden: number, seed: number, engine: AnalogTileBackend): AnalogSequential {
  manualSeed(seed);
  const Linear = getLinear(rpuConfig);
  return new AnalogSequential(new Linear(GLYPH_PIXELS, hidden, { rpuConfig, engine }), new ReLU(), new Linear(hidden, GLYPH_CLASSES, { rpuConfig, engine }));
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Hardware-aware training: AnalogSGD with the config's weight modifier, clip and
 * remap, learning rate decaying linearly per epoch, the glyphs in the seeded
 * order of each epoch (a last partial batch too).
 */
export async function trainModel(engine: AnalogTileBackend, rpuConfig: RPUConfig, s: DriftSettings, control: RunControl = {}): Promise<TrainedModel> {
  const config = inferenceConfigOf(rpuConfig);
  const start = performance.now();
  const { train, test } = glyphData(s);
  const model = buildModel(config, s.hidden, s.seed, engine);
  try {
    await model.build();
    const optimizer = new AnalogSGD(model, { lr: s.lr });
    const schedule = new LambdaLR(optimizer, (e) => (s.epochs > 0 ? 1 - e / s.epochs : 1));
    const history: EpochRecord[] = [];
    const steps = s.epochs * Math.ceil(train.count / s.batchSize);
    let step = 0;
    for (let e = 0; e < s.epochs; e++) {
      if (control.cancelled?.()) throw new Cancelled();
      const epoch = await trainClassifierEpoch(model, optimizer, train, {
        order: epochOrder(s.seed, e, train.count),
        batchSize: s.batchSize,
        onBatch: async () => {
          step++;
          if (step % 8 === 0) {
            control.progress?.(`training: epoch ${e + 1} of ${s.epochs}`, step / steps);
            await tick();
          }
          if (control.cancelled?.()) throw new Cancelled();
        },
      });
      model.eval();
      history.push({ epoch: e + 1, loss: epoch.loss, trainAccuracy: epoch.accuracy, testAccuracy: await accuracy(model, test) });
      schedule.step();
    }
    model.eval();
    const beforeProgramming = history.length ? history[history.length - 1]!.testAccuracy : await accuracy(model, test);
    return { saved: await saveModel(model), history, beforeProgramming, seconds: (performance.now() - start) / 1000 };
  } finally {
    await model.dispose();
  }
}

/** A file picked to load a model: its name and bytes. */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * The saved model in the files picked: one single-file JSON (crossbar-model@1),
 * or a model.json (crossbar-model@2, encodeModel of @crossbar/modules, as
 * `crossbar demo --save-model` writes) with its weights file: the .bin it names,
 * else the one .bin picked. Returns it with the JSON file's name.
 */
export function readModelFiles(files: readonly PickedFile[]): { saved: SavedModel; name: string } {
  const names = files.map((f) => f.name).join(', ');
  const jsons = files.filter((f) => !f.name.endsWith('.bin'));
  if (jsons.length !== 1) throw new SettingError('model', `pick one model JSON file (with its .bin weights file for ${MODEL_FILE_FORMAT}), got ${names || 'none'}`);
  const json = jsons[0]!;
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(json.bytes));
  } catch (e) {
    throw new SettingError('model', `${json.name} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlain(data) || (data.format !== MODEL_FORMAT && data.format !== MODEL_FILE_FORMAT)) {
    throw new SettingError(
      'model',
      `${json.name} is not a saved model: expected "format": "${MODEL_FORMAT}" or "${MODEL_FILE_FORMAT}" (saveModel / encodeModel of @crossbar/modules)`,
    );
  }
  let weights: Uint8Array | undefined;
  if (data.format === MODEL_FILE_FORMAT) {
    const wanted = isPlain(data.weights) ? data.weights.path : undefined;
    const bins = files.filter((f) => f.name.endsWith('.bin'));
    const bin = bins.find((f) => f.name === wanted) ?? (bins.length === 1 ? bins[0] : undefined);
    if (!bin) throw new SettingError('model', `${json.name} keeps its weights in "${String(wanted)}": pick that file together with ${json.name}`);
    weights = bin.bytes;
  }
  try {
    return { saved: decodeModel(data, weights), name: json.name };
  } catch (e) {
    if (e instanceof CrossbarError && !(e instanceof SettingError)) throw new SettingError('model', `${json.name}: ${e.message}`);
    throw e;
  }
}

/** The glyph task's input and output sizes a loaded model must have. */
export function checkModelShape(saved: SavedModel): void {
  const linears: { inFeatures: number; outFeatures: number }[] = [];
  const walk = (m: Record<string, unknown>): void => {
    if (typeof m.inFeatures === 'number' && typeof m.outFeatures === 'number') linears.push({ inFeatures: m.inFeatures, outFeatures: m.outFeatures });
    const kids = m.children;
    if (Array.isArray(kids)) for (const k of kids) if (k && typeof k === 'object') walk(k as Record<string, unknown>);
  };
  walk(saved.architecture as unknown as Record<string, unknown>);
  if (linears.length === 0) throw new SettingError('model', 'the model has no analog linear layers');
  const first = linears[0]!;
  const last = linears[linears.length - 1]!;
  if (first.inFeatures !== GLYPH_PIXELS || last.outFeatures !== GLYPH_CLASSES) {
    throw new SettingError(
      'model',
      `the model maps ${first.inFeatures} inputs to ${last.outFeatures} outputs; the page's glyph task needs ${GLYPH_PIXELS} → ${GLYPH_CLASSES}` +
        (first.inFeatures === 784 ? " (a 784-input model is the crossbar demo's MNIST MLP: the page has no MNIST digits to test it on)" : ''),
    );
  }
}

/**
 * Test accuracy of the trained model after programming and drift to each time,
 * `repeats` times (new programming noise, drift exponents and read noise each),
 * with the config's noise model: with global drift compensation and, on a twin
 * with drift_compensation None, without.
 */
export async function driftCurves(
  engine: AnalogTileBackend,
  trained: Pick<TrainedModel, 'saved' | 'beforeProgramming'>,
  rpuConfig: RPUConfig,
  s: DriftSettings,
  control: RunControl = {},
): Promise<DriftCurves> {
  const config = inferenceConfigOf(rpuConfig);
  const start = performance.now();
  const { test } = glyphData(s);
  const withComp = new InferenceRPUConfig({ ...config.fieldValues(), driftCompensation: config.driftCompensation ?? new GlobalDriftCompensation() });
  const without = new InferenceRPUConfig({ ...config.fieldValues(), driftCompensation: null });
  const comp = (await loadModel(trained.saved, { rpuConfig: withComp, engine })).eval();
  const twin = (await loadModel(trained.saved, { rpuConfig: without, engine })).eval();
  try {
    if (control.cancelled?.()) throw new Cancelled();
    const points = await driftAccuracy({ compensated: comp, uncompensated: twin }, s.times, {
      repeats: s.repeats,
      accuracy: (m) => accuracy(m, test),
      onStep: async (p) => {
        control.progress?.(`drift: repeat ${p.repeat + 1} of ${s.repeats}`, p.done / p.total);
        await tick();
        if (control.cancelled?.()) throw new Cancelled();
      },
    });
    return { beforeProgramming: trained.beforeProgramming, points, seconds: (performance.now() - start) / 1000 };
  } finally {
    await comp.dispose();
    await twin.dispose();
  }
}
