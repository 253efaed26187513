// `crossbar case` and `crossbar conformance` compare with the tolerance of the
// engine's own arithmetic unless --tolerance names one.
import { describe, expect, it } from 'vitest';
import type { AnalogTileBackend } from '@crossbar/core';
import { defaultToleranceMode } from '../src/engines.js';

const engine = (extra: Record<string, unknown>) => ({ name: 'x', createTile: () => Promise.reject(new Error('unused')), ...extra }) as unknown as AnalogTileBackend;

describe('defaultToleranceMode', () => {
  it("is the engine's mode where the conformance package has a tolerance for it", () => {
    expect(defaultToleranceMode(engine({ mode: 'headlessgl' }))).toBe('headlessgl');
    expect(defaultToleranceMode(engine({ mode: 'webgl2' }))).toBe('webgl2');
    expect(defaultToleranceMode(engine({ mode: 'webasm' }))).toBe('webasm');
    expect(defaultToleranceMode(engine({ mode: 'webgl' }))).toBe('headlessgl'); // WebGL1, as headless-gl
  });
  it('is cpu for an engine without a mode, or with one the package does not know', () => {
    expect(defaultToleranceMode(engine({}))).toBe('cpu');
    expect(defaultToleranceMode(engine({ mode: 'webgpu' }))).toBe('cpu');
    expect(defaultToleranceMode(engine({ mode: 'toString' }))).toBe('cpu');
    expect(defaultToleranceMode(engine({ mode: 3 }))).toBe('cpu');
  });
});
