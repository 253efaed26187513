/**
 * The counter-based generator of @crossbar/core: normals and uniforms per
 * second (the draws every noisy engine path makes).
 */
import { RandomStream, RandomStreamId } from '@crossbar/core';
import { defineBench } from '../harness.js';

const N = 1_000_000;

export default [
  defineBench({
    name: 'fillNormal 1e6 (Float32Array)',
    group: 'rng',
    engine: 'core',
    size: N,
    items: { count: N, unit: 'normals' },
    setup() {
      const out = new Float32Array(N);
      let call = 0;
      return () => new RandomStream(1, RandomStreamId.ForwardOutputNoise, call++).fillNormal(out);
    },
  }),
  defineBench({
    name: 'fillUniform 1e6 (Float32Array)',
    group: 'rng',
    engine: 'core',
    size: N,
    items: { count: N, unit: 'uniforms' },
    setup() {
      const out = new Float32Array(N);
      let call = 0;
      return () => new RandomStream(1, RandomStreamId.UpdateXPulses, call++).fillUniform(out);
    },
  }),
];
