/**
 * The browser page's harness, typed with the page's API (main.ts) for the
 * tests; the machinery is src/browser-harness.ts.
 */
import { openPage as open, type BrowserPage as Page, type OpenResult } from '../src/browser-harness.js';
import type { HarnessApi } from './main.js';

export { findChromium, CHROMIUM_FLAGS, PAGE_DIR, buildPage } from '../src/browser-harness.js';
export type BrowserPage = Page<HarnessApi>;

export function openPage(options: { mounts?: Record<string, string> } = {}): Promise<OpenResult<HarnessApi>> {
  return open<HarnessApi>(options);
}
