/**
 * The README's screenshots of the playground, taken with the browser test's
 * setup (the page built with Vite, Debian's chromium through playwright-core):
 * the tile view and the drift view, as PNGs in docs/ (or the folder given).
 *
 * Run from the repository root: npx tsx --conditions=source packages/playground/scripts/screenshots.ts [folder]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openPlayground, PACKAGE_DIR, waitForDrift, waitForTile } from '../e2e/harness.js';

const out = resolve(process.argv[2] ?? join(PACKAGE_DIR, 'docs'));
mkdirSync(out, { recursive: true });

const opened = await openPlayground({ width: 1440, height: 1010 });
if (!opened.ok) {
  console.error(`no screenshots: ${opened.reason}`);
  process.exit(1);
}
const { page, close, console: log } = opened.playground;
try {
  await waitForTile(page);
  // a setup that shows bound management at work: large inputs, a low output bound
  await page.fill('#c-forward-outBound', '3');
  await page.fill('#c-inputs-scale', '0.6');
  await waitForTile(page);
  await page.screenshot({ path: join(out, 'tile-view.png') });
  await page.click('#tab-drift');
  await waitForDrift(page);
  await page.screenshot({ path: join(out, 'drift-view.png') });
  console.log(`screenshots in ${out}`);
} catch (e) {
  console.error(log.join('\n'));
  throw e;
} finally {
  await close();
}
