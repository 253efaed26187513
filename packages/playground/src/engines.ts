/**
 * The page's engines: the wasm engine (WebAssembly SIMD kernels; the default),
 * the ndarray reference engine (JavaScript on the CPU), and the gpu.js engine on
 * the page's WebGL2 (fragment shaders on the GPU, or on the browser's software
 * rasteriser). Each is made once and kept.
 *
 * On a cross-origin isolated page (the dev and preview servers send COOP/COEP) the wasm
 * engine runs in a Web Worker (worker-engine.ts), where it may block on its own pool:
 * min(4, cores) threads. Elsewhere it runs on the page's main thread, on one thread (a
 * synchronous kernel call may not block the main thread on workers). Its kernels are
 * inlined in the bundle (vite.config.ts), so loading them fetches nothing.
 */
import '@crossbar/backend-ndarray';
import { createGpujsBackend, checkMode } from '@crossbar/backend-gpujs';
import { createWasmBackend } from '@crossbar/backend-wasm';
import { createWorkerWasmBackend } from './worker-engine.js';
import { BackendError, getBackend, type AnalogTileBackend } from '@crossbar/core';
import type { EngineName } from './state.js';

export interface PageEngine {
  name: EngineName;
  backend: AnalogTileBackend;
  /** What runs the numbers, for the page. */
  label: string;
}

const made = new Map<EngineName, Promise<PageEngine>>();

async function make(name: EngineName): Promise<PageEngine> {
  if (name === 'ndarray') {
    const backend = await getBackend('ndarray');
    return { name, backend, label: 'ndarray (JavaScript, CPU)' };
  }
  if (name === 'wasm') {
    // threads need a thread that may block (a Worker) and shared memory (a cross-origin isolated page)
    let backend: AnalogTileBackend | undefined;
    if (self.crossOriginIsolated && typeof Worker === 'function') {
      try {
        backend = await createWorkerWasmBackend();
      } catch (e) {
        console.warn(`the wasm engine's worker did not start (${(e as Error).message}); it runs on the page's main thread`);
      }
    }
    try {
      backend ??= await createWasmBackend();
    } catch (e) {
      throw new BackendError(`the wasm engine cannot run in this browser: ${(e as Error).message}`);
    }
    const threads = /(\d+) threads?\)/.exec(backend.description ?? '')?.[1] ?? '1';
    const where = /in a Web Worker$/.test(backend.description ?? '') ? ' in a Web Worker' : '';
    return { name, backend, label: `wasm (WebAssembly SIMD, CPU, ${threads} thread${threads === '1' ? '' : 's'}${where})` };
  }
  const check = checkMode('webgl2');
  if (!check.ok) throw new BackendError(`the gpu.js engine needs WebGL2, which this browser does not give: ${check.reason ?? 'unknown reason'}`);
  const backend = createGpujsBackend({ mode: 'webgl2' });
  return { name, backend, label: `gpujs on WebGL2 (${shortRenderer(webgl2Renderer())})` };
}

/** The engine `name`, made on first use. A failure is not kept: asking again tries again. */
export function pageEngine(name: EngineName): Promise<PageEngine> {
  let p = made.get(name);
  if (!p) {
    p = make(name);
    made.set(name, p);
    p.catch(() => made.delete(name));
  }
  return p;
}

/** The WebGL2 renderer's name (e.g. "SwiftShader", or the GPU), for the page. */
export function webgl2Renderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'no WebGL2';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

/** "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device …), SwiftShader driver)" → "SwiftShader, a software renderer". */
export function shortRenderer(name: string): string {
  if (/swiftshader/i.test(name)) return 'SwiftShader, a software renderer';
  const inner = /^ANGLE \((.*)\)$/.exec(name)?.[1] ?? name;
  return inner.length > 70 ? `${inner.slice(0, 67)}…` : inner;
}
