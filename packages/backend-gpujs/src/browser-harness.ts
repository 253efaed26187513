/**
 * @crossbar/backend-gpujs/browser-harness — the engine in headless Chromium,
 * for the browser tests and the WebGL2 benchmarks: builds the page
 * (browser/index.html + main.ts of this package) with Vite, serves it on
 * loopback, opens it in the system's Chromium through playwright-core (never
 * a downloaded browser) and calls into the page. `openPage()` says why it
 * cannot run (no chromium, no playwright-core, no vite) instead of failing, so
 * callers can skip with the reason. Node only; vite and playwright-core are
 * loaded when a page is opened. The playground's browser test serves and
 * launches its page with the same pieces (serve, findBrowserRuntime,
 * launchServed).
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

/** The page's folder: browser/ beside src/ (and beside dist/ once built). */
export const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser');

/** Chromium's flags for these tests: headless, no sandbox (containers), software rendering, no network. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** `which chromium` (or CROSSBAR_CHROMIUM), or undefined. */
export function findChromium(): string | undefined {
  const env = process.env.CROSSBAR_CHROMIUM;
  if (env && existsSync(env)) return env;
  const r = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const path = r.status === 0 ? r.stdout.trim().split('\n')[0] : '';
  return path ? path : undefined;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Options of `serve`. */
export interface ServeOptions {
  /** URL prefixes ('/oracle/') served from other folders. */
  mounts?: Record<string, string>;
  /**
   * Send the cross-origin isolation headers (COOP same-origin, COEP
   * require-corp) so that SharedArrayBuffer works in the page; default false:
   * plain static files, as any web server would send them.
   */
  crossOriginIsolated?: boolean;
}

/** Serves the folder `root` on loopback (index.html at /), and each `mounts` prefix from its folder. */
export function serve(root: string, options: ServeOptions = {}): Promise<{ server: Server; url: string }> {
  const mounts = options.mounts ?? {};
  const isolation: Record<string, string> = options.crossOriginIsolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const mount = Object.keys(mounts).find((m) => path.startsWith(m));
    const base = mount ? mounts[mount]! : root;
    const file = mount ? join(base, path.slice(mount.length)) : join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(base) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...isolation });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
    });
  });
}

/** Chromium and playwright-core on this machine, or why not. */
export type BrowserRuntime = { ok: true; chromium: string; playwright: typeof import('playwright-core') } | { ok: false; reason: string };

/** Finds Chromium (findChromium) and loads playwright-core; says which is missing instead of failing. */
export async function findBrowserRuntime(): Promise<BrowserRuntime> {
  const chromium = findChromium();
  if (!chromium) return { ok: false, reason: 'no chromium on the PATH (Debian: apt-get install chromium; or set CROSSBAR_CHROMIUM)' };
  try {
    return { ok: true, chromium, playwright: await import('playwright-core') };
  } catch (e) {
    return { ok: false, reason: `playwright-core is not installed: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** A built page served on loopback, and headless Chromium started. */
export interface ServedBrowser {
  /** The page's address (mounted folders are below it). */
  readonly url: string;
  readonly browser: Browser;
  /** Closes the browser and the server, and removes the page's folder. */
  close(): Promise<void>;
}

/**
 * Serves the built page in `dir` (see serve) and starts headless Chromium with
 * CHROMIUM_FLAGS. The folder then belongs to the result: it is removed by
 * close(), or at once when Chromium does not start ({ ok: false, reason }).
 */
export async function launchServed(
  runtime: Extract<BrowserRuntime, { ok: true }>,
  dir: string,
  options: ServeOptions = {},
): Promise<{ ok: true; served: ServedBrowser } | { ok: false; reason: string }> {
  const { server, url } = await serve(dir, options);
  const cleanup = () => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  let browser: Browser;
  try {
    browser = await runtime.playwright.chromium.launch({ executablePath: runtime.chromium, headless: true, args: CHROMIUM_FLAGS });
  } catch (e) {
    cleanup();
    return { ok: false, reason: `chromium at ${runtime.chromium} did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  return {
    ok: true,
    served: {
      url,
      browser,
      async close() {
        await browser.close();
        cleanup();
      },
    },
  };
}

/** Builds the page in `root` (index.html + its scripts; default: this package's test page) into a temporary folder; returns the folder. */
export async function buildPage(root: string = PAGE_DIR): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'crossbar-browser-page-'));
  await build({
    root,
    configFile: false,
    logLevel: 'error',
    resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
    // gpu.js compiles kernels from function source: keep names and statements as written
    build: { outDir, emptyOutDir: true, minify: false, target: 'es2022', reportCompressedSize: false },
  });
  return outDir;
}

/** A benchmark tile of the test page (its `benchStart`; the CLI's `crossbar bench` webgl2 cases). */
export interface BenchSpec {
  /** The RPU config as aihwkit's dict (rpuConfigToDict). */
  rpuConfig: Record<string, unknown>;
  outSize: number;
  inSize: number;
  batch: number;
  /** The weights are uniform in ±weightScale. */
  weightScale: number;
  /** How many mini-batches of x and d the steps use in turn. */
  sets: number;
  /** The update step's learning rate. */
  learningRate: number;
}

