/**
 * Kernel sources of the pulsed update (aihwkit v.0.7.1 rpu_weight_updater.cpp,
 * with the ndarray engine's semantics and core's formulas, called by name):
 *
 *   walk    one thread per device (four on GL: the packed4 layout), the rows of
 *           one row block in order: each row's coincidences (core's
 *           signedTrainCoincidences over x's and d's 16-bit train words, or
 *           deterministicCoincidences of the deterministic factors), then the
 *           pulses one by one through the device's step formula, clipped to the
 *           bounds after each (constantStepPulse, linearStepPulse,
 *           expStepPulse, powStepPulse). ConstantStep with cycle-to-cycle noise
 *           sums the pulses of the block, else of each chunk of 32 rows, where
 *           core's summedPulsesApply says no bound can be reached
 *           (summedPulsesWeight).
 *   totals  the pulses of each device in the block (Σ_rows |n|).
 *
 * Noise (core rng.ts, RandomStreamId.UpdateStepNoise / UpdateStepNoiseSum;
 * the same numbers as the ndarray engine):
 *   'kernel'  the thread draws its table normals itself (philoxTableIndex into
 *             the normal-quantile table, passed as an argument);
 *   'upload'  the block's and chunks' summed noise comes as an array
 *             [9 × devices] (row 0 the block, row 1 + c chunk c); per-pulse
 *             noise either as per-device lists ('list': noise h0 … of device e
 *             from (offY[e], offX[e]) on, rows of LIST_WIDTH) or not at all
 *             ('stall': a device that needs it returns STALL and is walked
 *             again with its list).
 */
import type { PulsedDeviceKind } from '@crossbar/core';
import { RandomStreamId } from '@crossbar/core';
import type { Layout } from '../device.js';
import { roundUp4 } from '../device.js';
import { formulaName as fn } from './library.js';

/** What a walk returns for a device that needs per-pulse noise it was not given. */
export const STALL = -1e38;
/** Values per row of the per-pulse noise lists. */
export const LIST_WIDTH = 4096;

export type PerPulseNoise = 'none' | 'kernel' | 'stall' | 'list';

export interface WalkSpec {
  layout: Layout;
  inSize: number;
  outSize: number;
  /** 16-bit train words per row and column (stochastic pulse types); 0: deterministic factors. */
  words: number;
  device: PulsedDeviceKind;
  /** ConstantStep with cycle-to-cycle noise: blocks and chunks summed where allowed. */
  summed: boolean;
  /** Where the summed noise comes from (when summed). */
  sums: 'kernel' | 'upload';
  perPulse: PerPulseNoise;
  /** Each device's pulses in earlier row blocks of the call (the per-pulse noise ordinal) as an argument. */
  before: boolean;
  /**
   * Row-major arrays (X, D, sums, noise) read with a computed flat index (cpu mode: JavaScript
   * numbers are exact; gpu.js's CPU kernels index a 2D Input of changing size wrongly) instead of
   * as 2D Inputs (exact integer indexing where a float index would not be).
   */
  flatIndex: boolean;
}

/** Element (y, x) of a row-major array `width` wide, as the spec reads it. */
function at(s: Pick<WalkSpec, 'flatIndex'>, name: string, y: string, x: string, width: number | string): string {
  return s.flatIndex ? `${name}[(${y}) * ${width} + (${x})]` : `${name}[${y}][${x}]`;
}

export interface PulseKernelSource {
  source: string;
  args: string[];
}

/** The device scalars every walk takes (ExpStep's shape, LinearStep's noise kind), by argument name. */
export const DEVICE_SCALARS = ['std', 'multNoise', 'aUp', 'aDown', 'gammaUp', 'gammaDown', 'expA', 'expB', 'stdAdd', 'stdSlope', 'complexNoise'] as const;

const hasExtra = (kind: PulsedDeviceKind): boolean => kind === 'LinearStep' || kind === 'SoftBounds' || kind === 'PowStep';

