import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, BackendRegistry, FloatingPointRPUConfig, getBackend, listBackends } from '@crossbar/core';
import { GPUJS_PRIORITY, createGpujsBackend } from '../src/index.js';
import { MODE_ENV, chooseMode, parseMode, requestedMode } from '../src/modes.js';
import { modeCheck, requireMode } from './helpers.js';

const saved = process.env[MODE_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[MODE_ENV];
  else process.env[MODE_ENV] = saved;
});

describe('mode selection', () => {
  it('parses the mode names and refuses others with the allowed list', () => {
    expect(parseMode(undefined, 'x')).toBe('auto');
    expect(parseMode('webasm', 'x')).toBe('webasm');
    expect(() => parseMode('webgpu', 'opt')).toThrow(/unknown gpu.js mode "webgpu"; use one of auto, headlessgl, webgl2, webgl, webasm, cpu/);
    expect(() => parseMode(3, 'opt')).toThrow(BackendError);
  });

  it('takes the option over CROSSBAR_GPUJS_MODE, and the variable over auto', () => {
    process.env[MODE_ENV] = 'cpu';
    expect(requestedMode(undefined)).toEqual({ mode: 'cpu', source: 'environment' });
    expect(requestedMode('webasm')).toEqual({ mode: 'webasm', source: 'option' });
    expect(requestedMode('auto')).toEqual({ mode: 'auto', source: 'auto' });
    delete process.env[MODE_ENV];
    expect(requestedMode(undefined)).toEqual({ mode: 'auto', source: 'auto' });
  });

  it('a bad CROSSBAR_GPUJS_MODE fails the factory, naming the variable', () => {
    process.env[MODE_ENV] = 'vulkan';
    expect(() => createGpujsBackend()).toThrow(/CROSSBAR_GPUJS_MODE: unknown gpu.js mode "vulkan"/);
  });

  it('auto takes the first mode that works and says why the ones before it did not', () => {
    delete process.env[MODE_ENV];
    const choice = chooseMode();
    const order = ['headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'] as const;
    const working = order.filter((m) => modeCheck(m).ok);
    expect(choice.mode).toBe(working[0]);
    expect(choice.alternatives).toEqual(working.slice(1));
    expect(choice.rejected.map((r) => r.mode)).toEqual(order.filter((m) => !modeCheck(m).ok));
    for (const r of choice.rejected) expect(r.reason).toMatch(/\w/);
    // in Node the browser modes never work, for a reason that says so
    expect(modeCheck('webgl2')).toEqual({ mode: 'webgl2', ok: false, reason: expect.stringMatching(/browser/) });
  });

  it('an explicit mode that does not work here fails with the reason', () => {
    expect(() => createGpujsBackend({ mode: 'webgl2' })).toThrow(/gpu.js mode "webgl2" \(from the mode option\) does not work here: WebGL2 needs a browser/);
  });

  it('cpu and webasm always work in Node', () => {
    expect(modeCheck('cpu').ok).toBe(true);
    expect(modeCheck('webasm').ok).toBe(true);
  });

  it('headless-gl without a display says to run under xvfb-run', (ctx) => {
    const check = modeCheck('headlessgl');
    ctx.skip(check.ok || process.env.DISPLAY !== undefined, 'a display is present here');
    expect(check.reason).toMatch(/no X display \(run under `xvfb-run -a`\)|is not built here/);
  });
});

describe('registration', () => {
  it('registers "gpujs" below ndarray whether or not a GL mode works (the same default with a display)', () => {
    const info = listBackends().find((b) => b.name === 'gpujs')!;
    expect(info.priority).toBe(GPUJS_PRIORITY);
    const ndarrayPriority = 1; // @crossbar/backend-ndarray's NDARRAY_PRIORITY
    expect(info.priority).toBeLessThan(ndarrayPriority);
  });

  it('getBackend("gpujs") reports the chosen mode and the rejected ones in the registry detail', async () => {
    const backend = await getBackend('gpujs');
    const info = listBackends().find((b) => b.name === 'gpujs')!;
    expect(info.status).toBe('ok');
    expect(info.detail).toBe(backend.description);
    const mode = (backend as unknown as { mode: string }).mode;
    expect(info.detail).toContain(`gpu.js mode ${mode} (`);
    if (mode !== 'headlessgl') expect(info.detail).toMatch(/not working here: headlessgl \(/);
    expect(info.detail).toMatch(/webgl2 \(WebGL2 needs a browser/);
    expect(info.detail).toMatch(/also working: .*cpu/);
  });

  it('a failing factory is reported as failed with the reason', async () => {
    const registry = new BackendRegistry();
    registry.register('gpujs', () => createGpujsBackend({ mode: 'webgl' }), { priority: 2 });
    await expect(registry.get('gpujs')).rejects.toThrow(/WebGL needs a browser/);
    expect(registry.list()[0]).toMatchObject({ name: 'gpujs', status: 'failed', detail: expect.stringMatching(/WebGL needs a browser/) });
  });

  it('without a name the registry takes ndarray even where headless-gl works', async (ctx) => {
    requireMode(ctx, 'headlessgl');
    delete process.env.CROSSBAR_BACKEND;
    const registry = new BackendRegistry();
    registry.register(
      'ndarray',
      () => ({
        name: 'ndarray',
        createTile: () => {
          throw new Error('unused');
        },
      }),
      { priority: 1 },
    );
    registry.register('gpujs', () => createGpujsBackend(), { priority: GPUJS_PRIORITY });
    const b = await registry.get();
    expect(b.name).toBe('ndarray');
    const gpujs = await registry.get('gpujs');
    expect(gpujs.description).toMatch(/^gpu.js mode headlessgl \(chosen automatically/);
    await gpujs.dispose?.();
  });

  it('the engine can be made in each mode that works, and says which', async () => {
    for (const mode of ['cpu', 'webasm', 'headlessgl'] as const) {
      if (!modeCheck(mode).ok) continue;
      const b = createGpujsBackend({ mode });
      expect(b.mode).toBe(mode);
      expect(b.description).toContain(`gpu.js mode ${mode} (asked for by the mode option`);
      const tile = await b.createTile({ outSize: 2, inSize: 3, rpuConfig: new FloatingPointRPUConfig() });
      expect(tile.backendName).toBe('gpujs');
      await b.dispose();
    }
  });
});
