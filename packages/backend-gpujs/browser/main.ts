/**
 * The browser test page: runs the engine in the page and answers the Node
 * test (test/browser.test.ts, through harness.ts) with plain data.
 */
import { chooseMode, createGpujsBackend, type GpujsBackend, type GpujsMode } from '../src/index.js';
import { checkMode } from '../src/modes.js';
import { checkAccounting, checkCoincidences, checkFormulas, checkMvm, checkPhilox, soak } from './checks.js';
import { benchGemm, benchRandom } from './bench.js';
import { runOn, SCENARIOS } from './scenarios.js';
import type { RandomSource } from '../src/random.js';
import type { BenchSpec } from '../src/browser-harness.js';
import {
  checkOracleCase,
  checkProperty,
  loadOracleWithFetch,
  oracleEntries,
  PROPERTIES,
  TOLERANCES,
  type OracleEntry,
  type ToleranceMode,
} from '@crossbar/conformance/portable';
import { RandomStream, rpuConfigFromDict, type AnalogTile, type AnalogTileBackend } from '@crossbar/core';

let entries: Map<string, OracleEntry> | null = null;
let benchState: {
  backend: GpujsBackend;
  tile: AnalogTile;
  batch: number;
  learningRate: number;
  weights: Float32Array;
  x: Float32Array[];
  d: Float32Array[];
  k: number;
} | null = null;
const engines = new Map<string, AnalogTileBackend>();

function engine(mode: GpujsMode): AnalogTileBackend {
  let b = engines.get(mode);
  if (!b) {
    b = createGpujsBackend({ mode });
    engines.set(mode, b);
  }
  return b;
}

function toleranceOf(mode: GpujsMode): ToleranceMode {
  return mode === 'webgl' ? 'webgl2' : (mode as ToleranceMode);
}

function renderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'no WebGL2';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

const api = {
  info() {
    const choice = chooseMode();
    const backend = createGpujsBackend();
    const description = backend.description;
    void backend.dispose();
    return {
      mode: choice.mode,
      description,
      renderer: renderer(),
      crossOriginIsolated: self.crossOriginIsolated,
      checks: (['webgl2', 'webgl', 'webasm', 'cpu'] as GpujsMode[]).map(checkMode),
    };
  },
  formulas: checkFormulas,
  mvm: checkMvm,
  accounting: checkAccounting,
  philox: checkPhilox,
  coincidences: checkCoincidences,
  benchGemm,
  benchRandom,
  /** The soak loop, the heap measured after a garbage collection (DevTools protocol, harness.ts). */
  soak(mode: GpujsMode, calls: number) {
    const measure = (window as unknown as { crossbarMeasureHeap: () => Promise<number> }).crossbarMeasureHeap;
    return soak(mode, calls, () => measure());
  },
  /** Loads the aihwkit oracle from `url` (cases/, expected/); returns the case ids. */
  async loadOracle(url: string): Promise<string[]> {
    const oracle = await loadOracleWithFetch(new URL(url, location.href).href);
    entries = new Map(oracleEntries(oracle).map((e) => [e.id, e]));
    return [...entries.keys()];
  },
  /** One oracle case on the engine in `mode` against aihwkit's result (the conformance package's comparison). */
  async conformanceCase(mode: GpujsMode, id: string, maxReps: number) {
    const entry = entries?.get(id);
    if (!entry) throw new Error(`no oracle case ${id} loaded`);
    const check = await checkOracleCase(engine(mode), entry, TOLERANCES[toleranceOf(mode)], { maxReps });
    return { ok: check.ok, failures: check.failures, notes: check.notes, flips: check.flips.length };
  },
  /** One conformance property on the engine in `mode`. */
  async conformanceProperty(mode: GpujsMode, id: string, seed: number, numRuns: number) {
    const property = PROPERTIES.find((p) => p.id === id);
    if (!property) throw new Error(`no conformance property ${id}`);
    const res = await checkProperty(property, { backend: engine(mode), tolerance: TOLERANCES[toleranceOf(mode)], seed, numRuns });
    return { ok: res.ok, failures: res.failures, notes: res.notes };
  },
  /** A cross-engine scenario on the engine in `mode`: its arrays as plain numbers. */
  async crossEngine(mode: GpujsMode, random: RandomSource, name: string): Promise<Record<string, number[]>> {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (!scenario) throw new Error(`no cross-engine scenario ${name}`);
    const backend = createGpujsBackend({ mode, random });
    try {
      const r = await runOn(backend, scenario);
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(v)]));
    } finally {
      await backend.dispose();
    }
  },
  /**
   * A benchmark tile in the page (the CLI's `crossbar bench` webgl2 cases): the RPU config
   * as aihwkit's dict, weights uniform in ±weightScale, and `sets` mini-batches of x and d,
   * all drawn as the CLI's Node cases draw them (bench/cases/common/inputs.ts: core's
   * Philox, weights seed 2, x seeds 10 + k, d seeds 100 + k).
   */
  async benchStart(mode: GpujsMode, spec: BenchSpec, random?: RandomSource): Promise<string> {
    await benchState?.backend.dispose?.();
    benchState = null;
    const { outSize, inSize, batch, sets } = spec;
    const backend = createGpujsBackend({ mode, random });
    try {
      const tile = await backend.createTile({ outSize, inSize, rpuConfig: rpuConfigFromDict(spec.rpuConfig), seed: 1 });
      const u = (seed: number, n: number, scale: number) => new RandomStream(seed, 0, 0, 0).fillUniform(new Float32Array(n)).map((v) => (2 * v - 1) * scale);
      await tile.setWeights(u(2, outSize * inSize, spec.weightScale));
      benchState = {
        backend,
        tile,
        batch,
        learningRate: spec.learningRate,
        weights: await tile.getWeights(),
        x: Array.from({ length: sets }, (_, k) => u(10 + k, batch * inSize, 1)),
        d: Array.from({ length: sets }, (_, k) => u(100 + k, batch * outSize, 1)),
        k: 0,
      };
    } catch (e) {
      await backend.dispose();
      throw e;
    }
    return backend.description;
  },
  /** One timed step on the benchmark tile (no result crosses to Node). */
  async benchStep(step: 'forward' | 'backward' | 'update'): Promise<number> {
    const s = benchState;
    if (s === null) throw new Error('benchStep before benchStart');
    const k = s.k++ % s.x.length;
    if (step === 'update') {
      await s.tile.update(s.x[k]!, s.d[k]!, s.batch, s.learningRate);
      return s.batch;
    }
    const y = step === 'forward' ? await s.tile.forward(s.x[k]!, s.batch) : await s.tile.backward(s.d[k]!, s.batch);
    return y.length;
  },
  /** Ends the benchmark: how many steps ran and how many weights differ from the start (what an update case checks). */
  async benchStop(): Promise<{ steps: number; weightsChanged: number }> {
    const s = benchState;
    benchState = null;
    if (s === null) return { steps: 0, weightsChanged: 0 };
    try {
      const w = await s.tile.getWeights();
      let weightsChanged = 0;
      for (let e = 0; e < w.length; e++) if (!Object.is(w[e], s.weights[e])) weightsChanged++;
      return { steps: s.k, weightsChanged };
    } finally {
      await s.backend.dispose?.();
    }
  },
  async disposeEngines() {
    for (const b of engines.values()) await b.dispose?.();
    engines.clear();
  },
};

export type HarnessApi = typeof api;

(window as unknown as { crossbarHarness: HarnessApi }).crossbarHarness = api;
document.getElementById('status')!.textContent = 'ready';
