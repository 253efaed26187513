/**
 * The gpu.js engine as core sees it: the kernels of one tile (core's
 * TileKernels) on gpu.js, with the weights resident on the device between
 * calls. Core's tile (KernelTile) runs everything around them.
 *   perfectMvm     gemm.ts (one kernel, one read-back)
 *   analogPass     pass.ts (DAC, the array with its non-idealities and the ADC fused)
 *   floatingPointUpdate  devices/rank-update.ts
 *   pulsedUpdate   devices/pulsed-update.ts (kernels/pulses.ts)
 * The weight modifier is core's plain-JS kernel (modifyWeightsHost).
 *
 * Memory: core owns the weights on the host; this tile keeps one device copy of
 * the weights the MVM reads (and, for PosNegSeparate with read asymmetry, of
 * W · asymmetry per direction), uploaded again only when core's weights version
 * changes (AnalogPassArgs.weightsVersion: between forward and backward calls it
 * stays). The updates upload their target, run on the device and write it back.
 *
 * Compound devices (core's tile/compounds.ts) call these kernels for several
 * devices and IOs of one tile: a pulsed update per (device arrays, update
 * settings, seed), each with resident copies of its device's arrays, and an
 * analog pass per (direction, IO, seed) — the tile's own and each transfer or
 * refresh reader's.
 */
import {
  ioPassStreams,
  modifyWeightsHost,
  type AnalogPassArgs,
  type MvDirection,
  type PulsedDeviceArrays,
  type PulsedUpdateArgs,
  type ResolvedIO,
  type TileKernels,
  type TileSpec,
} from '@crossbar/core';
import type { GpuTileContext } from './context.js';
import type { DeviceArray } from './device.js';
import { DevicePulsedUpdate, type PulsedArrays } from './devices/pulsed-update.js';
import { rankUpdate } from './devices/rank-update.js';
import { Gemm } from './gemm.js';
import { DevicePass } from './pass.js';
import type { RandomSource } from './random.js';
import { KernelScope } from './scope.js';
import type { GpuRuntime } from './runtime.js';

/** The registry name of the engine. */
export const GPUJS_NAME = 'gpujs';

/** The kernels of one tile on `runtime`; allocates nothing before the first call. */
export function createGpujsKernels(runtime: GpuRuntime, rand: RandomSource, spec: TileSpec): TileKernels {
  const k = new GpujsKernels(new KernelScope(runtime), rand, spec);
  return {
    perfectMvm: (direction, weights, x, batch, outScale, version) => k.perfectMvm(direction, weights, x, batch, outScale, version),
    analogPass: (args) => k.analogPass(args),
    floatingPointUpdate: (weights, x, d, batch, lr) => k.floatingPointUpdate(weights, x, d, batch, lr),
    pulsedUpdate: (args) => k.pulsedUpdate(args),
    modifyWeights: modifyWeightsHost,
    dispose: () => k.scope.dispose(),
  };
}

/** A host array's copy on the device, uploaded again only when its values change. */
class Mirror {
  private host: Float32Array | null = null;
  array: DeviceArray | null = null;

  constructor(private readonly ctx: GpuTileContext) {}

  sync(src: Float32Array): DeviceArray {
    const { scope, outSize, inSize } = this.ctx;
    if (this.array !== null && this.host !== null && equal(this.host, src)) return this.array;
    this.host = src.slice();
    if (this.array === null) this.array = scope.upload(src, outSize, inSize, true);
    else scope.overwrite(this.array, src);
    return this.array;
  }
}

function equal(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(a[i] !== a[i] && b[i] !== b[i])) return false;
  return true;
}

/** The resident copies of one pulsed device's arrays. */
type DeviceMirrors = Record<'maxBound' | 'minBound' | 'scaleUp' | 'scaleDown' | 'extraUp' | 'extraDown' | 'reference', Mirror>;

class GpujsKernels implements GpuTileContext {
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  private readonly gemm: Gemm;
  /** One pass per (direction, IO, seed): the tile's reads and a compound's transfer / refresh reads. */
  private readonly passes: { direction: MvDirection; io: ResolvedIO; seed: number; pass: DevicePass }[] = [];
  /** The device copy of the weights the MVM last read, and which host array and version it holds. */
  private resident: DeviceArray | null = null;
  private residentOf: Float32Array | null = null;
  private residentVersion = NaN;
  /** W · read asymmetry per direction (PosNeg passes), valid for the resident weights and the asymmetry it was made of. */
  private readonly negative: Partial<Record<MvDirection, DeviceArray | null>> = {};
  private readonly negativeOf: Partial<Record<MvDirection, Float32Array>> = {};
  /** The target of an update (uploaded per call). */
  private target: DeviceArray | null = null;
  /** One pulsed update per (device arrays, update settings, seed), with the resident copies of its device's arrays. */
  private readonly pulsed: { device: PulsedDeviceArrays; settings: PulsedUpdateArgs['settings']; seed: number; update: DevicePulsedUpdate; mirrors: DeviceMirrors }[] =
    [];

