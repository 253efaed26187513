import { describe, expect, it } from 'vitest';
import type { AnalogTile, AnalogTileBackend, CreateTileOptions } from '@crossbar/core';
import { checkProperty, PROPERTIES, referenceMvm, resolveTolerance, type PropertyResult } from '../src/portable.js';
import { ToyBackend, type ToyFaults, type ToyOptions } from './toy-engine.js';

const run = (id: string, faults: ToyFaults = {}, options: ToyOptions = { pulsedAsFloat: true }): Promise<PropertyResult> => {
  const property = PROPERTIES.find((p) => p.id === id);
  if (!property) throw new Error(`no property ${id}`);
  return checkProperty(property, { backend: new ToyBackend(faults, options), tolerance: resolveTolerance('cpu'), seed: 7, numRuns: 15 });
};

describe('properties on the toy engine (what it does right passes, each fault is caught)', () => {
  it('has unique ids', () => {
    expect(new Set(PROPERTIES.map((p) => p.id)).size).toBe(PROPERTIES.length);
  });

  it('perfect MVM equals the GEMM; a 1e-5 bias does not', async () => {
    expect((await run('mvm/perfect-equals-gemm')).failures).toEqual([]);
    const bad = await run('mvm/perfect-equals-gemm', { forwardBias: 1e-5 });
    expect(bad.ok).toBe(false);
    expect(bad.failures[0]).toMatch(/differ from the float64 GEMM[\s\S]*counterexample/);
  });

  it('an engine without the managed MVM fails that property with its refusal', async () => {
    const r = await run('mvm/managed-equals-gemm');
    expect(r.ok).toBe(false);
    expect(r.failures[0]).toMatch(/NotSupportedError: toy engine: a non-perfect MVM/);
  });

  it('bad forward input is refused; an engine that does not validate is caught', async () => {
    expect((await run('bad-input/forward')).failures).toEqual([]);
    const bad = await run('bad-input/forward', { noForwardValidation: true });
    expect(bad.failures.join('\n')).toMatch(/x with NaN: accepted, must throw/);
  });

  it('bad update input leaves the weights unchanged; updating before validating is caught', async () => {
    expect((await run('bad-input/update')).failures).toEqual([]);
    const bad = await run('bad-input/update', { updateBeforeValidation: true });
    expect(bad.failures.join('\n')).toMatch(/learning rate NaN: the weights changed/);
  });

  it('the valid call is a positive control: an engine that refuses everything fails', async () => {
    const r = await run('bad-input/update', {}, {});
    expect(r.failures.join('\n')).toMatch(/the valid call \(update\(x, d, 2, 0.1\)\) failed: NotSupportedError/);
  });

  it('bad backward input and bad weights are refused', async () => {
    expect((await run('bad-input/backward')).failures).toEqual([]);
    expect((await run('bad-input/set-weights')).failures).toEqual([]);
  });

  it('pulse_type None is exact SGD; the wrong sign is caught', async () => {
    expect((await run('update/pulse-none-exact-sgd')).failures).toEqual([]);
    expect((await run('update/pulse-none-exact-sgd', { wrongUpdateSign: true })).ok).toBe(false);
  });

  it('the mean update step is checked: the wrong sign is caught', async () => {
    expect((await run('update/stochastic-mean-step')).failures).toEqual([]);
    const bad = await run('update/stochastic-mean-step', { wrongUpdateSign: true });
    expect(bad.failures[0]).toMatch(/mean step .*, expected /);
  });

  it('weights stay within the device bounds; an engine that does not clip is caught', async () => {
    expect((await run('update/weights-within-device-bounds')).failures).toEqual([]);
    const bad = await run('update/weights-within-device-bounds', { noBoundClip: true });
    expect(bad.failures[0]).toMatch(/StochasticCompressed, after update \d+ \(lr 1\): weight .* outside/);
  });

  it('forward pass counts are optional: an engine without them passes with a note; wrong counts are caught', async () => {
    const none = await run('mvm/forward-pass-counts');
    expect(none.failures).toEqual([]);
    expect(none.notes.join('\n')).toMatch(/does not report forward pass counts/);
    // The toy's tiles with an exact forward (any IO) that claims one pass per vector, bound management or not.
    const toy = new ToyBackend();
    const onePass: AnalogTileBackend = {
      name: 'one-pass',
      createTile: async (options: CreateTileOptions): Promise<AnalogTile> => {
        const tile = await toy.createTile(options);
        let batch = 0;
        return Object.assign(tile, {
          forward: async (x: Float32Array, b: number) => {
            batch = b;
            return Float32Array.from(referenceMvm(await tile.getWeights(), tile.outSize, tile.inSize, x, b, false).y);
          },
          getForwardPassCounts: () => (batch === 0 ? null : new Int32Array(batch).fill(1)),
        });
      },
    };
    const ctx = { backend: onePass, tolerance: resolveTolerance('cpu'), seed: 7, numRuns: 15 };
    const bad = await checkProperty(
      PROPERTIES.find((p) => p.id === 'mvm/forward-pass-counts')!,
      ctx,
    );
    expect(bad.failures.join('\n')).toMatch(/vector \d+ took 1 passes, expected [02-9]/);
  });

  it('a deterministic engine fails the seed properties (the seed must reach the noise)', async () => {
    const r = await run('same-seed/modifier');
    expect(r.ok).toBe(false);
  });
});
