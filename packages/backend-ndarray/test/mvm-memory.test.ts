// The forward pass reuses its per-tile scratch buffers: 100 forward calls do not
// grow the heap; only the returned outputs are new per call, and they are
// garbage once dropped. The full-size check (a 2048 × 2048 tile, batch 256,
// default IOParameters: ~2 GFLOP per call, minutes on two cores) runs with
// CROSSBAR_HEAVY_TESTS=1; by default the same check runs on a 512 × 384 tile
// with every scratch path switched on (PosNeg passes, IR drop, PCM-read noise,
// bound management, stochastic rounding), so a leak in any of them shows.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { IOParameters, IdealDevice, SingleRPUConfig } from '@crossbar/core';
import { NdarrayBackend } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and ArrayBuffer bytes in use after a full collection. */
function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Bytes the heap grew by over `calls` forward and backward calls, after a first call of each. */
function growth(outSize: number, inSize: number, batch: number, io: IOParameters, calls: number, withBackward: boolean): number {
  const rpuConfig = new SingleRPUConfig({ device: new IdealDevice(), forward: io, backward: io });
  const tile = new NdarrayBackend().createTile({ outSize, inSize, rpuConfig, seed: 1 });
  const w = new Float32Array(outSize * inSize);
  for (let k = 0; k < w.length; k++) w[k] = (((k * 2654435761) >>> 0) / 2 ** 32 - 0.5) * (2 / Math.sqrt(inSize));
  tile.setWeights(w);
  const x = new Float32Array(batch * inSize);
  for (let k = 0; k < x.length; k++) x[k] = Math.sin(k);
  const d = new Float32Array(batch * outSize);
  for (let k = 0; k < d.length; k++) d[k] = Math.cos(k);
  let checksum = tile.forward(x, batch)[0]!; // first calls: the scratch buffers are made here
  if (withBackward) checksum += tile.backward(d, batch)[0]!;
  const before = used();
  let worst = 0;
  for (let c = 1; c < calls; c++) {
    checksum += tile.forward(x, batch)[c]!;
    if (withBackward) checksum += tile.backward(d, batch)[c]!;
    if (c % 25 === 0) worst = Math.max(worst, used() - before);
  }
  expect(Number.isFinite(checksum)).toBe(true);
  return Math.max(worst, used() - before);
}

const heavy = process.env.CROSSBAR_HEAVY_TESTS === '1';

describe('ndarray MVM memory', () => {
  it.runIf(heavy)(
    'runs 100 forward calls of a 2048 × 2048 tile (batch 256, default IO) without growing the heap',
    () => {
      // one output is 2 MiB: a per-call leak of anything would show as tens of MiB
      expect(growth(2048, 2048, 256, new IOParameters(), 100, false)).toBeLessThan(1 << 20);
    },
    1_800_000,
  );

  it('runs 100 forward and backward calls (192 × 160, batch 16) with every scratch path on without growing the heap', () => {
    const io = new IOParameters({
      mvType: 'PosNegSeparateDigitalSum',
      outBound: 3,
      boundManagement: 'IterativeWorstCase',
      irDrop: 0.5,
      irDropGRatio: 200,
      wNoise: 0.01,
      wNoiseType: 'PCMRead',
      inpNoise: 0.01,
      inpStoRound: true,
      outStoRound: true,
      outNonlinearity: 0.2,
      vOffsetStd: 0.02,
      rSeries: 0.01,
      wReadAsymmetryDtod: 0.05,
    });
    expect(growth(192, 160, 16, io, 100, true)).toBeLessThan(1 << 20);
  }, 300_000);
});
