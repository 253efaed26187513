/**
 * `crossbar sweep study.yaml`: every job of a study (axes × seeds) on a local
 * pool of worker threads (`--workers N`) or on a BullMQ queue that
 * `crossbar worker` processes on any number of machines (`--queue URL`);
 * results.jsonl, tables, plots.
 */
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { duration } from '../format.js';
import { printJson, println, type CliIO } from '../io.js';
import { intArg } from '../options.js';
import { prepareEngines, resolveEngine } from '../engines.js';
import { CliError, EXIT_FAILED, UsageError } from '../errors.js';
import { ProgressBar } from '../progress.js';
import type { SweepResult } from '../sweep/job.js';
import { defaultWorkers, runLocal, type JobFailure } from '../sweep/local.js';
import { collect, connectRedis, DEFAULT_QUEUE_NAME, enqueue, openQueue, queueStatus, redactUrl, type QueueStatus } from '../sweep/queue.js';
import { formatSweepReport, settingsLabel, writeReport } from '../sweep/report.js';
import { readResults, ResultsWriter } from '../sweep/results.js';
import { expandJobs, loadSweep, SWEEP_SCHEMA, type SweepSpec } from '../sweep/spec.js';

interface SweepCliOptions {
  engine?: string;
  json?: boolean;
  verbose?: boolean;
  workers?: number;
  queue?: string;
  queueName: string;
  status?: boolean;
  enqueueOnly?: boolean;
  out?: string;
  schema?: boolean;
  quiet?: boolean;
}

/** Default output folder of a study. */
function outDir(spec: SweepSpec, out?: string): string {
  return out ?? join('sweep-output', spec.name);
}

function rel(p: string): string {
  return relative(process.cwd(), p) || p;
}

/** Progress over the whole sweep (finished jobs of earlier runs count as done), with an ETA from this run's rate. */
class SweepProgress {
  private readonly bar?: ProgressBar;
  private readonly t0 = performance.now();
  private doneNow = 0;
  private extra = '';

  constructor(
    io: CliIO,
    quiet: boolean | undefined,
    private readonly total: number,
    private done: number,
  ) {
    if (!quiet) this.bar = new ProgressBar('sweep', total, { stream: io.stderr, lineEvery: 1 / Math.max(1, Math.min(total, 20)) });
    this.bar?.update(done, this.fields());
  }

  private fields(): string {
    const left = this.total - this.done;
    let eta = 'ETA –';
    if (this.doneNow > 0 && left > 0) eta = `ETA ${duration(((performance.now() - this.t0) / 1000 / this.doneNow) * left)}`;
    return [eta, this.extra].filter(Boolean).join('  ');
  }

  jobDone(): void {
    this.done++;
    this.doneNow++;
    this.bar?.update(this.done, this.fields());
  }

  note(extra: string): void {
    this.extra = extra;
    this.bar?.update(this.done, this.fields());
  }

  finish(): void {
    this.bar?.finish(`${duration((performance.now() - this.t0) / 1000)}`);
  }
}

function statusText(s: QueueStatus): string {
  const c = s.counts;
  const lines = [
    `queue "${s.queue}" at ${s.url}: ${s.workers} worker connection(s)`,
    `  waiting ${(c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0)}, active ${c.active ?? 0}, completed and not yet collected ${c.completed ?? 0}, failed ${c.failed ?? 0}`,
  ];
  for (const f of s.failed) lines.push(`  failed ${f.id}: ${f.reason}`);
  return lines.join('\n');
}