/** One pulse of `sign` with noise `xi` on the device (a core formula). */
function step(kind: PulsedDeviceKind, m: string, xi: string): string {
  const v = `v${m}`;
  switch (kind) {
    case 'ConstantStep':
      return `${fn('constantStepPulse')}(${v}, sg${m}, su${m}, sd${m}, std, ${xi}, lo${m}, hi${m})`;
    case 'LinearStep':
    case 'SoftBounds':
      return `${fn('linearStepPulse')}(${v}, sg${m}, su${m}, sd${m}, ea${m}, eb${m}, std, ${xi}, multNoise, lo${m}, hi${m})`;
    case 'ExpStep':
      return `${fn('expStepPulse')}(${v}, sg${m}, su${m}, sd${m}, lo${m}, hi${m}, aUp, aDown, gammaUp, gammaDown, expA, expB, std, stdAdd, stdSlope, complexNoise, ${xi})`;
    case 'PowStep':
      return `${fn('powStepPulse')}(${v}, sg${m}, su${m}, sd${m}, ea${m}, eb${m}, lo${m}, hi${m}, std, ${xi})`;
  }
}

/**
 * A table normal drawn in the kernel: the line that computes its index (a float local: gpu.js
 * would compile the call inside an index as integer code) and the expression that reads it.
 */
function tableXi(local: string, sub: string, streamId: number, h: string): [string[], string] {
  return [[`const ${local} = philoxTableIndex(k0h, k0l, k1h, k1l, ${sub}, ${streamId}, call, ${h});`], `table[${local}]`];
}

/** The signed coincidences of device (i, j) in block row r, into `n${m}`. */
function count(s: WalkSpec, m: string, r: string): string[] {
  if (s.words === 0) return [`const n${m} = ${fn('deterministicCoincidences')}(${at(s, 'D', r, 'i', s.outSize)}, ${at(s, 'X', r, `j${m}`, s.inSize)});`];
  const lines = [`let n${m} = 0.0;`];
  for (let q = 0; q < s.words; q++) {
    const y = `${r} * ${s.words} + ${q}`;
    lines.push(`n${m} += ${fn('signedTrainCoincidences')}(${at(s, 'X', y, `j${m}`, s.inSize)}, ${at(s, 'D', y, 'i', s.outSize)});`);
  }
  return lines;
}

/** The pulses of rows [a, b) one by one, or (perPulse 'stall' with noise) a stall if any. */
function perPulse(s: WalkSpec, m: string, a: string, b: string): string[] {
  const noisy = s.perPulse !== 'none';
  // a chunk that is not summed has pulses: without their noise the device cannot go on
  if (s.perPulse === 'stall') return [`st${m} = 1.0;`];
  let xi = '0.0';
  let pre: string[] = [];
  if (s.perPulse === 'kernel') [pre, xi] = tableXi(`ti${m}`, `e${m}`, RandomStreamId.UpdateStepNoise, `h${m}`);
  else if (s.perPulse === 'list') {
    pre.push(`const t${m} = ox${m} + h${m} - hb${m};`, `const ty${m} = Math.floor(t${m} / ${LIST_WIDTH});`);
    xi = at(s, 'noise', `oy${m} + ty${m}`, `t${m} - ty${m} * ${LIST_WIDTH}`, LIST_WIDTH);
  }
  return [
    `for (let r = ${a}; r < ${b}; r++) {`,
    ...count(s, m, 'r').map((l) => `  ${l}`),
    `  if (n${m} !== 0.0) {`,
    `    const sg${m} = n${m} > 0.0 ? 1.0 : -1.0;`,
    `    const cn${m} = Math.abs(n${m});`,
    `    for (let p = 0; p < cn${m}; p++) {`,
    ...(noisy ? pre.map((l) => `      ${l}`) : []),
    `      v${m} = ${step(s.device, m, xi)};`,
    `      h${m} += 1.0;`,
    '    }',
    '  }',
    '}',
  ];
}

