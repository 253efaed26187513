/**
 * The worker-thread side of the job pool (Piscina's `filename`): each thread
 * checks the job it is handed and runs it. The same file serves the local
 * pool (`crossbar sweep --workers N`) and the queue worker (`crossbar worker`),
 * which runs jobs on threads so that its main thread stays free to renew
 * BullMQ's job locks while a job trains.
 */
import { runJob, type SweepResult } from './job.js';
import { validateJob } from './spec.js';

export default async function poolTask(data: unknown): Promise<SweepResult> {
  return runJob(validateJob(data));
}
