/**
 * The wasm engine's test page (main.ts) for the Node tests: the gpu.js engine's browser
 * harness (build with Vite, serve cross-origin isolated on loopback, Debian's chromium
 * through playwright-core), pointed at this folder and typed with the page's API.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usePage as use, type BrowserPage as Page } from '@crossbar/backend-gpujs/browser-harness';
import type { HarnessApi } from './main.js';

/** This folder: index.html, main.ts. */
export const PAGE_DIR = dirname(fileURLToPath(import.meta.url));
export type BrowserPage = Page<HarnessApi>;

/** The page for one test file (see the gpu.js harness's usePage): `need(ctx)` gives it or skips with why. */
export function usePage(
  hooks: { beforeAll(fn: () => Promise<void>, timeout?: number): void; afterAll(fn: () => Promise<void>): void },
  options: { mounts?: Record<string, string>; crossOriginIsolated?: boolean; ready?: (page: BrowserPage) => Promise<void> } = {},
): { need(ctx: { skip(condition: boolean, note?: string): void }): BrowserPage; readonly page: BrowserPage | undefined } {
  return use<HarnessApi>(hooks, { ...options, root: PAGE_DIR });
}
