/**
 * Pulse trains and coincidences of the pulsed update (UpdateParameters):
 * which device gets how many pulses of which sign in each batch row.
 *
 * aihwkit v.0.7.1: src/rpucuda/rpu_weight_updater.cpp (every batch row is its
 * own rank-1 update), sparse_bit_line_maker.cpp (Stochastic,
 * StochasticCompressed), dense_bit_line_maker.cpp (MeanCount,
 * DeterministicImplicit), rpu_pulsed_meta_parameter.cpp (BL, A, B and update
 * management; formulas in @crossbar/core physics/update.ts).
 *
 * Per row r: BL_r, A_r (d) and B_r (x) from max|x_r| and max|d_r|; the pulse
 * probability of x_j is p = |x_j|·B_r on the `res` grid (d: A_r). A count
 * n > 0 means n pulses that decrease the weight (x_j·d_i > 0 in SGD), n < 0
 * pulses that increase it.
 *
 * Stochastic pulse types: each x_j and each d_i gets a train of BL_r bits,
 * each bit set with probability p; device (i, j) gets one pulse per bit set
 * in both trains. The trains are stored bit-sliced by row: for a block of
 * rows, chunk c of 32 rows and bit k, one int32 per column whose bit t says
 * whether row 32c + t fired bit k; a second int32 holds the sign bits. A
 * device's coincidences in 32 rows are then a few AND + popcount operations.
 * Stochastic (separate positive and negative x trains) and
 * StochasticCompressed differ in aihwkit only in the order in which one bit
 * slot's pulses reach different devices; each device's pulses have the same
 * distribution, so both are drawn alike here.
 *
 * The trains themselves, the probabilities and the deterministic factors are
 * @crossbar/core's (UpdateRowEncoder: PulseTrains draws 32 decisions per random
 * word, bit-sliced, RandomStreamId.UpdateXPulses in rng.ts), so every engine
 * gets the same pulses; this file only lays them out for fast counting.
 */
import { deterministicCoincidences, UpdateRowEncoder, UpdateRowPlan, trainWordsPerColumn, type UpdateSettings } from '@crossbar/core';

