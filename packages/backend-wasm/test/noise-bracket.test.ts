// The proof behind assembly/noise-bracket.ts: the ADC's output with noise is a
// non-decreasing function of the normal g, so it equals the exact path's bits whenever
// the outputs at g̃ − E and g̃ + E agree — provided |g − g̃| <= E. With g = r · cos θ
// (or sin θ) and g̃ = fround(r̃ · cos̃ θ):
//   |g̃ − g| <= r̃ |cos̃ − cos| + |cos| |r̃ − r| + 2^-24 |r̃ cos̃| + 2^-53 |g|
//           <= r̃ (εc + 2 εr + 2^-22)            (εr = max |r̃ − r| / r <= 1/2)
// where r depends on the first uniform alone and θ on the second alone, each one of the
// 2^23 uniforms the generator makes: checking r̃ and cos̃, siñ on all of them bounds every
// normal. The bracket's half-width, E = 6 · BRACKET, must exceed that bound for r̃ <= 6
// (here with a factor 4 to spare).
import { describe, expect, it } from 'vitest';
import { wordToUniform } from '@crossbar/core';
import { kernels } from './helpers.js';

describe('the noise bracket', () => {
  it('bounds |g − g̃| by BRACKET · r̃ on every uniform the generator makes, with a factor 4 to spare', async () => {
    const { exports: e } = await kernels();
    const twoPi = 2 * Math.PI;
    let er = 0;
    let ec = 0;
    let rMax = 0;
    for (let k = 0; k < 2 ** 23; k++) {
      const w = k << 9;
      const u = wordToUniform(w);
      e.bracketParts(w);
      const r = Math.sqrt(-2 * Math.log(u));
      er = Math.max(er, Math.abs((e.testRadius.value as number) - r) / r);
      rMax = Math.max(rMax, e.testRadius.value as number);
      const t = twoPi * u;
      ec = Math.max(ec, Math.abs((e.testCos.value as number) - Math.cos(t)), Math.abs((e.testSin.value as number) - Math.sin(t)));
    }
    const bracket = e.BRACKET.value as number;
    expect(bracket).toBe(2 ** -16);
    expect(ec + 2 * er + 2 ** -22, `εr = ${er}, εc = ${ec}`).toBeLessThan(bracket / 4);
    expect(rMax).toBeLessThanOrEqual(6);
    expect(rMax).toBeGreaterThan(5.7); // u = 2^-24: sqrt(48 ln 2)
    // the approximation is a float32 one (about 2^-22), not an accidental near-copy of the exact path
    expect(er).toBeGreaterThan(0);
  }, 120_000);
});
