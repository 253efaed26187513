/**
 * Kernel sources of the pulsed update (aihwkit v.0.7.1 rpu_weight_updater.cpp,
 * with the ndarray engine's semantics and core's formulas, called by name):
 *
 *   walk    one thread per device (four on GL: the packed4 layout), the rows of
 *           one row block in order: each row's coincidences, then the pulses
 *           one by one through the device's step formula, clipped to the
 *           bounds after each (constantStepPulse, linearStepPulse,
 *           expStepPulse, powStepPulse, softBoundsReferencePulse,
 *           powStepReferencePulse; PiecewiseStep: piecewiseStepPosition and
 *           piecewiseStepNode locate the weight among the nodes, the kernel
 *           reads the two nodes of the pulse's sign from its node arguments
 *           and piecewiseStepNodesPulse steps). ConstantStep with cycle-to-cycle noise
 *           sums the pulses of the block, else of each chunk of 32 rows, where
 *           core's summedPulsesApply says no bound can be reached
 *           (summedPulsesWeight).
 *   totals  the pulses of each device in the block.
 *
 * Pulse inputs, per block (pulsed-update.ts builds them with core's UpdateRowEncoder):
 *   stochastic     row-sliced trains: X[g·(K+1) + k][j] holds bit k of column j's
 *                  train in the 16 rows of group g (bit t: row 16g + t), and
 *                  X[g·(K+1) + K][j] their signs (bit t set: x negative); D alike.
 *                  A group's coincidences are core's slicedCoincidences (or the
 *                  same with bit operations, kernels/bits.ts), 16 rows at a time;
 *                  rows with pulses are walked with bitAt.
 *   deterministic  X[r][j], D[r][i] the factors of core's deterministicCoincidences.
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
  /** Row-sliced trains (stochastic pulse types), else the deterministic factors per row. */
  sliced: boolean;
  /**
   * How a group's coincidences are counted: core's float slicedCoincidences ('float', WebGL1), its
   * bit-operation twin slicedCoincidencesBits ('call': cpu, webgl2), or those operations written
   * into the kernel ('inline': webasm).
   */
  bits: 'float' | 'call' | 'inline';
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

const hasExtra = (kind: PulsedDeviceKind): boolean => kind === 'LinearStep' || kind === 'SoftBounds' || kind === 'PowStep' || kind === 'PowStepReference';
/** Devices with a reference conductance per element (the matrix argument `rf`). */
const hasReference = (kind: PulsedDeviceKind): boolean => kind === 'SoftBoundsReference' || kind === 'PowStepReference';
/** The node arguments of PiecewiseStep: the up and down nodes (1D) and the number of sections (nodes − 1). */
const PIECEWISE_ARGS = ['pwUp', 'pwDown', 'pwSections'] as const;

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
    case 'PiecewiseStep':
      // the nodes a = v[i], b = v[i + 1] of the pulse's sign (piecewiseLines reads them)
      return `${fn('piecewiseStepNodesPulse')}(${v}, sg${m}, ps${m}, pq${m}, pi${m}, pa${m}, pb${m}, std, ${xi}, lo${m}, hi${m})`;
    case 'SoftBoundsReference':
      return `${fn('softBoundsReferencePulse')}(${v}, sg${m}, su${m}, sd${m}, rf${m}, lo${m}, hi${m}, std, ${xi}, multNoise)`;
    case 'PowStepReference':
      return `${fn('powStepReferencePulse')}(${v}, sg${m}, su${m}, sd${m}, ea${m}, eb${m}, rf${m}, lo${m}, hi${m}, std, ${xi})`;
  }
}

/**
 * PiecewiseStep, before each pulse: the weight's position among the nodes and the two nodes
 * around it of the pulse's sign (float locals: gpu.js would compile a call inside an index as
 * integer code).
 */
function piecewiseLines(kind: PulsedDeviceKind, m: string): string[] {
  if (kind !== 'PiecewiseStep') return [];
  return [
    `const pq${m} = ${fn('piecewiseStepPosition')}(v${m}, lo${m}, hi${m}, pwSections);`,
    `const pi${m} = ${fn('piecewiseStepNode')}(pq${m}, pwSections);`,
    `const pj${m} = Math.min(pi${m} + 1.0, pwSections);`,
    `const ps${m} = sg${m} > 0.0 ? sd${m} : su${m};`,
    `const pa${m} = sg${m} > 0.0 ? pwDown[pi${m}] : pwUp[pi${m}];`,
    `const pb${m} = sg${m} > 0.0 ? pwDown[pj${m}] : pwUp[pj${m}];`,
  ];
}

