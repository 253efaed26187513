/**
 * Jobs on many machines: a BullMQ queue on Redis.
 *
 * `crossbar sweep --queue URL` adds the jobs (BullMQ job id `sweep-<job id>`,
 * so adding a job twice is a no-op), then collects results: a completed
 * job's return value is appended to results.jsonl, then the job is removed
 * from Redis. A result reaches the file once: a job whose id the file
 * already holds is removed without a second line.
 *
 * `crossbar worker --queue URL` takes jobs, checks each one (plain data,
 * validated: nothing on the queue is run as code) and runs it on a worker
 * thread, so its main thread keeps renewing the job's lock. A worker that
 * dies mid-job stops renewing; after the lock expires BullMQ's stalled-job
 * check moves the job back to waiting and another worker takes it.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { CliError, UsageError } from '../errors.js';
import type { SweepResult } from './job.js';
import { createJobPool, type JobFailure } from './local.js';
import { validateJob, type SweepJob } from './spec.js';

export const DEFAULT_QUEUE_NAME = 'crossbar-sweep';
/** How long a worker's lock on a job lasts without renewal, ms (BullMQ's default). */
export const DEFAULT_LOCK_MS = 30_000;
/** How long the first connection to Redis may take. */
const CONNECT_TIMEOUT_MS = 5_000;

/** The BullMQ job id of a sweep job (BullMQ refuses ids that read as integers, which a hex hash can). */
export function queueJobId(id: string): string {
  return `sweep-${id}`;
}

/** The URL with its password replaced by "***" (for messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** Checks a redis:// or rediss:// URL (a usage error otherwise). */
export function checkRedisUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue ${redactUrl(url)}: not a URL; expected redis://[:password@]host:port[/db] or rediss://... (TLS)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UsageError(`--queue ${redactUrl(url)}: expected a redis:// or rediss:// (TLS) URL`);
  }
}

/**
 * A connection to Redis, after a first connection that must succeed within
 * a few seconds: an unreachable server, a wrong password or a TLS problem is
 * a CliError at once instead of endless reconnecting.
 */
