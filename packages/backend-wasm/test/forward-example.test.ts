// The README's example (examples/forward.ts) runs and says what it claims.
import { describe, expect, it } from 'vitest';
import { main } from '../examples/forward.js';

describe('examples/forward.ts', () => {
  it('runs the default-IO forward on the kernels, next to ndarray, and on two threads', async () => {
    const lines: string[] = [];
    const { wasm, ndarray } = await main((line) => lines.push(line));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('2 threads, same bits: true');
    // same seed and call: the same noise; only the GEMM's float32 summation order may move an output by one ADC step
    for (let k = 0; k < wasm.length; k++) expect(Math.abs(wasm[k]! - ndarray[k]!)).toBeLessThanOrEqual((2 * 12) / 510 + 1e-6);
  });
});
