/**
 * The browser test page: runs the engine in the page and answers the Node
 * test (test/browser.test.ts, through harness.ts) with plain data.
 */
import { chooseMode, createGpujsBackend, type GpujsMode } from '../src/index.js';
import { checkMode } from '../src/modes.js';
import { checkAccounting, checkFormulas, checkMvm, checkPhilox } from './checks.js';
import { benchGemm, benchRandom } from './bench.js';

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
  benchGemm,
  benchRandom,
};

export type HarnessApi = typeof api;

(window as unknown as { crossbarHarness: HarnessApi }).crossbarHarness = api;
document.getElementById('status')!.textContent = 'ready';