/**
 * A table normal drawn in the kernel: the line that computes its index (a float local: gpu.js
 * would compile the call inside an index as integer code) and the expression that reads it.
 */
function tableXi(local: string, sub: string, streamId: number, h: string): [string[], string] {
  return [[`const ${local} = philoxTableIndex(k0h, k0l, k1h, k1l, ${sub}, ${streamId}, call, ${h});`], `table[${local}]`];
}

/** The per-pulse noise of pulse h of the device: the lines before the pulse and the expression. */
function pulseXi(s: WalkSpec, m: string): [string[], string] {
  if (s.perPulse === 'kernel') return tableXi(`ti${m}`, `e${m}`, RandomStreamId.UpdateStepNoise, `h${m}`);
  if (s.perPulse === 'list') {
    const pre = [`const t${m} = ox${m} + h${m} - hb${m};`, `const ty${m} = Math.floor(t${m} / ${LIST_WIDTH});`];
    return [pre, at(s, 'noise', `oy${m} + ty${m}`, `t${m} - ty${m} * ${LIST_WIDTH}`, LIST_WIDTH)];
  }
  return [[], '0.0'];
}

/** `count` pulses of sign `sg${m}` (> 0: down) one by one. */
function pulses(s: WalkSpec, m: string, count: string): string[] {
  const [pre, xi] = pulseXi(s, m);
  return [
    `for (let q = 0; q < ${count}; q++) {`,
    ...pre.map((l) => `  ${l}`),
    ...piecewiseLines(s.device, m).map((l) => `  ${l}`),
    `  v${m} = ${step(s.device, m, xi)};`,
    `  h${m} += 1.0;`,
    '}',
  ];
}

/**
 * Row-sliced trains: the coincidences of bit k in group g (32·down + up) into the local
 * `${name}`: core's slicedCoincidences (float arithmetic), slicedCoincidencesBits, or the same
 * bit operations written out (webasm: a helper call would run lane by lane outside its SIMD).
 */
function groupCount(s: WalkSpec, m: string, g: string, k: string, name: string): string[] {
  const row = (o: string) => `${g} * (K + 1) + ${o}`;
  const x = at(s, 'X', row(k), `j${m}`, s.inSize);
  const d = at(s, 'D', row(k), 'i', s.outSize);
  const xs = at(s, 'X', row('K'), `j${m}`, s.inSize);
  const ds = at(s, 'D', row('K'), 'i', s.outSize);
  if (s.bits !== 'inline') {
    const f = s.bits === 'call' ? 'slicedCoincidencesBits' : fn('slicedCoincidences');
    return [`const ${name} = ${f}(${x}, ${d}, ${xs}, ${ds});`];
  }
  const pop = (v: string, out: string) => [
    `let ${out} = ${v} - ((${v} >> 1) & 21845);`,
    `${out} = (${out} & 13107) + ((${out} >> 2) & 13107);`,
    `${out} = (${out} + (${out} >> 4)) & 3855;`,
    `${out} = (${out} + (${out} >> 8)) & 31;`,
  ];
  return [
    `let ${name} = 0.0;`,
    `const ${name}c = ${x} & ${d};`,
    `if (${name}c !== 0) {`,
    `  const ${name}s = ${name}c & (${xs} ^ ${ds});`,
    ...pop(`${name}c`, `${name}a`).map((l) => `  ${l}`),
    ...pop(`${name}s`, `${name}b`).map((l) => `  ${l}`),
    `  ${name} = 32 * (${name}a - ${name}b) + ${name}b;`,
    '}',
  ];
}

/**
 * Adds the down and up pulses of units [a, b) (groups of 16 rows, or rows) to the locals
 * `${dn}` and `${up}`.
 */
function totals(s: WalkSpec, m: string, a: string, b: string, dn: string, up: string): string[] {
  if (!s.sliced) {
    const n = `${fn('deterministicCoincidences')}(${at(s, 'D', 'u', 'i', s.outSize)}, ${at(s, 'X', 'u', `j${m}`, s.inSize)})`;
    return [`for (let u = ${a}; u < ${b}; u++) {`, `  const n${m} = ${n};`, `  if (n${m} > 0.0) { ${dn} += n${m}; } else { ${up} -= n${m}; }`, '}'];
  }
  return [
    `for (let u = ${a}; u < ${b}; u++) {`,
    '  for (let kb = 0; kb < K; kb++) {',
    ...groupCount(s, m, 'u', 'kb', `gc${m}`).map((l) => `    ${l}`),
    `    if (gc${m} > 0.0) {`,
    `      const gd${m} = Math.floor(gc${m} / 32);`,
    `      ${dn} += gd${m};`,
    `      ${up} += gc${m} - 32 * gd${m};`,
    '    }',
    '  }',
    '}',
  ];
}

