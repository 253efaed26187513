// The page's seeded data and uploaded matrices (src/data.ts).
import { describe, expect, it } from 'vitest';
import { RandomStream, RandomStreamId } from '@crossbar/core';
import { DataSub, epochOrder, GLYPH_CLASSES, GLYPH_PIXELS, glyphSet, parseMatrix, seededMatrix } from '../src/data.js';
import { SettingError } from '../src/settings.js';

describe('seeded data', () => {
  it('draws W and x from the documented stream: PlaygroundData, call 0, sub 0 (W) / 1 (x), element row · cols + col', () => {
    const w = seededMatrix(7, DataSub.weights, 3, 5, { dist: 'uniform', scale: 0.5 });
    const u = new RandomStream(7, RandomStreamId.PlaygroundData, 0, 0);
    expect(w[2 * 5 + 4]).toBe(Math.fround((2 * u.uniform(14) - 1) * 0.5));
    const x = seededMatrix(7, DataSub.inputs, 4, 5, { dist: 'normal', scale: 2 });
    expect(x[3 * 5 + 1]).toBe(Math.fround(new RandomStream(7, RandomStreamId.PlaygroundData, 0, 1).normal(16) * 2));
    for (const v of w) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    expect(seededMatrix(8, 0, 3, 5, { dist: 'uniform', scale: 0.5 })).not.toEqual(w);
  });

  it('makes noisy digit glyphs: classes from the seed, ink 1 plus noise, train and test apart', () => {
    const clean = glyphSet(1, 0, 200, 0);
    expect(clean.x.length).toBe(200 * GLYPH_PIXELS);
    const counts = new Array<number>(GLYPH_CLASSES).fill(0);
    for (const c of clean.labels) counts[c]!++;
    for (const c of counts) expect(c).toBeGreaterThan(5);
    for (const v of clean.x) expect(v === 0 || v === 1).toBe(true);
    // the same class with the same shift is the same image; different classes differ
    const ink = (k: number) => clean.x.subarray(k * GLYPH_PIXELS, (k + 1) * GLYPH_PIXELS).reduce((a, b) => a + b, 0);
    for (let k = 0; k < 200; k++) expect(ink(k)).toBeGreaterThan(8);
    const noisy = glyphSet(1, 0, 200, 0.3);
    expect(noisy.labels).toEqual(clean.labels);
    let d = 0;
    for (let i = 0; i < noisy.x.length; i++) d += (noisy.x[i]! - clean.x[i]!) ** 2;
    expect(Math.sqrt(d / noisy.x.length)).toBeCloseTo(0.3, 1);
    expect(glyphSet(1, 1, 200, 0).labels).not.toEqual(clean.labels);
  });

  it('orders each epoch by a seeded permutation', () => {
    const a = epochOrder(3, 0, 50);
    expect([...a].sort((p, q) => p - q)).toEqual([...Array(50).keys()]);
    expect(epochOrder(3, 0, 50)).toEqual(a);
    expect(epochOrder(3, 1, 50)).not.toEqual(a);
  });
});

describe('uploaded matrices', () => {
  it('reads JSON rows, a flat JSON row, and CSV / whitespace text with a header and comments', () => {
    expect(parseMatrix('[[1, 2, 3], [4, 5, 6]]', 'W')).toEqual({ rows: 2, cols: 3, data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    expect(parseMatrix('[0.5, -1]', 'x')).toEqual({ rows: 1, cols: 2, data: Float32Array.from([0.5, -1]) });
    expect(parseMatrix('a,b\n# comment\n1,2\n3;4\n\n5\t6 # end\n', 'W')).toEqual({ rows: 3, cols: 2, data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
  });

  it('says what is wrong and where', () => {
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['[[1, 2], [3]]', /row 2 has 1 values, the first row has 2/],
      ['[[1, "x"]]', /row 1, column 2 is "x", not a finite number/],
      ['[[1, 2]', /not valid JSON/],
      ['1,2\n3,x', /line 2, column 2 is "x"/],
      ['[]', /non-empty array/],
      ['# nothing', /no numbers/],
    ];
    for (const [text, msg] of bad) {
      expect(() => parseMatrix(text, 'W (w.csv)'), text).toThrow(SettingError);
      expect(() => parseMatrix(text, 'W (w.csv)'), text).toThrow(msg);
    }
  });
});
