/**
 * Kernels in plain JS on host Float32Arrays that any engine may take as they
 * are (as tfjs's GPU backends reuse tfjs-backend-cpu's shared kernels): a CPU
 * engine lists them in its kernel set, a device engine writes its own.
 */
import { NotSupportedError } from '../errors.js';
import { RandomStreamId } from '../rng.js';
import { pcmReadNoiseLogFactor } from '../physics/inference.js';
import {
  doReFaScale,
  dropConnect,
  modifierAmax,
  modifyAddNormal,
  modifyDiscretize,
  modifyDoReFa,
  modifyMultNormal,
  modifyPcmNoise,
  modifyPoly,
  modifyProgNoise,
  powerSeries,
  weightModifierDraws,
} from '../physics/weights.js';
import { hostStreamFills, type StreamFills } from './fills.js';
import type { ModifyWeightsArgs } from './kernels.js';

const PCM_T_READ = 250e-9; // aihwkit's PCM_T_READ of the PCMNoise modifier (weight_modifier_cuda.cu)

/** Draw buffers of the modifier, per weight count (reused between calls). */
const drawBuffers = new Map<number, Float32Array[]>();

function buffers(size: number, n: number): Float32Array[] {
  let list = drawBuffers.get(size);
  if (list === undefined) {
    if (drawBuffers.size > 8) drawBuffers.clear(); // a cache, not a leak: a few tile sizes at a time
    list = [];
    drawBuffers.set(size, list);
  }
  while (list.length < n) list.push(new Float32Array(size));
  return list;
}

/**
 * aihwkit's WeightModifier::apply (v.0.7.1 src/rpucuda/weight_modifier.cpp) on the host.
 *
 * Random draws (stream ids in rng.ts), in `call`; element i = row · inSize + column:
 *   WeightModifier      sub 0 normal  the noise of AddNormal, MultNormal, Poly, ProgNoise,
 *                                     DiscretizeAddNormal; PCMNoise programming noise
 *                       sub 1 uniform stochastic rounding (sto_round)
 *                       sub 2 normal  PCMNoise drift exponent; sub 3 normal PCMNoise read noise
 *                       sub 4 uniform PCMNoise at reset; sub 5, 6 at g_max; sub 7, 8 at random
 *   WeightModifierDrop  sub 0 uniform drop connect (pdrop)
 */
export function modifyWeightsHost(args: ModifyWeightsArgs): void {
  modifyWeightsWith(args, hostStreamFills);
}

/** modifyWeightsHost with the random numbers of `fills` (the same numbers, drawn elsewhere). */
export function modifyWeightsWith(args: ModifyWeightsArgs, fills: StreamFills): void {
  const { out, weights: w, modifier: p, outSize, inSize, seed, call } = args;
  const size = outSize * inSize;
  out.set(w);
  const amax = modifierAmax(w, outSize, inSize, p.relToActualWmax, p.assumedWmax, p.copyLastColumn);
  const sto = p.stoRound ? 1 : 0;
  const stdDev = Math.fround(p.stdDev);
  const { rounding: needsRounding, drop: needsDrop } = weightModifierDraws(p);
  const fillNormal = (buf: Float32Array, sub: number): Float32Array => fills.normal(buf, seed, RandomStreamId.WeightModifier, call, sub);
  const fillUniform = (buf: Float32Array, sub: number, stream: number = RandomStreamId.WeightModifier): Float32Array => fills.uniform(buf, seed, stream, call, sub);
  const [b0] = buffers(size, 1) as [Float32Array];
  switch (p.type) {
    case 'None':
    case 'Copy':
    case 'DropConnect':
      break;
    case 'Discretize': {
      if (p.res <= 0) break;
      const u = needsRounding ? fillUniform(b0, 1) : b0;
      for (let i = 0; i < size; i++) out[i] = modifyDiscretize(w[i]!, amax, p.res, sto, u[i]!);
      break;
    }
    case 'MultNormal':
    case 'AddNormal': {
      if (!(stdDev > 0)) break;
      const std = Math.fround(stdDev * amax);
      const n = fillNormal(b0, 0);
      if (p.type === 'MultNormal') for (let i = 0; i < size; i++) out[i] = modifyMultNormal(w[i]!, std, n[i]!);
      else for (let i = 0; i < size; i++) out[i] = modifyAddNormal(w[i]!, std, n[i]!);
      break;
    }
    case 'Poly':
    case 'ProgNoise': {
      if (!(stdDev > 0)) break;
      const std = p.type === 'Poly' ? stdDev : Math.fround(stdDev / Math.fround(p.gMax));
      const n = fillNormal(b0, 0);
      const f = p.type === 'Poly' ? modifyPoly : modifyProgNoise;
      for (let i = 0; i < size; i++) {
        const sig = Math.fround(powerSeries(p.coeffs, Math.fround(Math.abs(w[i]!) / amax)) * std);
        out[i] = f(w[i]!, amax, sig, n[i]!);
      }
      break;
    }
    case 'DoReFa': {
      if (p.res <= 0) break;
      const scale = doReFaScale(p.dorefaClip, amax);
      const u = needsRounding ? fillUniform(b0, 1) : b0;
      for (let i = 0; i < size; i++) out[i] = modifyDoReFa(w[i]!, scale, p.res, sto, u[i]!);
      break;
    }
    case 'DiscretizeAddNormal': {
      const std = Math.fround(stdDev * amax);
      if (!(p.res > 0 || std > 0)) break;
      const [, b1] = buffers(size, 2) as [Float32Array, Float32Array];
      const n = fillNormal(b0, 0);
      const u = needsRounding ? fillUniform(b1, 1) : b1;
      for (let i = 0; i < size; i++) out[i] = modifyAddNormal(modifyDiscretize(w[i]!, amax, p.res, sto, u[i]!), std, n[i]!);
      break;
    }
    case 'PCMNoise': {
      const b = buffers(size, 8);
      fillNormal(b[0]!, 0); // programming noise
      fillNormal(b[1]!, 2); // drift exponent
      fillNormal(b[2]!, 3); // read noise
      for (let k = 3; k < 8; k++) fillUniform(b[k]!, k + 1); // subs 4..8: reset, g_max (2), random (2)
      const logFactor = Math.fround(pcmReadNoiseLogFactor(Math.fround(p.pcmTInference + p.pcmT0), PCM_T_READ));
      for (let i = 0; i < size; i++) {
        out[i] = modifyPcmNoise(
          w[i]!,
          amax,
          p.gMax,
          p.pcmZeroThres,
          stdDev,
          p.pcmTInference,
          p.pcmT0,
          logFactor,
          p.pcmProbAtReset,
          p.pcmProbAtGmax,
          p.pcmProbAtRandom,
          b[0]![i]!,
          b[1]![i]!,
          b[2]![i]!,
          b[3]![i]!,
          b[4]![i]!,
          b[5]![i]!,
          b[6]![i]!,
          b[7]![i]!,
        );
      }
      break;
    }
    default: {
      const never: never = p.type;
      throw new NotSupportedError(`weight modifier type "${String(never)}" is not implemented`);
    }
  }
  if (needsDrop) {
    const u = fillUniform(b0, 0, RandomStreamId.WeightModifierDrop);
    for (let i = 0; i < size; i++) out[i] = dropConnect(out[i]!, p.pdrop, u[i]!);
  }
  if (p.copyLastColumn) {
    for (let r = 0; r < outSize; r++) out[(r + 1) * inSize - 1] = w[(r + 1) * inSize - 1]!;
  }
}
