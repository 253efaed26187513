// The wasm engine through core's registry: importing the package registers "wasm" above
// ndarray, so getBackend() picks it wherever its kernels load. A tile with aihwkit's
// default inference IO runs forward and backward on it, and the same seed on the ndarray
// engine gives the same noise. Build first (npx nx run @crossbar/backend-wasm:build), then
// run from the repository root: npx tsx --conditions=source packages/backend-wasm/examples/engine.ts
import { getBackend, InferenceRPUConfig, RandomStream } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import '@crossbar/backend-wasm';

const [outSize, inSize, batch, seed] = [3, 5, 2, 7];

export async function main(log: (line: string) => void = console.log): Promise<{ engine: string; wasm: number[]; ndarray: number[] }> {
  const engine = await getBackend(); // the highest-priority engine that works here: "wasm"
  const rpuConfig = new InferenceRPUConfig(); // noisy 7-bit DAC, 9-bit ADC, noise and bound management
  const weights = new RandomStream(1, 0, 0).fillUniform(new Float32Array(outSize * inSize)).map((u) => u - 0.5);
  const x = new RandomStream(2, 0, 0).fillUniform(new Float32Array(batch * inSize)).map((u) => 2 * u - 1);

  const tile = await engine.createTile({ outSize, inSize, rpuConfig, seed });
  await tile.setWeights(weights);
  const y = await tile.forward(x, batch);
  const z = await tile.backward(y, batch);

  const reference = await (await getBackend('ndarray')).createTile({ outSize, inSize, rpuConfig, seed });
  await reference.setWeights(weights);
  const yRef = await reference.forward(x, batch);

  const show = (a: Float32Array) => Array.from(a, (v) => v.toFixed(3).padStart(7)).join(' ');
  log(`engine: ${engine.name} (${engine.description})`);
  log(`wasm    W x  : ${show(y)}`);
  log(`ndarray W x  : ${show(yRef)}`);
  log(`wasm    Wᵀ y : ${show(z)}`);
  await tile.dispose();
  await reference.dispose();
  await engine.dispose?.();
  return { engine: engine.name, wasm: Array.from(y), ndarray: Array.from(yRef) };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
