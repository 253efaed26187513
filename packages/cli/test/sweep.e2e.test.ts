/**
 * `crossbar sweep` and `crossbar worker` end to end, with real parts: the
 * built binary, Piscina worker threads, and (where Debian's redis-server is
 * installed; CI installs it) a real Redis on a free port of 127.0.0.1 with two
 * worker processes, one of which is killed mid-job.
 *
 * The study is tiny (4 jobs: 300 training digits, 1 epoch, a 784-16-10
 * network) so the file takes about a minute on two busy cores.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BIN, crossbar, distProblem, lines, tempDir } from './helpers/spawn.js';

beforeAll(() => {
  const problem = distProblem();
  if (problem) throw new Error(problem);
});

const REDIS_SERVER = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0 ? 'redis-server' : undefined;
const SKIP_REASON = 'redis-server is not installed (apt-get install redis-server): the queue tests are SKIPPED';
if (!REDIS_SERVER) console.warn(`sweep.e2e: ${SKIP_REASON}`);

const STUDY = `# tiny: 2 x 2 grid, 1 seed
name: tiny
base:
  epochs: 1
  trainSize: 300
  testSize: 100
  hidden: [16]
  batchSize: 16
  times: [1, 31536000]
axes:
  forward.out_noise: [0.0, 0.1]
  noise_model.prog_noise_scale: [0.5, 2.0]
seeds: [7]
`;

interface Line {
  id: string;
  settings: Record<string, number>;
  seed: number;
  beforeProgramming: number;
  points: { t: number; compensated: { mean: number }; uncompensated: { mean: number }; compensationScale: number }[];
  ranOn: { pid: number };
}

function readLines(file: string): Line[] {
  return lines(readFileSync(file, 'utf8')).map((l) => JSON.parse(l) as Line);
}

/** The numbers of a result (not its timings or where it ran). */
function numbers(r: Line): unknown {
  return { id: r.id, settings: r.settings, seed: r.seed, beforeProgramming: r.beforeProgramming, points: r.points };
}

const dir = tempDir();
const studyFile = join(dir, 'tiny.yaml');
writeFileSync(studyFile, STUDY);
let localResults: Line[] | undefined;

