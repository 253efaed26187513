// The built page (vite build with the package's config): static files with
// relative paths, no Node-only imports, nothing that talks to the network.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage } from '../e2e/harness.js';

let dir = '';
let html = '';
let js = '';

beforeAll(async () => {
  dir = await buildPage();
  html = readFileSync(join(dir, 'index.html'), 'utf8');
  const assets = readdirSync(join(dir, 'assets'));
  js = assets
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(dir, 'assets', f), 'utf8'))
    .join('\n');
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the built page', () => {
  it('is one script and one stylesheet, referenced by relative paths (it works from any folder)', () => {
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((r) => !r.startsWith('data:'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\.\/assets\/index-.*\.js$/), expect.stringMatching(/^\.\/assets\/index-.*\.css$/), './boot.js']),
    );
    for (const r of refs) expect(r, r).toMatch(/^(\.\/|data:)/);
    // the page's script, and the engine worker's (src/engine-worker.ts), loaded with the page
    expect(
      readdirSync(join(dir, 'assets'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => f.replace(/-[\w-]{8}\.js$/, ''))
        .sort(),
    ).toEqual(['engine-worker', 'index']);
    expect(html).toContain("connect-src 'self' blob:");
  });

  it('has no Node-only imports and no network calls', () => {
    // (gpu.js's engine reaches Node's `module` only through process.getBuiltinModule, which a page does not have)
    expect(js).not.toMatch(
      /from\s*["'](node:)?(fs|path|url|os|child_process|module|http|worker_threads)["']|from\s*["']node:|import\(\s*["']node:|require\(\s*["']node:/,
    );
    expect(js).not.toMatch(/new XMLHttpRequest|new WebSocket|sendBeacon|new EventSource|importScripts\(\s*["']http/);
    // the one fetch is the wasm engine's loader's, for kernels at an http(s) URL; here they are data: URLs (decoded, not fetched)
    // (the page's script and the engine worker's each hold the engine)
    expect([...js.matchAll(/\bfetch\(([^)]*)\)/g)].map((m) => m[1])).toEqual(['href', 'href']);
    expect(js).toContain('cannot fetch the kernels');
    expect(js.match(/"data:application\/wasm;base64,[A-Za-z0-9+/=]+"/g)).toHaveLength(4);
    expect(readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.wasm'))).toEqual([]);
    expect(js.length).toBeGreaterThan(100_000); // the engines are in it
    expect(js).toContain('crossbar-model@1');
  });
});
