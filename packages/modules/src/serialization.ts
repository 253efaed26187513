/**
 * Saving and loading a whole model: the architecture (each module's
 * type and constructor arguments, RPU configs as aihwkit dicts) and the
 * learned state (tile states with weights, device-to-device draws and the
 * random-call position; digital parameters; input-range and out-scaling
 * state). Files: model-file.ts. See docs/modules.md for the format.
 */
import { InputError, listBackends, rpuConfigFromDict, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import { Flatten, ReLU, Sigmoid, Softmax, Tanh } from './activations.js';
import { AnalogConv1d, AnalogConv1dMapped, AnalogConv2d, AnalogConv2dMapped, type AnalogConvClass } from './conv.js';
import { Conv1d, Conv2d, Linear, type ConvOptions } from './digital.js';
import { ModuleError } from './errors.js';
import { AvgPool2d, BatchNorm2d, Dropout, GELU, LogSoftmax, MaxPool2d } from './layers.js';
import { AnalogLinear, AnalogLinearMapped } from './linear.js';
import { decodeModel, MODEL_FORMAT, type ModelFiles, type SavedModel } from './model-file.js';
import type { Module, ModuleConfig } from './module.js';
import type { OptimizerState } from './optim.js';
import { AnalogSequential } from './sequential.js';

/** loadModel's options. */
export interface LoadModelOptions {
  /** Engine for the loaded model: default the saved engine if it is registered, else the registry's default. */
  engine?: string | AnalogTileBackend;
  /**
   * Replaces the saved RPU config of every analog layer (aihwkit's
   * load_rpu_config=False): the class and the tile structure (mapping sizes,
   * digital bias, out-scaling columnwise) must match the saved one.
   */
  rpuConfig?: RPUConfig;
}

/** What a module factory gets besides the module's config. */
export interface BuildContext {
  engine: string | AnalogTileBackend | undefined;
  rpuConfig: RPUConfig | undefined;
}

type ModuleFactory = (config: ModuleConfig, ctx: BuildContext) => Module;

const factories = new Map<string, ModuleFactory>();

/** Registers how to rebuild a custom module type from its getConfig() (built-in types are registered). */
export function registerModuleType(type: string, factory: (config: ModuleConfig, ctx: BuildContext) => Module): void {
  if (typeof type !== 'string' || type.length === 0) throw new InputError('registerModuleType: type must be a non-empty string');
  if (typeof factory !== 'function') throw new InputError('registerModuleType: factory must be a function');
  factories.set(type, factory);
}

function field<T>(config: ModuleConfig, key: string, check: (v: unknown) => v is T, what: string): T {
  const v = config[key];
  if (!check(v)) throw new ModuleError(`loadModel: ${config.type}.${key} must be ${what}, got ${JSON.stringify(v)}`);
  return v;
}
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every(isInt);

function linearFactory(Cls: typeof AnalogLinear | typeof AnalogLinearMapped): ModuleFactory {
  return (config, ctx) =>
    new Cls(field(config, 'inFeatures', isInt, 'an integer'), field(config, 'outFeatures', isInt, 'an integer'), {
      bias: field(config, 'bias', isBool, 'a boolean'),
      seed: field(config, 'seed', isInt, 'a non-negative integer'),
      rpuConfig: ctx.rpuConfig ?? rpuConfigFromDict(config.rpuConfig),
      engine: ctx.engine,
    });
}

registerModuleType('AnalogLinear', linearFactory(AnalogLinear));
registerModuleType('AnalogLinearMapped', linearFactory(AnalogLinearMapped));
registerModuleType('AnalogSequential', (config, ctx) => {
  const children = config.children;
  if (!Array.isArray(children)) throw new ModuleError('loadModel: AnalogSequential.children must be an array');
  return new AnalogSequential(...children.map((c: unknown) => moduleFromConfig(c, ctx)));
});
registerModuleType('ReLU', () => new ReLU());
registerModuleType('Tanh', () => new Tanh());
registerModuleType('Sigmoid', () => new Sigmoid());
registerModuleType('Softmax', () => new Softmax());
registerModuleType('Flatten', (config) => new Flatten(config.inputShape === undefined ? undefined : (config.inputShape as number[])));

/** The geometry, bias and seed of a saved convolution (analog or digital). */
function convFields(config: ModuleConfig): ConvOptions {
  return {
    stride: field(config, 'stride', isIntList, 'a list of integers'),
    padding: field(config, 'padding', isIntList, 'a list of integers'),
    dilation: field(config, 'dilation', isIntList, 'a list of integers'),
    inputSize: config.inputSize === undefined ? undefined : field(config, 'inputSize', isIntList, 'a list of integers'),
    bias: field(config, 'bias', isBool, 'a boolean'),
    seed: field(config, 'seed', isInt, 'a non-negative integer'),
  };
}

function convFactory(Cls: AnalogConvClass): ModuleFactory {
  return (config, ctx) =>
    new Cls(
      field(config, 'inChannels', isInt, 'an integer'),
      field(config, 'outChannels', isInt, 'an integer'),
      field(config, 'kernelSize', isIntList, 'a list of integers'),
      {
        ...convFields(config),
        rpuConfig: ctx.rpuConfig ?? rpuConfigFromDict(config.rpuConfig),
        engine: ctx.engine,
      },
    );
}
registerModuleType('AnalogConv1d', convFactory(AnalogConv1d));
registerModuleType('AnalogConv2d', convFactory(AnalogConv2d));
registerModuleType('AnalogConv1dMapped', convFactory(AnalogConv1dMapped));
registerModuleType('AnalogConv2dMapped', convFactory(AnalogConv2dMapped));

function digitalConvFactory(Cls: typeof Conv1d | typeof Conv2d): ModuleFactory {
  return (config) =>
    new Cls(
      field(config, 'inChannels', isInt, 'an integer'),
      field(config, 'outChannels', isInt, 'an integer'),
      field(config, 'kernelSize', isIntList, 'a list of integers'),
      {
        ...convFields(config),
      },
    );
}
registerModuleType('Conv1d', digitalConvFactory(Conv1d));
registerModuleType('Conv2d', digitalConvFactory(Conv2d));
registerModuleType(
  'Linear',
  (config) =>
    new Linear(field(config, 'inFeatures', isInt, 'an integer'), field(config, 'outFeatures', isInt, 'an integer'), {
      bias: field(config, 'bias', isBool, 'a boolean'),
      seed: field(config, 'seed', isInt, 'a non-negative integer'),
    }),
);

function poolOptions(config: ModuleConfig): { stride: number[]; padding: number[]; ceilMode: boolean; inputShape: number[] } {
  return {
    stride: field(config, 'stride', isIntList, 'a list of integers'),
    padding: field(config, 'padding', isIntList, 'a list of integers'),
    ceilMode: field(config, 'ceilMode', isBool, 'a boolean'),
    inputShape: field(config, 'inputShape', isIntList, 'a list of integers'),
  };
}
registerModuleType(
  'MaxPool2d',
  (config) =>
    new MaxPool2d(field(config, 'kernelSize', isIntList, 'a list of integers'), {
      ...poolOptions(config),
      dilation: field(config, 'dilation', isIntList, 'a list of integers'),
    }),
);
registerModuleType(
  'AvgPool2d',
  (config) =>
    new AvgPool2d(field(config, 'kernelSize', isIntList, 'a list of integers'), {
      ...poolOptions(config),
      countIncludePad: field(config, 'countIncludePad', isBool, 'a boolean'),
    }),
);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
registerModuleType(
  'BatchNorm2d',
  (config) =>
    new BatchNorm2d(field(config, 'numFeatures', isInt, 'an integer'), {
      eps: field(config, 'eps', isNum, 'a number'),
      momentum: field(config, 'momentum', isNum, 'a number'),
      affine: field(config, 'affine', isBool, 'a boolean'),
    }),
);
registerModuleType('Dropout', (config) => new Dropout(field(config, 'p', isNum, 'a number'), { seed: field(config, 'seed', isInt, 'a non-negative integer') }));
registerModuleType('LogSoftmax', () => new LogSoftmax());
registerModuleType('GELU', (config) => new GELU(field(config, 'approximate', (v): v is 'none' | 'tanh' => v === 'none' || v === 'tanh', "'none' or 'tanh'")));

/** Builds a module from its getConfig() with the registered factories. */
export function moduleFromConfig(config: unknown, ctx: BuildContext): Module {
  if (config === null || typeof config !== 'object' || typeof (config as ModuleConfig).type !== 'string') {
    throw new ModuleError(`loadModel: a module config must be an object with a "type", got ${JSON.stringify(config)}`);
  }
  const c = config as ModuleConfig;
  const factory = factories.get(c.type);
  if (!factory) {
    throw new ModuleError(`loadModel: unknown module type "${c.type}"; known: ${[...factories.keys()].join(', ')} (registerModuleType adds more)`);
  }
  return factory(c, ctx);
}

/**
 * The saved form of a model (and optionally its optimizer), JSON-safe with
 * its arrays inline; `encodeModel` turns it into model files (model.json and a
 * binary weights sidecar).
 */
export async function saveModel(model: Module, options: { optimizer?: { stateDict(): OptimizerState } } = {}): Promise<SavedModel> {
  const state = await model.stateDict();
  const tiles = model.analogTiles();
  const saved: SavedModel = {
    format: MODEL_FORMAT,
    engine: tiles.length > 0 ? tiles[0]!.tile.backendName : null,
    architecture: model.getConfig(),
    state,
  };
  if (options.optimizer) saved.optimizer = options.optimizer.stateDict();
  return saved;
}

function chooseEngine(saved: SavedModel, engine: LoadModelOptions['engine']): string | AnalogTileBackend | undefined {
  if (engine !== undefined) return engine;
  if (saved.engine === null) return undefined;
  return listBackends().some((b) => b.name === saved.engine) ? saved.engine : undefined;
}

function isModelFiles(v: unknown): v is ModelFiles {
  return v !== null && typeof v === 'object' && 'json' in v && 'weights' in v;
}

/**
 * Rebuilds a saved model: a SavedModel, its JSON string (crossbar-model@1),
 * or model files `{ json, weights }` (encodeModel's result, crossbar-model@2):
 * same architecture, weights, digital parameters, device-to-device draws and
 * random-call positions, so it computes the same outputs and continues the
 * same training trajectory. Keeps the saved RPU configs unless
 * `options.rpuConfig` overrides them.
 */
export async function loadModel(saved: SavedModel | string | ModelFiles, options: LoadModelOptions = {}): Promise<Module> {
  const data: unknown = isModelFiles(saved) ? decodeModel(saved.json, saved.weights) : typeof saved === 'string' ? decodeModel(saved) : saved;
  if (data === null || typeof data !== 'object' || (data as SavedModel).format !== MODEL_FORMAT) {
    throw new ModuleError(`loadModel: expected a saved model with format "${MODEL_FORMAT}"`);
  }
  const model = data as SavedModel;
  const ctx: BuildContext = { engine: chooseEngine(model, options.engine), rpuConfig: options.rpuConfig };
  const module = moduleFromConfig(model.architecture, ctx);
  try {
    await module.loadStateDict(model.state, { loadRpuConfig: options.rpuConfig === undefined });
  } catch (e) {
    await module.dispose();
    throw e;
  }
  return module;
}