/** The pulses of units [a, b) one by one, in row order; with perPulse 'stall' and noise, a stall. */
function perPulse(s: WalkSpec, m: string, a: string, b: string): string[] {
  // a chunk that is not summed has pulses: without their noise the device cannot go on
  if (s.perPulse === 'stall') return [`st${m} = 1.0;`];
  if (!s.sliced) {
    return [
      `for (let u = ${a}; u < ${b}; u++) {`,
      `  const n${m} = ${fn('deterministicCoincidences')}(${at(s, 'D', 'u', 'i', s.outSize)}, ${at(s, 'X', 'u', `j${m}`, s.inSize)});`,
      `  if (n${m} !== 0.0) {`,
      `    const sg${m} = n${m} > 0.0 ? 1.0 : -1.0;`,
      `    const cn${m} = Math.abs(n${m});`,
      ...pulses(s, m, `cn${m}`).map((l) => `    ${l}`),
      '  }',
      '}',
    ];
  }
  const bit = (name: 'X' | 'D', o: string) =>
    `${fn('bitAt')}(${at(s, name, `u * (K + 1) + ${o}`, name === 'X' ? `j${m}` : 'i', name === 'X' ? s.inSize : s.outSize)}, pw)`;
  const word = (name: 'X' | 'D', o: string) => at(s, name, `u * 2 + ${o}`, name === 'X' ? `j${m}` : 'i', name === 'X' ? s.inSize : s.outSize);
  // One bit per train (K = 1): the group's words read once and its rows with a pulse walked in
  // order — with integer bit operations (cpu, webasm) by the lowest set bit, else by halving the
  // words (exact in float32) until no coincidence is left.
  const single =
    s.bits !== 'float' && s.layout === 'flat'
      ? [
          'if (K === 1) {',
          `  let co${m} = ${word('X', '0')} & ${word('D', '0')};`,
          `  const ups${m} = co${m} & (${word('X', '1')} ^ ${word('D', '1')});`,
          '  for (let t = 0; t < 16; t++) {',
          `    if (co${m} === 0) { break; }`,
          `    const low${m} = co${m} & -co${m};`,
          `    const sg${m} = (ups${m} & low${m}) !== 0 ? -1.0 : 1.0;`,
          ...pulses(s, m, '1').map((l) => `    ${l}`),
          `    co${m} = co${m} ^ low${m};`,
          '  }',
          '} else {',
        ]
      : [
          'if (K === 1) {',
          `  let xa${m} = ${word('X', '0')};`,
          `  let da${m} = ${word('D', '0')};`,
          `  let xb${m} = ${word('X', '1')};`,
          `  let db${m} = ${word('D', '1')};`,
          '  for (let t = 0; t < 16; t++) {',
          `    if (xa${m} === 0.0 || da${m} === 0.0) { break; }`,
          `    const xa2${m} = Math.floor(xa${m} * 0.5);`,
          `    const da2${m} = Math.floor(da${m} * 0.5);`,
          `    const xb2${m} = Math.floor(xb${m} * 0.5);`,
          `    const db2${m} = Math.floor(db${m} * 0.5);`,
          `    if (xa${m} - 2.0 * xa2${m} > 0.0 && da${m} - 2.0 * da2${m} > 0.0) {`,
          `      const sg${m} = xb${m} - 2.0 * xb2${m} === db${m} - 2.0 * db2${m} ? 1.0 : -1.0;`,
          ...pulses(s, m, '1').map((l) => `      ${l}`),
          '    }',
          `    xa${m} = xa2${m};`,
          `    da${m} = da2${m};`,
          `    xb${m} = xb2${m};`,
          `    db${m} = db2${m};`,
          '  }',
          '} else {',
        ];
  // (no `continue`: gpu.js's CPU loops would skip the increment)
  return [
    `for (let u = ${a}; u < ${b}; u++) {`,
    ...single.map((l) => `  ${l}`),
    `  let any${m} = 0.0;`,
    '  for (let kb = 0; kb < K; kb++) {',
    ...groupCount(s, m, 'u', 'kb', `ga${m}`).map((l) => `    ${l}`),
    `    any${m} += ga${m};`,
    '  }',
    `  if (any${m} > 0.0) {`,
    '    let pw = 1.0;',
    '    for (let t = 0; t < 16; t++) {',
    `      let n${m} = 0.0;`,
    `      for (let kb = 0; kb < K; kb++) { n${m} += ${bit('X', 'kb')} * ${bit('D', 'kb')}; }`,
    `      if (n${m} > 0.0) {`,
    `        const sg${m} = ${bit('X', 'K')} === ${bit('D', 'K')} ? 1.0 : -1.0;`,
    ...pulses(s, m, `n${m}`).map((l) => `        ${l}`),
    '      }',
    '      pw = pw * 2.0;',
    '    }',
    '  }',
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
  if (hasReference(s.device)) body.push(`const rf${m} = ${read('rf')};`);
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
        ? tableXi(`tc${m}`, `2 * (r0 + ${s.sliced ? 16 : 1} * c0) + 1`, RandomStreamId.UpdateStepNoiseSum, `e${m}`)
        : [[], at(s, 'sums', `1 + Math.floor(c0 / ${s.sliced ? 2 : 32})`, `e${m}`, size)];
    const summed = (d: string, u: string, xi: string) => `${fn('summedPulsesWeight')}(v${m}, ${d}, ${u}, su${m}, sd${m}, std, ${xi}, lo${m}, hi${m})`;
    const apply = (d: string, u: string) => `${fn('summedPulsesApply')}(v${m}, ${d}, ${u}, su${m}, sd${m}, std, lo${m}, hi${m}) > 0.0`;
    // units: groups of 16 rows (sliced) or rows; a chunk of 32 rows is 2 groups or 32 rows
    const per = s.sliced ? 2 : 32;
    walk.push(
      `let bd${m} = 0.0;`,
      `let bu${m} = 0.0;`,
      ...totals(s, m, '0', 'units', `bd${m}`, `bu${m}`),
      `if (bd${m} + bu${m} > 0.0) {`,
      `  if (${apply(`bd${m}`, `bu${m}`)}) {`,
      ...blockPre.map((l) => `    ${l}`),
      `    v${m} = ${summed(`bd${m}`, `bu${m}`, blockXi)};`,
      `    h${m} += bd${m} + bu${m};`,
      '  } else {',
      `    for (let c0 = 0; c0 < units; c0 += ${per}) {`,
      `      const c1 = Math.min(c0 + ${per}, units);`,
      `      let cd${m} = 0.0;`,
      `      let cu${m} = 0.0;`,
      ...totals(s, m, 'c0', 'c1', `cd${m}`, `cu${m}`).map((l) => `      ${l}`),
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
    walk.push(...perPulse(s, m, '0', 'units'));
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
  if (hasReference(s.device)) names.push('rf');
  if (s.perPulse === 'list') names.push('prev');
  return names;
}

/** The walk kernel's source and argument names (see the file comment). */
export function walkSource(s: WalkSpec): PulseKernelSource {
  const matrices = matrixArgs(s);
  const args = [...matrices, 'X', 'D', 'units', 'K', 'r0', ...DEVICE_SCALARS];
  if (s.device === 'PiecewiseStep') args.push(...PIECEWISE_ARGS);
  if (s.summed && s.sums === 'upload') args.push('sums');
  if (s.before) args.push('before');
  if (s.perPulse === 'list') args.push('offY', 'offX', 'noise');
  if ((s.summed && s.sums === 'kernel') || s.perPulse === 'kernel') args.push('k0h', 'k0l', 'k1h', 'k1l', 'call', 'table');
  return { source: kernelBody(s, matrices, args, (m, valid, read) => element(s, m, valid, read)), args };
}

/** The totals kernel: each device's pulses in the block. */
export function totalsSource(s: Pick<WalkSpec, 'layout' | 'inSize' | 'outSize' | 'sliced' | 'bits' | 'flatIndex'>): PulseKernelSource {
  const spec: WalkSpec = { ...s, device: 'ConstantStep', summed: false, sums: 'upload', perPulse: 'none', before: false };
  const args = ['X', 'D', 'units', 'K'];
  const body = (m: string, valid: string): string[] => [
    `let v${m} = 0.0;`,
    `if (${valid}) {`,
    `  let dn${m} = 0.0;`,
    `  let up${m} = 0.0;`,
    ...totals(spec, m, '0', 'units', `dn${m}`, `up${m}`).map((l) => `  ${l}`),
    `  v${m} = dn${m} + up${m};`,
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
