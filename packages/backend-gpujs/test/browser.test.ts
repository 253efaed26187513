/**
 * The engine in headless Chromium as WebGL2 (Debian's chromium through
 * playwright-core; the page is built with Vite and served on loopback). Where
 * this machine has no chromium the tests report themselves skipped with why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConstantStepDevice, rpuConfigToDict, SingleRPUConfig, TransferCompound, UnitCellRPUConfig, type RPUConfig } from '@crossbar/core';
import { usePage } from '../browser/harness.js';
import { expectAccounting, expectMvm, expectNoGrowth, MVM_SIZES } from './helpers.js';

const { need } = usePage({ beforeAll, afterAll });
const configName = (c: RPUConfig) => c.constructor.name;

describe('gpu.js engine in headless Chromium (webgl2)', () => {
  it('chooses webgl2 in the page and reports the other modes', async (ctx) => {
    const p = need(ctx);
    const info = await p.call('info');
    expect(info.mode, p.console.join('\n')).toBe('webgl2');
    expect(info.description).toMatch(/^gpu.js mode webgl2 \(chosen automatically/);
    expect(info.renderer).toMatch(/\w/);
    expect(info.checks.find((c) => c.mode === 'webgl2')?.ok).toBe(true);
  });

  it("the bench page's update steps update (a ConstantStep and a TransferCompound tile); its forward steps change no weight", async (ctx) => {
    const p = need(ctx);
    const spec = (rpuConfig: RPUConfig) => ({ rpuConfig: rpuConfigToDict(rpuConfig), outSize: 12, inSize: 10, batch: 8, weightScale: 0.3, sets: 2, learningRate: 0.1 });
    const constantStep = new SingleRPUConfig({ device: new ConstantStepDevice() });
    const transfer = new UnitCellRPUConfig({ device: new TransferCompound({ unitCellDevices: [new ConstantStepDevice(), new ConstantStepDevice()] }) });
    for (const [rpuConfig, step] of [
      [constantStep, 'update'],
      [transfer, 'update'],
      [constantStep, 'forward'],
    ] as const) {
      expect(await p.call('benchStart', 'webgl2', spec(rpuConfig))).toMatch(/^gpu.js mode webgl2/);
      for (let k = 0; k < 3; k++) await p.call('benchStep', step);
      const { steps, weightsChanged } = await p.call('benchStop');
      expect(steps).toBe(3);
      if (step === 'update') expect(weightsChanged, configName(rpuConfig)).toBeGreaterThan(0);
      else expect(weightsChanged).toBe(0);
    }
  });

  it("compiles core's formulas and agrees with core to float32 rounding", async (ctx) => {
    const p = need(ctx);
    expect(await p.call('formulas', 'webgl2', 2e-6)).toEqual([]);
  });

  it('runs the MVM kernels on resident weights (odd sizes)', async (ctx) => {
    const p = need(ctx);
    expectMvm(await p.call('mvm', 'webgl2', MVM_SIZES));
  });

  it('frees every texture and kernel on dispose, allocates none per call', async (ctx) => {
    const p = need(ctx);
    const a = await p.call('accounting', 'webgl2');
    expectAccounting(a);
  });

  it('10,000 forward calls: no growth in JS heap or texture count', { timeout: 600_000 }, async (ctx) => {
    const p = need(ctx);
    const r = await p.call('soak', 'webgl2', 10_000);
    expectNoGrowth(r);
  });

  it("draws core's Philox numbers in GLSL: uniforms bit for bit, normals to float32", async (ctx) => {
    const p = need(ctx);
    for (const r of await p.call('philox', 'webgl2')) {
      expect(r.firstUniformDifference).toBe('');
      expect(r.normalMaxDiff).toBeLessThan(2e-6);
      expect(r.firstTableDifference).toBe('');
    }
  });

  it("counts pulse coincidences as core's slicedCoincidences, with GLSL bit operations too", async (ctx) => {
    const p = need(ctx);
    expect(await p.call('coincidences', 'webgl2')).toBe('');
  });
});
