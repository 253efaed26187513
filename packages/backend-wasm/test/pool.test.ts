import { afterAll, describe, expect, it } from 'vitest';
import { IOParameters, resolveIOParameters } from '@crossbar/core';
import { FusedForward, KernelPool, loadKernels, type Kernels } from '../src/index.js';
import { bits, uniform } from './helpers.js';

const pools: KernelPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.dispose()));
});

async function setup(): Promise<{ k: Kernels; pass: FusedForward; perfect: FusedForward; x: Float32Array }> {
  const k = await loadKernels({ shared: true });
  const [out, inp, batch] = [70, 150, 45];
  const io = resolveIOParameters(new IOParameters({ inpNoise: 0.01 }), 'forward', 'rpuConfig.forward', 'wasm');
  const pass = new FusedForward(k, io, out, inp, batch);
  const perfect = new FusedForward(k, resolveIOParameters(undefined, 'forward', 'rpuConfig.forward', 'wasm'), out, inp, batch);
  // weights large enough that several vectors clip and take bound-management re-runs
  const w = uniform(1, out * inp, 0.5);
  pass.weights().set(w);
  perfect.weights().set(w);
  const x = uniform(2, batch * inp);
  for (let r = 0; r < 5; r++) for (let j = 0; j < inp; j++) x[r * inp + j] = Math.sign(w[r * inp + j]!) || 1; // W x > out_bound
  return { k, pass, perfect, x };
}

describe('KernelPool (worker threads over the shared memory)', () => {
  it('gives the same bits as the single-threaded kernels for 1, 2 and 3 threads', async () => {
    const { k, pass, perfect, x } = await setup();
    const batch = 45;
    const yRef = pass.run(x, batch, 77, 5, { averageAbsMax: -1 });
    const passesRef = Array.from(pass.passCounts());
    expect(Math.max(...passesRef)).toBeGreaterThan(1);
    const yPerfect = perfect.run(x, batch, 77, 5, { averageAbsMax: -1 });
    for (const threads of [1, 2, 3]) {
      const pool = new KernelPool(k, threads, 2 * 150);
      pools.push(pool);
      expect(bits(await pass.runThreaded(pool, x, batch, 77, 5, { averageAbsMax: -1 }))).toEqual(bits(yRef));
      expect(Array.from(pass.passCounts())).toEqual(passesRef);
      expect(bits(await perfect.runThreaded(pool, x, batch, 77, 5, { averageAbsMax: -1 }))).toEqual(bits(yPerfect));
      // a second call on the same pool (the generation counter moves on)
      expect(bits(await pass.runThreaded(pool, x, batch, 77, 5, { averageAbsMax: -1 }))).toEqual(bits(yRef));
    }
  });

  it('refuses unshared kernels, bad thread counts and overlapping calls; a disposed pool fails its calls', async () => {
    const plain = await loadKernels();
    expect(() => new KernelPool(plain, 2, 16)).toThrow(/shared: true/);
    const { k, perfect, x } = await setup();
    expect(() => new KernelPool(k, 0, 16)).toThrow(/threads/);
    const pool = new KernelPool(k, 2, 300);
    const first = perfect.runThreaded(pool, x, 45, 1, 1, { averageAbsMax: -1 });
    await expect(perfect.runThreaded(pool, x, 45, 1, 1, { averageAbsMax: -1 })).rejects.toThrow(/one call at a time/);
    await first;
    await pool.dispose();
    await expect(perfect.runThreaded(pool, x, 45, 1, 1, { averageAbsMax: -1 })).rejects.toThrow(/disposed/);
  });
});

describe('KernelPool after a worker dies', () => {
  it('fails the call the death interrupts with a clear error, and the next call replaces the workers and runs', async () => {
    const { k, perfect, x } = await setup();
    const yRef = perfect.run(x, 45, 1, 1, { averageAbsMax: -1 });
    const pool = new KernelPool(k, 2, 300);
    pools.push(pool);
    const workers = () => (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers;
    // dies while idle: the next call recovers
    await workers()[0]!.terminate();
    await new Promise((r) => setTimeout(r, 50)); // the exit event
    expect(bits(await perfect.runThreaded(pool, x, 45, 1, 1, { averageAbsMax: -1 }))).toEqual(bits(yRef));
    // dies during a call: that call fails with the reason (or had already finished), the next one runs
    const pending = perfect.runThreaded(pool, x, 45, 1, 1, { averageAbsMax: -1 });
    await workers()[1]!.terminate();
    const outcome = await pending.then(
      (y) => bits(y),
      (e: unknown) => e,
    );
    if (outcome instanceof Error) expect(outcome.message).toMatch(/kernel worker 1 exited/);
    else expect(outcome).toEqual(bits(yRef));
    await new Promise((r) => setTimeout(r, 50));
    expect(bits(await perfect.runThreaded(pool, x, 45, 1, 1, { averageAbsMax: -1 }))).toEqual(bits(yRef));
  });
});
