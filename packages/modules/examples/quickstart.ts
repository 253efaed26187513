// Hardware-aware training of a small network on an analog engine, then
// inference after a day of PCM drift, then save and load.
// Run: npx nx run-many -t build && npx tsx packages/modules/examples/quickstart.ts
import '@crossbar/backend-ndarray'; // registers the "ndarray" engine
import { InferenceRPUConfig, RandomStream } from '@crossbar/core';
import { AnalogLinear, AnalogSequential, AnalogSGD, CrossEntropyLoss, encodeModel, loadModel, manualSeed, ReLU, saveModel, type Module } from '@crossbar/modules';

/** Three Gaussian blobs in the plane: x [n × 2], labels 0..2. */
function blobs(n: number): { x: Float32Array; labels: number[] } {
  const noise = new RandomStream(42, 0, 0).fillNormal(new Float32Array(2 * n));
  const x = new Float32Array(2 * n);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x[2 * i] = Math.cos((2 * Math.PI * c) / 3) + 0.3 * noise[2 * i]!;
    x[2 * i + 1] = Math.sin((2 * Math.PI * c) / 3) + 0.3 * noise[2 * i + 1]!;
    labels.push(c);
  }
  return { x, labels };
}

async function accuracy(model: Module, x: Float32Array, labels: number[]): Promise<number> {
  const y = await model.forward(x, labels.length);
  let ok = 0;
  labels.forEach((c, i) => {
    const row = y.subarray(3 * i, 3 * i + 3);
    if (row.indexOf(Math.max(...row)) === c) ok++;
  });
  return ok / labels.length;
}

export async function main(): Promise<{ trained: number; drifted: number; reloaded: number }> {
  manualSeed(0);
  const rpuConfig = new InferenceRPUConfig({
    mapping: { maxInputSize: 0, maxOutputSize: 0 }, // one tile per layer (AnalogLinear)
    modifier: { type: 'AddNormal', stdDev: 0.05 }, // weight noise in training
    clip: { type: 'FixedValue', fixedValue: 1 },
    remap: { type: 'ChannelwiseSymmetric' },
  });
  const model = new AnalogSequential(new AnalogLinear(2, 16, { rpuConfig }), new ReLU(), new AnalogLinear(16, 3, { rpuConfig }));
  const { x, labels } = blobs(150);
  const optimizer = new AnalogSGD(model, { lr: 0.1 });
  const loss = new CrossEntropyLoss();
  const batch = 10;
  for (let epoch = 0; epoch < 20; epoch++) {
    for (let s = 0; s < labels.length; s += batch) {
      optimizer.zeroGrad();
      const y = await model.forward(x.subarray(2 * s, 2 * (s + batch)), batch);
      loss.forward(y, labels.slice(s, s + batch), batch);
      await model.backward(loss.backward());
      await optimizer.step();
    }
  }
  model.eval();
  const saved = encodeModel(await saveModel(model)); // { json, weights }: model.json and its float32 sidecar
  const trained = await accuracy(model, x, labels);

  await model.drift(24 * 3600); // program, then drift one day; eval forward passes apply drift compensation
  const drifted = await accuracy(model, x, labels);

  const reloaded = (await loadModel(saved)).eval();
  return { trained, drifted, reloaded: await accuracy(reloaded, x, labels) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await main());
}
