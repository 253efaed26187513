// One word switches the engine: the same tile, seed and calls on the ndarray
// engine and on the gpu.js engine give the same numbers (to float32 rounding),
// noise included — a noisy forward pass and a pulsed stochastic update.
// Run from the repository root (under `xvfb-run -a` for headless-gl):
//   npx tsx --conditions=source packages/backend-gpujs/examples/same-physics.ts
// CROSSBAR_GPUJS_MODE=cpu|webasm|headlessgl picks the gpu.js mode; by default
// the engine takes the first that works here and says which in `description`.
import { ConstantStepDevice, getBackend, IOParameters, RandomStream, SingleRPUConfig, UpdateParameters } from '@crossbar/core';
import '@crossbar/backend-ndarray'; // registers "ndarray" (a dev dependency here: engines do not depend on each other)
import '@crossbar/backend-gpujs'; // registers "gpujs"

const [outSize, inSize, batch] = [8, 16, 4];

// aihwkit's default forward IO (7-bit DAC, 9-bit ADC, output noise 0.06, AbsMax
// noise management, Iterative bound management) and stochastic pulse trains of
// length 31 on a ConstantStep device with device-to-device and cycle-to-cycle variation.
const rpuConfig = new SingleRPUConfig({
  device: new ConstantStepDevice({ dwMin: 0.01, dwMinStd: 0.3, dwMinDtod: 0.3 }),
  forward: new IOParameters(),
  update: new UpdateParameters({ desiredBl: 31 }),
});

const weights = new RandomStream(1, 0, 0).fillUniform(new Float32Array(outSize * inSize)).map((u) => 0.6 * (u - 0.5));
const x = new RandomStream(2, 0, 0).fillUniform(new Float32Array(batch * inSize)).map((u) => 2 * u - 1);
const d = new RandomStream(3, 0, 0).fillUniform(new Float32Array(batch * outSize)).map((u) => u - 0.5);

/** Runs the calls on one engine: a noisy forward, a pulsed update, the weights after it. */
export async function run(engineName: string): Promise<{ description: string; y: Float32Array; w: Float32Array }> {
  const engine = await getBackend(engineName);
  const tile = await engine.createTile({ outSize, inSize, rpuConfig, seed: 42 });
  try {
    await tile.setWeights(weights);
    const y = await tile.forward(x, batch);
    await tile.update(x, d, batch, 0.1);
    const w = await tile.getWeights();
    return { description: engine.description ?? engine.name, y, w };
  } finally {
    await tile.dispose();
  }
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, k) => Math.max(m, Math.abs(v - b[k]!)), 0);

export async function main(log: (line: string) => void = console.log): Promise<{ forward: number; update: number; changed: number }> {
  const reference = await run('ndarray');
  const gpujs = await run('gpujs');
  const changed = reference.w.reduce((n, v, k) => n + (v !== weights[k] ? 1 : 0), 0);
  const result = { forward: maxAbsDiff(reference.y, gpujs.y), update: maxAbsDiff(reference.w, gpujs.w), changed };
  log(`gpujs: ${gpujs.description}`);
  log(`noisy forward, max |ndarray − gpujs|: ${result.forward.toExponential(1)}`);
  log(`pulsed update (${changed} of ${weights.length} devices pulsed), max |ndarray − gpujs| of the weights: ${result.update.toExponential(1)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
