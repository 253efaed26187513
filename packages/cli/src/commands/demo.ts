/** `crossbar demo`: hardware-aware training on MNIST digits, then inference over time on PCM. */
import { relative } from 'node:path';
import { Command, Option } from 'commander';
import { demoDeviceNames, TIKI_TAKA_READS, TRAINING_MODES, type TrainingMode } from '../demo/configs.js';
import { DEFAULT_TIMES, DEMO_DEFAULTS, DEMO_MODELS, runDemo, type DemoModel, type DemoReport } from '../demo/run.js';
import { duration, percent, plural, textTable } from '../format.js';
import { printJson, println, type CliIO } from '../io.js';
import { addCommonOptions, intArg, listArg, numberArg, type CommonOptions } from '../options.js';
import { prepareEngines, resolveEngine } from '../engines.js';
import { CrossbarError } from '@crossbar/core';

interface DemoCliOptions extends CommonOptions {
  model: DemoModel;
  training: TrainingMode;
  device?: string;
  epochs?: number;
  trainSize: number;
  testSize: number;
  hidden?: number[];
  batchSize: number;
  lr?: number;
  modifierStd: number;
  augmentShift: number;
  times: number[];
  repeats: number;
  rpuConfig?: string;
  out: string;
  saveModel?: boolean;
  force?: boolean;
  quiet?: boolean;
}

function stdText(s: { mean: number; std: number; values: number[] }): string {
  return s.values.length > 1 ? `${percent(s.mean)} ± ${(100 * s.std).toFixed(2)}` : percent(s.mean);
}