/** Number of set bits of an int32. */
export function popcount32(v: number): number {
  let x = (v - ((v >>> 1) & 0x55555555)) | 0;
  x = ((x & 0x33333333) + ((x >>> 2) & 0x33333333)) | 0;
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * The per-device pulse counts of a block of rows [r0, r1) of one update call,
 * read device by device (i, j): totals over the block, or the row-ordered list
 * of rows with pulses.
 */
export interface CountSource {
  begin(call: number, plan: UpdateRowPlan, x: Float32Array, d: Float32Array): void;
  prepare(r0: number, r1: number): void;
  /** Chunks of 32 rows in the prepared block. */
  readonly chunks: number;
  /** Down (n > 0) and up pulses over the block of every device (i, ·) of output row i. */
  totals(i: number, down: Int32Array, up: Int32Array): void;
  /** Down and up pulses of device (i, j) in chunk c, in `down` and `up`. */
  chunkTotals(i: number, j: number, c: number): void;
  down: number;
  up: number;
  /** Rows (absolute batch rows, ascending) of chunk c with pulses for device (i, j) and their signed counts; returns how many. */
  chunkEvents(i: number, j: number, c: number, rows: Int32Array, counts: Int32Array): number;
  /**
   * A ConstantStep device without cycle-to-cycle noise: w after all pulses of the block in
   * row order, each a float32 step of dw_up or dw_down clipped to [lo, hi] (as aihwkit applies them).
   */
  constantWalk(i: number, j: number, w: number, up: number, down: number, lo: number, hi: number): number;
}

/** n float32 steps of `step` from w, each clipped to [lo, hi]. */
function constantSteps(w: number, step: number, n: number, lo: number, hi: number): number {
  let v = w;
  for (let k = 0; k < n; k++) v = Math.max(Math.min(Math.fround(v + step), hi), lo);
  return v;
}

/** What both sources keep: the tile's shape, core's row encoder and the current update call. */
abstract class SourceBase {
  down = 0;
  up = 0;
  protected call = 0;
  protected plan = new UpdateRowPlan();
  protected x: Float32Array = new Float32Array(0);
  protected d: Float32Array = new Float32Array(0);
  protected r0 = 0;
  protected readonly encoder: UpdateRowEncoder;

  constructor(
    seed: number,
    protected readonly inSize: number,
    protected readonly outSize: number,
    s: UpdateSettings,
  ) {
    this.encoder = new UpdateRowEncoder(seed, inSize, outSize, s);
  }

  begin(call: number, plan: UpdateRowPlan, x: Float32Array, d: Float32Array): void {
    this.call = call;
    this.plan = plan;
    this.x = x;
    this.d = d;
  }
}

/** Stochastic and StochasticCompressed: bit-sliced pulse trains. */
export class StochasticSource extends SourceBase implements CountSource {
  private nChunks = 0;
  /** Stride of the bit planes (largest BL of the block). */
  private kStride = 0;
  private chunkK = new Int32Array(0);
  private xPlanes = new Int32Array(0);
  private dPlanes = new Int32Array(0);
  private xSigns = new Int32Array(0);
  private dSigns = new Int32Array(0);
  private coScratch = new Int32Array(1);

  get chunks(): number {
    return this.nChunks;
  }

  prepare(r0: number, r1: number): void {
    const plan = this.plan;
    this.r0 = r0;
    const nChunks = Math.ceil((r1 - r0) / 32);
    let kStride = 1;
    for (let r = r0; r < r1; r++) kStride = Math.max(kStride, plan.bl[r]!);
    this.nChunks = nChunks;
    this.kStride = kStride;
    if (this.chunkK.length < nChunks) this.chunkK = new Int32Array(nChunks);
    this.chunkK.fill(0, 0, nChunks);
    for (let r = r0; r < r1; r++) {
      const c = (r - r0) >> 5;
      this.chunkK[c] = Math.max(this.chunkK[c]!, plan.bl[r]!);
    }
    this.xPlanes = ensure(this.xPlanes, this.inSize * nChunks * kStride);
    this.dPlanes = ensure(this.dPlanes, this.outSize * nChunks * kStride);
    this.xSigns = ensure(this.xSigns, this.inSize * nChunks);
    this.dSigns = ensure(this.dSigns, this.outSize * nChunks);
    if (this.coScratch.length < kStride) this.coScratch = new Int32Array(kStride);
    const enc = this.encoder;
    for (let r = r0; r < r1; r++) {
      const bl = enc.encode(this.call, plan, this.x, this.d, r);
      if (bl === 0) continue;
      const c = (r - r0) >> 5;
      const bit = 1 << ((r - r0) & 31);
      this.scatter(this.x, r * this.inSize, this.inSize, bl, enc.xMasks, this.xPlanes, this.xSigns, c, bit);
      this.scatter(this.d, r * this.outSize, this.outSize, bl, enc.dMasks, this.dPlanes, this.dSigns, c, bit);
    }
  }

  /** Copies one row's trains (masks per column) into the bit planes: bit `bit` of plane (col, chunk c, k). */
  private scatter(v: Float32Array, offset: number, n: number, bl: number, masks: Int32Array, planes: Int32Array, signs: Int32Array, c: number, bit: number): void {
    const nChunks = this.nChunks;
    const kStride = this.kStride;
    const wpc = trainWordsPerColumn(bl);
    for (let j = 0; j < n; j++) {
      if (v[offset + j]! < 0) signs[j * nChunks + c] |= bit;
      const base = (j * nChunks + c) * kStride;
      for (let w = 0; w < wpc; w++) {
        let m = masks[j * wpc + w]!;
        while (m !== 0) {
          const low = m & -m;
          m ^= low;
          planes[base + 32 * w + 31 - Math.clz32(low)] |= bit;
        }
      }
    }
  }

  totals(i: number, down: Int32Array, up: Int32Array): void {
    const nChunks = this.nChunks;
    const kStride = this.kStride;
    const xp = this.xPlanes;
    const dp = this.dPlanes;
    const xs = this.xSigns;
    const ds = this.dSigns;
    const chunkK = this.chunkK;
    const dBase = i * nChunks;
    for (let j = 0; j < this.inSize; j++) {
      const xBase = j * nChunks;
      let nDown = 0;
      let nUp = 0;
      for (let c = 0; c < nChunks; c++) {
        const diff = xs[xBase + c]! ^ ds[dBase + c]!;
        const kc = chunkK[c]!;
        const xb = (xBase + c) * kStride;
        const db = (dBase + c) * kStride;
        for (let k = 0; k < kc; k++) {
          const co = xp[xb + k]! & dp[db + k]!;
          if (co !== 0) {
            const u = popcount32(co & diff);
            nUp += u;
            nDown += popcount32(co) - u;
          }
        }
      }
      down[j] = nDown;
      up[j] = nUp;
    }
  }

  chunkTotals(i: number, j: number, c: number): void {
    const nChunks = this.nChunks;
    const kStride = this.kStride;
    const diff = this.xSigns[j * nChunks + c]! ^ this.dSigns[i * nChunks + c]!;
    const kc = this.chunkK[c]!;
    const xb = (j * nChunks + c) * kStride;
    const db = (i * nChunks + c) * kStride;
    let down = 0;
    let up = 0;
    for (let k = 0; k < kc; k++) {
      const co = this.xPlanes[xb + k]! & this.dPlanes[db + k]!;
      if (co !== 0) {
        const u = popcount32(co & diff);
        up += u;
        down += popcount32(co) - u;
      }
    }
    this.down = down;
    this.up = up;
  }

  chunkEvents(i: number, j: number, c: number, rows: Int32Array, counts: Int32Array): number {
    const nChunks = this.nChunks;
    const kStride = this.kStride;
    const co = this.coScratch;
    const diff = this.xSigns[j * nChunks + c]! ^ this.dSigns[i * nChunks + c]!;
    const kc = this.chunkK[c]!;
    const xb = (j * nChunks + c) * kStride;
    const db = (i * nChunks + c) * kStride;
    let any = 0;
    for (let k = 0; k < kc; k++) {
      const v = this.xPlanes[xb + k]! & this.dPlanes[db + k]!;
      co[k] = v;
      any |= v;
    }
    const rowBase = this.r0 + 32 * c;
    let m = 0;
    while (any !== 0) {
      const low = any & -any;
      any ^= low;
      const t = 31 - Math.clz32(low);
      let n = 0;
      for (let k = 0; k < kc; k++) n += (co[k]! >>> t) & 1;
      rows[m] = rowBase + t;
      counts[m] = ((diff >>> t) & 1) !== 0 ? -n : n;
      m++;
    }
    return m;
  }

  constantWalk(i: number, j: number, w: number, up: number, down: number, lo: number, hi: number): number {
    const nChunks = this.nChunks;
    const kStride = this.kStride;
    const xp = this.xPlanes;
    const dp = this.dPlanes;
    let v = w;
    for (let c = 0; c < nChunks; c++) {
      const diff = this.xSigns[j * nChunks + c]! ^ this.dSigns[i * nChunks + c]!;
      const kc = this.chunkK[c]!;
      const xb = (j * nChunks + c) * kStride;
      const db = (i * nChunks + c) * kStride;
      if (kc === 1) {
        // one pulse at most per row: walk the rows in order
        let co = xp[xb]! & dp[db]!;
        // branch-free step choice (the signs are random): −down + s·(up + down) is exact in double
        const both = up + down;
        if (v - 33 * down > lo && v + 33 * up < hi) {
          // no bound within reach of this chunk's pulses: the clipping is a no-op
          while (co !== 0) {
            const t = 31 - Math.clz32(co & -co);
            co &= co - 1;
            v = Math.fround(v + (((diff >>> t) & 1) * both - down));
          }
          continue;
        }
        while (co !== 0) {
          const t = 31 - Math.clz32(co & -co);
          co &= co - 1;
          v = Math.max(Math.min(Math.fround(v + (((diff >>> t) & 1) * both - down)), hi), lo);
        }
        continue;
      }
      let any = 0;
      for (let k = 0; k < kc; k++) any |= xp[xb + k]! & dp[db + k]!;
      while (any !== 0) {
        const low = any & -any;
        any ^= low;
        let n = 0;
        for (let k = 0; k < kc; k++) if ((xp[xb + k]! & dp[db + k]! & low) !== 0) n++;
        v = (diff & low) !== 0 ? constantSteps(v, up, n, lo, hi) : constantSteps(v, -down, n, lo, hi);
      }
    }
    return v;
  }
}

/** MeanCount and DeterministicImplicit: counts computed from the rounded mean (dense_bit_line_maker.cpp). */
export class DeterministicSource extends SourceBase implements CountSource {
  private rows = 0;
  /** Per column and row of the block: the factors of core's deterministicXFactor / deterministicDFactor. */
  private xValues = new Float32Array(0);
  private dValues = new Float32Array(0);
  private tmpRows = new Int32Array(0);
  private tmpCounts = new Int32Array(0);

  prepare(r0: number, r1: number): void {
    const rows = r1 - r0;
    this.r0 = r0;
    this.rows = rows;
    this.xValues = ensureFloat(this.xValues, this.inSize * rows);
    this.dValues = ensureFloat(this.dValues, this.outSize * rows);
    if (this.tmpRows.length < 32) {
      this.tmpRows = new Int32Array(32);
      this.tmpCounts = new Int32Array(32);
    }
    const enc = this.encoder;
    for (let r = r0; r < r1; r++) {
      const rr = r - r0;
      enc.encode(this.call, this.plan, this.x, this.d, r);
      for (let j = 0; j < this.inSize; j++) this.xValues[j * rows + rr] = enc.xFactors[j]!;
      for (let i = 0; i < this.outSize; i++) this.dValues[i * rows + rr] = enc.dFactors[i]!;
    }
  }

  get chunks(): number {
    return Math.ceil(this.rows / 32);
  }

  totals(i: number, down: Int32Array, up: Int32Array): void {
    for (let j = 0; j < this.inSize; j++) {
      let nDown = 0;
      let nUp = 0;
      for (let c = 0; c < this.chunks; c++) {
        this.chunkTotals(i, j, c);
        nDown += this.down;
        nUp += this.up;
      }
      down[j] = nDown;
      up[j] = nUp;
    }
  }

  chunkTotals(i: number, j: number, c: number): void {
    const m = this.chunkEvents(i, j, c, this.tmpRows, this.tmpCounts);
    let down = 0;
    let up = 0;
    for (let t = 0; t < m; t++) {
      const n = this.tmpCounts[t]!;
      if (n > 0) down += n;
      else up -= n;
    }
    this.down = down;
    this.up = up;
  }

  chunkEvents(i: number, j: number, c: number, rowsOut: Int32Array, counts: Int32Array): number {
    const rows = this.rows;
    const xo = j * rows;
    const dOff = i * rows;
    let m = 0;
    for (let rr = 32 * c, end = Math.min(rows, rr + 32); rr < end; rr++) {
      const dv = this.dValues[dOff + rr]!;
      if (dv === 0) continue;
      const xv = this.xValues[xo + rr]!;
      if (xv === 0) continue;
      const n = deterministicCoincidences(dv, xv);
      if (n !== 0) {
        rowsOut[m] = this.r0 + rr;
        counts[m] = n;
        m++;
      }
    }
    return m;
  }

  constantWalk(i: number, j: number, w: number, up: number, down: number, lo: number, hi: number): number {
    let v = w;
    for (let c = 0; c < this.chunks; c++) {
      const m = this.chunkEvents(i, j, c, this.tmpRows, this.tmpCounts);
      for (let t = 0; t < m; t++) {
        const n = this.tmpCounts[t]!;
        v = n > 0 ? constantSteps(v, -down, n, lo, hi) : constantSteps(v, up, -n, lo, hi);
      }
    }
    return v;
  }
}

function ensure(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (a.length < n) return new Int32Array(n);
  a.fill(0, 0, n);
  return a;
}

function ensureFloat(a: Float32Array<ArrayBuffer>, n: number): Float32Array<ArrayBuffer> {
  return a.length < n ? new Float32Array(n) : a;
}
