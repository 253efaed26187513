// The README's example (examples/same-physics.ts) runs and says what it claims:
// the same seed and calls give the ndarray engine's numbers on gpu.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODE_ENV } from '../src/modes.js';
import { main } from '../examples/same-physics.js';

describe('examples/same-physics.ts', () => {
  const before = process.env[MODE_ENV];
  beforeAll(() => {
    process.env[MODE_ENV] = 'cpu'; // the mode that works everywhere; the cross-engine test covers the others
  });
  afterAll(() => {
    if (before === undefined) delete process.env[MODE_ENV];
    else process.env[MODE_ENV] = before;
  });

  it('gives the ndarray engine’s noisy forward and pulsed update on gpu.js', async () => {
    const lines: string[] = [];
    const r = await main((line) => lines.push(line));
    expect(lines[0]).toMatch(/^gpujs: gpu\.js mode cpu/);
    expect(r.changed).toBeGreaterThan(0); // the update did pulse
    expect(r.forward).toBeLessThanOrEqual(1e-6);
    expect(r.update).toBeLessThanOrEqual(1e-6);
  });
});
