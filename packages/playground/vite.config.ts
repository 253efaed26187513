// The playground page: built to static files (dist/) that work from any folder
// (relative asset paths) and make no network requests of their own. Workspace
// packages resolve to their TypeScript sources (the "source" export condition),
// so no other package needs building first.
import { defineConfig } from 'vite';

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
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
