// The playground page: built to static files (dist/) that work from any folder
// (relative asset paths) and make no network requests of their own. Workspace
// packages resolve to their TypeScript sources (the "source" export condition),
// so no other package needs building first — except the wasm engine's kernels
// (packages/backend-wasm/dist/*.wasm, `nx run @crossbar/backend-wasm:build`), which
// the bundle inlines. The dev and preview servers send the cross-origin isolation
// headers (COOP/COEP), so the page may use SharedArrayBuffer (the wasm engine's
// threads, in its Worker: src/engine-worker.ts); serve the built dist/ with the same two headers.
import { defineConfig } from 'vite';

/** Cross-origin isolation: SharedArrayBuffer and shared WebAssembly memory in the page. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // gpu.js compiles kernels from the source text of functions: keep names and statements as written
    minify: false,
    reportCompressedSize: false,
    // one bundle and no preload polyfill: the page fetches nothing after it has loaded
    modulePreload: false,
    chunkSizeWarningLimit: 4096,
    // the wasm engine's kernels (2 × 15 KB) go into the bundle as data: URLs: nothing to fetch
    assetsInlineLimit: (file: string) => (file.endsWith('.wasm') ? true : undefined),
  },
  // the engine worker (src/engine-worker.ts) as an ES module chunk beside the page's script
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION_HEADERS },
});
