// The conformance suite alone, as Stryker's test command (stryker.config.mjs at the
// repository root; not part of CI: named *.mutation.ts, which the package's vitest
// config does not include). Every mutant of the mutated code must make it fail.
import { describeConformance } from '@crossbar/conformance';
import { NdarrayBackend } from '../../src/index.js';
import { ndarraySkips } from '../conformance-skips.js';

// Each mutant reruns the tests that cover it: the oracle's multi-call device cases and most
// compound cases (about a minute together, several times the rest of the suite) are left out
// to keep a run within the hour on two shared cores. The deterministic OneSidedUnitCell refresh
// cases stay: they are the only ones that reach a pulsed device's resetAt.
const SLOW = 'left out of mutation testing for its run time (the conformance test of backend-ndarray runs it)';

describeConformance('ndarray (mutation testing)', () => new NdarrayBackend(), {
  tolerance: 'cpu',
  skips: {
    ...ndarraySkips,
    'file:devices': SLOW,
    'compounds/vec_*': SLOW,
    'compounds/ref_*': SLOW,
    'compounds/tt_*': SLOW,
    'compounds/btt_*': SLOW,
    'compounds/mp_*': SLOW,
    'compounds/onesided_sc': SLOW,
    'compounds/onesided_refresh_sc_write': SLOW,
    'compounds/onesided_cs_no_refresh': SLOW,
    'compounds/onesided_sb_copy_inverted_d2d': SLOW,
  },
  restoreOn: [{ name: 'a second ndarray backend', factory: () => new NdarrayBackend() }],
  // fewer stochastic repetitions: each mutant reruns the tests that cover it
  maxReps: 200,
});
