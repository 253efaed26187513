// The kernels of @crossbar/backend-wasm on one small tile: the forward pass with
// aihwkit's default IOParameters (DAC, output noise, ADC, noise and bound management)
// next to the ndarray engine's with the same seed and call, and the same pass on two
// worker threads. Build the kernels first (npx nx run @crossbar/backend-wasm:build), then
// run from the repository root: npx tsx --conditions=source packages/backend-wasm/examples/forward.ts
import { getBackend, IdealDevice, IOParameters, RandomStream, resolveIOParameters, SingleRPUConfig } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { FusedForward, KernelPool, loadKernels } from '@crossbar/backend-wasm';

const [outSize, inSize, batch, seed] = [4, 6, 2, 7];

export async function main(log: (line: string) => void = console.log): Promise<{ wasm: number[]; ndarray: number[] }> {
  const forward = new IOParameters(); // aihwkit's defaults
  const weights = new RandomStream(1, 0, 0).fillUniform(new Float32Array(outSize * inSize)).map((u) => u - 0.5);
  const x = new RandomStream(2, 0, 0).fillUniform(new Float32Array(batch * inSize)).map((u) => 2 * u - 1);

  // the reference engine: a tile with the same seed; its first forward uses random call 1
  const tile = await (await getBackend('ndarray')).createTile({ outSize, inSize, rpuConfig: new SingleRPUConfig({ device: new IdealDevice(), forward }), seed });
  await tile.setWeights(weights);
  const call = (await tile.getState()).rngCall;
  const yRef = await tile.forward(x, batch);

  // the kernels: shared memory, so that a worker pool can run them too
  const kernels = await loadKernels({ shared: true });
  const pass = new FusedForward(kernels, resolveIOParameters(forward, 'forward', 'rpuConfig.forward', 'wasm'), outSize, inSize, batch);
  pass.weights().set(weights);
  const y = pass.run(x, batch, seed, call, { averageAbsMax: -1 });

  const pool = new KernelPool(kernels, 2, 2 * Math.max(inSize, outSize));
  const yThreads = await pass.runThreaded(pool, x, batch, seed, call, { averageAbsMax: -1 });
  await pool.dispose();

  const show = (a: Float32Array) => Array.from(a, (v) => v.toFixed(3).padStart(7)).join(' ');
  log(`ndarray W x : ${show(yRef)}`);
  log(`wasm    W x : ${show(y)}`);
  log(`2 threads, same bits: ${y.every((v, k) => Object.is(v, yThreads[k]))}`);
  tile.dispose();
  return { wasm: Array.from(y), ndarray: Array.from(yRef) };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
