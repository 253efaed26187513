/**
 * Core's pure physics formulas (packages/core/src/physics/*), added to every
 * kernel with gpu.js's addFunction: the kernels call them by name, so the GPU
 * engine computes each formula from the one place core defines it.
 *
 * Only scalar formulas are listed (numbers in, a number out, written in the
 * subset gpu.js compiles); gpu.js compiles a function into a kernel only when
 * that kernel calls it. test/library.test.ts compiles each of them in every
 * mode and compares it with core on a grid of arguments.
 */
import * as core from '@crossbar/core';
import type { KernelFunction } from '../runtime.js';

/** The scalar formulas of core the engine's kernels call (and those they call), by name. */
export const KERNEL_FORMULAS = [
  // io.ts (the analog pass: kernels/io.ts)
  'quantize',
  'clipSymmetric',
  'scaleNegative',
  'prepareInputValue',
  'finalizeOutputValue',
  'outputNonlinearity',
  'irDropCoefficient',
  'irDropInputFactor',
  'voltageOffsetOutput',
  'pcmReadNoiseStd',
  // update.ts (the pulsed update: kernels/pulses.ts)
  'roundHalfEven',
  'deterministicCoincidences',
  'slicedCoincidences',
  'bitAt',
  'summedPulsesApply',
  'summedPulsesWeight',
  // devices.ts
  'clipToBounds',
  'constantStepPulse',
  'linearStepPulse',
  'expStepPulse',
  'powStepPulse',
  'piecewiseStepPosition',
  'piecewiseStepNode',
  'piecewiseStepNodesPulse',
  'softBoundsReferencePulse',
  'powStepReferencePulse',
] as const;

export type KernelFormula = (typeof KERNEL_FORMULAS)[number];

/** The parameter names of a plain function, from its source. */
export function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const src = fn.toString();
  const open = src.indexOf('(');
  const close = src.indexOf(')', open);
  if (open < 0 || close < 0) throw new Error(`gpujs: cannot read the parameters of ${fn.name}`);
  return src
    .slice(open + 1, close)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** A core formula as a kernel function: every argument and the result a float. */
export function kernelFunctionOf(name: string): KernelFunction {
  const fn = (core as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') {
    throw new Error(`gpujs: @crossbar/core exports no physics formula "${name}" (kernels/library.ts lists it)`);
  }
  const f = fn as (...args: never[]) => number;
  const argumentTypes: Record<string, string> = {};
  for (const p of parameterNames(f)) {
    if (!/^[A-Za-z_$][\w$]*$/.test(p)) throw new Error(`gpujs: formula ${name} has a parameter gpu.js cannot take: ${p}`);
    argumentTypes[p] = 'Number';
  }
  return { fn: f, name: f.name, argumentTypes, returnType: 'Number' };
}

let cached: KernelFunction[] | null = null;

/** Every formula of KERNEL_FORMULAS as a kernel function. */
export function physicsLibrary(): KernelFunction[] {
  cached ??= KERNEL_FORMULAS.map(kernelFunctionOf);
  return cached;
}

/**
 * The name a kernel source must use to call `formula`: the function's own
 * name, which a bundler that renames functions changes consistently (kernel
 * sources interpolate it rather than spelling it).
 */
export function formulaName(formula: KernelFormula): string {
  return kernelFunctionOf(formula).name;
}
