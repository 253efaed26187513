/**
 * describeConformance: the suite as vitest tests inside an engine's own test
 * file. One test per oracle case (grouped by oracle file) and per property,
 * plus a check of the engine's skip list. Runs under Node or vitest's browser
 * mode (there, pass `oracle`).
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { AnalogTileBackend } from '@crossbar/core';
import { checkOracleCase } from './compare.js';
import { oracleEntries, type Oracle, type OracleEntry } from './format.js';
import { checkProperty, PROPERTIES } from './properties.js';
import { caseSkipReason, propertySkipReason, suiteSkipReason, validateSkips, type ConformanceSkips } from './skips.js';
import { DEFAULT_MAX_REPS, resolveTolerance, type Tolerance, type ToleranceMode } from './tolerance.js';

/** The oracle describeConformance runs: the oracle itself, or a function that loads it (a reason instead of an oracle skips the cases visibly). */
export type OracleSource = Oracle | (() => Oracle | { oracle?: Oracle; reason?: string } | Promise<Oracle | { oracle?: Oracle; reason?: string }>);

/** Options of `describeConformance`. */
export interface ConformanceOptions {
  /** Arithmetic mode of the engine ('cpu', 'webasm', 'headlessgl', 'webgl2') or a Tolerance. Default 'cpu'. */
  tolerance?: ToleranceMode | Tolerance;
  /** The engine's skip list: case or property key → reason (see skips.ts). */
  skips?: ConformanceSkips;
  /** Where the oracle comes from. Default: under Node, the oracle packaged with this package (or env CROSSBAR_ORACLE_DIR). */
  oracle?: OracleSource;
  /** Fail (instead of skip) when the oracle source gives no oracle. Default: true unless `oracle` is given. */
  requireOracle?: boolean;
  /** Most repetitions of a stochastic case (default DEFAULT_MAX_REPS). */
  maxReps?: number;
  /** Seed of the properties' generated data (default 20240611). */
  seed?: number;
  /** Generated cases per generative property (default 25). */
  numRuns?: number;
  /**
   * Other engines the save/restore property restores a saved tile on (the run must continue
   * there with the same numbers to float32 rounding), e.g. the reference engine.
   */
  restoreOn?: ReadonlyArray<{
    /** The engine's name (in messages). */
    name: string;
    /** Makes the engine. */
    factory: () => AnalogTileBackend | Promise<AnalogTileBackend>;
  }>;
}

function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

async function resolveOracle(source: OracleSource | undefined): Promise<{ oracle?: Oracle; reason?: string }> {
  if (source !== undefined) {
    const got = typeof source === 'function' ? await source() : source;
    if ('files' in got) return { oracle: got };
    return got;
  }
  if (!isNode()) {
    return { reason: 'no oracle source here: pass options.oracle, e.g. () => loadOracleWithFetch(url)' };
  }
  const { loadOracle } = await import('./node.js');
  return loadOracle();
}

/** An Error whose printout is the message alone (the stack would point into the suite, not the engine). */
function failure(message: string): Error {
  const e = new Error(message);
  e.name = 'ConformanceFailure';
  e.stack = `${e.name}: ${message}`;
  return e;
}

interface Tally {
  passed: string[];
  failed: string[];
  skipped: Map<string, string>;
  flips: Map<string, number>;
}

/**
 * Declares the conformance suite for an engine inside a vitest file:
 *
 *   describeConformance('ndarray', () => new NdarrayBackend(), { tolerance: 'cpu', skips });
 */
