/**
 * Inference of an InferenceRPUConfig tile on the device: programming with the
 * PCM-like noise model, drift with 1/f read noise to an absolute time since
 * programming, and the global drift compensation measured with the forward
 * pass — aihwkit v.0.7.1 tiles/inference.py (InferenceTile), with the ndarray
 * engine's semantics (its inference.ts documents them) and the same streams:
 * element = row · inSize + column, sub 0 = g+ device, 1 = g− device;
 * ProgrammingNoise and InferenceDrift with the programWeights call,
 * InferenceReadNoise with the driftWeights call.
 *
 * The conductances, programmed values, exponents and drifted values are
 * element kernels calling core's formulas (pcmConductancePlus, pcmDriftNu,
 * pcmDriftedConductance, ...). The scale needs max|W| (core's weightsAbsMax on
 * a read-back copy), and the programming-noise polynomial core's powerSeries,
 * which takes the coefficient list — an array, not kernel code — so its value
 * per element is computed on the host from that copy.
 */
import {
  ConfigError,
  driftCompensationAlpha,
  driftCompensationReadout,
  InferenceRPUConfig,
  InputError,
  NotSupportedError,
  PCM_DRIFT_EXPONENTS,
  pcmConductanceMinus,
  pcmConductancePlus,
  pcmScaleRatio,
  powerSeries,
  RandomStreamId,
  weightsAbsMax,
  type HiddenParameters,
  type TileState,
} from '@crossbar/core';
import type { DeviceArray } from './device.js';
import { mapMatrix } from './elementwise.js';
import { formulaName as fn } from './kernels/library.js';
import type { DeviceMvm } from './mvm.js';
import type { TileContext } from './context.js';
import type { TrainingState } from './training.js';

const KEY_REFERENCE = 'inference.referenceWeights';
const KEY_PROGRAMMED = 'inference.programmedWeights';
const KEY_ALPHA = 'inference.alpha';
const KEY_BASELINE = 'inference.baseline';
const KEY_TIME = 'inference.tInference';

export class InferenceState {
  readonly isInference: boolean;
  private readonly cfg: InferenceRPUConfig | null;
  private readonly nu: [DeviceArray, DeviceArray] | null = null;
  private reference: Float32Array | null = null;
  private programmed: DeviceArray | null = null;
  private baseline: number | null = null;
  private alpha = 1;
  private tInference: number | null = null;
  private eye: Float32Array | null = null;

  constructor(
    private readonly ctx: TileContext,
    private readonly mvm: DeviceMvm,
    private readonly training: TrainingState,
  ) {
    const cfg = ctx.rpuConfig;
    this.isInference = cfg instanceof InferenceRPUConfig;
    this.cfg = cfg instanceof InferenceRPUConfig ? cfg : null;
    if (this.cfg) {
      const nm = this.cfg.noiseModel;
      if (!(nm.gMax > nm.gMin)) {
        throw new ConfigError(
          `InferenceRPUConfig.noiseModel: gMax (g_max) = ${nm.gMax} must be greater than gMin (g_min) = ${nm.gMin}: ` +
            'the weights are mapped onto [g_min, g_max] (an empty range divides by zero)',
        );
      }
      const zeros = new Float32Array(ctx.outSize * ctx.inSize);
      this.nu = [ctx.scope.upload(zeros, ctx.outSize, ctx.inSize, true), ctx.scope.upload(zeros, ctx.outSize, ctx.inSize, true)];
    }
  }

  get compensationScale(): number {
    return this.alpha;
  }

  private notInference(where: string): never {
    throw new NotSupportedError(
      `${where}: only InferenceRPUConfig tiles are programmed and drifted with a noise model; this tile's config is ` +
        `${this.ctx.rpuConfig.constructor.name} (aihwkit's pulsed program_weights by update iterations is not implemented)`,
    );
  }

  /** mean |y| of the forward pass (forward IO, no digital scales) on the one-hot inputs, with the tile's weights. */
  private async readout(): Promise<number> {
    const n = this.ctx.inSize;
    if (this.eye === null) {
      this.eye = new Float32Array(n * n);
      for (let j = 0; j < n; j++) this.eye[j * n + j] = 1;
    }
    return driftCompensationReadout(await this.mvm.forward(this.ctx.weights, this.eye, n));
  }

