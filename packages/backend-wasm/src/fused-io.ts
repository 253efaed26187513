/**
 * The fused analog pass's array-stage IOParameters (assembly/array.ts): mv_type
 * PosNegSeparate / PosNegSeparateDigitalSum, w_noise (AdditiveConstant, PCMRead),
 * ir_drop, v_offset_std / r_series / v_offset_w_min. Writes their words of the
 * parameter block (after assembly/engine.ts's 18) and the buffers they read (derived
 * weights, per-line offsets, the negative pass's outputs) on the call's heap, and sizes
 * each thread's scratch.
 */
import { ioPassStreams, type AnalogPassArgs, type ResolvedIO } from '@crossbar/core';
import type { Kernels } from './loader.js';

/** Words of the parameter block written by writeFusedIo (assembly/array.ts P_MV_TYPE … P_OUT_NEG). */
export const FUSED_IO_WORDS = 14;

/** Active vectors per block of assembly/engine.ts (ROWS): the array stage's scratch holds one block. */
const BLOCK_ROWS = 16;

const MV_TYPES: Record<ResolvedIO['mvType'], number> = { Ideal: 0, OnePass: 0, PosNegSeparate: 1, PosNegSeparateDigitalSum: 2 };
const W_NOISE_TYPES: Record<ResolvedIO['wNoiseType'], number> = { None: 0, AdditiveConstant: 1, PCMRead: 2 };

function isPosNeg(io: ResolvedIO): boolean {
  return io.mvType === 'PosNegSeparate' || io.mvType === 'PosNegSeparateDigitalSum';
}

/** Whether the pass runs assembly/array.ts's stage (arrayStageOn). */
function arrayStageOn(io: ResolvedIO): boolean {
  return isPosNeg(io) || io.wNoiseType !== 'None' || io.irDrop > 0 || io.hasVoltageOffsets;
}

/**
 * Bytes of one thread's scratch: 2 · max(nIn, nOut) float64 for the random rows, and with
 * the array stage one block's signed part of the input, an auxiliary input and two
 * auxiliary outputs (float32, BLOCK_ROWS vectors each), and the nIn IR-drop input weights.
 */
export function fusedScratchBytes(io: ResolvedIO, nIn: number, nOut: number): number {
  const rows = 16 * Math.max(nIn, nOut);
  return arrayStageOn(io) ? rows + 4 * BLOCK_ROWS * (2 * nIn + 2 * nOut) + 16 * Math.ceil(nIn / 4) : rows;
}

/**
 * Writes the array-stage words at `at` (FUSED_IO_WORDS float64) and allocates what they
 * point to on the kernels' heap (inside the call's heap scope): |W| (IR drop, PCMRead),
 * W ⊙ read asymmetry and its |·| (PosNeg with w_read_asymmetry_dtod), the voltage
 * offsets [nOut], the negative pass's outputs [nActive × nOut] (PosNeg). `w` is the
 * call's copy of the weights on the heap, `weightCount` its length.
 */
export function writeFusedIo(kernels: Kernels, at: number, args: AnalogPassArgs, w: number, weightCount: number): void {
  const { io, draws, nOut, nActive } = args;
  const heap = kernels.heap;
  const posNeg = isPosNeg(io);
  const needsAbs = io.irDrop > 0 || io.wNoiseType === 'PCMRead';
  const asymmetry = posNeg ? draws.wAsymmetry : null;
  const wAbs = needsAbs ? heap.allocF32(weightCount, false) : 0;
  let wNeg = 0;
  let wNegAbs = 0;
  let asym = 0;
  if (asymmetry !== null) {
    wNeg = heap.allocF32(weightCount, false);
    if (needsAbs) wNegAbs = heap.allocF32(weightCount, false);
    asym = heap.allocF32(weightCount, false);
    heap.f32(asym, weightCount).set(asymmetry);
  }
  if (wAbs !== 0 || wNeg !== 0) kernels.exports.deriveWeights(w, asym, wNeg, wAbs, wNegAbs, weightCount);
  let vOffset = 0;
  if (io.hasVoltageOffsets) {
    vOffset = heap.allocF32(nOut, false);
    heap.f32(vOffset, nOut).set(draws.vOffset!); // drawn whenever hasVoltageOffsets (drawMvParameters)
  }
  const outNeg = posNeg ? heap.allocF32(nActive * nOut, false) : 0;
  const words = [
    MV_TYPES[io.mvType],
    W_NOISE_TYPES[io.wNoiseType],
    io.wNoise,
    ioPassStreams(args.direction).weightNoise,
    io.irDrop,
    io.irDropGRatio,
    io.hasVoltageOffsets ? 1 : 0,
    io.rSeries,
    io.vOffsetWMin,
    vOffset,
    wAbs,
    wNeg,
    wNegAbs,
    outNeg,
  ];
  heap.f64(at, FUSED_IO_WORDS).set(words);
}
