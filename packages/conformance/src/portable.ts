/**
 * @crossbar/conformance/portable — the suite's case running and comparison,
 * free of node: modules and of vitest, so it runs in a browser page, a worker
 * or the CLI. The oracle comes from `loadOracleWithFetch` (or any source of the
 * JSON); in Node, `@crossbar/conformance/node` reads it from disk.
 */
export {
  ORACLE_KINDS,
  DEFAULT_ORACLE_FILES,
  OracleFormatError,
  decodeNumber,
  encodeNumber,
  float32Shortest,
  stringifyOracleResult,
  toDense,
  nest,
  pairOracleFile,
  oracleEntries,
  loadOracleWithFetch,
  type OracleKind,
  type OracleNumber,
  type OracleArray,
  type OracleCase,
  type OracleResult,
  type OracleFile,
  type Oracle,
  type OracleEntry,
  type Dense,
  type OracleFetchResponse,
} from './format.js';
export { runOracleCase, DEFAULT_ORACLE_SEED, type RunOracleCaseOptions } from './run.js';
export {
  compareOracleResult,
  checkOracleCase,
  caseQuantisesOutput,
  NOT_COMPARED_KEYS,
  REFUSAL_ERROR_TYPES,
  type ArrayCheck,
  type CaseCheck,
  type CaseComparison,
  caseForEngine,
  type CheckOracleCaseOptions,
  type CompareOptions,
  type FlipCandidate,
} from './compare.js';
export { PROPERTIES, checkProperty, referenceMvm, DataRng, type ConformanceProperty, type PropertyContext, type PropertyResult } from './properties.js';
export {
  TOLERANCES,
  FLOAT32_ULP,
  FLOAT32_MIN_NORMAL,
  FALSE_FAILURE_PER_RUN,
  FALSE_FAILURE_PER_CHECK,
  STATISTICAL_CHECK_BUDGET,
  DEFAULT_MAX_REPS,
  resolveTolerance,
  floatAllowance,
  type Tolerance,
  type ToleranceMode,
} from './tolerance.js';
export { PENDING_DEVICE_TYPES, pendingDeviceReason } from './pending-devices.js';
export { compareD2d, d2dStatistics, D2D_QUANTILE_LEVELS, type D2dComparison, type D2dParameterStats } from './d2d.js';
export { ORACLE_LIMITATIONS, SUITE_PENDING, suiteSkipReason, caseSkipReason, propertySkipReason, validateSkips, type ConformanceSkips } from './skips.js';
