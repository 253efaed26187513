// The README's engine example (examples/engine.ts) runs and says what it claims.
import { describe, expect, it } from 'vitest';
import { main } from '../examples/engine.js';

describe('examples/engine.ts', () => {
  it('the registry picks the wasm engine; its default-IO forward agrees with ndarray to an ADC step', async () => {
    const lines: string[] = [];
    const { engine, wasm, ndarray } = await main((line) => lines.push(line));
    expect(engine).toBe('wasm');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^engine: wasm \(WebAssembly SIMD engine/);
    // same seed and call: the same noise; the float32 GEMM may move an output by one ADC step
    for (let k = 0; k < wasm.length; k++) expect(Math.abs(wasm[k]! - ndarray[k]!)).toBeLessThanOrEqual((2 * 12) / 510 + 1e-6);
  });
});