/** The block's walk of one device (suffix m); `valid` guards the padding. */
function element(s: WalkSpec, m: string, valid: string, read: (name: string) => string): string[] {
  const out: string[] = [`let v${m} = 0.0;`, `if (${valid}) {`];
  const body: string[] = [];
  body.push(`const e${m} = i * ${s.inSize} + j${m};`);
  body.push(`v${m} = ${read('w')};`);
  for (const [name, arg] of [
    ['lo', 'lo'],
    ['hi', 'hi'],
    ['su', 'su'],
    ['sd', 'sd'],
  ] as const) {
    body.push(`const ${name}${m} = ${read(arg)};`);
  }
  if (hasExtra(s.device)) body.push(`const ea${m} = ${read('ea')};`, `const eb${m} = ${read('eb')};`);
  body.push(`let h${m} = ${s.before ? `before[e${m}]` : '0.0'};`, `let st${m} = 0.0;`);
  if (s.perPulse === 'list') {
    body.push(`const oy${m} = offY[e${m}];`, `const ox${m} = offX[e${m}];`, `const hb${m} = h${m};`);
    body.push(`if (oy${m} < 0.0) {`, `  v${m} = ${read('prev')};`, '} else {');
  } else body.push('{');
  const walk: string[] = [];
  if (s.summed) {
    const size = s.outSize * s.inSize;
    const [blockPre, blockXi]: [string[], string] =
      s.sums === 'kernel' ? tableXi(`tb${m}`, '2 * r0', RandomStreamId.UpdateStepNoiseSum, `e${m}`) : [[], at(s, 'sums', '0', `e${m}`, size)];
    const [chunkPre, chunkXi]: [string[], string] =
      s.sums === 'kernel'
        ? tableXi(`tc${m}`, '2 * (r0 + c0) + 1', RandomStreamId.UpdateStepNoiseSum, `e${m}`)
        : [[], at(s, 'sums', '1 + Math.floor(c0 / 32)', `e${m}`, size)];
    const summed = (d: string, u: string, xi: string) => `${fn('summedPulsesWeight')}(v${m}, ${d}, ${u}, su${m}, sd${m}, std, ${xi}, lo${m}, hi${m})`;
    const apply = (d: string, u: string) => `${fn('summedPulsesApply')}(v${m}, ${d}, ${u}, su${m}, sd${m}, std, lo${m}, hi${m}) > 0.0`;
    walk.push(
      `let bd${m} = 0.0;`,
      `let bu${m} = 0.0;`,
      'for (let r = 0; r < rows; r++) {',
      ...count(s, m, 'r').map((l) => `  ${l}`),
      `  if (n${m} > 0.0) { bd${m} += n${m}; } else { bu${m} -= n${m}; }`,
      '}',
      `if (bd${m} + bu${m} > 0.0) {`,
      `  if (${apply(`bd${m}`, `bu${m}`)}) {`,
      ...blockPre.map((l) => `    ${l}`),
      `    v${m} = ${summed(`bd${m}`, `bu${m}`, blockXi)};`,
      `    h${m} += bd${m} + bu${m};`,
      '  } else {',
      '    for (let c0 = 0; c0 < rows; c0 += 32) {',
      '      const c1 = Math.min(c0 + 32, rows);',
      `      let cd${m} = 0.0;`,
      `      let cu${m} = 0.0;`,
      '      for (let r = c0; r < c1; r++) {',
      ...count(s, m, 'r').map((l) => `        ${l}`),
      `        if (n${m} > 0.0) { cd${m} += n${m}; } else { cu${m} -= n${m}; }`,
      '      }',
      `      if (cd${m} + cu${m} > 0.0) {`,
      `        if (${apply(`cd${m}`, `cu${m}`)}) {`,
      ...chunkPre.map((l) => `          ${l}`),
      `          v${m} = ${summed(`cd${m}`, `cu${m}`, chunkXi)};`,
      `          h${m} += cd${m} + cu${m};`,
      '        } else {',
      ...perPulse(s, m, 'c0', 'c1').map((l) => `          ${l}`),
      '        }',
      '      }',
      '    }',
      '  }',
      '}',
    );
  } else {
    walk.push(...perPulse(s, m, '0', 'rows'));
  }
  body.push(...walk.map((l) => `  ${l}`), '}');
  if (s.perPulse === 'stall') body.push(`if (st${m} > 0.0) { v${m} = ${STALL}; }`);
  out.push(...body.map((l) => `  ${l}`), '}');
  return out;
}

