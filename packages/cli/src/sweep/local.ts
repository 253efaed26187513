/**
 * Jobs on this machine: a Piscina pool of worker threads (one job per
 * thread at a time), results appended to results.jsonl as they finish.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { SweepResult } from './job.js';
import type { SweepJob } from './spec.js';

/** A pool of `threads` worker threads running sweep jobs (pool-worker.js). */
export function createJobPool(threads: number): Piscina<SweepJob | unknown, SweepResult> {
  return new Piscina({
    filename: new URL('./pool-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // Each thread holds the MNIST digits and the engine; keep it for the next job.
    idleTimeout: 60_000,
  });
}

/** The default number of local workers: the machine's cores. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export interface JobFailure {
  id: string;
  settings: SweepJob['settings'];
  seed: number;
  error: string;
}

/**
 * Runs `jobs` on `workers` threads; `onResult` gets each result as it
 * finishes (in finishing order), `onFailure` each job that threw.
 */
export async function runLocal(jobs: readonly SweepJob[], workers: number, onResult: (r: SweepResult) => void, onFailure: (f: JobFailure) => void): Promise<void> {
  if (jobs.length === 0) return;
  const pool = createJobPool(Math.min(workers, jobs.length));
  try {
    await Promise.all(
      jobs.map((job) =>
        pool
          .run(job)
          .then(onResult, (e: unknown) => onFailure({ id: job.id, settings: job.settings, seed: job.seed, error: e instanceof Error ? e.message : String(e) })),
      ),
    );
  } finally {
    await pool.destroy();
  }
}