/**
 * A page whose `window.crossbarHarness` answers calls (typed by the caller's API).
 * @typeParam Api - the harness's methods: name → function.
 */
export interface BrowserPage<Api = Record<string, (...args: never[]) => unknown>> {
  /** The page's address (mounted folders are below it). */
  readonly url: string;
  /** Calls `crossbarHarness[method](...args)` in the page and returns its (JSON-safe) result. */
  call<K extends keyof Api & string>(
    method: K,
    ...args: Api[K] extends (...a: infer A) => unknown ? A : never
  ): Promise<Api[K] extends (...a: never[]) => infer R ? Awaited<R> : never>;
  /** What the browser printed to its console (for failures). */
  readonly console: string[];
  /** Closes the page, the browser and the server. */
  close(): Promise<void>;
}

/**
 * What openPage resolves: the page, or why this machine cannot open one.
 * @typeParam Api - the harness's methods: name → function.
 */
export type OpenResult<Api = Record<string, (...args: never[]) => unknown>> = { ok: true; page: BrowserPage<Api> } | { ok: false; reason: string };

/** Options of `openPage`. */
export interface OpenPageOptions {
  /** URL prefixes ('/oracle/') served from other folders. */
  mounts?: Record<string, string>;
  /**
   * The page's folder (index.html whose scripts set `window.crossbarHarness`); default:
   * this package's test page. Other packages' browser tests open their own pages.
   */
  root?: string;
  /** Serve the page cross-origin isolated (COOP/COEP: SharedArrayBuffer works); default true. */
  crossOriginIsolated?: boolean;
}

/**
 * Builds, serves (cross-origin isolated) and opens a test page in headless Chromium.
 * Resolves { ok: false, reason } where this machine cannot (no chromium, no playwright-core).
 * @typeParam Api - the harness's methods: name → function.
 */
export async function openPage<Api = Record<string, (...args: never[]) => unknown>>(options: OpenPageOptions = {}): Promise<OpenResult<Api>> {
  const runtime = await findBrowserRuntime();
  if (!runtime.ok) return runtime;
  let outDir: string;
  try {
    outDir = await buildPage(options.root);
  } catch (e) {
    return { ok: false, reason: `the test page could not be built with Vite: ${(e as Error).message.split('\n')[0]}` };
  }
  // cross-origin isolation: SharedArrayBuffer (gpu.js's webasm threads) works in the page
  const launched = await launchServed(runtime, outDir, { mounts: options.mounts, crossOriginIsolated: options.crossOriginIsolated ?? true });
  if (!launched.ok) return launched;
  const { browser, url } = launched.served;
  const page = await browser.newPage();
  // the page measures its JS heap after a garbage collection through the DevTools protocol (soak test)
  const cdp = await page.context().newCDPSession(page);
  await page.exposeFunction('crossbarMeasureHeap', async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  });
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { crossbarHarness?: unknown }).crossbarHarness !== undefined, null, {
    timeout: 60_000,
  });
  return {
    ok: true,
    page: {
      url,
      console: log,
      async call(method, ...args) {
        return page.evaluate(
          ([m, a]) => {
            const h = (window as unknown as { crossbarHarness: Record<string, (...x: unknown[]) => unknown> }).crossbarHarness;
            return h[m as string]!(...(a as unknown[]));
          },
          [method, args] as const,
        ) as never;
      },
      close: () => launched.served.close(),
    },
  };
}

/**
 * What `usePage` gives a test file.
 * @typeParam Api - the harness's methods: name → function.
 */
export interface PageUse<Api = Record<string, (...args: never[]) => unknown>> {
  /** The page, for a test; or the test is skipped with why there is none (no chromium). */
  need(ctx: { skip(condition: boolean, note?: string): void }): BrowserPage<Api>;
  /** The page once opened (undefined where it could not be). */
  readonly page: BrowserPage<Api> | undefined;
}

/**
 * The page for one test file: opened before its tests (in `beforeAll`), closed after;
 * `need(ctx)` gives it to a test or skips the test with why there is none (no chromium).
 * @typeParam Api - the harness's methods: name → function.
 */
export function usePage<Api = Record<string, (...args: never[]) => unknown>>(
  hooks: { beforeAll(fn: () => Promise<void>, timeout?: number): void; afterAll(fn: () => Promise<void>): void },
  options: OpenPageOptions & { ready?: (page: BrowserPage<Api>) => Promise<void> } = {},
): PageUse<Api> {
  let page: BrowserPage<Api> | undefined;
  let reason = '';
  hooks.beforeAll(async () => {
    const opened = await openPage<Api>({ mounts: options.mounts, root: options.root, crossOriginIsolated: options.crossOriginIsolated });
    if (!opened.ok) {
      reason = opened.reason;
      return;
    }
    page = opened.page;
    await options.ready?.(page);
  }, 240_000);
  hooks.afterAll(async () => {
    await page?.close();
  });
  return {
    get page() {
      return page;
    },
    need(ctx) {
      ctx.skip(page === undefined, `browser tests need Chromium: ${reason}`);
      return page!;
    },
  };
}
