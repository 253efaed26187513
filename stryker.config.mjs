// Mutation testing of the ndarray engine (its kernels, and the device lifecycle
// of core's tile that it runs on since issue 13) against the conformance suite
// alone (docs/conformance.md, "Mutation testing"). Not part of CI: run it by hand,
//   npx stryker run                       (the default scope below)
//   npx stryker run --mutate 'packages/backend-ndarray/src/update.ts'
// It mutates the files in place (pnpm's workspace links do not survive Stryker's
// sandbox copy) and restores them at the end: do not interrupt it, or run
// `git checkout packages/backend-ndarray/src packages/core/src` afterwards.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'packages/backend-ndarray/vitest.mutation.config.ts', dir: 'packages/backend-ndarray', related: false },
  inPlace: true,
  // The default scope finishes in well under an hour on two cores: the device operations
  // that issue 15's properties and lifecycle cases target. Widen it with --mutate.
  // (The recorded run mutated the same operations before they moved from backend-ndarray/src into core's tile.)
  mutate: ['packages/core/src/tile/devices.ts', 'packages/core/src/physics/drift.ts'],
  coverageAnalysis: 'perTest',
  // vitest does not type-check, and in place Stryker would otherwise add // @ts-nocheck to every file
  disableTypeChecks: false,
  concurrency: 1,
  // a mutant's timeout: 1.5 × its tests' time in the initial run + this (an endless loop costs this much)
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
