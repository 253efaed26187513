/**
 * The built playground in headless Chromium (Debian's chromium through
 * playwright-core; the page built with Vite and served on 127.0.0.1): change a
 * control, wait for the plots, compare the numbers shown with the same
 * computation in Node (same seed, config read back from the page's dict; the
 * wasm engine by default, its kernels inlined), switch to the gpu.js engine on WebGL2, share the setup as a link, refuse bad
 * input with visible messages, work offline, and train the drift view's model.
 * Where this machine has no chromium the tests report themselves skipped with why.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { createWasmBackend } from '@crossbar/backend-wasm';
import { rpuConfigFromDict, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import type { Page } from 'playwright-core';
import { openPlayground, PACKAGE_DIR, waitForDrift, waitForTile, type Playground } from '../e2e/harness.js';
import { DataSub, seededMatrix } from '../src/data.js';
import { driftCurves, trainModel } from '../src/drift-lab.js';
import { formatNumber, formatPercent } from '../src/format.js';
import { parseDictText } from '../src/python.js';
import { checkDriftSettings, checkTileSettings } from '../src/settings.js';
import { decodeState } from '../src/state.js';

const OUTPUT = join(PACKAGE_DIR, 'test-output');

let pg: Playground | undefined;
let skipReason = '';

beforeAll(async () => {
  const opened = await openPlayground();
  if (opened.ok) pg = opened.playground;
  else skipReason = opened.reason;
  mkdirSync(OUTPUT, { recursive: true });
}, 180_000);

afterAll(async () => {
  await pg?.close();
  await (await nodeWasm)?.dispose?.();
});

function need(ctx: { skip(condition: boolean, note?: string): void }): Playground {
  ctx.skip(pg === undefined, `browser tests need Chromium: ${skipReason}`);
  return pg!;
}

/** The config the page shows in its Python dict (read back as a user would paste it). */
async function shownConfig(page: Page): Promise<RPUConfig> {
  return rpuConfigFromDict(parseDictText((await page.textContent('#config-python')) ?? ''));
}

/**
 * The page's URL hash once it has settled: the page writes its URL 150 ms after the last
 * change (page.ts saveUrl), so a result can show before the URL has its final state. Two
 * equal reads 200 ms apart leave no write pending.
 */
async function settledHash(page: Page): Promise<string> {
  let last: string | undefined;
  await expect
    .poll(
      () => {
        const hash = new URL(page.url()).hash;
        const same = hash === last;
        last = hash;
        return same;
      },
      { interval: 200, timeout: 10_000 },
    )
    .toBe(true);
  return last!;
}

let nodeWasm: Promise<AnalogTileBackend> | undefined;

/**
 * What Node computes for the page's state: W, x from the seed, one tile, its first forward
 * call — on the wasm engine (one thread: the same kernels give the same bits on any thread
 * count, in the page's Worker too) where the page uses it, else on ndarray.
 */
async function nodeTile(page: Page) {
  const state = decodeState(await settledHash(page));
  const s = checkTileSettings(state.tile);
  const config = await shownConfig(page);
  const w = seededMatrix(s.seed, DataSub.weights, s.outSize, s.inSize, s.weights);
  const x = seededMatrix(s.seed, DataSub.inputs, s.batch, s.inSize, s.inputs);
  const backend = state.engine === 'wasm' ? await (nodeWasm ??= createWasmBackend({ threads: 1 })) : new NdarrayBackend();
  const tile = await backend.createTile({ outSize: s.outSize, inSize: s.inSize, rpuConfig: config, seed: s.seed });
  await tile.setWeights(w);
  const y = await tile.forward(x, s.batch, { isTest: true });
  const passes = (await tile.getForwardPassCounts!())!;
  // the exact product and the statistics, written out here (not the page's code)
  let se = 0;
  let si = 0;
  let maxAbs = 0;
  for (let b = 0; b < s.batch; b++) {
    for (let i = 0; i < s.outSize; i++) {
      let ideal = 0;
      for (let j = 0; j < s.inSize; j++) ideal += w[i * s.inSize + j]! * x[b * s.inSize + j]!;
      const e = y[b * s.outSize + i]! - ideal;
      se += e * e;
      si += ideal * ideal;
      maxAbs = Math.max(maxAbs, Math.abs(e));
    }
  }
  const n = s.batch * s.outSize;
  const mean = passes.reduce((a, p) => a + p, 0) / passes.length;
  return { s, rmsError: Math.sqrt(se / n), rmsIdeal: Math.sqrt(si / n), maxAbsError: maxAbs, meanPasses: mean, maxPasses: Math.max(...passes) };
}