  /** Conductance pair g± of weights `w` on the device through `conductance(w, scale, gMax, gMin)`, then `expr` of it. */
  private pair(w: DeviceArray, scale: number, k: number, call: number, kind: 'program' | 'drift', sig: Float32Array | null, t: number): DeviceArray {
    const { scope, outSize, inSize, seed, rand } = this.ctx;
    const nm = this.cfg!.noiseModel;
    const conductance = fn(k === 0 ? 'pcmConductancePlus' : 'pcmConductanceMinus');
    const target = `${conductance}(w, scale, gMax, gMin)`;
    const scalars = { scale, gMax: nm.gMax, gMin: nm.gMin, progNoiseScale: nm.progNoiseScale, t, t0: nm.t0, tRead: nm.tRead, readNoiseScale: nm.readNoiseScale };
    if (kind === 'program') {
      return mapMatrix(scope, outSize, inSize, {
        inputs: { w },
        scalars,
        arrays: { sig: sig! },
        expr: `${fn('pcmProgrammedConductance')}(${target}, sig, progNoiseScale, g)`,
        random: { items: [{ name: 'g', normal: true, streamId: RandomStreamId.ProgrammingNoise, sub: k }], call, seed, source: rand },
      });
    }
    return mapMatrix(scope, outSize, inSize, {
      inputs: { w, nu: this.nu![k]! },
      scalars,
      expr: `${fn('pcmDriftedConductance')}(${target}, nu, t, t0, gMax, tRead, readNoiseScale, g)`,
      random: { items: [{ name: 'g', normal: true, streamId: RandomStreamId.InferenceReadNoise, sub: k }], call, seed, source: rand },
    });
  }

  /** The tile's weights from the pair: pcmWeightFromConductances, then the pair is freed. */
  private weightsFrom(gPlus: DeviceArray, gMinus: DeviceArray, scale: number): void {
    const { scope, outSize, inSize, weights } = this.ctx;
    const nm = this.cfg!.noiseModel;
    mapMatrix(
      scope,
      outSize,
      inSize,
      { inputs: { gp: gPlus, gn: gMinus }, scalars: { gMin: nm.gMin, scale }, expr: `${fn('pcmWeightFromConductances')}(gp, gn, gMin, scale)` },
      weights,
    );
    scope.free(gPlus);
    scope.free(gMinus);
  }

  async program(): Promise<void> {
    if (!this.cfg) this.notInference('programWeights');
    const { scope, outSize, inSize, seed, rand, weights } = this.ctx;
    const nm = this.cfg.noiseModel;
    const ref = this.reference ?? weights.download();
    const refDev = this.reference ? scope.upload(ref, outSize, inSize, true) : null;
    const source = refDev ?? weights;
    const call = this.ctx.nextRandomCall();
    const scale = pcmScaleRatio(weightsAbsMax(ref, outSize, inSize), nm.gMax, nm.gMin);
    const g: DeviceArray[] = [];
    for (let k = 0; k < 2; k++) {
      const conductance = k === 0 ? pcmConductancePlus : pcmConductanceMinus;
      const sig = new Float32Array(ref.length);
      for (let i = 0; i < ref.length; i++) sig[i] = powerSeries(nm.progCoeff, Math.fround(conductance(ref[i]!, scale, nm.gMax, nm.gMin) / nm.gMax));
      g.push(this.pair(source, scale, k, call, 'program', sig, 0));
      mapMatrix(
        scope,
        outSize,
        inSize,
        {
          inputs: { w: source },
          scalars: { scale, gMax: nm.gMax, gMin: nm.gMin, driftScale: nm.driftScale },
          expr: `${fn('pcmDriftNu')}(${fn(k === 0 ? 'pcmConductancePlus' : 'pcmConductanceMinus')}(w, scale, gMax, gMin), gMax, driftScale, g)`,
          random: { items: [{ name: 'g', normal: true, streamId: RandomStreamId.InferenceDrift, sub: k }], call, seed, source: rand },
        },
        this.nu![k],
      );
    }
    scope.free(refDev);
    this.weightsFrom(g[0]!, g[1]!, scale);
    this.reference = ref;
    scope.free(this.programmed);
    this.programmed = scope.upload(weights.download(), outSize, inSize, true);
    this.training.onWeightsSet();
    this.alpha = 1;
    this.tInference = null;
    this.baseline = this.cfg.driftCompensation !== null ? await this.readout() : null;
  }

