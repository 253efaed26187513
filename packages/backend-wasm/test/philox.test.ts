import { describe, expect, it } from 'vitest';
import { boxMuller, philox4x32, RandomStream, RandomStreamId, seedToKey, wordToUniform } from '@crossbar/core';
import { kernels } from './helpers.js';

describe('Philox4x32-10 in WebAssembly', () => {
  it('gives core’s words for keys and counters across the 32-bit range', async () => {
    const { exports: e } = await kernels();
    const ref = new Uint32Array(4);
    const words = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x243f6a88, 0xa4093822];
    let checked = 0;
    for (let t = 0; t < 400; t++) {
      const pick = (s: number) => words[(t * s + (t >> 2)) % words.length]! ^ Math.imul(t, 0x9e3779b9 + s);
      const args = [pick(1), pick(3), pick(5), pick(7), pick(11), pick(13)].map((v) => v >>> 0) as [number, number, number, number, number, number];
      philox4x32(...args, ref);
      e.philox(...args);
      expect([e.word0.value >>> 0, e.word1.value >>> 0, e.word2.value >>> 0, e.word3.value >>> 0]).toEqual(Array.from(ref));
      checked++;
    }
    expect(checked).toBe(400);
  });

  it('fills the same words, uniforms and normals as core’s RandomStream (unaligned starts, tails, element 2^33)', async () => {
    const { exports: e, heap } = await kernels();
    const mark = heap.mark();
    const n = 1031;
    const out = heap.allocF64(n);
    const outU = heap.allocI32(n);
    for (const [seed, stream, call, sub, start] of [
      [1, RandomStreamId.ForwardOutputNoise, 1, 0, 0],
      [2 ** 40 + 12345, RandomStreamId.ForwardInputNoise, 77, 3, 5],
      [0, RandomStreamId.ForwardOutputRounding, 0xffffffff, 0xfffffffe, 2 ** 33 + 2],
      [9007199254740991, 0, 4, 1, 1],
    ] as const) {
      const [k0, k1] = seedToKey(seed);
      const rs = new RandomStream(seed, stream, call, sub);
      for (const len of [n, 1, 2, 3, 6]) {
        e.fillNormal64(out, len, k0, k1, stream, call, sub, BigInt(start));
        expect(Array.from(heap.f64(out, len))).toEqual(Array.from(rs.fillNormal(new Float64Array(len), start)));
        e.fillUniform64(out, len, k0, k1, stream, call, sub, BigInt(start));
        expect(Array.from(heap.f64(out, len))).toEqual(Array.from(rs.fillUniform(new Float64Array(len), start)));
        e.fillUint32(outU, len, k0, k1, stream, call, sub, BigInt(start));
        expect(Array.from(heap.u32(outU, len))).toEqual(Array.from(rs.fillUint32(new Uint32Array(len), start)));
      }
    }
    heap.release(mark);
  });

  // The proof that in-kernel normals are core's float64 numbers: r = sqrt(−2 ln u1) depends on
  // u1 alone and θ = 2π u2 on u2 alone, each one of the 2^23 uniforms, and r · cos θ is one
  // IEEE product. So log, cos and sin agreeing with V8's Math on every uniform means every
  // normal is bit-identical (on this Node; V8's Math is fdlibm, see README).
  it('computes V8’s Math.log, Math.cos and Math.sin (alone, as a sin/cos pair, and in two SIMD lanes) exactly on every uniform the generator makes', async () => {
    const { exports: e } = await kernels();
    let logDiff = 0;
    let cosDiff = 0;
    let sinDiff = 0;
    let sinCosDiff = 0;
    let logPairDiff = 0;
    let sinCosPairDiff = 0;
    const twoPi = 2 * Math.PI;
    for (let k = 0; k < 2 ** 23; k++) {
      const u = wordToUniform(k << 9);
      if (e.fdlibmLog(u) !== Math.log(u)) logDiff++;
      // the two-lane log of the whole-block fill: u in lane 0 and a far uniform in lane 1
      const v = wordToUniform(((k * 2654435761) >>> 0) << 9);
      if (e.fdlibmLogPair(u, v) !== Math.log(u) || e.logLane1.value !== Math.log(v)) logPairDiff++;
      const t = twoPi * u;
      if (e.fdlibmCos(t) !== Math.cos(t)) cosDiff++;
      if (e.fdlibmSin(t) !== Math.sin(t)) sinDiff++;
      e.fdlibmSinCos(t); // the pair the element-wise path uses
      if (e.sinOut.value !== Math.sin(t) || e.cosOut.value !== Math.cos(t)) sinCosDiff++;
      const t2 = twoPi * v; // the two-lane pair of the whole-block fill
      e.fdlibmSinCosPair(t, t2);
      if (e.sinOut.value !== Math.sin(t) || e.cosOut.value !== Math.cos(t) || e.sinLane1.value !== Math.sin(t2) || e.cosLane1.value !== Math.cos(t2)) sinCosPairDiff++;
    }
    expect({ logDiff, logPairDiff, cosDiff, sinDiff, sinCosDiff, sinCosPairDiff }).toEqual({
      logDiff: 0,
      logPairDiff: 0,
      cosDiff: 0,
      sinDiff: 0,
      sinCosDiff: 0,
      sinCosPairDiff: 0,
    });
    // and the composed normal of the extreme uniforms
    const lo = wordToUniform(0);
    const hi = wordToUniform(0xffffffff);
    expect(Math.sqrt(-2 * e.fdlibmLog(lo)) * e.fdlibmCos(twoPi * hi)).toBe(boxMuller(lo, hi, 0));
  });
});
