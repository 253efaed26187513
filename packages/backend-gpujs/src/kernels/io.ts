/**
 * Kernel sources of the IO-managed pass (aihwkit v.0.7.1
 * rpu_forward_backward_pass.cpp; core physics/io.ts holds every formula,
 * called here by name):
 *
 *   prepare  the DAC stage of every active row: prepareInputValue (scale,
 *            quantise, clip, input noise, input asymmetry).
 *   analog   the array read (the MVM of the prepared inputs, or of their
 *            negative or positive part), the non-idealities (IR drop, voltage
 *            offsets and series resistance, weight noise) and, fused behind
 *            them, the ADC stage (finalizeOutputValue: non-linearity, output
 *            asymmetry, output noise, quantisation). It returns the quantised
 *            output before the clip; the host tests the bounds, clips and
 *            rescales while reading it back (one read-back per pass).
 *
 * Random numbers (core rng.ts streams, element = batch row · size + index):
 * drawn in the kernel (`rand: 'kernel'`, the row's batch index comes from
 * `rowIndex`) or uploaded (`rand: 'upload'`, one value per active row and index).
 *
 * Geometry: a pass maps nIn inputs to nOut outputs. Forward: B = W; backward:
 * B = Wᵀ, read from the same resident W. See kernels/mvm.ts for why a thread
 * computes four outputs.
 */
import type { Layout } from '../device.js';
import { Input } from '../gpujs.js';
import type { RandomSource } from '../random.js';

/** The random-number arguments of a kernel that draws in-kernel. */
export const KEY_ARGS = ['k0h', 'k0l', 'k1h', 'k1l', 'call', 'rnd'] as const;

/**
 * gpu.js argument types for a kernel that draws in-kernel: the key arguments
 * as integers on cpu/webasm (their Philox works on 32-bit words) and floats for
 * the webgl2 natives; every other argument as gpu.js would infer it. gpu.js
 * takes argumentTypes by position, so every argument is listed, in order.
 */
export function argumentTypesFor(mode: string, names: readonly string[], values: readonly unknown[]): Record<string, string> {
  const keyType = mode === 'webgl2' ? 'Float' : 'Integer';
  const keys = new Set<string>(KEY_ARGS);
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    const v = values[i];
    if (keys.has(name)) out[name] = keyType;
    else if (typeof v === 'number') out[name] = 'Float';
    else if (v instanceof Float32Array || Array.isArray(v)) out[name] = 'Array';
    else if (v instanceof Input) out[name] = 'Input';
    else if (v && typeof v === 'object' && 'type' in v) out[name] = String((v as { type: unknown }).type);
    else throw new Error(`gpujs: no kernel argument type for ${name}`);
  });
  return out;
}

function normal(sub: string, streamId: number, element: string): string {
  return `philoxNormal(k0h, k0l, k1h, k1l, ${sub}, ${streamId}, call, ${element})`;
}
function uniform(sub: string, streamId: number, element: string): string {
  return `philoxUniform(k0h, k0l, k1h, k1l, ${sub}, ${streamId}, call, ${element})`;
}

// ------------------------------------------------------------------ prepare

export interface PrepareSpec {
  layout: Layout;
  /** Inputs per row of the pass. */
  nIn: number;
  /** Rows the kernel computes (active rows, padded to a bucket; rowIndex −1 = unused). */
  rows: number;
  noise: boolean;
  rounding: boolean;
  rand: RandomSource;
  /** Stream ids of input noise and input rounding. */
  noiseStream: number;
  roundingStream: number;
}

export interface KernelSource {
  source: string;
  /** Argument names in call order. */
  args: string[];
}

/**
 * Arguments: x (the batch, flat rows × nIn), rowIndex (batch row of each active row, −1: none),
 * rowScale, step, bound, negScale, noiseStd; then gIn/uIn (upload: [rows × nIn]) or the key arguments.
 * packed4: output ⌈nIn/4⌉ × rows texels; flat: rows × ⌈nIn/4⌉·4 floats (thread.x = flat index).
 */