  constructor(
    readonly scope: KernelScope,
    readonly rand: RandomSource,
    spec: TileSpec,
  ) {
    ({ outSize: this.outSize, inSize: this.inSize, seed: this.seed } = spec);
    this.gemm = new Gemm(scope, this.outSize, this.inSize);
  }

  /** The device copy of `weights` at `version` (uploaded when it is not the resident one; always without a version). */
  private weights(weights: Float32Array, version: number | undefined): DeviceArray {
    if (this.resident !== null && version !== undefined && this.residentOf === weights && this.residentVersion === version) return this.resident;
    if (this.resident === null) this.resident = this.scope.upload(weights, this.outSize, this.inSize, true);
    else this.scope.overwrite(this.resident, weights);
    this.residentOf = weights;
    this.residentVersion = version ?? NaN;
    for (const dir of ['forward', 'backward'] as const) {
      this.scope.free(this.negative[dir]);
      delete this.negative[dir];
      delete this.negativeOf[dir];
    }
    return this.resident;
  }

  /** The resident copy is no longer the host weights' (an update wrote them). */
  private forgetResident(): void {
    this.residentOf = null;
  }

  perfectMvm(direction: MvDirection, weights: Float32Array, x: Float32Array, batch: number, outScale: number, version: number | undefined): Float32Array {
    const w = this.weights(weights, version);
    return direction === 'forward' ? this.gemm.forward(w, x, batch, outScale) : this.gemm.backward(w, x, batch, outScale);
  }

  analogPass(args: AnalogPassArgs): void {
    const dir = args.direction;
    let entry = this.passes.find((p) => p.direction === dir && p.io === args.io && p.seed === args.seed);
    if (entry === undefined) {
      const pass = new DevicePass(this.scope, args.io, args.nOut, args.nIn, this.inSize, ioPassStreams(dir), args.seed, this.rand);
      entry = { direction: dir, io: args.io, seed: args.seed, pass };
      this.passes.push(entry);
    }
    const pass = entry.pass;
    const w = this.weights(args.weights, args.weightsVersion);
    let wNeg: DeviceArray | null = null;
    const posNeg = args.io.mvType === 'PosNegSeparate' || args.io.mvType === 'PosNegSeparateDigitalSum';
    const asym = args.draws.wAsymmetry;
    if (posNeg && asym !== null) {
      // the read asymmetry of negative inputs, in the weights' [out × in] order as aihwkit indexes it
      wNeg = this.negativeOf[dir] === asym ? (this.negative[dir] ?? null) : null;
      if (wNeg === null) {
        this.scope.free(this.negative[dir]);
        this.negativeOf[dir] = asym;
        const host = args.weights;
        const prod = new Float32Array(host.length);
        for (let e = 0; e < host.length; e++) prod[e] = Math.fround(host[e]! * asym[e]!);
        wNeg = this.negative[dir] = this.scope.upload(prod, this.outSize, this.inSize, true);
      }
    }
    pass.run(args, { w, wNeg });
  }

  /** The update target on the device, holding `host`. */
  private uploadTarget(host: Float32Array): DeviceArray {
    if (this.target === null) this.target = this.scope.upload(host, this.outSize, this.inSize, true);
    else this.scope.overwrite(this.target, host);
    return this.target;
  }

  floatingPointUpdate(weights: Float32Array, x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    const t = this.uploadTarget(weights);
    rankUpdate(this, t, x, d, batch, Math.fround(-learningRate));
    t.download(weights);
    this.forgetResident();
  }

  pulsedUpdate(args: PulsedUpdateArgs): void {
    const dev = args.device;
    let entry = this.pulsed.find((p) => p.device === dev && p.settings === args.settings && p.seed === args.seed);
    if (entry === undefined) {
      const update = new DevicePulsedUpdate(this, dev.kind, dev.device, args.settings, args.seed);
      const mirror = () => new Mirror(this);
      const mirrors = { maxBound: mirror(), minBound: mirror(), scaleUp: mirror(), scaleDown: mirror(), extraUp: mirror(), extraDown: mirror(), reference: mirror() };
      entry = { device: dev, settings: args.settings, seed: args.seed, update, mirrors };
      this.pulsed.push(entry);
    }
    const mirrors = entry.mirrors;
    const arrays: PulsedArrays = {
      maxBound: mirrors.maxBound.sync(dev.maxBound),
      minBound: mirrors.minBound.sync(dev.minBound),
      scaleUp: mirrors.scaleUp.sync(dev.scaleUp),
      scaleDown: mirrors.scaleDown.sync(dev.scaleDown),
      extraUp: dev.extraUp === null ? null : mirrors.extraUp.sync(dev.extraUp),
      extraDown: dev.extraDown === null ? null : mirrors.extraDown.sync(dev.extraDown),
      reference: dev.reference === null ? null : mirrors.reference.sync(dev.reference),
    };
    const t = this.uploadTarget(args.target);
    const pulses = entry.update.run(t, arrays, args.plan, args.x, args.d, args.batch, args.call, args.touchedRead ?? true);
    t.download(args.target);
    this.forgetResident();
    if (pulses !== null) {
      const touched = args.touched;
      for (let e = 0; e < pulses.length; e++) if (pulses[e]! > 0) touched[e] = 1;
    }
  }
}
