/**
 * The benchmark harness: cases, a runner on tinybench, and the report (a
 * console table, JSON, and a Markdown table for docs/benchmarks.md with the
 * machine it ran on).
 *
 * ADDING A CASE is a one-file change: put a file in `src/bench/cases/` whose
 * default export is a case or a list of cases made with `defineBench`:
 *
 *     // src/bench/cases/ndarray-forward.ts
 *     import { getBackend, SingleRPUConfig } from '@crossbar/core';
 *     import '@crossbar/backend-ndarray';
 *     import { defineBench } from '../harness.js';
 *
 *     export default [64, 256].map((n) => defineBench({
 *       name: `forward ${n}x${n} b32`, group: 'forward', engine: 'ndarray',
 *       size: `${n}x${n}, batch 32`, flops: 2 * n * n * 32,
 *       async setup() {
 *         const tile = await (await getBackend('ndarray')).createTile({ outSize: n, inSize: n, rpuConfig: new SingleRPUConfig() });
 *         const x = new Float32Array(32 * n).fill(0.5);
 *         return { run: () => tile.forward(x, 32), teardown: () => tile.dispose() };
 *       },
 *     }));
 *
 * The runner finds every file in `cases/` (see cases.ts); a case whose setup
 * throws (e.g. no WebGL for gpu.js) is reported as skipped with the reason.
 * Time only the work in `run`: allocate buffers and build tiles in `setup`.
 * `pnpm bench` and `crossbar bench` run each case in a fresh Node process
 * (`isolate`, worker.ts), so that no case inherits another's heap, compiled
 * code or threads (gpu.js's WebAssembly workers, GL contexts, a browser).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem, platform, arch, release, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

/** What `setup` returns: the function to time, or it with a teardown. */
export type BenchBody = (() => unknown) | { run: () => unknown; teardown?: () => unknown };

export interface BenchCase {
  /** Unique name, e.g. "fillNormal 1e6". */
  readonly name: string;
  /** What is measured, e.g. "rng", "forward", "backward", "update". */
  readonly group: string;
  /** The engine measured ("core" for engine-independent code, "ndarray", "gpujs", ...). */
  readonly engine: string;
  /** The problem size, as shown in reports (e.g. 1000000 or "256x256, batch 32"). */
  readonly size: number | string;
  /** Floating-point operations of one run, for GFLOP/s (leave out where it means nothing). */
  readonly flops?: number;
  /** Items one run produces, for a rate such as normals/s. */
  readonly items?: { readonly count: number; readonly unit: string };
  /** Builds what `run` needs; may be async. Throwing skips the case (with the reason). */
  setup(): BenchBody | Promise<BenchBody>;
}

/** Checks a case's fields and returns it (the default export of a case file). */
export function defineBench(c: BenchCase): BenchCase {
  if (!c.name || !c.group || !c.engine) throw new Error('defineBench: name, group and engine are required');
  if (c.flops !== undefined && !(Number.isFinite(c.flops) && c.flops >= 0)) {
    throw new Error(`defineBench(${c.name}): flops must be a finite number >= 0`);
  }
  if (c.items !== undefined && !(Number.isFinite(c.items.count) && c.items.count > 0 && c.items.unit)) {
    throw new Error(`defineBench(${c.name}): items needs a positive count and a unit`);
  }
  if (typeof c.setup !== 'function') throw new Error(`defineBench(${c.name}): setup must be a function`);
  return c;
}

export interface BenchResult {
  name: string;
  group: string;
  engine: string;
  size: number | string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why the case was skipped or failed. */
  reason?: string;
  /** Mean time of one run (ms). */
  meanMs?: number;
  /** Median time of one run (ms). */
  p50Ms?: number;
  /** Relative margin of error of the mean (%, 95 % confidence). */
  rmePercent?: number;
  /** Number of timed runs. */
  samples?: number;
  /** Runs per second (1000 / meanMs). */
  opsPerSecond?: number;
  gflops?: number;
  itemsPerSecond?: number;
  itemUnit?: string;
}

/** The machine a benchmark or demo ran on (CPU, cores, memory, Node), for reports. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  date: string;
  /** The 1-minute load average when the run started (other work on the machine slows the cases). */
  load: number;
}

export interface BenchReport {
  machine: MachineInfo;
  /** tinybench time budget per case (ms). */
  timeMs: number;
  results: BenchResult[];
}

export interface RunOptions {
  /** Time budget per case in ms (default 1000); warm-up is a quarter of it. */
  timeMs?: number;
  /** Minimum number of timed runs (default 10). */
  minIterations?: number;
  /** Called after each case (for progress output). */
  onResult?: (r: BenchResult) => void;
  /**
   * Runs each case in a fresh Node process (the built worker.js next to this
   * file), so that one case's heap, compiled code and threads (gpu.js's
   * WebAssembly workers, GL contexts, a browser) cannot slow the next. Default false.
   */
  isolate?: boolean;
}