/** The terminal summary of a report. */
export function formatDemoReport(r: DemoReport): string {
  const lines: string[] = [];
  const tr = r.training;
  lines.push(
    `Crossbar demo: analog ${r.model.kind === 'cnn' ? 'CNN' : 'MLP'} ${r.model.description} on ${plural(r.data.train, 'MNIST training digit')}, ${plural(r.data.test, 'held-out test digit')} (engine ${r.engine.name})`,
    '',
    tr.mode === 'hwa'
      ? 'Training: hardware-aware (InferenceRPUConfig: weight noise, clipping and remapping in training; noisy 7/9-bit DAC/ADC)'
      : tr.mode === 'tiki-taka'
        ? `Training: in situ, Tiki-Taka (TransferCompound: SGD pulses on a fast ${tr.device}, ${TIKI_TAKA_READS} columns transferred per mini-batch onto the slow one the network reads)`
        : `Training: in situ, pulsed stochastic updates on ${tr.device} (SingleRPUConfig)`,
    textTable(
      ['epoch', 'lr', 'loss', 'train acc', 'test acc', 'samples/s', 'time'],
      tr.history.map((h) => [
        String(h.epoch),
        h.learningRate.toPrecision(3),
        h.loss.toFixed(4),
        percent(h.trainAccuracy),
        h.testAccuracy === undefined ? '–' : percent(h.testAccuracy),
        String(Math.round(h.samplesPerSecond)),
        duration(h.seconds),
      ]),
      ['right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    `Inference on PCM devices${r.inference.deployed ? ' (the trained weights deployed on InferenceRPUConfig tiles)' : ''}: ` +
      `programming noise, conductance drift and read noise (g_max 25 µS)` +
      (r.inference.repeats > 1 ? `; mean ± std over ${r.inference.repeats} programmings` : ''),
    textTable(
      ['time after programming', 'test accuracy, drift compensation', 'no compensation', 'compensation factor'],
      [
        ['before programming', percent(r.inference.beforeProgramming), percent(r.inference.beforeProgramming), '–'],
        ...r.inference.points.map((p) => [p.label, stdText(p.compensated), stdText(p.uncompensated), p.compensationScale.toFixed(3)]),
      ],
      ['left', 'right', 'right', 'right'],
    ),
    '',
  );
  const files = [r.files.report, r.files.plot, r.files.model, r.files.modelWeights].filter((f): f is string => f !== null).map((f) => relative(process.cwd(), f) || f);
  if (files.length) lines.push(`Wrote ${files.join(', ')}`);
  const t = r.timing;
  lines.push(
    `Total ${duration(t.totalSeconds)} (data ${duration(t.loadSeconds)}, training ${duration(t.trainSeconds)}, inference ${duration(t.inferenceSeconds)}) on ${plural(r.machine.cores, 'core')}`,
  );
  return lines.join('\n');
}

export function demoCommand(io: CliIO): Command {
  const cmd = new Command('demo')
    .description(
      'Train an analog MLP (or CNN) on real MNIST digits, program it onto PCM devices and show the test accuracy from 1 s to 1 year after programming, with and without global drift compensation',
    )
    .addOption(
      new Option(
        '--model <kind>',
        `mlp: ${DEMO_DEFAULTS.hidden.join('-')} hidden units; cnn: two analog 5x5 convolutions with max pooling, then ${DEMO_DEFAULTS.cnn.hidden.join('-')} hidden units`,
      )
        .choices(DEMO_MODELS)
        .default('mlp'),
    )
    .addOption(
      new Option(
        '--training <mode>',
        'hwa: hardware-aware training (InferenceRPUConfig); analog-sgd: in-situ pulsed training (SingleRPUConfig); tiki-taka: in-situ Tiki-Taka training (TransferCompound)',
      )
        .choices(TRAINING_MODES)
        .default('hwa'),
    )
    .addOption(
      new Option('--device <name>', "pulsed device of --training analog-sgd / tiki-taka (kebab-case names, or any aihwkit device preset's class name)")
        .choices(demoDeviceNames())
        .default(undefined, `${DEMO_DEFAULTS.device}; ${DEMO_DEFAULTS.tikiTakaDevice} for tiki-taka`),
    )
    .option(
      '--epochs <n>',
      `training epochs (default: ${DEMO_DEFAULTS.hwa.epochs} for hwa, ${DEMO_DEFAULTS['analog-sgd'].epochs} for analog-sgd, ${DEMO_DEFAULTS['tiki-taka'].epochs} for tiki-taka; ${DEMO_DEFAULTS.cnn.epochs} for --model cnn)`,
      intArg(0, 1000),
    )
    .option('--train-size <n>', 'training digits', intArg(1, 10000), DEMO_DEFAULTS.trainSize)
    .option('--test-size <n>', 'held-out test digits', intArg(1, 10000), DEMO_DEFAULTS.testSize)
    .addOption(
      new Option(
        '--hidden <sizes>',
        `hidden layer sizes, comma-separated (default: ${DEMO_DEFAULTS.hidden.join(',')}; ${DEMO_DEFAULTS.cnn.hidden.join(',')} after the convolutions of --model cnn)`,
      ).argParser(listArg(intArg(1, 100000))),
    )
    .option('--batch-size <n>', 'mini-batch size', intArg(1, 100000), DEMO_DEFAULTS.batchSize)
    .option(
      '--lr <rate>',
      `initial learning rate, decaying linearly to 0 (default: ${DEMO_DEFAULTS.hwa.lr} for hwa, ${DEMO_DEFAULTS['analog-sgd'].lr} for analog-sgd, ${DEMO_DEFAULTS['tiki-taka'].lr} for tiki-taka)`,
      numberArg(0, { exclusive: true }),
    )
    .option(
      '--modifier-std <std>',
      'hwa: std of the Gaussian weight noise in training, relative to the largest weight (0: none)',
      numberArg(0),
      DEMO_DEFAULTS.modifierStd,
    )
    .option('--augment-shift <px>', 'shift training digits at random by up to this many pixels each epoch (0: off)', intArg(0, 4), DEMO_DEFAULTS.augmentShift)
    .addOption(
      new Option('--times <seconds>', 'inference times after programming, comma-separated seconds')
        .argParser(listArg(numberArg(0, { exclusive: true })))
        .default([...DEFAULT_TIMES], `${DEFAULT_TIMES.join(',')}: 1 s, 1 h, 1 day, 1 month, 1 year`),
    )
    .option('--repeats <n>', 'programmings (independent noise draws) to average over', intArg(1, 1000), DEMO_DEFAULTS.repeats)
    .option('--rpu-config <file>', 'training RPU config as an aihwkit-style dict (JSON) instead of the built-in one')
    .option('-o, --out <dir>', 'output folder for report.json and accuracy-vs-time.svg (refused if not empty, unless --force)', DEMO_DEFAULTS.out)
    .option('-f, --force', "write into a non-empty --out folder, replacing an earlier run's files")
    .option('--save-model', 'also write the trained model (model.json + model.weights.bin, crossbar-model@2)')
    .option('-q, --quiet', 'no progress bars or status lines');
  addCommonOptions(cmd, { seed: { default: DEMO_DEFAULTS.seed, help: 'seed of the data split, the initial weights and every noise draw' } });
  cmd.action(async (opts: DemoCliOptions, command: Command) => {
    await prepareEngines(opts.load);
    const status = (line: string) => {
      if (!opts.quiet) println(io.stderr, line);
    };
    const engine = await resolveEngine(opts.engine);
    const report = await runDemo({
      engine,
      model: opts.model,
      seed: opts.seed,
      training: opts.training,
      device: opts.device,
      epochs: opts.epochs,
      trainSize: opts.trainSize,
      testSize: opts.testSize,
      hidden: opts.hidden,
      batchSize: opts.batchSize,
      lr: opts.lr,
      modifierStd: opts.modifierStd,
      augmentShift: opts.augmentShift,
      times: opts.times,
      repeats: opts.repeats,
      rpuConfigFile: opts.rpuConfig,
      out: opts.out,
      force: opts.force,
      saveModel: opts.saveModel,
      progress: opts.quiet ? false : { stream: io.stderr },
      log: status,
      command: ['crossbar', 'demo', ...rawArgs(command)].join(' '),
    }).catch((e: unknown) => {
      // The registry picked an engine that cannot run the demo: say which, and how to pick another.
      if (opts.engine === undefined && e instanceof CrossbarError && engine.name !== 'ndarray') {
        e.message += ` (the registry chose the "${engine.name}" engine; pick another with --engine, e.g. --engine ndarray)`;
      }
      throw e;
    });
    if (opts.json) printJson(io, report);
    else println(io.stdout, formatDemoReport(report));
  });
  return cmd;
}

/** The options as given on the command line (for the report). */
function rawArgs(command: Command): string[] {
  const parent = command.parent as (Command & { rawArgs?: string[] }) | null;
  const raw = parent?.rawArgs ?? [];
  const i = raw.indexOf(command.name());
  return i >= 0 ? raw.slice(i + 1) : [];
}