export async function connectRedis(url: string, options: RedisOptions = {}): Promise<Redis> {
  checkRedisUrl(url);
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // connect() rejects with a bare "Connection is closed"; the cause comes as an 'error' event.
  let cause: string | undefined;
  probe.on('error', (e: Error) => {
    cause ??= e.message;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    const msg = cause ?? (e instanceof Error ? e.message : String(e));
    throw new CliError(`cannot reach Redis at ${redactUrl(url)}: ${msg} (is redis-server running there, and the URL, password and TLS right?)`);
  } finally {
    probe.disconnect();
  }
  // BullMQ's workers block on Redis: their connection must never give up a command.
  const conn = new Redis(url, { connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: null, ...options });
  conn.on('error', () => undefined); // ioredis reconnects; BullMQ reports what fails
  return conn;
}

export function openQueue(conn: Redis, name: string): Queue {
  return new Queue(name, { connection: conn });
}

/**
 * Adds the jobs (a job already there is left alone; one that failed before is
 * retried) and removes finished jobs whose results the file already holds.
 */
export async function enqueue(queue: Queue, pending: readonly SweepJob[], alreadyDone: readonly string[]): Promise<void> {
  for (const id of alreadyDone) {
    const job = await queue.getJob(queueJobId(id));
    if (job && (await job.getState()) === 'completed') await job.remove();
  }
  const CHUNK = 500;
  for (let i = 0; i < pending.length; i += CHUNK) {
    await queue.addBulk(
      pending.slice(i, i + CHUNK).map((j) => ({
        name: j.study,
        data: j,
        opts: { jobId: queueJobId(j.id), removeOnComplete: false, removeOnFail: false, attempts: 1 },
      })),
    );
  }
  for (const j of pending) {
    const job = await queue.getJob(queueJobId(j.id));
    if (job && (await job.getState()) === 'failed') await job.retry('failed');
  }
}

export interface CollectCallbacks {
  onResult(r: SweepResult): void;
  onFailure(f: JobFailure): void;
  /** Called after each poll with the queue's counts. */
  onPoll?(counts: Record<string, number>): void;
}

/**
 * Collects the results of `jobs` until every one has completed or failed:
 * each completed job's result goes to `onResult` once, then the job leaves Redis.
 */
export async function collect(queue: Queue, jobs: readonly SweepJob[], cb: CollectCallbacks, pollMs = 250): Promise<void> {
  const byQueueId = new Map(jobs.map((j) => [queueJobId(j.id), j]));
  const pending = new Set(byQueueId.keys());
  while (pending.size > 0) {
    const completed = (await queue.getJobs(['completed'], 0, -1)) as Job[];
    for (const job of completed) {
      const id = job.id;
      if (id === undefined || !pending.has(id)) continue;
      const sj = byQueueId.get(id)!;
      const r = job.returnvalue as SweepResult | null;
      if (!r || r.format !== 'crossbar-sweep-result@1' || r.id !== sj.id) {
        cb.onFailure({ id: sj.id, settings: sj.settings, seed: sj.seed, error: `the queue returned no result for job ${sj.id}` });
      } else {
        cb.onResult(r);
      }
      pending.delete(id);
      await job.remove();
    }
    const failed = (await queue.getJobs(['failed'], 0, -1)) as Job[];
    for (const job of failed) {
      const id = job.id;
      if (id === undefined || !pending.has(id)) continue;
      const sj = byQueueId.get(id)!;
      cb.onFailure({ id: sj.id, settings: sj.settings, seed: sj.seed, error: job.failedReason });
      pending.delete(id);
    }
    cb.onPoll?.(await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'));
    if (pending.size > 0) await new Promise((r) => setTimeout(r, pollMs));
  }
}

export interface QueueStatus {
  queue: string;
  url: string;
  counts: Record<string, number>;
  workers: number;
  failed: { id: string; reason: string }[];
}

export async function queueStatus(queue: Queue, url: string): Promise<QueueStatus> {
  const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
  const workers = await queue.getWorkersCount();
  const failed = ((await queue.getJobs(['failed'], 0, 19)) as Job[]).map((j) => ({ id: j.id ?? '?', reason: j.failedReason }));
  return { queue: queue.name, url: redactUrl(url), counts, workers, failed };
}

export interface WorkerOptions {
  url: string;
  queueName: string;
  concurrency: number;
  lockMs: number;
  log: (line: string) => void;
}

function settingsText(job: SweepJob): string {
  const s = Object.entries(job.settings).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [...s, `seed=${job.seed}`].join(' ');
}

/**
 * A queue worker: takes jobs until stopped (the returned `close`). A job
 * that is not a valid sweep job is failed at once (not retried) with the
 * reason, and the worker goes on.
 */
export async function startWorker(o: WorkerOptions): Promise<{ close: () => Promise<void>; worker: Worker }> {
  const conn = await connectRedis(o.url);
  const pool = createJobPool(o.concurrency);
  const worker = new Worker(
    o.queueName,
    async (job: Job) => {
      let sj: SweepJob;
      try {
        sj = validateJob(job.data);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        o.log(`rejected job ${job.id}: ${msg}`);
        throw new UnrecoverableError(msg);
      }
      o.log(`job ${sj.id} started: ${settingsText(sj)}`);
      const t0 = performance.now();
      const r = await pool.run(sj);
      const last = r.points.at(-1);
      o.log(
        `job ${sj.id} done in ${((performance.now() - t0) / 1000).toFixed(1)} s` + (last ? `: ${(100 * last.compensated.mean).toFixed(2)} % at t = ${last.t} s` : ''),
      );
      return r;
    },
    {
      connection: conn,
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      // A job whose worker died more than twice is failed rather than retried for ever.
      maxStalledCount: 2,
      autorun: true,
    },
  );
  worker.on('failed', (job, err) => {
    if (!(err instanceof UnrecoverableError)) o.log(`job ${job?.id ?? '?'} failed: ${err.message}`);
  });
  worker.on('error', (err) => o.log(`worker error: ${err.message}`));
  await worker.waitUntilReady();
  o.log(`worker: waiting for jobs on queue "${o.queueName}" at ${redactUrl(o.url)} (concurrency ${o.concurrency}, lock ${o.lockMs} ms)`);
  return {
    worker,
    close: async () => {
      await worker.close();
      await pool.destroy();
      conn.disconnect();
    },
  };
}
