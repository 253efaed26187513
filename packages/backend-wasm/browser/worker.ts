/**
 * A module Worker of the test page: here Atomics.wait is allowed, so the wasm engine
 * runs its Web Worker pool where the page is cross-origin isolated. Answers one message:
 *   'threads'  the engine's default thread count, the scenario on 1 and on 2 threads
 *   'faults'   a kernel that throws in a pool worker, and a pool worker that exits
 *   'plain'    what the engine does where shared memory is unavailable
 */
import { createWasmBackend, threadsRefusal, WasmEngine } from '../src/index.js';
import { scenario } from './scenario.js';

function errorText(e: unknown): string {
  return `${(e as Error).name}: ${(e as Error).message}`;
}

async function threads() {
  const defaults = await WasmEngine.create();
  const defaultThreads = defaults.threads;
  await defaults.dispose();
  const one = await createWasmBackend({ threads: 1 });
  const two = await createWasmBackend({ threads: 2, minThreadedWork: 0 });
  const r1 = await scenario(one);
  const r2 = await scenario(two);
  // a second call on the pool (the generation counter moves on)
  const again = await scenario(two);
  const description = two.description;
  await one.dispose?.();
  await two.dispose?.();
  return { refusal: threadsRefusal(), defaultThreads, description, one: r1, two: r2, again };
}

/** Pool operation 9 (tests only): worker args[0] throws, or with args[1] = 1 exits. */
async function faults() {
  const engine = await WasmEngine.create({ threads: 3, minThreadedWork: 0, stallMs: 400 });
  const pool = engine.pool!;
  const out: Record<string, unknown> = { host: pool.host.kind };
  try {
    try {
      pool.run(9, [2, 0]);
      out.thrown = 'nothing';
    } catch (e) {
      out.thrown = errorText(e);
    }
    // replaced workers: until they start, this thread runs every part (a fault of a worker does not run here)
    pool.run(9, [-1, 0]);
    out.readyAfterReplace = pool.ready;
    await pool.whenReady();
    out.readyLater = pool.ready;
    try {
      pool.run(9, [1, 1]); // worker 1 exits: noticed after stallMs
      out.exited = 'nothing';
    } catch (e) {
      out.exited = errorText(e);
    }
    pool.run(9, [-1, 0]);
    await pool.whenReady();
    pool.run(9, [-1, 0]); // on the new workers
    out.recovered = true;
  } finally {
    await engine.dispose();
  }
  return out;
}

async function plain() {
  const engine = await WasmEngine.create();
  const defaultThreads = engine.threads;
  await engine.dispose();
  let two: string;
  try {
    const b = await createWasmBackend({ threads: 2 });
    await b.dispose?.();
    two = 'made';
  } catch (e) {
    two = errorText(e);
  }
  return { crossOriginIsolated: self.crossOriginIsolated, refusal: threadsRefusal(), defaultThreads, two, one: await scenario(await createWasmBackend()) };
}

const TASKS = { threads, faults, plain };

self.onmessage = async (event: MessageEvent<keyof typeof TASKS>) => {
  try {
    self.postMessage({ ok: true, ...(await TASKS[event.data]()) });
  } catch (e) {
    self.postMessage({ ok: false, error: String((e as Error).stack ?? e) });
  }
};
