/**
 * What the properties share: their types, seeded test data, results and the
 * recognition of a deliberate refusal.
 */
import { CrossbarError, type AnalogTile, type AnalogTileBackend } from '@crossbar/core';
import { REFUSAL_ERROR_TYPES } from './compare.js';
import type { Tolerance } from './tolerance.js';

/** What a conformance property runs with: the engine under test and the suite's settings. */
export interface PropertyContext {
  backend: AnalogTileBackend;
  tolerance: Tolerance;
  /** Seed of the generated data (and of fast-check). */
  seed: number;
  /** Runs of each generative (fast-check) property. */
  numRuns: number;
  /**
   * Other engines a saved tile state is restored on (describeConformance's restoreOn): the
   * save/restore property continues the run there and compares to float32 rounding.
   */
  others?: ReadonlyArray<{ name: string; backend: AnalogTileBackend }>;
}

/** The outcome of one conformance property: ok when failures is empty; notes are reported either way. */
export interface PropertyResult {
  ok: boolean;
  failures: string[];
  notes: string[];
}

/** A property every engine must have (beyond the oracle cases), run by describeConformance. */
export interface ConformanceProperty {
  /** Stable id, used by skips: "property:<id>". */
  id: string;
  /** One line: what holds. */
  title: string;
  /** Checks the property on ctx.backend. */
  run(ctx: PropertyContext): Promise<PropertyResult>;
}

/** Seeded uniform numbers for test data (mulberry32), independent of the engines' generator. */
export class DataRng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
  }
  /** The next number, uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** The next number, uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** n float32 values in [lo, hi], a fraction `zeros` of them exactly 0. */
  array(n: number, lo: number, hi: number, zeros = 0): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.next() < zeros ? 0 : this.uniform(lo, hi);
    return a;
  }
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(4) : String(Number(x.toPrecision(7)));
}

export function result(failures: string[], notes: string[] = []): PropertyResult {
  return { ok: failures.length === 0, failures, notes };
}

export function isRefusal(e: unknown): boolean {
  return e instanceof CrossbarError || (e instanceof Error && REFUSAL_ERROR_TYPES.includes(e.name));
}

export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * The whole state of a tile as a string (getState), to see whether a refused call changed
 * anything; an engine that refuses getState (NotSupportedError) is held to its weights and
 * hidden parameters.
 */
export async function tileSnapshot(tile: AnalogTile): Promise<string> {
  try {
    return JSON.stringify(await tile.getState());
  } catch (e) {
    if (!isRefusal(e)) throw e;
    const hidden = Object.entries(await tile.getHiddenParameters()).map(([k, v]) => [k, Array.from(v)]);
    return JSON.stringify({ weights: Array.from(await tile.getWeights()), hidden });
  }
}
