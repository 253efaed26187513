/**
 * The smallest complete Crossbar engine: every kernel of core's contract
 * (TileKernels) in plain JavaScript, one vector and one element at a time, with
 * core's formulas and random streams. It passes the whole conformance suite
 * (test/plain-engine.test.ts); docs/writing-an-engine.md walks through it.
 * Copy it to start an engine, then make the kernels fast.
 */
import {
  boundTestUpdate,
  clipSymmetric,
  constantStepPulse,
  deterministicCoincidences,
  expStepPulse,
  finalizeOutputValue,
  ioPassStreams,
  irDropCoefficient,
  irDropInputFactor,
  kernelBackend,
  linearStepPulse,
  modifyWeightsHost,
  pcmReadNoiseStd,
  piecewiseStepPulse,
  powStepPulse,
  powStepReferencePulse,
  prepareInputValue,
  RandomStream,
  RandomStreamId,
  softBoundsReferencePulse,
  TableNormals,
  trainWordsPerColumn,
  UpdateRowEncoder,
  voltageOffsetOutput,
  type AnalogPassArgs,
  type ExpStepDevice,
  type KernelSet,
  type LinearStepDevice,
  type PiecewiseStepDevice,
  type SoftBoundsReferenceDevice,
  type PulsedUpdateArgs,
  type TileKernels,
  type UpdateSettings,
  type TileSpec,
} from '@crossbar/core';

const f32 = Math.fround;

/** popcount of an int32. */
function bits(v: number): number {
  let n = 0;
  for (let x = v; x !== 0; x &= x - 1) n++;
  return n;
}

