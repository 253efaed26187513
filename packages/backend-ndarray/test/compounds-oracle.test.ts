/**
 * The ndarray engine's compound devices (core's tile/compounds.ts) against aihwkit 0.7.1's
 * `compounds` oracle file: deterministic cases to float32 rounding, stochastic ones by
 * mean and std over repetitions (the conformance suite's comparison, run here on its own
 * so the compound cases can be run alone: `vitest run test/compounds-oracle.test.ts`).
 */
import { describe, expect, it } from 'vitest';
import { caseSkipReason, checkOracleCase, oracleEntries, suiteSkipReason, TOLERANCES } from '@crossbar/conformance';
import { loadOracle } from '@crossbar/conformance/node';
import { NdarrayBackend } from '../src/index.js';
import { ndarraySkips } from './conformance-skips.js';

const loaded = loadOracle();
const entries = loaded.oracle ? oracleEntries(loaded.oracle).filter((e) => e.file === 'compounds') : [];
const only = process.env.COMPOUND_CASE;

describe('compounds oracle on ndarray', () => {
  it('has the compounds file', () => {
    expect(entries.length).toBeGreaterThan(40);
  });
  for (const entry of entries) {
    if (only !== undefined && !entry.case.name.includes(only)) continue;
    const skip = suiteSkipReason(entry) ?? caseSkipReason(ndarraySkips, entry);
    (skip === undefined ? it : it.skip)(
      skip === undefined ? entry.case.name : `${entry.case.name} (skipped: ${skip})`,
      async () => {
        const check = await checkOracleCase(new NdarrayBackend(), entry, TOLERANCES.cpu, {
          maxReps: entry.case.reps !== undefined && entry.case.reps > 1 ? 300 : undefined,
        });
        expect(check.failures.slice(0, 8), check.failures.slice(0, 8).join('\n')).toEqual([]);
      },
      120_000,
    );
  }
});
