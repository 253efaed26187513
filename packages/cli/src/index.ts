/**
 * @crossbar/cli — the `crossbar` command (demo, evaluate, bench, case,
 * conformance, engines). The binary is dist/bin.js; `main` runs the same from code.
 */
export { main, createProgram } from './program.js';
export type { CliIO } from './io.js';
export {
  runDemo,
  DEMO_DEFAULTS,
  DEMO_MODELS,
  DEFAULT_TIMES,
  type DemoModel,
  type DemoOptions,
  type DemoReport,
  type InferencePoint,
  type AccuracyStats,
} from './demo/run.js';
export type { EpochRecord } from './demo/train.js';
export { runEvaluate, EVALUATE_PRESETS, type EvaluateOptions, type EvaluateReport } from './evaluate/run.js';
export { DEVICES, TRAINING_MODES, type DemoDevice, type TrainingMode } from './demo/configs.js';
export { EXIT_OK, EXIT_FAILED, EXIT_USAGE } from './errors.js';
export type { ProgressStream, ProgressOptions } from './progress.js';
export type { MachineInfo } from './bench/harness.js';
