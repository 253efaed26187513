// streamPermutation (rng.ts): a seeded Fisher–Yates permutation, step i using the stream's uniform i.
import { describe, expect, it } from 'vitest';
import { InputError, RandomStream, streamPermutation } from '../src/index.js';

describe('streamPermutation', () => {
  it('is a permutation, the same for the same stream, another for another call', () => {
    const s = () => new RandomStream(11, 81, 1, 0);
    const p = streamPermutation(s(), 1000);
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
    expect(streamPermutation(s(), 1000)).toEqual(p);
    expect(streamPermutation(new RandomStream(11, 81, 2, 0), 1000)).not.toEqual(p);
    expect(Array.from(streamPermutation(s(), 0))).toEqual([]);
    expect(Array.from(streamPermutation(s(), 1))).toEqual([0]);
    expect(() => streamPermutation(s(), -1)).toThrow(InputError);
  });

  it('swaps i with floor(u_i (i + 1)) from the end', () => {
    const s = new RandomStream(3, 80, 0, 0);
    const n = 6;
    const want = [0, 1, 2, 3, 4, 5];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(s.uniform(i) * (i + 1));
      [want[i], want[j]] = [want[j]!, want[i]!];
    }
    expect(Array.from(streamPermutation(new RandomStream(3, 80, 0, 0), n))).toEqual(want);
  });

  it('puts every element everywhere about equally often', () => {
    const counts = new Array<number>(16).fill(0); // where element 0 ends up, over 4000 streams
    for (let c = 0; c < 4000; c++) counts[streamPermutation(new RandomStream(5, 81, c, 0), 16).indexOf(0)]!++;
    for (const k of counts) expect(Math.abs(k - 250)).toBeLessThan(80); // ±5 std of a binomial(4000, 1/16)
  });
});