async function shown(page: Page, id: string): Promise<{ value: number; text: string }> {
  const el = page.locator(`#${id}`);
  return { value: Number(await el.getAttribute('data-value')), text: (await el.textContent()) ?? '' };
}

describe('the playground in headless Chromium', () => {
  it('loads its own files only and shows the tile view with plots', async (ctx) => {
    const { page, requests, url, console: log } = need(ctx);
    await waitForTile(page);
    expect(requests.length).toBeGreaterThan(0);
    // (blob: URLs of the page's origin are the wasm engine's pool workers, made in the browser)
    const origin = new URL(url).origin;
    for (const r of requests) expect(r.startsWith(url) || r.startsWith(`blob:${origin}/`), `request outside the page: ${r}`).toBe(true);
    expect(requests.some((r) => /\/assets\/engine-worker-[\w-]+\.js$/.test(r))).toBe(true);
    for (const id of ['plot-scatter', 'plot-errors', 'plot-passes']) expect(await page.locator(`#${id}`).count(), id).toBe(1);
    // the wasm engine by default, its kernels inlined in the bundle (no request for them); on this cross-origin
    // isolated page it runs in a Web Worker, on its pool of min(4, cores) threads
    expect(await page.inputValue('#engine')).toBe('wasm');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.min(4, cores);
    expect(await page.textContent('#tile-engine')).toBe(`wasm (WebAssembly SIMD, CPU, ${threads} thread${threads === 1 ? '' : 's'} in a Web Worker)`);
    expect(requests.filter((r) => /\.wasm$/.test(r))).toEqual([]);
    // served as the dev and preview servers serve it: cross-origin isolated (SharedArrayBuffer)
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });

  it('recomputes when a control changes, and shows the numbers Node computes with the same seed', async (ctx) => {
    const { page } = need(ctx);
    await waitForTile(page);
    // a setup where bound management re-runs some vectors: a low output bound, larger inputs
    await page.fill('#c-forward-outBound', '3');
    await page.fill('#c-inputs-scale', '0.6');
    await page.fill('#c-seed', '7');
    await waitForTile(page);
    const want = await nodeTile(page);
    expect(want.s).toMatchObject({ seed: 7, inputs: { dist: 'normal', scale: 0.6 } });
    expect((await shownConfig(page)).toDict()).toMatchObject({ forward: { out_bound: 3 } });
    for (const [id, v] of [
      ['stat-rmsError', want.rmsError],
      ['stat-maxAbsError', want.maxAbsError],
      ['stat-rmsIdeal', want.rmsIdeal],
    ] as const) {
      const got = await shown(page, id);
      expect(got.value, id).toBeCloseTo(v, 10);
      expect(got.text, id).toBe(formatNumber(v));
    }
    const rel = await shown(page, 'stat-relativeError');
    expect(rel.text).toBe(formatPercent(want.rmsError / want.rmsIdeal, 2));
    const passes = await shown(page, 'stat-meanPasses');
    expect(passes.value).toBe(want.meanPasses);
    expect(passes.text).toBe(`${formatNumber(want.meanPasses)} (max ${want.maxPasses})`);
    expect(want.maxPasses).toBeGreaterThan(1); // the setup does exercise bound management
    await page.screenshot({ path: join(OUTPUT, 'playground-tile-wasm.png') });
  });

  it('switches the engine to gpu.js on WebGL2 and shows its numbers and time per call', async (ctx) => {
    const { page, console: log } = need(ctx);
    const want = await nodeTile(page);
    await page.selectOption('#engine', 'gpujs');
    await waitForTile(page);
    expect(await page.evaluate(() => document.body.dataset.tileEngine)).toBe('gpujs');
    expect(await page.textContent('#tile-engine'), log.join('\n')).toMatch(/gpujs on WebGL2/);
    expect(new URL(page.url()).hash).not.toBe('');
    expect(decodeState(await settledHash(page)).engine).toBe('gpujs');
    const median = await shown(page, 'tile-median-ms');
    expect(median.value).toBeGreaterThan(0);
    // the same noise streams on the GPU: the statistics agree to float32 arithmetic (and a rare quantisation flip)
    expect((await shown(page, 'stat-rmsError')).value).toBeCloseTo(want.rmsError, 2);
    expect((await shown(page, 'stat-rmsIdeal')).value).toBeCloseTo(want.rmsIdeal, 4);
    const passes = await shown(page, 'stat-meanPasses');
    if (passes.text === 'not reported by this engine') {
      expect(await page.textContent('#plot-passes')).toContain('does not report the passes');
    } else {
      expect(passes.value).toBe(want.meanPasses);
    }
    await page.screenshot({ path: join(OUTPUT, 'playground-tile-gpujs-webgl2.png') });
  });

  it('keeps the setup in the link: a new page opened with it shows the same config and numbers', async (ctx) => {
    const { page, context } = need(ctx);
    const link = page.url();
    const again = await context.newPage();
    try {
      await again.goto(link);
      await again.waitForSelector('body[data-ready="true"]');
      await waitForTile(again);
      expect(await again.inputValue('#c-forward-outBound')).toBe('3');
      expect(await again.inputValue('#c-seed')).toBe('7');
      expect(await again.inputValue('#engine')).toBe('gpujs');
      expect(await again.textContent('#config-python')).toBe(await page.textContent('#config-python'));
      expect(await again.textContent('#stat-meanPasses')).toBe(await page.textContent('#stat-meanPasses'));
    } finally {
      await again.close();
    }
  });

  it('refuses bad input with a visible message and keeps the last result on the page', async (ctx) => {
    const { page } = need(ctx);
    await page.selectOption('#engine', 'ndarray');
    await waitForTile(page);
    const before = await page.textContent('#stat-rmsError');
    await page.fill('#c-outSize', 'abc');
    await expect.poll(() => page.textContent('[data-key="outSize"] .error')).toContain('"abc" is not a number');
    await page.fill('#c-outSize', '0');
    await expect.poll(() => page.textContent('[data-key="outSize"] .error')).toContain('must be a whole number from 1 to 1024');
    await page.fill('#c-forward-inpBound', '2');
    await expect.poll(() => page.textContent('[data-key="forward.inpBound"] .error')).toContain('noise management "AbsMax" needs inpBound');
    expect(await page.isVisible('#tile-config-notice')).toBe(true);
    expect(await page.textContent('#stat-rmsError')).toBe(before);
    await page.fill('#c-forward-inpBound', '1');
    // a config the engine cannot do: the engine's own message in place of the results
    await page.selectOption('#c-forward-boundManagement', 'Shift');
    await expect.poll(() => page.evaluate(() => document.body.dataset.tileFresh === 'true' && document.body.dataset.tileStatus)).toBe('error');
    expect(await page.textContent('#tile-message')).toMatch(/Not computed: .*Shift/);
    await page.selectOption('#c-forward-boundManagement', 'Iterative');
    await waitForTile(page);
    expect(await page.isVisible('#tile-message')).toBe(false);
    // a config dict with a bad value, then a good one, in the config view
    await page.click('#tab-config');
    await page.fill('#config-input', "{'type': 'InferenceRPUConfig', 'forward': {'out_noise': -1}}");
    await page.click('#config-load');
    expect(await page.textContent('#config-message')).toContain('out_noise');
    await page.fill(
      '#config-input',
      "rpu_config_dict = {'type': 'InferenceRPUConfig', 'forward': {'out_noise': 0.0, 'bound_management': 'None', 'inp_bound': 1.0, 'out_bound': 0.0, 'nm_thres': 0}}  # out_bound <= 0: unbounded",
    );
    await page.click('#config-load');
    expect(await page.textContent('#config-message')).toContain('Loaded a InferenceRPUConfig');
    await page.click('#tab-tile');
    await page.fill('#c-outSize', '32');
    await waitForTile(page);
    expect(await page.isVisible('#tile-config-notice')).toBe(false);
    expect(await page.inputValue('#c-forward-outBound')).toBe('0');
    expect(await page.textContent('#stat-meanPasses')).toBe('1 (max 1)');
    const want = await nodeTile(page);
    expect((await shown(page, 'stat-rmsError')).value).toBeCloseTo(want.rmsError, 10);
    expect(await page.textContent('#app')).not.toBe('');
  });

  it('works offline once loaded, and trains and drifts the model as Node does with the same seed, on ndarray and on wasm', async (ctx) => {
    const { page, context, requests, console: log } = need(ctx);
    const seen = requests.length;
    await context.setOffline(true);
    try {
      // the page's default config, a small and fast training setup
      await page.click('#tab-config');
      await page.click('#config-reset');
      await page.click('#tab-drift');
      await page.fill('#c-epochs', '3');
      await page.fill('#c-repeats', '2');
      await page.fill('#c-times', '1s, 1d, 1y');
      await waitForDrift(page);
      expect(await page.textContent('#drift-engine'), log.join('\n')).toContain('ndarray');
      const state = decodeState(await settledHash(page));
      const s = checkDriftSettings(state.drift);
      expect(s).toMatchObject({ epochs: 3, repeats: 2, times: [1, 86400, 365 * 86400] });
      const config = await shownConfig(page);
      const engine = new NdarrayBackend();
      const trained = await trainModel(engine, config, s);
      const curves = await driftCurves(engine, trained, config, s);
      expect((await shown(page, 'acc-before')).value).toBe(curves.beforeProgramming);
      for (let i = 0; i < s.times.length; i++) {
        expect((await shown(page, `acc-comp-${i}`)).value, `compensated at ${s.times[i]} s`).toBe(curves.points[i]!.compensated.mean);
        expect((await shown(page, `acc-unc-${i}`)).value, `not compensated at ${s.times[i]} s`).toBe(curves.points[i]!.uncompensated.mean);
      }
      // a PCM parameter recomputes the curves (not the training)
      await page.fill('#c-noiseModel-driftScale', '3');
      await waitForDrift(page);
      const drifted = await driftCurves(
        engine,
        trained,
        rpuConfigFromDict({ ...config.toDict(), type: 'InferenceRPUConfig', noise_model: { ...(config.toDict().noise_model as object), drift_scale: 3 } }),
        s,
      );
      expect((await shown(page, `acc-unc-2`)).value).toBe(drifted.points[2]!.uncompensated.mean);
      expect(await page.locator('#plot-drift').count()).toBe(1);
      await page.screenshot({ path: join(OUTPUT, 'playground-drift.png') });
      // the same on the wasm engine (in the page's Worker, every tile method a message): as Node's wasm engine
      await page.selectOption('#engine', 'wasm');
      await waitForDrift(page);
      expect(await page.textContent('#drift-engine'), log.join('\n')).toContain('wasm');
      const config3 = await shownConfig(page);
      const wasm = await (nodeWasm ??= createWasmBackend({ threads: 1 }));
      const trainedWasm = await trainModel(wasm, config3, s);
      const curvesWasm = await driftCurves(wasm, trainedWasm, config3, s);
      expect((await shown(page, 'acc-before')).value).toBe(curvesWasm.beforeProgramming);
      for (let i = 0; i < s.times.length; i++) {
        expect((await shown(page, `acc-comp-${i}`)).value, `wasm, compensated at ${s.times[i]} s`).toBe(curvesWasm.points[i]!.compensated.mean);
        expect((await shown(page, `acc-unc-${i}`)).value, `wasm, not compensated at ${s.times[i]} s`).toBe(curvesWasm.points[i]!.uncompensated.mean);
      }
      expect(requests.slice(seen), 'requests after going offline').toEqual([]);
    } finally {
      await context.setOffline(false);
    }
  }, 300_000);
});