export function machineInfo(date = new Date()): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    date: date.toISOString(),
    load: Math.round(loadavg()[0]! * 100) / 100,
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs one case: setup, tinybench timing, teardown. */
export async function runCase(c: BenchCase, opts: RunOptions = {}): Promise<BenchResult> {
  const base = { name: c.name, group: c.group, engine: c.engine, size: c.size };
  let body: BenchBody;
  try {
    body = await c.setup();
  } catch (e) {
    return { ...base, status: 'skipped', reason: messageOf(e) };
  }
  const run = typeof body === 'function' ? body : body.run;
  const teardown = typeof body === 'function' ? undefined : body.teardown;
  const timeMs = opts.timeMs ?? 1000;
  try {
    const bench = new Bench({
      time: timeMs,
      warmupTime: Math.max(10, timeMs / 4),
      iterations: opts.minIterations ?? 10,
      warmupIterations: 2,
      throws: true,
    });
    bench.add(c.name, run);
    await bench.run();
    const result = bench.tasks[0]!.result;
    if (result.state !== 'completed') throw new Error(`tinybench ended in state ${result.state}`);
    const meanMs = result.latency.mean;
    const opsPerSecond = meanMs > 0 ? 1000 / meanMs : Infinity;
    return {
      ...base,
      status: 'ok',
      meanMs,
      p50Ms: result.latency.p50,
      rmePercent: result.latency.rme,
      samples: result.latency.samplesCount,
      opsPerSecond,
      ...(c.flops !== undefined ? { gflops: (c.flops * opsPerSecond) / 1e9 } : {}),
      ...(c.items !== undefined ? { itemsPerSecond: c.items.count * opsPerSecond, itemUnit: c.items.unit } : {}),
    };
  } catch (e) {
    return { ...base, status: 'failed', reason: messageOf(e) };
  } finally {
    await teardown?.();
  }
}

/** The `group/engine/name` key of a case (unique in a run; what --filter matches). */
export function caseKey(c: Pick<BenchCase, 'group' | 'engine' | 'name'>): string {
  return `${c.group}/${c.engine}/${c.name}`;
}

/** The worker that runs one case in its own process (built: dist/bench/worker.js). */
const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/** runCase in a fresh Node process (worker.ts): the case's result, or why the process failed. */
export async function runCaseIsolated(c: BenchCase, opts: RunOptions = {}): Promise<BenchResult> {
  const base = { name: c.name, group: c.group, engine: c.engine, size: c.size };
  if (!existsSync(WORKER)) return { ...base, status: 'failed', reason: `${WORKER} is missing: build the CLI (isolated runs need the built worker)` };
  const args = [WORKER, caseKey(c), String(opts.timeMs ?? 1000), String(opts.minIterations ?? 10)];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', (e) => resolve({ ...base, status: 'failed', reason: `could not start the worker: ${messageOf(e)}` }));
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(last) as BenchResult;
        if (code === 0 && r.name === c.name) return resolve(r);
      } catch {
        // fall through: report the process's own words
      }
      resolve({ ...base, status: 'failed', reason: `worker exited with code ${code}: ${(err.trim() || last).split('\n').slice(-3).join(' / ')}` });
    });
  });
}

/** Runs the cases one after the other (each on its own, so a failure or skip does not stop the rest). */
export async function runBenchmarks(cases: readonly BenchCase[], opts: RunOptions = {}): Promise<BenchReport> {
  const names = new Set<string>();
  for (const c of cases) {
    const key = caseKey(c);
    if (names.has(key)) throw new Error(`two benchmark cases are called ${key}`);
    names.add(key);
  }
  const results: BenchResult[] = [];
  for (const c of cases) {
    const r = opts.isolate ? await runCaseIsolated(c, opts) : await runCase(c, opts);
    results.push(r);
    opts.onResult?.(r);
  }
  return { machine: machineInfo(), timeMs: opts.timeMs ?? 1000, results };
}

// ---------------------------------------------------------------- formatting

/** 1234567 → "1.23 M", with three significant digits. */
export function si(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [f, u] of units) if (Math.abs(x) >= f) return `${(x / f).toPrecision(3)} ${u}`;
  return x.toPrecision(3);
}

function timeText(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toPrecision(3)} s`;
  if (ms >= 1) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}

const COLUMNS = ['group', 'case', 'engine', 'size', 'time / run', '±', 'runs/s', 'GFLOP/s', 'throughput'] as const;

function row(r: BenchResult): string[] {
  if (r.status !== 'ok') return [r.group, r.name, r.engine, String(r.size), `${r.status}: ${r.reason ?? ''}`, '', '', '', ''];
  return [
    r.group,
    r.name,
    r.engine,
    String(r.size),
    timeText(r.meanMs!),
    `${r.rmePercent!.toFixed(1)} %`,
    si(r.opsPerSecond!),
    r.gflops !== undefined ? r.gflops.toPrecision(3) : '–',
    r.itemsPerSecond !== undefined ? `${si(r.itemsPerSecond)} ${r.itemUnit}/s` : '–',
  ];
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.date.slice(0, 10)}, load average ${m.load}`;
}

/** A plain-text table for the terminal. */
export function formatTable(report: BenchReport): string {
  const rows = [COLUMNS.slice() as string[], ...report.results.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [machineLine(report.machine), '', line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export const MARKDOWN_START = '<!-- bench:start -->';
export const MARKDOWN_END = '<!-- bench:end -->';

/** The Markdown results block (between the bench markers of docs/benchmarks.md). */
export function formatMarkdown(report: BenchReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    MARKDOWN_START,
    `Measured on ${machineLine(report.machine)} (tinybench, ${report.timeMs} ms per case).`,
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((c, i) => (i >= 4 ? '---:' : '---')).join('|')}|`,
    ...report.results.map((r) => `| ${row(r).map(esc).join(' | ')} |`),
    MARKDOWN_END,
  ];
  return lines.join('\n');
}

/** `doc` with its bench block replaced by `block` (or the block appended when there is none). */
export function replaceMarkdownBlock(doc: string, block: string): string {
  const start = doc.indexOf(MARKDOWN_START);
  const end = doc.indexOf(MARKDOWN_END);
  if (start >= 0 && end > start) return doc.slice(0, start) + block + doc.slice(end + MARKDOWN_END.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}