export function prepareSource(s: PrepareSpec): KernelSource {
  const args = ['x', 'rowIndex', 'rowScale', 'step', 'bound', 'negScale', 'noiseStd'];
  if (s.rand === 'upload') {
    if (s.noise) args.push('gIn');
    if (s.rounding) args.push('uIn');
  } else if (s.noise || s.rounding) args.push(...KEY_ARGS);
  const element = (c: string, j: string): string => {
    const lines = [`let v${c} = 0.0;`, `if (row >= 0 && ${j} < ${s.nIn}) {`, `  const e${c} = row * ${s.nIn} + ${j};`];
    let shift = '0.0';
    let noise = '0.0';
    if (s.rounding) {
      const u = s.rand === 'upload' ? `uIn[a * ${s.nIn} + ${j}]` : uniform('rnd', s.roundingStream, `e${c}`);
      lines.push(`  const sh${c} = ${u} - 0.5;`);
      shift = `sh${c}`;
    }
    if (s.noise) {
      const g = s.rand === 'upload' ? `gIn[a * ${s.nIn} + ${j}]` : normal('rnd', s.noiseStream, `e${c}`);
      lines.push(`  const n${c} = noiseStd * ${g};`);
      noise = `n${c}`;
    }
    lines.push(`  v${c} = prepareInputValue(x[e${c}], rowScale[a], step, ${shift}, bound, ${noise}, negScale);`, '}');
    return lines.join('\n  ');
  };
  let body: string;
  if (s.layout === 'packed4') {
    body = [
      'const a = this.thread.y;',
      'const row = rowIndex[a];',
      'const j0 = this.thread.x * 4;',
      element('0', 'j0'),
      element('1', 'j0 + 1'),
      element('2', 'j0 + 2'),
      element('3', 'j0 + 3'),
      'return [v0, v1, v2, v3];',
    ].join('\n  ');
  } else {
    const stride = Math.ceil(s.nIn / 4) * 4;
    body = [
      `const a = Math.floor(this.thread.x / ${stride});`,
      `const j = this.thread.x - a * ${stride};`,
      'const row = rowIndex[a];',
      element('', 'j'),
      'return v;',
    ].join('\n  ');
  }
  return { source: `function(${args.join(', ')}) {\n  ${body}\n}`, args };
}

// ------------------------------------------------------------------ analog pass + ADC

export interface AnalogSpec {
  layout: Layout;
  direction: 'forward' | 'backward';
  nIn: number;
  nOut: number;
  rows: number;
  /** Weight row stride of the flat layout (inSize rounded up to 4). */
  weightStride: number;
  /** Which part of the prepared input drives this read: all, the negative or the positive values. */
  part: 'all' | 'neg' | 'pos';
  /** sub = 2 · round + phase for the output streams. */
  phase: 0 | 1;
  irDrop: boolean;
  voltageOffsets: boolean;
  wNoise: 'None' | 'AdditiveConstant' | 'PCMRead';
  /** Add the other phase's analog output (PosNegSeparate: one ADC for the sum). */
  addPrev: boolean;
  /** Apply the ADC stage (finalizeOutputValue); else return the analog output. */
  finalize: boolean;
  withNl: boolean;
  outNoise: boolean;
  outRounding: boolean;
  rand: RandomSource;
  weightNoiseStream: number;
  outputNoiseStream: number;
  outputRoundingStream: number;
}

/**
 * Arguments: w, xp (prepared inputs), rowIndex, irDrop, gRatio, rSeries, vOffsetWMin, wNoise,
 * nlFactor, outNeg, outNoiseStd, outStep, vOffset [nOut], nl [nOut]; prev when addPrev;
 * then gW/gOut/uOut (upload, [rows × nOut]) or the key arguments.
 * packed4: output ⌈nOut/4⌉ × rows texels; flat: thread (x = row, y = output group) → 4 values.
 */
