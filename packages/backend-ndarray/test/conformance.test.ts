// The ndarray engine against the conformance suite: every aihwkit oracle case
// and every property, with JS (float64-summing) arithmetic: the 'cpu' tolerances.
import { describeConformance } from '@crossbar/conformance';
import { NdarrayBackend } from '../src/index.js';
import { ndarraySkips } from './conformance-skips.js';

// A saved tile is also restored through a second factory (another backend instance).
describeConformance('ndarray', () => new NdarrayBackend(), {
  tolerance: 'cpu',
  skips: ndarraySkips,
  restoreOn: [{ name: 'a second ndarray backend', factory: () => new NdarrayBackend() }],
});