describe('crossbar sweep on local worker threads', () => {
  it('runs every job on 2 threads: results.jsonl, tables, plots; a re-run runs only what is missing', () => {
    const out = join(dir, 'local');
    const r = crossbar(['sweep', studyFile, '--workers', '2', '-o', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sweep "tiny": 4 jobs \(2 forward\.out_noise × 2 noise_model\.prog_noise_scale × 1 seed\(s\)\)/);
    expect(r.stderr).toContain('running 4 job(s) on 2 worker thread(s)');
    expect(r.stderr).toMatch(/sweep \[#+\] 4\/4/);
    expect(r.stdout).toMatch(/^by forward\.out_noise/m);
    expect(r.stdout).toMatch(/^out_noise=0\.1, prog_noise_scale=2\s+1\s+\d+\.\d\d %/m);
    const results = readLines(join(out, 'results.jsonl'));
    expect(results).toHaveLength(4);
    expect(new Set(results.map((x) => x.id)).size).toBe(4);
    for (const x of results) {
      expect(x.points.map((p) => p.t)).toEqual([1, 31536000]);
      expect(x.beforeProgramming).toBeGreaterThan(0.15); // trained above chance (10 %) on 300 digits
    }
    for (const f of ['report.json', 'accuracy-vs-time.svg', 'heatmap.svg']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'heatmap.svg'), 'utf8')).toContain('noise_model.prog_noise_scale');
    localResults = results;

    // Interrupted: the last line cut short. The re-run keeps the 3 whole lines and runs the 4th job again.
    const text = readFileSync(join(out, 'results.jsonl'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(out, 'results.jsonl'), `${text.slice(0, 3).join('\n')}\n${text[3]!.slice(0, 50)}`);
    const again = crossbar(['sweep', studyFile, '--workers', '2', '-o', out, '--json'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('1 line(s) could not be read');
    expect(again.stderr).toContain('3 already in');
    expect(again.stderr).toContain('running 1 job(s) on 1 worker thread(s)');
    const whole = lines(readFileSync(join(out, 'results.jsonl'), 'utf8')).filter((l) => l.endsWith('}'));
    expect(whole.map((l) => (JSON.parse(l) as Line).id).sort()).toEqual(results.map((x) => x.id).sort());
    expect(numbers(whole.map((l) => JSON.parse(l) as Line).find((x) => x.id === results[3]!.id)!)).toEqual(numbers(results[3]!));
    expect(JSON.parse(again.stdout)).toMatchObject({ format: 'crossbar-sweep-report@1', jobs: 4, results: 4 });
  });

  it('bad input: an unknown field, a value out of range, an unknown engine: one line, exit 2 (bad input), nothing run', () => {
    const bad = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return crossbar(['sweep', f, '-o', join(dir, `out-${name}`)], { cwd: dir });
    };
    const unknown = bad('unknown.yaml', 'axes:\n  forward.out_nois: [0.1]\n');
    expect(unknown.code).toBe(2);
    expect(lines(unknown.stderr)).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^error: .*unknown\.yaml: axes\."forward\.out_nois"\[0\] = 0\.1: .*has no key "out_nois" \(did you mean "out_noise"\?\)/);
    const range = bad('range.yaml', 'axes:\n  noise_model.prog_noise_scale: [1.0, -0.5]\n');
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/^error: .*axes\."noise_model\.prog_noise_scale"\[1\] = -0\.5: .*expected a finite number >= 0\n$/);
    const engine = bad('engine.yaml', 'base:\n  engine: nope\n');
    expect(engine.stderr).toMatch(/^error: .*engine\.yaml: base\.engine: no such engine; registered: (.*, )?ndarray/);
    expect(existsSync(join(dir, 'out-unknown.yaml'))).toBe(false);
  });
});

describe('crossbar sweep --queue: an unreachable Redis', () => {
  it('a clear error within seconds, no hang', async () => {
    const port = await freePort(); // nothing listens there
    const t0 = Date.now();
    const r = crossbar(['sweep', studyFile, '--queue', `redis://:secret@127.0.0.1:${port}`, '-o', join(dir, 'unreachable')], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(2); // the given --queue cannot be used: bad input, nothing ran (docs/cli.md, exit codes)
    expect(r.stderr).toMatch(new RegExp(`^error: cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`, 'm'));
    expect(r.stderr).not.toContain('secret');
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A process of the binary whose output is collected as it comes. */
interface Running {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  proc.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => text, exited };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!REDIS_SERVER)(`crossbar sweep --queue and crossbar worker on a real redis-server${REDIS_SERVER ? '' : ` (SKIPPED: ${SKIP_REASON})`}`, () => {
  let redis: ChildProcess | undefined;
  let url = '';
  const workers: Running[] = [];
  let queueRun: Line[] | undefined;
  const PASSWORD = 'pa55-word';

  beforeAll(async () => {
    const port = await freePort();
    // With a password: every queue test goes through a redis://:password@host URL.
    url = `redis://:${PASSWORD}@127.0.0.1:${port}`;
    redis = spawn(REDIS_SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD], { stdio: 'ignore' });
    // Until redis-server listens.
    for (let t0 = Date.now(); ;) {
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (e) {
        if (Date.now() - t0 > 20_000) throw e;
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        probe.disconnect();
      }
    }
    for (let i = 0; i < 2; i++) workers.push(start(['worker', '--queue', url, '--concurrency', '1', '--lock-duration', '3000']));
    await waitFor('two workers', () => workers.every((w) => w.output().includes('waiting for jobs')), 60_000);
  }, 90_000);

  afterAll(async () => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    redis?.kill('SIGKILL');
  });

  it('a malformed job on the queue is rejected and reported, and the worker keeps running', async () => {
    const conn = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue('crossbar-sweep', { connection: conn });
    try {
      await queue.add('junk', { format: 'crossbar-sweep-job@1', id: 'not-a-hash', run: 'process.exit(1)' }, { jobId: 'junk-1' });
      await queue.add('junk', 'just a string', { jobId: 'junk-2' });
      await waitFor(
        'both junk jobs to fail',
        () =>
          workers
            .map((w) => w.output())
            .join('')
            .split('rejected job junk-').length === 3,
        30_000,
      );
      // The worker logs the rejection before BullMQ has moved the job to failed.
      let failed = await queue.getJobs(['failed']);
      for (let t0 = Date.now(); failed.length < 2 && Date.now() - t0 < 20_000; failed = await queue.getJobs(['failed'])) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(failed.map((j) => j.id).sort()).toEqual(['junk-1', 'junk-2']);
      expect(failed.find((j) => j.id === 'junk-1')!.failedReason).toMatch(/malformed job: .*run: unknown key/);
      expect(failed.find((j) => j.id === 'junk-1')!.attemptsMade).toBeLessThanOrEqual(1); // not retried
      expect(failed.find((j) => j.id === 'junk-2')!.failedReason).toMatch(/malformed job: \(top level\): must be object/);
    } finally {
      await queue.close();
      conn.disconnect();
    }
    for (const w of workers) expect(w.proc.exitCode).toBeNull();
  });

  it('a worker killed mid-job: its job is retried by the other worker and every result arrives exactly once', async () => {
    const out = join(dir, 'queue');
    const sweep = start(['sweep', studyFile, '--queue', url, '-o', out]);
    // Kill the first worker that starts a job, while the job runs.
    let victim: Running | undefined;
    await waitFor('a worker to start a job', () => (victim = workers.find((w) => /job [0-9a-f]{16} started/.test(w.output()))) !== undefined, 60_000);
    const killedJob = /job ([0-9a-f]{16}) started/.exec(victim!.output())![1]!;
    expect(victim!.output()).not.toContain(`job ${killedJob} done`);
    victim!.proc.kill('SIGKILL');
    const survivor = workers.find((w) => w !== victim)!;
    const code = await Promise.race([sweep.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 100_000))]);
    expect(code, sweep.output()).toBe(0);
    expect(survivor.output()).toContain(`job ${killedJob} started`);
    expect(survivor.output()).toContain(`job ${killedJob} done`);
    const results = readLines(join(out, 'results.jsonl'));
    expect(results).toHaveLength(4);
    expect(new Set(results.map((r) => r.id)).size).toBe(4);
    expect(results.find((r) => r.id === killedJob)!.ranOn.pid).toBe(survivor.proc.pid);
    expect(sweep.output()).toMatch(/Wrote .*results\.jsonl/);
    // Collected results have left Redis; running the sweep again adds nothing.
    const again = crossbar(['sweep', studyFile, '--queue', url, '-o', out], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('4 already in');
    expect(readLines(join(out, 'results.jsonl'))).toHaveLength(4);
    queueRun = results;
  }, 150_000);

  it('the queue run gives the same numbers as the local pool run', () => {
    expect(localResults, 'the local run above').toBeDefined();
    expect(queueRun, 'the queue run above').toBeDefined();
    const byId = (rs: Line[]) => Object.fromEntries(rs.map((r) => [r.id, numbers(r)]));
    expect(byId(queueRun!)).toEqual(byId(localResults!));
  });

  it('--status shows the queue, its workers and the failed jobs; a wrong password is a clear error', () => {
    const s = crossbar(['sweep', '--status', '--queue', url], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/queue "crossbar-sweep" at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: \d+ worker connection\(s\)/);
    expect(s.stdout + s.stderr).not.toContain(PASSWORD);
    for (const w of workers) expect(w.output()).not.toContain(PASSWORD);
    expect(s.stdout).toContain('waiting 0, active 0, completed and not yet collected 0, failed 2');
    expect(s.stdout).toMatch(/failed junk-1: malformed job/);
    const j = crossbar(['sweep', studyFile, '--status', '--queue', url, '-o', join(dir, 'queue'), '--json'], { cwd: dir });
    expect(JSON.parse(j.stdout)).toMatchObject({ study: 'tiny', jobs: 4, done: 4, queue: { counts: { failed: 2 } } });
    const wrong = crossbar(['sweep', '--status', '--queue', url.replace(PASSWORD, 'wrong')], { cwd: dir, timeoutMs: 60_000 });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS/m);
  });
});
