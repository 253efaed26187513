/**
 * The Node side of the playground's browser test and README screenshots:
 * builds the page with Vite (the package's vite.config.ts) into a temporary
 * folder, serves it on 127.0.0.1, and opens it in Debian's Chromium through
 * playwright-core (never a downloaded browser), with the gpu.js engine's
 * browser harness's chromium lookup and flags. `openPlayground()` says why it
 * cannot run (no chromium, no playwright-core) instead of failing, so the test
 * can skip with the reason.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_FLAGS, findChromium } from '@crossbar/backend-gpujs/browser-harness';

export { CHROMIUM_FLAGS, findChromium };

/** The package folder (where vite.config.ts and index.html are). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves the folder `root` on loopback (plain static files, as any web server would). */
export function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
    });
  });
}

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
  const chromium = findChromium();
  if (!chromium) return { ok: false, reason: 'no chromium on the PATH (Debian: apt-get install chromium; or set CROSSBAR_CHROMIUM)' };
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (e) {
    return { ok: false, reason: `playwright-core is not installed: ${(e as Error).message.split('\n')[0]}` };
  }
  const dir = await buildPage();
  const { server, url } = await serve(dir);
  const cleanup = () => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  let browser: Browser;
  try {
    browser = await playwright.chromium.launch({ executablePath: chromium, headless: true, args: CHROMIUM_FLAGS });
  } catch (e) {
    cleanup();
    return { ok: false, reason: `chromium at ${chromium} did not start: ${(e as Error).message.split('\n')[0]}` };
  }
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
      async close() {
        await browser.close();
        cleanup();
      },
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