function plainKernels(spec: TileSpec): TileKernels {
  const { outSize, inSize } = spec;
  /** B_ij of a pass: W forward, Wᵀ backward (W is [outSize × inSize], row-major). */
  const at = (w: Float32Array, forward: boolean, i: number, j: number): number => (forward ? w[i * inSize + j]! : w[j * inSize + i]!);

  // ------------------------------------------------------------------ MVM

  function perfectMvm(direction: 'forward' | 'backward', w: Float32Array, x: Float32Array, batch: number, outScale: number): Float32Array {
    const forward = direction === 'forward';
    const nOut = forward ? outSize : inSize;
    const nIn = forward ? inSize : outSize;
    const y = new Float32Array(batch * nOut);
    for (let r = 0; r < batch; r++) {
      for (let i = 0; i < nOut; i++) {
        let s = 0;
        for (let j = 0; j < nIn; j++) s += at(w, forward, i, j) * x[r * nIn + j]!;
        y[r * nOut + i] = outScale === 1 ? s : outScale * f32(s);
      }
    }
    return y;
  }

  /** One bound-management round (core's AnalogPassArgs), vector by vector: DAC, array, ADC. */
  function analogPass(a: AnalogPassArgs): void {
    const { io, draws, x, nIn, nOut, seed, call, round } = a;
    const forward = a.direction === 'forward';
    const streams = ioPassStreams(a.direction);
    const stream = (id: number, sub: number): RandomStream => new RandomStream(seed, id, call, sub);
    const posNeg = io.mvType === 'PosNegSeparate' || io.mvType === 'PosNegSeparateDigitalSum';
    const digitalSum = io.mvType === 'PosNegSeparateDigitalSum';
    // B with the read asymmetry of negative inputs (indexed in W's order, as aihwkit does)
    const asym = posNeg ? draws.wAsymmetry : null;
    const bNeg = (i: number, j: number): number => {
      const e = forward ? i * inSize + j : j * inSize + i;
      return f32(a.weights[e]! * asym![e]!);
    };
    const b = (i: number, j: number): number => at(a.weights, forward, i, j);
    const inNoise = io.inpNoise > 0 ? stream(streams.inputNoise, round) : null;
    const inRound = io.inpStoRound && io.inpStep !== 0 ? stream(streams.inputRounding, round) : null;
    const nl = draws.outNonlinearity;
    const inp = new Float32Array(nIn);
    const part = new Float32Array(nIn);
    const y = new Float32Array(nOut);
    const yNeg = new Float32Array(nOut);

    /** The array: y = B·v with IR drop, voltage offsets and weight noise (phase: 0 positive or single, 1 negative). */
    const array = (B: (i: number, j: number) => number, v: Float32Array, out: Float32Array, row: number, phase: number): void => {
      for (let i = 0; i < nOut; i++) {
        let s = 0;
        for (let j = 0; j < nIn; j++) s += B(i, j) * v[j]!;
        out[i] = s;
      }
      if (io.irDrop > 0) {
        for (let i = 0; i < nOut; i++) {
          let current = 0;
          let drop = 0;
          for (let j = 0; j < nIn; j++) {
            current += Math.abs(B(i, j)) * Math.abs(v[j]!);
            drop += B(i, j) * f32(v[j]! * irDropInputFactor(j, nIn));
          }
          out[i] = out[i]! - irDropCoefficient(f32(current), nIn, io.irDropGRatio) * f32(io.irDrop * f32(drop));
        }
      }
      if (io.hasVoltageOffsets) {
        let sum = 0;
        for (let j = 0; j < nIn; j++) sum += v[j]!;
        for (let i = 0; i < nOut; i++) out[i] = voltageOffsetOutput(out[i]!, draws.vOffset![i]!, io.rSeries, io.vOffsetWMin, f32(sum));
      }
      if (io.wNoiseType !== 'None') {
        const g = stream(streams.weightNoise, 2 * round + phase);
        if (io.wNoiseType === 'AdditiveConstant') {
          let sq = 0;
          for (let j = 0; j < nIn; j++) sq += v[j]! * v[j]!;
          const std = io.wNoise * f32(Math.sqrt(sq));
          for (let i = 0; i < nOut; i++) out[i] = out[i]! + std * g.normal(row * nOut + i);
        } else {
          for (let i = 0; i < nOut; i++) {
            let s = 0;
            for (let j = 0; j < nIn; j++) s += Math.abs(B(i, j)) * f32(v[j]! * v[j]!);
            out[i] = out[i]! + pcmReadNoiseStd(io.wNoise, f32(s)) * g.normal(row * nOut + i);
          }
        }
      }
    };

    /** The ADC on out (in place, clipped); returns the bound test. */
    const adc = (out: Float32Array, row: number, phase: number): boolean => {
      const noise = io.outNoise > 0 ? stream(streams.outputNoise, 2 * round + phase) : null;
      const rounding = io.outStoRound && io.outStep !== 0 ? stream(streams.outputRounding, 2 * round + phase) : null;
      let passed = 1;
      for (let i = 0; i < nOut; i++) {
        const e = row * nOut + i;
        const v = finalizeOutputValue(
          out[i]!,
          io.hasNLCalibration ? 1 : 0,
          draws.nlFactor,
          nl === null ? 0 : nl[i]!,
          io.outNegativeScale,
          noise ? io.outNoise * noise.normal(e) : 0,
          io.outStep,
          rounding ? rounding.uniform(e) - 0.5 : 0,
        );
        passed = boundTestUpdate(passed, v, io.outBound, io.bmTestNegativeBound ? 1 : 0);
        out[i] = clipSymmetric(v, io.outBound);
      }
      return passed === 1;
    };

    for (let k = 0; k < a.nActive; k++) {
      const row = a.active[k]!;
      for (let j = 0; j < nIn; j++) {
        const e = row * nIn + j;
        const shift = inRound ? inRound.uniform(e) - 0.5 : 0;
        inp[j] = prepareInputValue(x[e]!, a.rowScale[k]!, io.inpStep, shift, io.inpBound, inNoise ? io.inpNoise * inNoise.normal(e) : 0, io.inpNegativeScale);
      }
      let ok = true;
      if (!posNeg) {
        array(b, inp, y, row, 0);
        ok = adc(y, row, 0);
      } else {
        // negative inputs first (through the read-asymmetric weights), then positive ones
        for (let j = 0; j < nIn; j++) part[j] = inp[j]! < 0 ? inp[j]! : 0;
        array(asym !== null ? bNeg : b, part, yNeg, row, 1);
        if (digitalSum) ok = adc(yNeg, row, 1) && ok;
        for (let j = 0; j < nIn; j++) part[j] = inp[j]! > 0 ? inp[j]! : 0;
        array(b, part, y, row, 0);
        if (digitalSum) ok = adc(y, row, 0) && ok;
        for (let i = 0; i < nOut; i++) y[i] = y[i]! + yNeg[i]!;
        if (!digitalSum) ok = adc(y, row, 0);
      }
      a.out.set(y, k * nOut);
      a.passed[k] = io.boundManagement !== 'None' && !ok ? 0 : 1;
    }
  }

  // ------------------------------------------------------------------ update

  /** W ← W − lr·dᵀx, float64 sums stored in float32. */
  function floatingPointUpdate(w: Float32Array, x: Float32Array, d: Float32Array, batch: number, lr: number): void {
    for (let i = 0; i < outSize; i++) {
      for (let j = 0; j < inSize; j++) {
        let g = 0;
        for (let r = 0; r < batch; r++) g += d[r * outSize + i]! * x[r * inSize + j]!;
        w[i * inSize + j] = w[i * inSize + j]! - lr * g;
      }
    }
  }

  // one pulse encoder and noise table per (update settings, stream seed): a compound device's
  // sub-devices, its transfer and its refresh each update with their own
  const streams = new WeakMap<UpdateSettings, Map<number, { encoder: UpdateRowEncoder; noise: TableNormals }>>();
  const streamsOf = (a: PulsedUpdateArgs) => {
    let bySeed = streams.get(a.settings);
    if (!bySeed) streams.set(a.settings, (bySeed = new Map()));
    let s = bySeed.get(a.seed);
    if (!s) {
      s = { encoder: new UpdateRowEncoder(a.seed, inSize, outSize, a.settings), noise: new TableNormals(a.seed, RandomStreamId.UpdateStepNoise) };
      bySeed.set(a.seed, s);
    }
    return s;
  };
  const pulsesSoFar = new Int32Array(outSize * inSize);

  /** The pulsed update, row by row, device by device, pulse by pulse (core's PulsedUpdateArgs). */
  function pulsedUpdate(a: PulsedUpdateArgs): void {
    const dev = a.device;
    const p = dev.device;
    const { encoder, noise } = streamsOf(a);
    noise.begin(a.call);
    pulsesSoFar.fill(0);
    const std = f32(p.dwMinStd);
    const lin = p as LinearStepDevice;
    const exp = p as ExpStepDevice;
    const pw = p as PiecewiseStepDevice;
    const piecewiseUp = dev.kind === 'PiecewiseStep' ? Float32Array.from(pw.piecewiseUp) : null!;
    const piecewiseDown = dev.kind === 'PiecewiseStep' ? Float32Array.from(pw.piecewiseDown) : null!;
    const complexNoise = std > 0 && dev.kind === 'ExpStep' && (exp.dwMinStdAdd !== 0 || exp.dwMinStdSlope !== 0) ? 1 : 0;
    /** One pulse on element e: sign > 0 decreases the weight. */
    const pulse = (e: number, w: number, sign: number, xi: number): number => {
      const [su, sd, lo, hi] = [dev.scaleUp[e]!, dev.scaleDown[e]!, dev.minBound[e]!, dev.maxBound[e]!];
      switch (dev.kind) {
        case 'ConstantStep':
          return constantStepPulse(w, sign, su, sd, std, xi, lo, hi);
        case 'LinearStep':
        case 'SoftBounds':
          return linearStepPulse(w, sign, su, sd, dev.extraUp![e]!, dev.extraDown![e]!, std, xi, lin.multNoise ? 1 : 0, lo, hi);
        case 'ExpStep':
          return expStepPulse(
            w,
            sign,
            su,
            sd,
            lo,
            hi,
            f32(exp.aUp),
            f32(exp.aDown),
            f32(exp.gammaUp),
            f32(exp.gammaDown),
            f32(exp.a),
            f32(exp.b),
            std,
            f32(exp.dwMinStdAdd),
            f32(exp.dwMinStdSlope),
            complexNoise,
            xi,
          );
        case 'PowStep':
          return powStepPulse(w, sign, su, sd, dev.extraUp![e]!, dev.extraDown![e]!, lo, hi, std, xi);
        case 'PiecewiseStep':
          return piecewiseStepPulse(w, sign, su, sd, lo, hi, piecewiseUp, piecewiseDown, std, xi);
        case 'SoftBoundsReference':
          return softBoundsReferencePulse(w, sign, su, sd, dev.reference![e]!, lo, hi, std, xi, (p as SoftBoundsReferenceDevice).multNoise ? 1 : 0);
        case 'PowStepReference':
          return powStepReferencePulse(w, sign, su, sd, dev.extraUp![e]!, dev.extraDown![e]!, dev.reference![e]!, lo, hi, std, xi);
      }
    };
    for (let r = 0; r < a.batch; r++) {
      const bl = encoder.encode(a.call, a.plan, a.x, a.d, r);
      if (bl === 0) continue;
      const wpc = trainWordsPerColumn(bl);
      for (let i = 0; i < outSize; i++) {
        for (let j = 0; j < inSize; j++) {
          // signed coincidences: > 0 decreases the weight (x·d > 0 in SGD)
          let n: number;
          if (encoder.stochastic) {
            n = 0;
            for (let k = 0; k < wpc; k++) n += bits(encoder.xMasks[j * wpc + k]! & encoder.dMasks[i * wpc + k]!);
            if (a.x[r * inSize + j]! < 0 !== a.d[r * outSize + i]! < 0) n = -n;
          } else {
            n = deterministicCoincidences(encoder.dFactors[i]!, encoder.xFactors[j]!);
          }
          if (n === 0) continue;
          const e = i * inSize + j;
          let w = a.target[e]!;
          for (let t = 0; t < Math.abs(n); t++) w = pulse(e, w, Math.sign(n), std > 0 ? noise.xi(e, pulsesSoFar[e]!++) : 0);
          a.target[e] = w;
          a.touched[e] = 1;
        }
      }
    }
  }

  return { perfectMvm, analogPass, floatingPointUpdate, pulsedUpdate, modifyWeights: modifyWeightsHost };
}

/** The engine as core sees it: a name and the kernels of each tile. */
export const plainKernelSet: KernelSet = {
  name: 'plain',
  description: 'the smallest complete engine: plain-JS kernels (docs/writing-an-engine.md)',
  createKernels: plainKernels,
};

/** Its registry object (`registerBackend('plain', () => plainBackend)` makes it selectable). */
export const plainBackend = kernelBackend(plainKernelSet);