  async drift(t: number): Promise<void> {
    if (!this.cfg) this.notInference('driftWeights');
    if (this.programmed === null) await this.program();
    const { outSize, inSize } = this.ctx;
    const nm = this.cfg.noiseModel;
    const p = this.programmed!;
    const call = this.ctx.nextRandomCall();
    const scale = pcmScaleRatio(weightsAbsMax(p.download(), outSize, inSize), nm.gMax, nm.gMin);
    const gPlus = this.pair(p, scale, 0, call, 'drift', null, t);
    const gMinus = this.pair(p, scale, 1, call, 'drift', null, t);
    this.weightsFrom(gPlus, gMinus, scale);
    this.training.onWeightsSet();
    this.tInference = t;
    if (this.cfg.driftCompensation !== null) {
      const base = this.baseline ?? (await this.readout());
      this.alpha = driftCompensationAlpha(base, await this.readout());
    }
  }

  /** Multiplies y by the drift compensation factor when isTest. */
  compensateOutput(y: Float32Array, isTest: boolean): void {
    if (!isTest || !this.cfg || this.cfg.driftCompensation === null || this.alpha === 1) return;
    const a = this.alpha;
    for (let i = 0; i < y.length; i++) y[i] = Math.fround(y[i]! * a);
  }

  /** The weights were set, updated, clipped or remapped: the programming is forgotten. */
  onWeightsSet(): void {
    this.reference = null;
    this.ctx.scope.free(this.programmed);
    this.programmed = null;
    this.baseline = null;
    this.alpha = 1;
    this.tInference = null;
  }

  getHiddenParameters(): HiddenParameters {
    if (!this.nu) return {};
    return { [PCM_DRIFT_EXPONENTS[0]]: this.nu[0].download(), [PCM_DRIFT_EXPONENTS[1]]: this.nu[1].download() };
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    if (!this.nu) return;
    for (let k = 0; k < 2; k++) {
      const v = params[PCM_DRIFT_EXPONENTS[k]!];
      if (v !== undefined) this.ctx.scope.overwrite(this.nu[k]!, v);
    }
  }

  checkState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    if (!this.cfg) return;
    if (arrays === null || typeof arrays !== 'object') throw new InputError('setState: state.arrays must be an object');
    if (scalars === null || typeof scalars !== 'object') throw new InputError('setState: state.scalars must be an object');
    const size = this.ctx.outSize * this.ctx.inSize;
    for (const key of [KEY_REFERENCE, KEY_PROGRAMMED]) {
      const v = arrays[key];
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v) || v.length !== size || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        throw new InputError(`setState: state.arrays["${key}"] must be null or ${size} finite numbers`);
      }
    }
    for (const key of [KEY_ALPHA, KEY_BASELINE, KEY_TIME]) {
      const v = scalars[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`setState: state.scalars["${key}"] must be null or a finite number`);
    }
  }

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    if (!this.cfg) return;
    arrays[KEY_REFERENCE] = this.reference ? Array.from(this.reference) : null;
    arrays[KEY_PROGRAMMED] = this.programmed ? Array.from(this.programmed.download()) : null;
    scalars[KEY_ALPHA] = this.alpha;
    scalars[KEY_BASELINE] = this.baseline;
    scalars[KEY_TIME] = this.tInference;
  }

  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    if (!this.cfg) return;
    const { scope, outSize, inSize } = this.ctx;
    const ref = arrays[KEY_REFERENCE];
    const prog = arrays[KEY_PROGRAMMED];
    this.reference = ref ? Float32Array.from(ref) : null;
    scope.free(this.programmed);
    this.programmed = prog ? scope.upload(Float32Array.from(prog), outSize, inSize, true) : null;
    this.alpha = scalars[KEY_ALPHA] ?? 1;
    this.baseline = scalars[KEY_BASELINE] ?? null;
    this.tInference = scalars[KEY_TIME] ?? null;
  }
}
