/** `crossbar worker --queue URL`: takes sweep jobs from a BullMQ queue until stopped (Ctrl-C, SIGTERM). */
import { Command } from 'commander';
import { println, type CliIO } from '../io.js';
import { intArg } from '../options.js';
import { defaultWorkers } from '../sweep/local.js';
import { DEFAULT_LOCK_MS, DEFAULT_QUEUE_NAME, startWorker } from '../sweep/queue.js';

interface WorkerCliOptions {
  queue: string;
  queueName: string;
  concurrency?: number;
  lockDuration: number;
  verbose?: boolean;
}

export function workerCommand(io: CliIO): Command {
  const cmd = new Command('worker')
    .description('Take the jobs of `crossbar sweep --queue` from a BullMQ queue on Redis and run them (on any number of machines), until stopped with Ctrl-C or SIGTERM')
    .requiredOption('--queue <url>', 'Redis URL: redis://[:password@]host:port[/db], rediss:// for TLS')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option('-c, --concurrency <n>', `jobs at a time, each on its own thread (default: the machine's cores, ${defaultWorkers()} here)`, intArg(1, 1024))
    .option(
      '--lock-duration <ms>',
      'how long a job stays locked to this worker without renewal: after a worker dies, its job goes back to the queue within about twice this',
      intArg(1000),
      DEFAULT_LOCK_MS,
    )
    .option('-v, --verbose', 'stack traces on errors');
  cmd.action(async (opts: WorkerCliOptions) => {
    const log = (line: string) => println(io.stderr, `[${new Date().toISOString()}] ${line}`);
    const { close } = await startWorker({
      url: opts.queue,
      queueName: opts.queueName,
      concurrency: opts.concurrency ?? defaultWorkers(),
      lockMs: opts.lockDuration,
      log,
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log(`${signal}: finishing the running jobs, then stopping`);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        close().then(resolve, resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    log('worker stopped');
  });
  return cmd;
}
