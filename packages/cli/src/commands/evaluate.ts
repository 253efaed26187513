/** `crossbar evaluate model.onnx`: a model trained elsewhere, on analog inference hardware, over time after programming. */
import { relative } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EVALUATE_PRESETS, parseTimes, runEvaluate, type EvaluateReport } from '../evaluate/run.js';
import { percent, textTable } from '../format.js';
import { printJson, println, type CliIO } from '../io.js';
import { addCommonOptions, intArg, type CommonOptions } from '../options.js';
import { prepareEngines, resolveEngine } from '../engines.js';

interface EvaluateCliOptions extends CommonOptions {
  preset: string;
  rpuConfig?: string;
  drift: number[];
  repeats: number;
  data?: string;
  out: string;
  quiet?: boolean;
}

function stdText(s: { mean: number; std: number; values: number[] }): string {
  return s.values.length > 1 ? `${percent(s.mean)} ± ${(100 * s.std).toFixed(2)}` : percent(s.mean);
}

/** The terminal summary of an evaluation. */
export function formatEvaluateReport(r: EvaluateReport): string {
  const lines = [
    `Crossbar evaluate: ${r.model.file} ([${r.model.inputShape.join(', ')}] → [${r.model.outputShape.join(', ')}], ${r.model.tiles} analog tiles: ${r.model.layerTypes.join(', ')})`,
    `on ${r.data.count} samples of ${r.data.source}; ${r.hardware.preset ? `preset ${r.hardware.preset}` : 'custom RPU config'}; engine ${r.engine.name}`,
    '',
    textTable(
      ['time after programming', 'accuracy, drift compensation', 'no compensation', 'compensation factor'],
      [
        ['digital (ideal config)', percent(r.digitalAccuracy), percent(r.digitalAccuracy), '–'],
        ['before programming', percent(r.beforeProgramming), percent(r.beforeProgramming), '–'],
        ...r.points.map((p) => [p.label, stdText(p.compensated), stdText(p.uncompensated), p.compensationScale.toFixed(3)]),
      ],
      ['left', 'right', 'right', 'right'],
    ),
    '',
  ];
  const files = [r.files.report, r.files.plot].filter((f): f is string => f !== null).map((f) => relative(process.cwd(), f) || f);
  if (files.length) lines.push(`Wrote ${files.join(', ')}`);
  return lines.join('\n');
}

function timesArg(value: string): number[] {
  try {
    return parseTimes(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--drift( [^:]*)?: /, ''));
  }
}

export function evaluateCommand(io: CliIO): Command {
  const cmd = new Command('evaluate')
    .description(
      'Import a trained model from an ONNX file onto analog tiles, program it onto the hardware of --preset and show the accuracy at each --drift time after programming, with and without global drift compensation (table, report.json, accuracy-vs-time.svg)',
    )
    .argument('<model.onnx>', 'the model (an MLP or CNN of Gemm/MatMul, Conv, Relu, pooling, BatchNormalization, Flatten, Softmax)')
    .addOption(
      new Option(
        '--preset <name>',
        Object.entries(EVALUATE_PRESETS)
          .map(([k, v]) => `${k}: ${v.describe}`)
          .join('; '),
      )
        .choices(Object.keys(EVALUATE_PRESETS))
        .default('pcm'),
    )
    .option('--rpu-config <file>', 'an InferenceRPUConfig as an aihwkit-style dict (JSON) instead of --preset')
    .addOption(
      new Option('--drift <times>', 'times after programming, comma-separated, with units s, min, h, d, w, mo, y')
        .argParser(timesArg)
        .default(parseTimes('1s,1h,1d,1y'), '1s,1h,1d,1y'),
    )
    .option('--repeats <n>', 'programmings (independent noise draws) to average over', intArg(1, 1000), 1)
    .option(
      '--data <file>',
      'a JSON data file {"shape"?: [C, H, W], "inputs": [[...], ...], "labels": [...]} (default: 2,000 MNIST test digits of the mnist package, pixels in [0, 1])',
    )
    .option('-o, --out <dir>', 'output folder for report.json and accuracy-vs-time.svg', 'evaluate-output')
    .option('-q, --quiet', 'no progress bar or status lines');
  addCommonOptions(cmd, { seed: { default: 1, help: 'seed of the layers’ noise draws (programming, drift, read noise)' } });
  cmd.action(async (file: string, opts: EvaluateCliOptions) => {
    await prepareEngines(opts.load);
    const report = await runEvaluate({
      file,
      preset: opts.rpuConfig ? undefined : opts.preset,
      rpuConfigFile: opts.rpuConfig,
      times: opts.drift,
      repeats: opts.repeats,
      seed: opts.seed,
      engine: await resolveEngine(opts.engine),
      dataFile: opts.data,
      out: opts.out,
      progress: opts.quiet || opts.json ? false : { stream: io.stderr },
      log: opts.quiet ? undefined : (line) => println(io.stderr, line),
      command: ['crossbar', 'evaluate', file].join(' '),
    });
    if (opts.json) printJson(io, report);
    else println(io.stdout, formatEvaluateReport(report));
  });
  return cmd;
}
