import { describe, expect, it } from 'vitest';
import { checkOracleCase, ORACLE_KINDS, oracleEntries, resolveTolerance, runOracleCase, toDense, type OracleEntry } from '../src/portable.js';
import { loadOracle } from '../src/node.js';
import { ToyBackend, TOY_ORACLE_CASES } from './toy-engine.js';

const { oracle, reason } = loadOracle();
const entries = oracle ? oracleEntries(oracle) : [];
const byId = new Map(entries.map((e) => [e.id, e]));
const get = (id: string): OracleEntry => {
  const e = byId.get(id);
  if (!e) throw new Error(`no oracle case ${id}`);
  return e;
};
const cpu = resolveTolerance('cpu');

describe(`runOracleCase and checkOracleCase on aihwkit's cases (toy engine)${oracle ? '' : `: ${reason}`}`, () => {
  it('reads every oracle file and pairs cases with results', () => {
    expect(entries.length).toBeGreaterThan(150);
    expect(new Set(entries.map((e) => e.case.kind))).toEqual(new Set(ORACLE_KINDS));
  });

  it('gives the keys and nesting of the expected file for a forward case', async () => {
    const e = get('forward_det/perfect_8x5');
    const r = await runOracleCase(new ToyBackend(), e.case);
    expect(r.ok).toBe(true);
    expect(r.outputs_shape).toEqual(e.expected.outputs_shape);
    expect(toDense(r.weights_used, 'ours')).toEqual(toDense(e.expected.weights_used, 'aihwkit'));
    for (const k of Object.keys(e.expected)) expect(Object.keys(r)).toContain(k);
  });

  it.each(TOY_ORACLE_CASES)('%s: a correct engine passes', async (id) => {
    const check = await checkOracleCase(new ToyBackend(), get(id), cpu);
    expect(check.failures).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('a forward bias of 1e-5 (a few hundred ulps) fails a perfect case', async () => {
    const check = await checkOracleCase(new ToyBackend({ forwardBias: 1e-5 }), get('forward_det/perfect_8x5'), cpu);
    expect(check.ok).toBe(false);
    expect(check.failures[0]).toMatch(/outputs: 32 of 32 elements differ beyond float32 rounding/);
  });

  it('a wrong update sign fails pulse_none_fp', async () => {
    const check = await checkOracleCase(new ToyBackend({ wrongUpdateSign: true }), get('update_det/pulse_none_fp'), cpu);
    expect(check.ok).toBe(false);
    expect(check.failures.join('\n')).toMatch(/weights_fp: /);
  });

  it('an engine that refuses a case aihwkit ran fails with its message', async () => {
    const check = await checkOracleCase(new ToyBackend(), get('forward_det/nm_absmax'), cpu);
    expect(check.ok).toBe(false);
    expect(check.failures[0]).toMatch(/engine refused it: NotSupportedError: toy engine: a non-perfect MVM/);
  });

  it('a case aihwkit refused passes when the engine refuses with a CrossbarError', async () => {
    // inp_bound 2 with noise management: @crossbar/core refuses the config, as aihwkit did.
    const check = await checkOracleCase(new ToyBackend(), get('edge/edge_nm_absmax_inp_bound2_fatal'), cpu);
    expect(check.ok).toBe(true);
    expect(check.notes[0]).toMatch(/refused as aihwkit did/);
  });

  it('caps the repetitions at maxReps and says so', async () => {
    const e = get('modifier/mod_copy');
    const r = await runOracleCase(new ToyBackend(), { ...e.case, reps: 50 }, { maxReps: 7 });
    expect(r.reps).toBe(7);
    expect(r.reps_case).toBe(50);
    expect(r.outputs_shape).toEqual([7, 3, 8]);
    expect(r.modified_weights_shape).toEqual([7, 8, 6]);
  });
});
