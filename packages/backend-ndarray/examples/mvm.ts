// The analog matrix-vector product of one tile on the ndarray engine: a forward
// and a backward pass with aihwkit's default IOParameters next to the exact
// product, and the same numbers again from the same seed.
// Run from the repository root: npx tsx --conditions=source packages/backend-ndarray/examples/mvm.ts
import { getBackend, IdealDevice, IOParameters, RandomStream, SingleRPUConfig } from '@crossbar/core';
import '@crossbar/backend-ndarray'; // registers the "ndarray" engine

const [outSize, inSize, batch] = [4, 6, 2];

// 7-bit DAC, 9-bit ADC (out_bound 12), noise management AbsMax, bound management
// Iterative, output noise 0.06: aihwkit's defaults. The backward pass here has
// its own IOParameters, with a little input noise too.
const rpuConfig = new SingleRPUConfig({
  device: new IdealDevice(),
  forward: new IOParameters(),
  backward: new IOParameters({ inpNoise: 0.01 }),
});

export async function main(log: (line: string) => void = console.log): Promise<number[]> {
  const engine = await getBackend('ndarray');
  const tile = await engine.createTile({ outSize, inSize, rpuConfig, seed: 7 });

  const weights = new RandomStream(1, 0, 0).fillUniform(new Float32Array(outSize * inSize)).map((u) => u - 0.5);
  const x = new RandomStream(2, 0, 0).fillUniform(new Float32Array(batch * inSize)).map((u) => 2 * u - 1);
  await tile.setWeights(weights);

  const y = await tile.forward(x, batch); // [batch × outSize]
  const exact = new Float32Array(batch * outSize);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < outSize; i++) for (let j = 0; j < inSize; j++) exact[b * outSize + i] += weights[i * inSize + j]! * x[b * inSize + j]!;
  const show = (a: Float32Array) => Array.from(a, (v) => v.toFixed(3).padStart(7)).join(' ');
  log(`exact   W x : ${show(exact)}`);
  log(`analog  W x : ${show(y)}`);

  const d = new Float32Array(batch * outSize).fill(0.5);
  const z = await tile.backward(d, batch); // [batch × inSize]
  log(`analog Wᵀ d : ${show(z)}`);

  // Same seed, same calls: the same numbers, bit for bit.
  const again = await engine.createTile({ outSize, inSize, rpuConfig, seed: 7 });
  await again.setWeights(weights);
  const y2 = await again.forward(x, batch);
  const same = y.every((v, k) => Object.is(v, y2[k]));
  log(`same seed, same outputs: ${same}`);
  return Array.from(y);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