export function describeConformance(engineName: string, factory: () => AnalogTileBackend | Promise<AnalogTileBackend>, options: ConformanceOptions = {}): void {
  const tol = resolveTolerance(options.tolerance);
  const skips = options.skips ?? {};
  const maxReps = options.maxReps ?? DEFAULT_MAX_REPS;
  const requireOracle = options.requireOracle ?? options.oracle === undefined;
  const propertyCtx = { seed: options.seed ?? 20240611, numRuns: options.numRuns ?? 25 };

  describe(`conformance: ${engineName} (${tol.mode} tolerance)`, async () => {
    let loadError: unknown;
    let loaded: { oracle?: Oracle; reason?: string } = {};
    try {
      loaded = await resolveOracle(options.oracle);
    } catch (e) {
      loadError = e;
    }
    let entries: OracleEntry[] | undefined;
    if (loaded.oracle) {
      try {
        entries = oracleEntries(loaded.oracle);
      } catch (e) {
        loadError = e;
      }
    }
    let backend: AnalogTileBackend | undefined;
    const tally: Tally = { passed: [], failed: [], skipped: new Map(), flips: new Map() };
    const getBackend = (): AnalogTileBackend => {
      if (!backend) throw failure(`the engine factory of "${engineName}" did not give a backend`);
      return backend;
    };

    const others: Array<{ name: string; backend: AnalogTileBackend }> = [];
    beforeAll(async () => {
      backend = await factory();
      for (const o of options.restoreOn ?? []) others.push({ name: o.name, backend: await o.factory() });
    });
    afterAll(async () => {
      await backend?.dispose?.();
      for (const o of others) await o.backend.dispose?.();
      const flips = [...tally.flips.values()].reduce((a, b) => a + b, 0);
      const lines = [
        `conformance ${engineName} (${tol.mode}): ${tally.passed.length} passed, ${tally.failed.length} failed, ${tally.skipped.size} skipped; ` +
          `${flips} quantisation flip(s) on rounding boundaries${flips ? ` (${[...tally.flips].map(([id, n]) => `${id}: ${n}`).join(', ')})` : ''}`,
      ];
      const byReason = new Map<string, string[]>();
      for (const [id, reason] of tally.skipped) byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
      for (const [reason, ids] of byReason) {
        lines.push(`  skipped ${ids.length}: ${reason}\n    (${ids.slice(0, 8).join(', ')}${ids.length > 8 ? `, +${ids.length - 8} more` : ''})`);
      }
      if (tally.failed.length > 0) lines.push(`  failed: ${tally.failed.join(', ')}`);
      console.info(lines.join('\n'));
    });

    const skipTest = (ctx: TestContext, id: string, reason: string): void => {
      tally.skipped.set(id, reason);
      ctx.skip(reason);
    };

    describe('oracle', () => {
      if (loadError !== undefined || !entries) {
        const reason = loadError !== undefined ? `the oracle could not be read: ${(loadError as Error).message ?? String(loadError)}` : (loaded.reason ?? 'no oracle');
        it('aihwkit oracle cases', (ctx) => {
          if (loadError !== undefined || requireOracle) throw failure(reason);
          skipTest(ctx, 'oracle', reason);
        });
        return;
      }
      const byFile = new Map<string, OracleEntry[]>();
      for (const e of entries) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
      for (const [file, list] of byFile) {
        describe(file, () => {
          for (const entry of list) {
            it(entry.case.name, async (ctx) => {
              const suiteReason = suiteSkipReason(entry);
              if (suiteReason) return skipTest(ctx, entry.id, suiteReason);
              const reason = caseSkipReason(skips, entry);
              if (reason) return skipTest(ctx, entry.id, reason);
              const check = await checkOracleCase(getBackend(), entry, tol, { maxReps });
              if (check.flips.length > 0) {
                tally.flips.set(entry.id, check.flips.length);
                await ctx.annotate(`${check.flips.length} quantisation flip(s) on a rounding boundary`, 'notice');
              }
              if (!check.ok) {
                tally.failed.push(entry.id);
                throw failure(
                  `${entry.id} (${entry.case.kind}) does not match aihwkit:\n  ${check.failures.join('\n  ')}` +
                    (check.notes.length ? `\n  notes: ${check.notes.join('; ')}` : ''),
                );
              }
              tally.passed.push(entry.id);
            });
          }
        });
      }
    });

    describe('properties', () => {
      for (const property of PROPERTIES) {
        it(`${property.id}: ${property.title}`, async (ctx) => {
          const reason = propertySkipReason(skips, property.id);
          if (reason) return skipTest(ctx, `property:${property.id}`, reason);
          const res = await checkProperty(property, { backend: getBackend(), tolerance: tol, ...propertyCtx, others });
          if (!res.ok) {
            tally.failed.push(`property:${property.id}`);
            throw failure(`property ${property.id} does not hold:\n  ${res.failures.join('\n  ')}`);
          }
          tally.passed.push(`property:${property.id}`);
        });
      }
    });

    it('the skip list names existing cases and properties, each with a reason', () => {
      const problems = validateSkips(
        skips,
        entries,
        PROPERTIES.map((p) => p.id),
      );
      if (problems.length > 0) throw failure(`skip list of ${engineName}:\n  ${problems.join('\n  ')}`);
    });
  });
}

