/**
 * The browser page's harness, typed with the page's API (main.ts) for the
 * tests; the machinery is src/browser-harness.ts.
 */
import { openPage as open, usePage as use, type BrowserPage as Page, type OpenResult } from '../src/browser-harness.js';
import type { HarnessApi } from './main.js';

export { findChromium, CHROMIUM_FLAGS, PAGE_DIR, buildPage } from '../src/browser-harness.js';
export type BrowserPage = Page<HarnessApi>;

export function openPage(options: { mounts?: Record<string, string> } = {}): Promise<OpenResult<HarnessApi>> {
  return open<HarnessApi>(options);
}

/**
 * The page for one test file: opened before its tests (in `beforeAll`), closed
 * after; `need(ctx)` gives it to a test or skips the test with why there is none.
 */
export function usePage(
  hooks: { beforeAll(fn: () => Promise<void>, timeout?: number): void; afterAll(fn: () => Promise<void>): void },
  options: { mounts?: Record<string, string>; ready?: (page: BrowserPage) => Promise<void> } = {},
): { need(ctx: { skip(condition: boolean, note?: string): void }): BrowserPage; readonly page: BrowserPage | undefined } {
  return use<HarnessApi>(hooks, options);
}
