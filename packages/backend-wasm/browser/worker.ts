/**
 * A module Worker of the test page: here Atomics.wait is allowed, so the wasm engine
 * runs its Web Worker pool (when the page is cross-origin isolated). Answers one
 * message: the engine's default thread count and the scenario on 1 and on 2 threads.
 */
import { createWasmBackend, threadsRefusal, WasmEngine } from '../src/index.js';
import { scenario } from './scenario.js';

self.onmessage = async () => {
  try {
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
    self.postMessage({ ok: true, refusal: threadsRefusal(), defaultThreads, description, one: r1, two: r2, again });
  } catch (e) {
    self.postMessage({ ok: false, error: String((e as Error).stack ?? e) });
  }
};
