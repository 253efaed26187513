/**
 * Saving and loading a whole model as JSON: the architecture (each module's
 * type and constructor arguments, RPU configs as aihwkit dicts) and the
 * learned state (tile states with weights, device-to-device draws and the
 * random-call position; digital parameters; input-range and out-scaling
 * state). See docs/modules.md for the format.
 */
import {
  InputError,
  listBackends,
  rpuConfigFromDict,
  type AnalogTileBackend,
  type RPUConfig,
} from '@crossbar/core';
import { Flatten, ReLU, Sigmoid, Softmax, Tanh } from './activations.js';
import { ModuleError } from './errors.js';
import { AnalogLinear, AnalogLinearMapped } from './linear.js';
import type { Module, ModuleConfig, ModuleState } from './module.js';
import type { OptimizerState } from './optim.js';
import { AnalogSequential } from './sequential.js';

/** The format tag of saved models. */
export const MODEL_FORMAT = 'crossbar-model@1';

/** A saved model (JSON-safe): architecture, configs and learned state. */
export interface SavedModel {
  format: typeof MODEL_FORMAT;
  /** The engine the model ran on when saved (informational; loading picks the engine as described in loadModel). */
  engine: string | null;
  architecture: ModuleConfig;
  state: ModuleState;
  /** The optimizer's state, when saveModel was given one. */
  optimizer?: OptimizerState;
}

/** Options of `loadModel`. */
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

function moduleFromConfig(config: unknown, ctx: BuildContext): Module {
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

/** The saved form of a model (and optionally its optimizer), JSON-safe: `JSON.stringify` it to store. */
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

/**
 * Rebuilds a saved model (a SavedModel or its JSON string): same
 * architecture, weights, digital parameters, device-to-device draws and
 * random-call positions, so it computes the same outputs and continues the
 * same training trajectory. Keeps the saved RPU configs unless
 * `options.rpuConfig` overrides them.
 */
export async function loadModel(saved: SavedModel | string, options: LoadModelOptions = {}): Promise<Module> {
  let data: unknown = saved;
  if (typeof saved === 'string') {
    try {
      data = JSON.parse(saved);
    } catch (e) {
      throw new InputError(`loadModel: the string is not JSON: ${(e as Error).message}`);
    }
  }
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
