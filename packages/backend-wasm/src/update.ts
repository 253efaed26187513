/**
 * The wasm engine's update kernels (core's TileKernels floatingPointUpdate and
 * pulsedUpdate) on the AssemblyScript kernels of assembly/update.ts, with the same numbers
 * as the ndarray engine's (backend-ndarray src/update.ts, the readable reference):
 *
 *   floatingPointUpdate  W += (−lr)·dᵀx, rounded as aihwkit's float32 BLAS (ger for one
 *                        row, the gemm's multiply-add chain for more), bit for bit.
 *   pulsedUpdate         the pulse trains (core's PulseTrains: the same Philox words, drawn
 *                        in WebAssembly into bit planes), the coincidence counts, the
 *                        summed-pulse shortcut of ConstantStep (core's summedPulsesApply /
 *                        summedPulsesWeight) and the pulse-by-pulse walk with core's
 *                        TableNormals noise, on ConstantStep, LinearStep, SoftBounds,
 *                        PiecewiseStep, SoftBoundsReference, ExpStep, PowStep and
 *                        PowStepReference devices (the exp and pow of V8's Math, re-written
 *                        in assembly/exp.ts and assembly/pow.ts), every pulse type. The pulse probabilities are core's pulseProbabilities
 *                        in JS where `res` (and sto_round) discretise them, else fl(|v|·scale)
 *                        in the kernel; MeanCount / DeterministicImplicit use core's
 *                        UpdateRowEncoder factors. A device kind the kernel does not know
 *                        (wasmUpdateRefusal) is refused with a NotSupportedError.
 *
 * Memory: each call copies what it reads into the kernels' heap (under a mark / release:
 * nothing outlives the call) and copies the weights and `touched` back to core's arrays
 * only when every row block has run, so a call that throws leaves the tile as it was.
 * The update runs on the calling thread, on the engine's plain-memory kernels.
 */
import {
  NotSupportedError,
  pulseNoiseNormals,
  pulseProbabilities,
  RandomStream,
  RandomStreamId,
  seedToKey,
  UpdateRowEncoder,
  updateRowBlocks,
  type ExpStepDevice,
  type LinearStepDevice,
  type PiecewiseStepDevice,
  type SoftBoundsReferenceDevice,
  type PulsedUpdateArgs,
  type TileKernels,
  type TileSpec,
  type UpdateSettings,
} from '@crossbar/core';
import type { WasmEngine } from './engine.js';
import { scoped, type WasmHeap } from './heap.js';

/** The update functions of assembly/update.ts (byte offsets into the kernels' memory). */
interface UpdateExports {
  fpUpdate(w: number, x: number, d: number, batch: number, nOut: number, nIn: number, alpha: number, acc: number): void;
  trainsBlock(
    k0: number,
    k1: number,
    streamId: number,
    call: number,
    r0: number,
    r1: number,
    bls: number,
    probs: number,
    vals: number,
    n: number,
    stride: number,
    planes: number,
    signs: number,
    kStride: number,
    scratch: number,
    scales: number,
  ): void;
  pulsedBlock(p: number): void;
}

/** Words of pulsedBlock's parameter block (assembly/update.ts P_*). */
const P = {
  MODE: 0,
  KIND: 1,
  NOUT: 2,
  NIN: 3,
  R0: 4,
  ROWS: 5,
  MORE: 6,
  TARGET: 7,
  TOUCHED: 8,
  BEFORE: 9,
  SCALE_UP: 10,
  SCALE_DOWN: 11,
  MIN: 12,
  MAX: 13,
  SLOPE_UP: 14,
  SLOPE_DOWN: 15,
  MULT_NOISE: 16,
  XPLANES: 17,
  DPLANES: 18,
  XSIGNS: 19,
  DSIGNS: 20,
  XSTRIDE: 21,
  DSTRIDE: 22,
  KSTRIDE: 23,
  CHUNK_K: 24,
  XF: 25,
  DF: 26,
  TABLE: 27,
  CACHE: 28,
  K0: 29,
  K1: 30,
  CALL: 31,
  STREAM_NOISE: 32,
  STREAM_SUM: 33,
  DOWNS: 34,
  UPS: 35,
  EVENTS: 36,
  CO: 37,
  STD: 38,
  REFERENCE: 39,
  NODES_UP: 40,
  NODES_DOWN: 41,
  NODE_COUNT: 42,
  /** ExpStep's a_up, a_down, gamma_up, gamma_down, a, b, dw_min_std_add, dw_min_std_slope (float32). */
  EXP: 43,
} as const;
const PARAM_WORDS = 51;

