/**
 * One sweep job: the demo with the job's base, training RPU config and seed,
 * writing nothing, returning one line of results.jsonl.
 */
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { runDemo, type InferencePoint } from '../demo/run.js';
import { prepareEngines, resolveEngine } from '../engines.js';
import { jobRpuConfig, type JsonValue, type SweepJob } from './spec.js';

/** One line of results.jsonl. */
export interface SweepResult {
  format: 'crossbar-sweep-result@1';
  id: string;
  study: string;
  settings: Record<string, JsonValue>;
  seed: number;
  engine: string;
  /** Test accuracy after training, before programming. */
  beforeProgramming: number;
  /** Final training epoch: loss and training accuracy (null with 0 epochs). */
  training: { loss: number; trainAccuracy: number } | null;
  /** Accuracy at each drift time, with and without global drift compensation (mean, std, values over repeats). */
  points: Omit<InferencePoint, 'label'>[];
  timings: { loadSeconds: number; trainSeconds: number; inferenceSeconds: number; totalSeconds: number };
  /** Where it ran. */
  ranOn: { host: string; pid: number; thread: number };
  finishedAt: string;
}

/** Runs a (validated) job. Deterministic apart from timings and ranOn: same job, same numbers. */
export async function runJob(job: SweepJob): Promise<SweepResult> {
  const b = job.base;
  await prepareEngines([]);
  const engine = await resolveEngine(b.engine);
  const report = await runDemo({
    engine,
    seed: job.seed,
    training: b.training,
    device: b.device,
    epochs: b.epochs,
    trainSize: b.trainSize,
    testSize: b.testSize,
    hidden: b.hidden,
    batchSize: b.batchSize,
    lr: b.lr,
    modifierStd: b.modifierStd,
    augmentShift: b.augmentShift,
    times: b.times,
    repeats: b.repeats,
    rpuConfig: jobRpuConfig(b, job.settings),
    out: null,
    progress: false,
  });
  const last = report.training.history.at(-1);
  return {
    format: 'crossbar-sweep-result@1',
    id: job.id,
    study: job.study,
    settings: job.settings,
    seed: job.seed,
    engine: report.engine.name,
    beforeProgramming: report.inference.beforeProgramming,
    training: last ? { loss: last.loss, trainAccuracy: last.trainAccuracy } : null,
    points: report.inference.points.map(({ t, compensated, uncompensated, compensationScale }) => ({ t, compensated, uncompensated, compensationScale })),
    timings: report.timing,
    ranOn: { host: hostname(), pid: process.pid, thread: threadId },
    finishedAt: new Date().toISOString(),
  };
}
