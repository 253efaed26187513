/**
 * @crossbar/modules — aihwkit's `aihwkit.nn` and `aihwkit.optim` for
 * TypeScript: analog layers and networks on any registered Crossbar engine,
 * AnalogSGD training, the inference workflow (program, drift, compensated
 * evaluation) and whole-model save/load.
 */
export { ModuleError, OnnxImportError } from './errors.js';
export { Parameter } from './parameter.js';
export { manualSeed } from './seeds.js';
export type { EngineOption } from './engine.js';
export { Module, type ModuleConfig, type ModuleState, type LoadStateOptions } from './module.js';
export { TileWithPeriphery, type SavedTile } from './tile-periphery.js';
export type { Window2d, Geometry2d } from './spatial.js';
export { AnalogLinear, AnalogLinearMapped, getLinear, splitSizes, type AnalogLinearOptions, type SetWeightsOptions, type GetWeightsOptions } from './linear.js';
export { ReLU, Tanh, Sigmoid, Softmax, Flatten } from './activations.js';
export { AnalogConv1d, AnalogConv2d, AnalogConv1dMapped, AnalogConv2dMapped, type AnalogConvOptions } from './conv.js';
export {
  MaxPool2d,
  AvgPool2d,
  BatchNorm2d,
  Dropout,
  LogSoftmax,
  GELU,
  type Pool2dOptions,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
  type BatchNorm2dOptions,
} from './layers.js';
export { Linear, Conv1d, Conv2d, type ConvOptions } from './digital.js';
export { convertToAnalog, type ConvertOptions } from './convert.js';
export { importOnnx, ONNX_OPSETS, ONNX_OPERATORS, type ImportOnnxOptions, type ImportedOnnx } from './onnx.js';
export { CrossEntropyLoss, MSELoss } from './loss.js';
export { AnalogSequential } from './sequential.js';
export { AnalogSGD, StepLR, LambdaLR, type AnalogSGDOptions, type OptimizerState } from './optim.js';
export { saveModel, loadModel, registerModuleType, type LoadModelOptions, type BuildContext } from './serialization.js';
export {
  encodeModel,
  decodeModel,
  MODEL_FORMAT,
  MODEL_FILE_FORMAT,
  DEFAULT_WEIGHTS_PATH,
  type SavedModel,
  type ModelFiles,
  type ModelFileJson,
  type BinaryArrayRef,
} from './model-file.js';
export {
  argmax,
  countCorrect,
  classificationAccuracy,
  trainClassifierEpoch,
  driftAccuracy,
  accuracyStats,
  meanCompensationScale,
  type LabelledSet,
  type EpochProgress,
  type ClassifierEpochOptions,
  type ClassifierEpochResult,
  type AccuracyStats,
  type DriftAccuracyPoint,
  type DriftStep,
  type DriftAccuracyOptions,
} from './classification.js';