export function analogSource(s: AnalogSpec): KernelSource {
  const args = ['w', 'xp', 'rowIndex', 'irDrop', 'gRatio', 'rSeries', 'vOffsetWMin', 'wNoise', 'nlFactor', 'outNeg', 'outNoiseStd', 'outStep', 'vOffset', 'nl'];
  if (s.addPrev) args.push('prev');
  const needW = s.wNoise !== 'None';
  if (s.rand === 'upload') {
    if (needW) args.push('gW');
    if (s.finalize && s.outNoise) args.push('gOut');
    if (s.finalize && s.outRounding) args.push('uOut');
  } else if (needW || (s.finalize && (s.outNoise || s.outRounding))) args.push(...KEY_ARGS);

  const packed = s.layout === 'packed4';
  const fwd = s.direction === 'forward';
  const K = Math.ceil(s.nIn / 4);
  const lines: string[] = [];
  // thread → active row a and first output o
  if (packed) lines.push('const g = this.thread.x;', 'const a = this.thread.y;');
  else lines.push('const a = this.thread.x;', 'const g = this.thread.y;');
  lines.push('const o = g * 4;', 'const row = rowIndex[a];');
  const xSum = s.voltageOffsets;
  const xSq = s.wNoise === 'AdditiveConstant';
  const acc = ['s'];
  if (s.irDrop) acc.push('cur', 'dr');
  if (s.wNoise === 'PCMRead') acc.push('wq');
  for (const name of acc) lines.push(`let ${name}0 = 0.0; let ${name}1 = 0.0; let ${name}2 = 0.0; let ${name}3 = 0.0;`);
  if (xSum) lines.push('let xs = 0.0;');
  if (xSq) lines.push('let xq = 0.0;');

  // the loop over the pass inputs, four at a time
  let loopHead: string[];
  let B: (m: number, c: number) => string;
  let X: (c: number) => string;
  let J: (c: number) => string;
  if (packed && fwd) {
    loopHead = [
      `for (let k = 0; k < ${K}; k++) {`,
      'const xv = xp[a][k];',
      'const w0 = w[o][k]; const w1 = w[o + 1][k]; const w2 = w[o + 2][k]; const w3 = w[o + 3][k];',
    ];
    B = (m, c) => `w${m}[${c}]`;
    X = (c) => `xv[${c}]`;
    J = (c) => `k * 4 + ${c}`;
  } else if (packed) {
    loopHead = [
      `for (let q = 0; q < ${K}; q++) {`,
      'const xv = xp[a][q];',
      'const w0 = w[q * 4][g]; const w1 = w[q * 4 + 1][g]; const w2 = w[q * 4 + 2][g]; const w3 = w[q * 4 + 3][g];',
    ];
    B = (m, c) => `w${c}[${m}]`;
    X = (c) => `xv[${c}]`;
    J = (c) => `q * 4 + ${c}`;
  } else if (fwd) {
    const S = K * 4;
    const WS = s.weightStride;
    loopHead = [
      `for (let jj = 0; jj < ${S}; jj += 4) {`,
      `const xv0 = xp[a * ${S} + jj]; const xv1 = xp[a * ${S} + jj + 1]; const xv2 = xp[a * ${S} + jj + 2]; const xv3 = xp[a * ${S} + jj + 3];`,
      `const r0 = o * ${WS} + jj; const r1 = r0 + ${WS}; const r2 = r1 + ${WS}; const r3 = r2 + ${WS};`,
    ];
    B = (m, c) => `w[r${m} + ${c}]`;
    X = (c) => `xv${c}`;
    J = (c) => `jj + ${c}`;
  } else {
    const S = K * 4;
    const WS = s.weightStride;
    loopHead = [
      `for (let jj = 0; jj < ${S}; jj += 4) {`,
      `const xv0 = xp[a * ${S} + jj]; const xv1 = xp[a * ${S} + jj + 1]; const xv2 = xp[a * ${S} + jj + 2]; const xv3 = xp[a * ${S} + jj + 3];`,
      `const r0 = jj * ${WS} + o; const r1 = r0 + ${WS}; const r2 = r1 + ${WS}; const r3 = r2 + ${WS};`,
    ];
    B = (m, c) => `w[r${c} + ${m}]`;
    X = (c) => `xv${c}`;
    J = (c) => `jj + ${c}`;
  }
  const body: string[] = [];
  for (let c = 0; c < 4; c++) {
    const x = X(c);
    const p = s.part === 'neg' ? `Math.min(${x}, 0.0)` : s.part === 'pos' ? `Math.max(${x}, 0.0)` : x;
    body.push(`const p${c} = ${p};`);
    if (s.irDrop) body.push(`const f${c} = p${c} * irDropInputFactor(${J(c)}, ${s.nIn});`);
  }
  if (xSum) body.push('xs = xs + p0; xs = xs + p1; xs = xs + p2; xs = xs + p3;');
  if (xSq) body.push('xq += p0 * p0 + p1 * p1 + p2 * p2 + p3 * p3;');
  for (let m = 0; m < 4; m++) {
    const terms = (f: (c: number) => string) => [0, 1, 2, 3].map(f).join(' + ');
    body.push(`s${m} += ${terms((c) => `${B(m, c)} * p${c}`)};`);
    if (s.irDrop) {
      body.push(`cur${m} += ${terms((c) => `Math.abs(${B(m, c)}) * Math.abs(p${c})`)};`);
      body.push(`dr${m} += ${terms((c) => `${B(m, c)} * f${c}`)};`);
    }
    if (s.wNoise === 'PCMRead') body.push(`wq${m} += ${terms((c) => `Math.abs(${B(m, c)}) * (p${c} * p${c})`)};`);
  }
  lines.push(...loopHead, ...body.map((l) => `  ${l}`), '}');

  // epilogue per output
  if (s.addPrev && packed) lines.push('const pv = prev[a][g];');
  const results: string[] = [];
  for (let m = 0; m < 4; m++) {
    const om = `o${m}`;
    lines.push(`const ${om} = o + ${m};`, `let y${m} = 0.0;`, `if (row >= 0 && ${om} < ${s.nOut}) {`);
    const e: string[] = [`const el${m} = row * ${s.nOut} + ${om};`, `let v${m} = s${m};`];
    if (s.irDrop) e.push(`v${m} = v${m} - irDropCoefficient(cur${m}, ${s.nIn}, gRatio) * (irDrop * dr${m});`);
    if (s.voltageOffsets) e.push(`v${m} = voltageOffsetOutput(v${m}, vOffset[${om}], rSeries, vOffsetWMin, xs);`);
    const sub = `2 * rnd + ${s.phase}`;
    const gw = s.rand === 'upload' ? `gW[a * ${s.nOut} + ${om}]` : normal(sub, s.weightNoiseStream, `el${m}`);
    if (s.wNoise === 'AdditiveConstant') e.push(`v${m} = v${m} + (wNoise * Math.sqrt(xq)) * ${gw};`);
    if (s.wNoise === 'PCMRead') e.push(`v${m} = v${m} + pcmReadNoiseStd(wNoise, wq${m}) * ${gw};`);
    if (s.addPrev) e.push(packed ? `v${m} = v${m} + pv[${m}];` : `v${m} = v${m} + prev[a * ${s.nOut} + ${om}];`);
    if (s.finalize) {
      let noise = '0.0';
      let shift = '0.0';
      if (s.outNoise) {
        const go = s.rand === 'upload' ? `gOut[a * ${s.nOut} + ${om}]` : normal(sub, s.outputNoiseStream, `el${m}`);
        e.push(`const on${m} = outNoiseStd * ${go};`);
        noise = `on${m}`;
      }
      if (s.outRounding) {
        const uo = s.rand === 'upload' ? `uOut[a * ${s.nOut} + ${om}]` : uniform(sub, s.outputRoundingStream, `el${m}`);
        e.push(`const os${m} = ${uo} - 0.5;`);
        shift = `os${m}`;
      }
      e.push(`v${m} = finalizeOutputValue(v${m}, ${s.withNl ? 1 : 0}, nlFactor, nl[${om}], outNeg, ${noise}, outStep, ${shift});`);
    }
    e.push(`y${m} = v${m};`);
    lines.push(...e.map((l) => `  ${l}`), '}');
    results.push(`y${m}`);
  }
  lines.push(`return [${results.join(', ')}];`);
  return { source: `function(${args.join(', ')}) {\n  ${lines.join('\n  ')}\n}`, args };
}
