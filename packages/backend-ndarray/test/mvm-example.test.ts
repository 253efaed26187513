// The README's example (examples/mvm.ts) runs and says what it claims.
import { describe, expect, it } from 'vitest';
import { main } from '../examples/mvm.js';

describe('examples/mvm.ts', () => {
  it('runs a default-IO forward and backward and reproduces them from the seed', async () => {
    const lines: string[] = [];
    const y = await main((line) => lines.push(line));
    expect(y).toHaveLength(8);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('same seed, same outputs: true');
    // the analog result is near the exact one (7-bit DAC, 9-bit ADC, output noise 0.06)
    const exact = lines[0]!.split(':')[1]!.trim().split(/\s+/).map(Number);
    for (let k = 0; k < 8; k++) expect(Math.abs(y[k]! - exact[k]!)).toBeLessThan(0.3);
  });
});
