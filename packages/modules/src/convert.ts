/**
 * convertToAnalog (aihwkit v.0.7.1 src/aihwkit/nn/conversion.py,
 * convert_to_analog / convert_to_analog_mapped): a digital model's Linear and
 * convolution layers become their analog counterparts with the given RPU
 * config, holding the trained weights; containers become AnalogSequential;
 * every other layer is copied (its architecture and learned state).
 */
import { InputError, RPU_CONFIG_CLASSES, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import { AnalogConv1d, AnalogConv1dMapped, AnalogConv2d, AnalogConv2dMapped } from './conv.js';
import { Conv1d, Conv2d, Linear } from './digital.js';
import { AnalogLinear, AnalogLinearMapped } from './linear.js';
import { moduleFromConfig } from './serialization.js';
import { Module } from './module.js';
import { AnalogSequential } from './sequential.js';

/** convertToAnalog's options. */
export interface ConvertOptions {
  /** Engine of the analog tiles (default: the registry's default). */
  engine?: string | AnalogTileBackend;
  /**
   * Mapped layers (AnalogLinearMapped, AnalogConv2dMapped, ...) as
   * convert_to_analog_mapped; default: whichever the config asks for
   * (rpuConfig.getLinear(): mapped when mapping.maxInputSize or maxOutputSize > 0).
   */
  mapped?: boolean;
}

/**
 * A new model with every digital Linear / Conv1d / Conv2d of `model` replaced
 * by an analog layer on tiles with `rpuConfig`, its weights and bias set from
 * the digital layer (through the config's weight scaling, as aihwkit's
 * from_digital → set_weights). The analog layers keep the digital layers' seeds.
 */
export async function convertToAnalog(model: Module, rpuConfig: RPUConfig, options: ConvertOptions = {}): Promise<Module> {
  if (!(model instanceof Module)) throw new InputError('convertToAnalog: model must be a Module');
  if (options === null || typeof options !== 'object') throw new InputError('convertToAnalog: options must be an object');
  if (!RPU_CONFIG_CLASSES.some((C) => rpuConfig instanceof C)) {
    throw new InputError('convertToAnalog: rpuConfig must be a FloatingPointRPUConfig, SingleRPUConfig or InferenceRPUConfig');
  }
  const mapped = options.mapped ?? rpuConfig.getLinear() === 'AnalogLinearMapped';
  const created: Module[] = [];
  try {
    return await convert(model, rpuConfig, options.engine, mapped, created);
  } catch (e) {
    for (const m of created) await m.dispose();
    throw e;
  }
}

async function convert(m: Module, rpuConfig: RPUConfig, engine: ConvertOptions['engine'], mapped: boolean, created: Module[]): Promise<Module> {
  if (m instanceof Linear) {
    const Cls = mapped ? AnalogLinearMapped : AnalogLinear;
    const a = new Cls(m.inFeatures, m.outFeatures, { bias: m.bias !== null, rpuConfig, engine, seed: m.seed });
    created.push(a);
    const { weight, bias } = m.getWeights();
    await a.setWeights(weight, bias);
    return a;
  }
  if (m instanceof Conv1d || m instanceof Conv2d) {
    const Cls = m instanceof Conv1d ? (mapped ? AnalogConv1dMapped : AnalogConv1d) : mapped ? AnalogConv2dMapped : AnalogConv2d;
    const a = new Cls(m.inChannels, m.outChannels, m.kernelSize, { ...m.convOptions(), bias: m.bias !== null, rpuConfig, engine, seed: m.seed });
    created.push(a);
    const { weight, bias } = m.getWeights();
    await a.setWeights(weight, bias);
    return a;
  }
  if (m instanceof AnalogSequential) {
    const kids: Module[] = [];
    for (const c of m.children()) kids.push(await convert(c, rpuConfig, engine, mapped, created));
    return new AnalogSequential(...kids);
  }
  // Any other layer: a copy (architecture and learned state), so the two models share no forward caches.
  const copy = moduleFromConfig(m.getConfig(), { engine, rpuConfig: undefined });
  created.push(copy);
  await copy.loadStateDict(await m.stateDict());
  copy.train(m.training);
  return copy;
}
