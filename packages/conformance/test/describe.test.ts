// describeConformance end to end, on the toy engine: what it supports must
// pass; everything else is in a skip list built here, each with its reason.
import { describeConformance, oracleEntries, PROPERTIES } from '../src/index.js';
import { loadOracle } from '../src/node.js';
import { ToyBackend, TOY_ORACLE_CASES } from './toy-engine.js';

const SUPPORTED_CASES = new Set([
  ...TOY_ORACLE_CASES,
  // Refused by @crossbar/core's config validation, as aihwkit refused it.
  'edge/edge_nm_absmax_inp_bound2_fatal',
]);
const SUPPORTED_PROPERTIES = new Set([
  'mvm/perfect-equals-gemm',
  'bad-input/forward',
  'bad-input/backward',
  'bad-input/update',
  'bad-input/set-weights',
  'update/pulse-none-exact-sgd',
  'update/weights-within-device-bounds',
]);

const skips: Record<string, string> = {};
const { oracle } = loadOracle();
for (const e of oracle ? oracleEntries(oracle) : []) {
  if (!SUPPORTED_CASES.has(e.id)) skips[e.id] = 'the toy engine does perfect MVMs, pulse_type None updates, FixedValue clips and Copy modifiers only';
}
for (const p of PROPERTIES) {
  if (!SUPPORTED_PROPERTIES.has(p.id)) skips[`property:${p.id}`] = 'the toy engine has no noise, no managed MVM and no pulsed update';
}

describeConformance('toy', () => new ToyBackend({}, { pulsedAsFloat: true }), { tolerance: 'cpu', skips, numRuns: 10 });

describeConformance('toy without an oracle', () => new ToyBackend(), {
  oracle: () => ({ reason: 'this test hands the suite no oracle' }),
  requireOracle: false,
  skips: Object.fromEntries(PROPERTIES.map((p) => [`property:${p.id}`, 'only the oracle-missing path is under test here'])),
});