export function sweepCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('sweep')
    .description(
      'Run a study: every combination of the axes of a sweep file (RPU config fields by their aihwkit dict path) for every seed, on local worker threads or on a Redis queue that `crossbar worker` processes on other machines; results.jsonl, tables per axis and SVG plots',
    )
    .argument('[study]', 'sweep file (.yaml, .yml or .json; see --schema and docs/sweeps.md)')
    .option('-w, --workers <n>', `local worker threads (default: the machine's cores, ${defaultWorkers()} here)`, intArg(1, 1024))
    .option(
      '--queue <url>',
      'put the jobs on a BullMQ queue at this Redis URL (redis://[:password@]host:port[/db], rediss:// for TLS) and collect the results of `crossbar worker`s',
    )
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option('--enqueue-only', 'with --queue: add the jobs and exit; the same command without it collects the results later')
    .option('--status', "show the queue's jobs and workers (with --queue), and how many of the study's jobs are in results.jsonl")
    .option('-o, --out <dir>', 'output folder: results.jsonl, report.json, accuracy-vs-time.svg, heatmap.svg (default: sweep-output/<study name>)')
    .option('--schema', 'print the JSON schema of the sweep file and exit')
    .option('-q, --quiet', 'no progress bar or status lines')
    // Not the common --engine/--load: the file names the engine of its jobs, and jobs run on
    // threads and other machines, which know only the installed engines.
    .option('-e, --engine <name>', "engine of every job, 'name' or 'name:mode', instead of the file's base.engine (default there: ndarray); part of each job's id")
    .option('--json', 'machine-readable JSON on stdout')
    .option('-v, --verbose', 'stack traces on errors');
  cmd.action(async (study: string | undefined, opts: SweepCliOptions) => {
    if (opts.schema) {
      println(io.stdout, JSON.stringify(SWEEP_SCHEMA, null, 2));
      return;
    }
    const status = (line: string) => {
      if (!opts.quiet) println(io.stderr, line);
    };
    if (opts.workers !== undefined && opts.queue)
      throw new UsageError("--workers and --queue: choose one (the queue's workers are `crossbar worker` processes; see --concurrency there)", 'crossbar sweep');
    if (opts.enqueueOnly && !opts.queue) throw new UsageError('--enqueue-only needs --queue', 'crossbar sweep');

    if (opts.status && !study) {
      if (!opts.queue) throw new UsageError('--status needs --queue URL or a study file', 'crossbar sweep');
      const conn = await connectRedis(opts.queue);
      const queue = openQueue(conn, opts.queueName);
      try {
        const s = await queueStatus(queue, opts.queue);
        if (opts.json) printJson(io, s);
        else println(io.stdout, statusText(s));
      } finally {
        await queue.close();
        conn.disconnect();
      }
      return;
    }
    if (!study) throw new UsageError("missing required argument 'study' (a sweep file)", 'crossbar sweep');

    const spec = loadSweep(study);
    if (opts.engine) spec.base.engine = opts.engine;
    await prepareEngines([]);
    // An unknown engine fails here, not in every job.
    await resolveEngine(spec.base.engine).catch((e: unknown) => {
      if (opts.engine !== undefined) throw e;
      throw new CliError(`${study}: base.engine: ${(e as Error).message.replace(/^--engine \S+: /, '').replace(/ \(load another with --load [^)]*\)$/, '')}`);
    });
    const jobs = expandJobs(spec);
    const out = outDir(spec, opts.out);
    const resultsFile = join(out, 'results.jsonl');
    const { results, unreadable } = readResults(resultsFile);
    const done = jobs.filter((j) => results.has(j.id));
    const pending = jobs.filter((j) => !results.has(j.id));
    const grid = spec.axes.map(([a, v]) => `${v.length} ${a}`).join(' × ');
    if (unreadable > 0) status(`${rel(resultsFile)}: ${unreadable} line(s) could not be read (cut short by an interruption?); their jobs run again`);

    if (opts.status) {
      const line = `sweep "${spec.name}": ${done.length} of ${jobs.length} jobs in ${rel(resultsFile)}`;
      if (!opts.queue) {
        if (opts.json) printJson(io, { study: spec.name, jobs: jobs.length, done: done.length });
        else println(io.stdout, line);
        return;
      }
      const conn = await connectRedis(opts.queue);
      const queue = openQueue(conn, opts.queueName);
      try {
        const s = await queueStatus(queue, opts.queue);
        if (opts.json) printJson(io, { study: spec.name, jobs: jobs.length, done: done.length, queue: s });
        else println(io.stdout, `${line}\n${statusText(s)}`);
      } finally {
        await queue.close();
        conn.disconnect();
      }
      return;
    }

    status(
      `sweep "${spec.name}": ${jobs.length} jobs (${grid ? `${grid} × ` : ''}${spec.seeds.length} seed(s)), engine ${spec.base.engine}; ` +
        `each: ${spec.base.training} training, ${spec.base.epochs} epoch(s) on ${spec.base.trainSize} digits, ${spec.base.testSize} test digits, ${spec.base.times.length} drift times` +
        (done.length ? `; ${done.length} already in ${rel(resultsFile)}` : ''),
    );
    const writer = new ResultsWriter(resultsFile);
    const failures: JobFailure[] = [];
    const progress = new SweepProgress(io, opts.quiet, jobs.length, done.length);
    const onResult = (r: SweepResult) => {
      writer.append(r);
      results.set(r.id, r);
      progress.jobDone();
    };
    const onFailure = (f: JobFailure) => {
      failures.push(f);
      progress.jobDone();
    };
    const t0 = performance.now();

    if (opts.queue) {
      const url = opts.queue;
      const conn = await connectRedis(url);
      const queue = openQueue(conn, opts.queueName);
      try {
        await enqueue(
          queue,
          pending,
          done.map((j) => j.id),
        );
        if (opts.enqueueOnly) {
          status(`added ${pending.length} job(s) to queue "${opts.queueName}" at ${redactUrl(url)}; collect their results with the same command without --enqueue-only`);
          return;
        }
        status(`${pending.length} job(s) on queue "${opts.queueName}" at ${redactUrl(url)}; start workers with: crossbar worker --queue ${redactUrl(url)}`);
        await collect(queue, pending, {
          onResult,
          onFailure,
          onPoll: (c) => progress.note(`${c.active ?? 0} running, ${(c.waiting ?? 0) + (c.prioritized ?? 0)} waiting`),
        });
      } finally {
        await queue.close();
        conn.disconnect();
      }
    } else {
      const workers = opts.workers ?? defaultWorkers();
      if (pending.length) status(`running ${pending.length} job(s) on ${Math.min(workers, pending.length)} worker thread(s)`);
      await runLocal(pending, workers, onResult, onFailure);
    }
    progress.finish();
    const wall = (performance.now() - t0) / 1000;

    const report = writeReport(out, spec, jobs, results, resultsFile);
    if (opts.json) printJson(io, { ...report, wallSeconds: wall, failures });
    else {
      println(io.stdout, formatSweepReport(report));
      println(io.stdout);
      const files = [report.files.results, report.files.report, report.results > 0 ? report.files.plot : null, report.files.heatmap].filter(
        (f): f is string => f !== null,
      );
      println(io.stdout, `Wrote ${files.map(rel).join(', ')}`);
      println(io.stdout, `Wall time ${duration(wall)} for ${pending.length} job(s); summed job time ${duration(report.jobSeconds)}`);
    }
    if (failures.length) {
      for (const f of failures) println(io.stderr, `job ${f.id} (${settingsLabel(f.settings)}, seed ${f.seed}) failed: ${f.error}`);
      const err = new CliError(`${failures.length} of ${pending.length} job(s) failed (listed above); run the sweep again to retry them`);
      println(io.stderr, `error: ${err.message}`);
      setExit(EXIT_FAILED);
    }
  });
  return cmd;
}
