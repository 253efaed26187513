// The conformance suite alone, as Stryker's test command (stryker.config.mjs at the
// repository root; not part of CI: named *.mutation.ts, which the package's vitest
// config does not include). Every mutant of backend-ndarray/src must make it fail.
import { describeConformance } from '@crossbar/conformance';
import { NdarrayBackend } from '../../src/index.js';
import { ndarraySkips } from '../conformance-skips.js';

describeConformance('ndarray (mutation testing)', () => new NdarrayBackend(), {
  tolerance: 'cpu',
  skips: {
    ...ndarraySkips,
    // Until issue 16 (multi-call update cases, more devices) lands these cases fail on every
    // engine, and Stryker needs a green run to start from.
    'file:devices': 'multi-call update cases (3-d x and d) are not run by the suite yet (issue 16)',
    'file:compounds': 'compound devices are not implemented yet (issue 16)',
  },
  restoreOn: [{ name: 'a second ndarray backend', factory: () => new NdarrayBackend() }],
  // fewer stochastic repetitions: each mutant reruns the tests that cover it
  maxReps: 200,
});