/** The matrix arguments a walk reads per device, in order. */
function matrixArgs(s: WalkSpec): string[] {
  const names = ['w', 'lo', 'hi', 'su', 'sd'];
  if (hasExtra(s.device)) names.push('ea', 'eb');
  if (s.perPulse === 'list') names.push('prev');
  return names;
}

/** The walk kernel's source and argument names (see the file comment). */
export function walkSource(s: WalkSpec): PulseKernelSource {
  const matrices = matrixArgs(s);
  const args = [...matrices, 'X', 'D', 'rows', 'r0', ...DEVICE_SCALARS];
  if (s.summed && s.sums === 'upload') args.push('sums');
  if (s.before) args.push('before');
  if (s.perPulse === 'list') args.push('offY', 'offX', 'noise');
  if ((s.summed && s.sums === 'kernel') || s.perPulse === 'kernel') args.push('k0h', 'k0l', 'k1h', 'k1l', 'call', 'table');
  return { source: kernelBody(s, matrices, args, (m, valid, read) => element(s, m, valid, read)), args };
}

/** The totals kernel: each device's pulses in the block, Σ_rows |n|. */
export function totalsSource(s: Pick<WalkSpec, 'layout' | 'inSize' | 'outSize' | 'words' | 'flatIndex'>): PulseKernelSource {
  const spec = { ...s, device: 'ConstantStep' as const, summed: false, sums: 'upload' as const, perPulse: 'none' as const, before: false };
  const args = ['X', 'D', 'rows'];
  const body = (m: string, valid: string): string[] => [
    `let v${m} = 0.0;`,
    `if (${valid}) {`,
    '  for (let r = 0; r < rows; r++) {',
    ...count(spec, m, 'r').map((l) => `    ${l}`),
    `    v${m} += Math.abs(n${m});`,
    '  }',
    '}',
  ];
  return { source: kernelBody(spec, [], args, body), args };
}

/** The kernel function around per-device code: four devices per thread (packed4) or one (flat). */
function kernelBody(
  s: Pick<WalkSpec, 'layout' | 'inSize' | 'outSize'>,
  matrices: string[],
  args: string[],
  device: (m: string, valid: string, read: (name: string) => string) => string[],
): string {
  const lines: string[] = [];
  if (s.layout === 'packed4') {
    lines.push('const i = this.thread.y;', 'const k = this.thread.x;');
    for (const n of matrices) lines.push(`const ${n}T = ${n}[i][k];`);
    for (let m = 0; m < 4; m++) {
      lines.push(`const j${m} = k * 4 + ${m};`);
      lines.push(...device(String(m), `i < ${s.outSize} && j${m} < ${s.inSize}`, (name) => `${name}T[${m}]`));
    }
    lines.push('return [v0, v1, v2, v3];');
  } else {
    const stride = roundUp4(s.inSize);
    lines.push(`const i = Math.floor(this.thread.x / ${stride});`, `const j = this.thread.x - i * ${stride};`, 'const j0 = j;');
    lines.push(...device('0', `i < ${s.outSize} && j < ${s.inSize}`, (name) => `${name}[this.thread.x]`));
    lines.push('return v0;');
  }
  return `function(${args.join(', ')}) {\n  ${lines.join('\n  ')}\n}`;
}
