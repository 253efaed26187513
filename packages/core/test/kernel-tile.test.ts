/**
 * Core's tile on a minimal kernel set: what it owns whatever the engine
 * (validate-then-commit of setState, refusals naming the missing kernel).
 */
import { describe, expect, it } from 'vitest';
import {
  FloatingPointRPUConfig,
  InferenceRPUConfig,
  InputError,
  kernelBackend,
  modifyWeightsHost,
  NotSupportedError,
  SingleRPUConfig,
  type AnalogTile,
  type KernelSet,
  type TileKernels,
  type TileState,
} from '../src/index.js';

/** A perfect MVM and the floating-point update, nothing else. */
const minimal: KernelSet = {
  name: 'minimal',
  createKernels: ({ outSize, inSize }) => ({
    perfectMvm(direction, w, x, batch, outScale) {
      const fwd = direction === 'forward';
      const [n, k] = fwd ? [outSize, inSize] : [inSize, outSize];
      const y = new Float32Array(batch * n);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < k; j++) s += (fwd ? w[i * inSize + j]! : w[j * inSize + i]!) * x[b * k + j]!;
          y[b * n + i] = s * outScale;
        }
      }
      return y;
    },
    floatingPointUpdate(w, x, d, batch, lr) {
      for (let i = 0; i < outSize; i++) {
        for (let j = 0; j < inSize; j++) {
          let g = 0;
          for (let b = 0; b < batch; b++) g += d[b * outSize + i]! * x[b * inSize + j]!;
          w[i * inSize + j] = w[i * inSize + j]! - lr * g;
        }
      }
    },
  }),
};
const engine = kernelBackend(minimal);
const tile = (rpuConfig: FloatingPointRPUConfig | SingleRPUConfig | InferenceRPUConfig): AnalogTile =>
  engine.createTile({ outSize: 2, inSize: 3, rpuConfig, seed: 4 }) as AnalogTile;

describe('KernelTile', () => {
  it('setState checks every part before it writes: a short drift.previous changes nothing', async () => {
    const t = tile(new FloatingPointRPUConfig({ device: { drift: { nu: 0.1 } } }));
    await t.setWeights(Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6));
    await t.driftWeights(1); // starts the drift clock: drift.previous is saved
    const saved = await t.getState();
    expect(saved.arrays['drift.previous']).toHaveLength(6);
    const bad: TileState = JSON.parse(JSON.stringify(saved)) as TileState;
    bad.weights = [9, 9, 9, 9, 9, 9];
    bad.arrays['training.scales'] = [3, 3];
    bad.arrays['drift.previous'] = [1, 2];
    await expect(async () => t.setState(bad)).rejects.toThrow(InputError);
    expect(Array.from(await t.getWeights())).toEqual(Array.from(Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)));
    expect(await t.getState()).toEqual(saved);
  });

  it('refuses what needs a kernel the engine lacks, naming the kernel and the config field', async () => {
    const noisy = tile(new FloatingPointRPUConfig());
    expect(Array.from(await noisy.forward(Float32Array.of(1, 0, 0), 1))).toEqual([0, 0]);
    const analog = tile(new InferenceRPUConfig());
    await expect(async () => analog.forward(Float32Array.of(1, 0, 0), 1)).rejects.toThrow(
      'minimal engine: a non-perfect MVM is not supported: the engine has no "analogPass" kernel (needed by rpuConfig.forward (is_perfect false))',
    );
    const pulsed = tile(new SingleRPUConfig({ forward: { isPerfect: true } }));
    await expect(async () => pulsed.update(Float32Array.of(1, 1, 1), Float32Array.of(1, 1), 1, 0.1)).rejects.toThrow(NotSupportedError);
    const modified = tile(new InferenceRPUConfig({ forward: { isPerfect: true }, modifier: { type: 'AddNormal', stdDev: 0.1 } }));
    await expect(async () => modified.applyWeightModifier()).rejects.toThrow('(needed by rpuConfig.modifier.type = AddNormal)');
  });

  it('hands the MVM kernels a weights version: one per content, kept across forward and backward calls', async () => {
    const seen: { version: number | undefined; array: Float32Array; weights: number[] }[] = [];
    const recording: KernelSet = {
      name: 'recording',
      createKernels(spec) {
        const k = minimal.createKernels(spec) as TileKernels;
        return {
          ...k,
          modifyWeights: modifyWeightsHost,
          perfectMvm(direction, w, x, batch, outScale, version) {
            seen.push({ version, array: w, weights: Array.from(w) });
            return k.perfectMvm!(direction, w, x, batch, outScale);
          },
        };
      },
    };
    const rpuConfig = new InferenceRPUConfig({ forward: { isPerfect: true }, modifier: { type: 'AddNormal', stdDev: 0.1 } });
    const t = (await kernelBackend(recording).createTile({ outSize: 2, inSize: 3, rpuConfig, seed: 4 })) as AnalogTile;
    const x = Float32Array.of(1, 0.5, -0.5);
    const d = Float32Array.of(0.2, -0.1);
    await t.setWeights(Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6));
    await t.forward(x, 1);
    await t.backward(d, 1);
    await t.forward(x, 1);
    expect(seen.map((s) => s.version)).toEqual([seen[0]!.version, seen[0]!.version, seen[0]!.version]);
    await t.update(x, d, 1, 0.1);
    await t.forward(x, 1);
    await t.applyWeightModifier();
    await t.forward(x, 1);
    await t.forward(x, 1, { isTest: true });
    await t.driftWeights(100); // programs first: a readout, the drift, a readout in one call
    await t.forward(x, 1, { isTest: true });
    await t.setWeights(Float32Array.of(0.3, 0.2, 0.1, 0.6, 0.5, 0.4));
    await t.forward(x, 1, { isTest: true });
    expect(seen.length).toBeGreaterThan(9);
    for (const a of seen) {
      expect(a.version).toBeTypeOf('number');
      for (const b of seen) if (a.array === b.array && a.version === b.version) expect(b.weights).toEqual(a.weights);
    }
  });

  it('offers getForwardPassCounts only with the analogPass kernel', () => {
    expect(tile(new FloatingPointRPUConfig()).getForwardPassCounts).toBeUndefined();
  });
});
