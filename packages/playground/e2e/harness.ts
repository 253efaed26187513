/**
 * The Node side of the playground's browser test and README screenshots:
 * builds the page with Vite (the package's vite.config.ts) into a temporary
 * folder, serves it on 127.0.0.1, and opens it in Debian's Chromium through
 * playwright-core (never a downloaded browser), with the gpu.js engine's
 * browser harness (its static server, chromium lookup, flags and launch), served
 * cross-origin isolated (COOP/COEP) as the dev and preview servers serve it.
 * `openPlayground()` says why it cannot run (no chromium, no playwright-core)
 * instead of failing, so the test can skip with the reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_FLAGS, findBrowserRuntime, findChromium, launchServed, serve } from '@crossbar/backend-gpujs/browser-harness';

export { CHROMIUM_FLAGS, findChromium, serve };

/** The package folder (where vite.config.ts and index.html are). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the page (vite.config.ts of the package) into a new temporary folder; returns it. */
export async function buildPage(): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'crossbar-playground-'));
  await build({ root: PACKAGE_DIR, configFile: join(PACKAGE_DIR, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface Playground {
  /** Where the built page is served. */
  readonly url: string;
  /** The folder of the built page. */
  readonly dir: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every URL the page requested. */
  readonly requests: string[];
  /** What the page printed to its console, and its uncaught errors. */
  readonly console: string[];
  close(): Promise<void>;
}

export type OpenResult = { ok: true; playground: Playground } | { ok: false; reason: string };

/**
 * Builds, serves and opens the playground in headless Chromium (viewport
 * `width` × `height`). Resolves { ok: false, reason } where this machine
 * cannot (no chromium, no playwright-core).
 */
export async function openPlayground(options: { width?: number; height?: number; hash?: string } = {}): Promise<OpenResult> {
  const runtime = await findBrowserRuntime();
  if (!runtime.ok) return runtime;
  const dir = await buildPage();
  // the cross-origin isolation headers (COOP/COEP), as vite.config.ts's dev and preview servers send them
  const launched = await launchServed(runtime, dir, { crossOriginIsolated: true });
  if (!launched.ok) return launched;
  const { browser, url } = launched.served;
  const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: options.height ?? 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const log: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  await page.goto(url + (options.hash ?? ''));
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return {
    ok: true,
    playground: {
      url,
      dir,
      browser,
      context,
      page,
      requests,
      console: log,
      close: () => launched.served.close(),
    },
  };
}

/**
 * Waits until the view shows a result computed from the page's current state
 * (after every change so far), and returns the view's run count. Throws with
 * the page's message when the computation failed.
 */
async function waitForView(page: Page, view: 'tile' | 'drift', timeout: number): Promise<number> {
  const handle = await page.waitForFunction(
    (v) => {
      const d = document.body.dataset;
      const status = d[`${v}Status`];
      if (d[`${v}Fresh`] !== 'true' || (status !== 'done' && status !== 'error')) return false;
      return { status, runs: Number(d[`${v}Runs`] ?? 0), message: document.getElementById(`${v}-message`)?.textContent ?? '' };
    },
    view,
    { timeout, polling: 50 },
  );
  const r = (await handle.jsonValue()) as { status: string; runs: number; message: string };
  if (r.status === 'error') throw new Error(`the ${view} view did not compute: ${r.message}`);
  return r.runs;
}

/** Waits for the tile view's result of the current state; returns its run count. */
export function waitForTile(page: Page, timeout = 120_000): Promise<number> {
  return waitForView(page, 'tile', timeout);
}

/** Waits for the drift view's result of the current state; returns its run count. */
export function waitForDrift(page: Page, timeout = 300_000): Promise<number> {
  return waitForView(page, 'drift', timeout);
}