/** The step models of assembly/update.ts (P_KIND) by device kind: every kind of core (a new one does not compile until it is here). */
const KINDS: Readonly<Record<PulsedUpdateArgs['device']['kind'], number>> = {
  ConstantStep: 0,
  LinearStep: 1,
  SoftBounds: 1,
  PiecewiseStep: 2,
  SoftBoundsReference: 3,
  ExpStep: 4,
  PowStep: 5,
  PowStepReference: 6,
};

/**
 * Why the wasm pulsed update cannot run `args` (the device kind), or null when it can;
 * such a call is refused with a NotSupportedError naming the kind.
 * The wasm kernel runs ConstantStep, LinearStep, SoftBounds, PiecewiseStep,
 * SoftBoundsReference, ExpStep (assembly/exp.ts: V8's exp), PowStep and PowStepReference
 * (assembly/pow.ts: V8's pow) devices with every pulse type; any other kind is refused.
 */
export function wasmUpdateRefusal(args: Pick<PulsedUpdateArgs, 'device'>): string | null {
  const kind = args.device.kind;
  return Object.hasOwn(KINDS, kind) ? null : `device ${kind}`;
}

/** The update kernels of one tile. */
export function createWasmUpdate(engine: WasmEngine, spec: TileSpec): Pick<TileKernels, 'floatingPointUpdate' | 'pulsedUpdate'> {
  const { outSize, inSize } = spec;
  const kernels = engine.kernels;
  const heap = kernels.heap;
  const ex = kernels.exports as unknown as UpdateExports;
  // MeanCount / DeterministicImplicit: core's row encoder per stream seed and settings (a compound's devices differ)
  const encoders: { seed: number; settings: UpdateSettings; encoder: UpdateRowEncoder }[] = [];
  const encoderOf = (seed: number, settings: UpdateSettings): UpdateRowEncoder => {
    let k = encoders.find((c) => c.seed === seed && c.settings === settings);
    if (k === undefined) {
      k = { seed, settings, encoder: new UpdateRowEncoder(seed, inSize, outSize, settings) };
      encoders.push(k);
    }
    return k.encoder;
  };

  const floatingPointUpdate = (w: Float32Array, x: Float32Array, d: Float32Array, batch: number, learningRate: number): void => {
    const alpha = Math.fround(-learningRate);
    scoped(heap, () => {
      const size = outSize * inSize;
      const wp = heap.allocF32(size, false);
      const xp = heap.allocF32(batch * inSize, false);
      const dp = heap.allocF32(batch * outSize, false);
      const acc = heap.allocF32(batch > 1 ? size : 0, false);
      heap.f32(wp, size).set(w.subarray(0, size));
      heap.f32(xp, batch * inSize).set(x.subarray(0, batch * inSize));
      heap.f32(dp, batch * outSize).set(d.subarray(0, batch * outSize));
      ex.fpUpdate(wp, xp, dp, batch, outSize, inSize, alpha, acc);
      w.set(heap.f32(wp, size));
    });
  };

  const pulsedUpdate = (args: PulsedUpdateArgs): void => {
    const refusal = wasmUpdateRefusal(args);
    if (refusal !== null) throw new NotSupportedError(`${spec.engine} engine: the pulsed update of ${refusal} is not supported`);
    scoped(heap, () => runPulsed(ex, heap, args, outSize, inSize, encoderOf));
  };

  return { floatingPointUpdate, pulsedUpdate };
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** One pulsed update call (inside a heap scope). */
function runPulsed(
  ex: UpdateExports,
  heap: WasmHeap,
  args: PulsedUpdateArgs,
  outSize: number,
  inSize: number,
  encoderOf: (seed: number, s: UpdateSettings) => UpdateRowEncoder,
): void {
  const { call, plan, x, d, batch, settings: s, device: a } = args;
  const size = outSize * inSize;
  const stochastic = s.pulseType === 'Stochastic' || s.pulseType === 'StochasticCompressed';
  const kind = KINDS[a.kind]!;
  const std = Math.fround(a.device.dwMinStd);
  const multNoise = (kind === 1 || kind === 3) && (a.device as LinearStepDevice | SoftBoundsReferenceDevice).multNoise ? 1 : 0;
  const nodesUp = kind === 2 ? Float32Array.from((a.device as PiecewiseStepDevice).piecewiseUp) : null;
  const nodesDown = kind === 2 ? Float32Array.from((a.device as PiecewiseStepDevice).piecewiseDown) : null;
  const [k0, k1] = seedToKey(args.seed);
  const xStride = pad4(inSize);
  const dStride = pad4(outSize);
  const blocks = updateRowBlocks(plan, batch, inSize, outSize);
  let maxRows = 0;
  for (let b = 0; b < blocks.length; b += 2) maxRows = Math.max(maxRows, blocks[b + 1]! - blocks[b]!);

  // the call's buffers: the device, the tile's arrays, the rows' inputs (all written whole before they are read, or zeroed)
  const pp = heap.allocI32(PARAM_WORDS, false);
  const target = heap.allocF32(size, false);
  const touched = heap.alloc(size, true); // core zeroes it before the call
  const before = heap.allocI32(size, true);
  const su = heap.allocF32(size, false);
  const sd = heap.allocF32(size, false);
  const lo = heap.allocF32(size, false);
  const hi = heap.allocF32(size, false);
  // LinearStep / SoftBounds slopes or PowStep / PowStepReference exponents; the references of the *Reference devices
  const extras = kind === 1 || kind === 5 || kind === 6;
  const referenced = kind === 3 || kind === 6;
  const slopeUp = heap.allocF32(extras ? size : 0, false);
  const slopeDown = heap.allocF32(extras ? size : 0, false);
  const reference = heap.allocF32(referenced ? size : 0, false);
  const nodesUpP = heap.allocF32(nodesUp?.length ?? 0, false);
  const nodesDownP = heap.allocF32(nodesDown?.length ?? 0, false);
  const table = heap.allocF32(65536, false);
  const cache = heap.allocI32(6 * (2 + 8), false); // the noise caches of assembly tableXi: per-pulse, block, 8 chunks
  const downs = heap.allocI32(xStride, false);
  const ups = heap.allocI32(xStride, false);
  const events = heap.allocI32(32, false);
  const chunkK = heap.allocI32((maxRows + 31) >> 5, false);
  const bls = heap.allocI32(batch, false);
  const trainScratch = heap.allocI32(66, false);
  const xv = heap.allocF32(stochastic ? batch * inSize : 0, false);
  const dv = heap.allocF32(stochastic ? batch * outSize : 0, false);
  // without res (aihwkit's default) a pulse probability is fl(|v|·scale): the kernel computes it
  const direct = stochastic && !(s.res > 0);
  const xProbs = heap.allocF32(stochastic && !direct ? batch * inSize : 0, false);
  const dProbs = heap.allocF32(stochastic && !direct ? batch * outSize : 0, false);
  const xScales = heap.allocF32(direct ? batch : 0, false);
  const dScales = heap.allocF32(direct ? batch : 0, false);
  const xF = heap.allocF32(stochastic ? 0 : maxRows * inSize, false);
  const dF = heap.allocF32(stochastic ? 0 : maxRows * outSize, false);

  heap.f32(target, size).set(args.target.subarray(0, size));
  heap.f32(su, size).set(a.scaleUp);
  heap.f32(sd, size).set(a.scaleDown);
  heap.f32(lo, size).set(a.minBound);
  heap.f32(hi, size).set(a.maxBound);
  if (extras) {
    heap.f32(slopeUp, size).set(a.extraUp!);
    heap.f32(slopeDown, size).set(a.extraDown!);
  }
  if (referenced) heap.f32(reference, size).set(a.reference!);
  if (nodesUp !== null && nodesDown !== null) {
    heap.f32(nodesUpP, nodesUp.length).set(nodesUp);
    heap.f32(nodesDownP, nodesDown.length).set(nodesDown);
  }
  heap.f32(table, 65536).set(pulseNoiseNormals());
  heap.i32(bls, batch).set(plan.bl.subarray(0, batch));
  if (direct) {
    heap.f32(xScales, batch).set(plan.scaleX.subarray(0, batch));
    heap.f32(dScales, batch).set(plan.scaleD.subarray(0, batch));
  }
  if (stochastic) {
    heap.f32(xv, batch * inSize).set(x.subarray(0, batch * inSize));
    heap.f32(dv, batch * outSize).set(d.subarray(0, batch * outSize));
  }
  if (stochastic && !direct) {
    // the pulse probabilities of every row (core's UpdateRowEncoder.encode before its trains: `res` on both sides)
    const xRes = s.res;
    const dRes = s.res;
    const uniforms = new Float32Array(Math.max(inSize, outSize));
    const xpv = heap.f32(xProbs, batch * inSize);
    const dpv = heap.f32(dProbs, batch * outSize);
    for (let r = 0; r < batch; r++) {
      if (plan.bl[r]! === 0) continue;
      const rounding = s.stoRound > 0 && (xRes > 0 || dRes > 0) ? new RandomStream(args.seed, RandomStreamId.UpdateRounding, call, r) : null;
      pulseProbabilities(x, r * inSize, inSize, plan.scaleX[r]!, xRes, s.stoRound, rounding, 0, uniforms, xpv.subarray(r * inSize, (r + 1) * inSize));
      pulseProbabilities(d, r * outSize, outSize, plan.scaleD[r]!, dRes, s.stoRound, rounding, inSize, uniforms, dpv.subarray(r * outSize, (r + 1) * outSize));
    }
  }

  const words = heap.i32(pp, PARAM_WORDS);
  words.fill(0);
  words[P.MODE] = stochastic ? 0 : 1;
  words[P.KIND] = kind;
  words[P.NOUT] = outSize;
  words[P.NIN] = inSize;
  words[P.TARGET] = target;
  words[P.TOUCHED] = touched;
  words[P.BEFORE] = before;
  words[P.SCALE_UP] = su;
  words[P.SCALE_DOWN] = sd;
  words[P.MIN] = lo;
  words[P.MAX] = hi;
  words[P.SLOPE_UP] = slopeUp;
  words[P.SLOPE_DOWN] = slopeDown;
  words[P.MULT_NOISE] = multNoise;
  words[P.REFERENCE] = reference;
  words[P.NODES_UP] = nodesUpP;
  words[P.NODES_DOWN] = nodesDownP;
  words[P.NODE_COUNT] = nodesUp?.length ?? 0;
  words[P.XSTRIDE] = xStride;
  words[P.DSTRIDE] = dStride;
  words[P.CHUNK_K] = chunkK;
  words[P.XF] = xF;
  words[P.DF] = dF;
  words[P.TABLE] = table;
  words[P.CACHE] = cache;
  words[P.K0] = k0 | 0;
  words[P.K1] = k1 | 0;
  words[P.CALL] = call | 0;
  words[P.STREAM_NOISE] = RandomStreamId.UpdateStepNoise;
  words[P.STREAM_SUM] = RandomStreamId.UpdateStepNoiseSum;
  words[P.DOWNS] = downs;
  words[P.UPS] = ups;
  words[P.EVENTS] = events;
  new Float32Array(words.buffer, pp + 4 * P.STD, 1)[0] = std;
  if (kind === 4) {
    const x = a.device as ExpStepDevice;
    new Float32Array(words.buffer, pp + 4 * P.EXP, 8).set([x.aUp, x.aDown, x.gammaUp, x.gammaDown, x.a, x.b, x.dwMinStdAdd, x.dwMinStdSlope]);
  }

  const encoder = stochastic ? null : encoderOf(args.seed, s);
  for (let b = 0; b < blocks.length; b += 2) {
    const r0 = blocks[b]!;
    const r1 = blocks[b + 1]!;
    const rows = r1 - r0;
    const chunks = (rows + 31) >> 5;
    const mark = heap.mark();
    let kStride = 1;
    for (let r = r0; r < r1; r++) kStride = Math.max(kStride, plan.bl[r]!);
    const xPlanes = heap.allocI32(stochastic ? chunks * kStride * xStride : 0, true);
    const dPlanes = heap.allocI32(stochastic ? chunks * kStride * dStride : 0, true);
    const xSigns = heap.allocI32(stochastic ? chunks * xStride : 0, true);
    const dSigns = heap.allocI32(stochastic ? chunks * dStride : 0, true);
    const co = heap.allocI32(kStride, false);
    const ck = heap.i32(chunkK, chunks);
    ck.fill(0);
    for (let r = r0; r < r1; r++) {
      const c = (r - r0) >> 5;
      ck[c] = Math.max(ck[c]!, plan.bl[r]!);
    }
    if (stochastic) {
      ex.trainsBlock(k0, k1, RandomStreamId.UpdateXPulses, call, r0, r1, bls, xProbs, xv, inSize, xStride, xPlanes, xSigns, kStride, trainScratch, direct ? xScales : 0);
      ex.trainsBlock(k0, k1, RandomStreamId.UpdateDPulses, call, r0, r1, bls, dProbs, dv, outSize, dStride, dPlanes, dSigns, kStride, trainScratch, direct ? dScales : 0);
    } else {
      // core's factors, column-major per block: xF[j·rows + rr], dF[i·rows + rr]
      const xfv = heap.f32(xF, rows * inSize);
      const dfv = heap.f32(dF, rows * outSize);
      for (let r = r0; r < r1; r++) {
        const rr = r - r0;
        encoder!.encode(call, plan, x, d, r);
        const xf = encoder!.xFactors;
        const df = encoder!.dFactors;
        for (let j = 0; j < inSize; j++) xfv[j * rows + rr] = xf[j]!;
        for (let i = 0; i < outSize; i++) dfv[i * rows + rr] = df[i]!;
      }
    }
    const w = heap.i32(pp, PARAM_WORDS);
    w[P.R0] = r0;
    w[P.ROWS] = rows;
    w[P.MORE] = b + 2 < blocks.length ? 1 : 0;
    w[P.XPLANES] = xPlanes;
    w[P.DPLANES] = dPlanes;
    w[P.XSIGNS] = xSigns;
    w[P.DSIGNS] = dSigns;
    w[P.KSTRIDE] = kStride;
    w[P.CO] = co;
    // the noise caches start empty (sub −1) in every block
    heap.i32(cache, 6 * (2 + 8)).fill(-1);
    ex.pulsedBlock(pp);
    heap.release(mark);
  }
  // every block ran: the results reach core's arrays
  args.target.set(heap.f32(target, size));
  if (args.touchedRead !== false) args.touched.set(new Uint8Array(heap.memory.buffer, touched, size));
}
