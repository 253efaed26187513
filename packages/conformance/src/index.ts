/**
 * @crossbar/conformance — the suite every Crossbar engine must pass, held to
 * aihwkit 0.7.1's own outputs (the packaged oracle) and to properties that hold for
 * any engine.
 *
 *   describeConformance(engineName, factory, { tolerance, skips })   in an engine's vitest file
 *   runOracleCase(backend, caseObject)                               one case → a result like oracle/expected
 *
 * This entry imports vitest (describeConformance). Code that must not — a
 * browser page without vitest, the CLI — imports `@crossbar/conformance/portable`;
 * reading the oracle from disk is in `@crossbar/conformance/node`.
 *
 * @module @crossbar/conformance
 */
export * from './portable.js';
export {
  describeConformance,
  describeRemoteConformance,
  type ConformanceOptions,
  type OracleSource,
  type RemoteCaseResult,
  type RemoteConformanceOptions,
} from './describe.js';