/** What a remote run of one oracle case returns (the page's checkOracleCase result, portable). */
export interface RemoteCaseResult {
  /** Whether the case matched aihwkit. */
  ok: boolean;
  /** What did not match. */
  failures: string[];
  /** What the check noticed besides. */
  notes: string[];
  /** Outputs that moved by one quantisation step on a rounding boundary. */
  flips: number;
}

/** Options of `describeRemoteConformance`. */
export interface RemoteConformanceOptions {
  /** The oracle's entries (oracleEntries), empty when it did not load. */
  entries: readonly OracleEntry[];
  /** Why the oracle did not load (the cases then fail with it). */
  oracleReason?: string;
  /** The engine's skip list. */
  skips: ConformanceSkips;
  /** Most repetitions of a stochastic case. */
  maxReps: number;
  /** Runs one oracle case where the engine runs (e.g. a browser page); may skip `ctx`. */
  runCase(ctx: TestContext, id: string, maxReps: number): Promise<RemoteCaseResult>;
  /** Runs one property there with the seed and generated-case count; returns its failures. */
  runProperty(ctx: TestContext, id: string, seed: number, numRuns: number): Promise<{ failures: string[] }>;
}

/**
 * The suite declared as vitest tests here and run elsewhere, one call per oracle case and
 * property (the engines' headless-Chromium runs: the page checks with the portable
 * checks, this file applies the suite's and the engine's skips and reports).
 */
export function describeRemoteConformance(title: string, options: RemoteConformanceOptions): void {
  const { entries, skips, maxReps } = options;
  describe(title, () => {
    describe('oracle', () => {
      if (entries.length === 0) {
        it('aihwkit oracle cases', () => {
          throw new Error(`the oracle did not load: ${options.oracleReason ?? 'no entries'}`);
        });
      }
      for (const entry of entries) {
        it(entry.id, { timeout: 600_000 }, async (ctx) => {
          const reason = suiteSkipReason(entry) ?? caseSkipReason(skips, entry);
          if (reason) return ctx.skip(reason);
          const r = await options.runCase(ctx, entry.id, maxReps);
          if (r.flips > 0) await ctx.annotate(`${r.flips} quantisation flip(s) on a rounding boundary`, 'notice');
          expect(r.failures, `${entry.id} does not match aihwkit (notes: ${r.notes.join('; ')})`).toEqual([]);
          expect(r.ok).toBe(true);
        });
      }
    });
    describe('properties', () => {
      for (const property of PROPERTIES) {
        it(`${property.id}: ${property.title}`, { timeout: 600_000 }, async (ctx) => {
          const reason = propertySkipReason(skips, property.id);
          if (reason) return ctx.skip(reason);
          const r = await options.runProperty(ctx, property.id, 20240611, 25);
          expect(r.failures, `property ${property.id} does not hold`).toEqual([]);
        });
      }
    });
  });
}
