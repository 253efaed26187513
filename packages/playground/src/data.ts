/**
 * The page's data, seeded: the tile view's weight matrix and inputs, and the
 * drift view's digit glyphs. Every number comes from core's counter-based
 * generator, stream PlaygroundData (layout in core rng.ts), so the Node test
 * (and anyone with the seed) rebuilds exactly what the page shows. Uploaded
 * matrices are parsed and checked here too.
 */
import { RandomStream, RandomStreamId, streamPermutation } from '@crossbar/core';
import { SettingError } from './settings.js';

export type Distribution = 'uniform' | 'normal';
export const DISTRIBUTIONS: readonly Distribution[] = ['uniform', 'normal'];

/** Values uniform in [−scale, scale], or normal with std `scale`. */
export interface DataSpec {
  dist: Distribution;
  scale: number;
}

/** Sub-streams of PlaygroundData (call 0). */
export const DataSub = { weights: 0, inputs: 1, glyphShapes: 2, glyphNoise: 3 } as const;

/**
 * rows × cols values of `spec`, row-major, float32: element i = row · cols + col of
 * stream (seed, PlaygroundData, call 0, sub), its uniform u → (2u − 1) · scale or its
 * normal g → g · scale.
 */
export function seededMatrix(seed: number, sub: number, rows: number, cols: number, spec: DataSpec): Float32Array {
  const stream = new RandomStream(seed, RandomStreamId.PlaygroundData, 0, sub);
  const n = rows * cols;
  const out = new Float32Array(n);
  if (spec.dist === 'normal') {
    const g = stream.fillNormal(new Float64Array(n));
    for (let i = 0; i < n; i++) out[i] = g[i]! * spec.scale;
  } else {
    const u = stream.fillUniform(new Float64Array(n));
    for (let i = 0; i < n; i++) out[i] = (2 * u[i]! - 1) * spec.scale;
  }
  return out;
}

/** A parsed matrix: row-major float32 values. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** The largest matrix the page takes (rows · cols), uploaded or generated. */
export const MAX_ELEMENTS = 1 << 20;

/**
 * A matrix from text: a JSON array of rows (`[[1, 2], [3, 4]]`, or one flat row
 * `[1, 2]`), or lines of numbers separated by commas, semicolons, tabs or spaces
 * (CSV; `#` starts a comment; a first line that is not numbers is a header and
 * skipped). Throws SettingError saying what is wrong and where.
 */
export function parseMatrix(text: string, what: string): Matrix {
  const trimmed = text.trim();
  if (trimmed === '') throw new SettingError(what, `${what}: the file is empty`);
  let rows: number[][];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new SettingError(what, `${what}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0) throw new SettingError(what, `${what}: expected a non-empty array of rows`);
    const nested = Array.isArray(parsed[0]);
    const raw = (nested ? parsed : [parsed]) as unknown[];
    rows = raw.map((row, i) => {
      if (!Array.isArray(row)) throw new SettingError(what, `${what}: row ${i + 1} is not an array`);
      return row.map((v, j) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new SettingError(what, `${what}: row ${i + 1}, column ${j + 1} is ${JSON.stringify(v)}, not a finite number`);
        }
        return v;
      });
    });
  } else {
    rows = [];
    const lines = trimmed.split(/\r?\n/);
    lines.forEach((line, i) => {
      const body = line.replace(/#.*/, '').trim();
      if (body === '') return;
      const cells = body.split(/[,;\t ]+/).filter((c) => c !== '');
      const values = cells.map(Number);
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        if (rows.length === 0 && i === lines.findIndex((l) => l.replace(/#.*/, '').trim() !== '')) return; // a header line
        throw new SettingError(what, `${what}: line ${i + 1}, column ${bad + 1} is "${cells[bad]}", not a finite number`);
      }
      rows.push(values);
    });
  }
  if (rows.length === 0) throw new SettingError(what, `${what}: no numbers found`);
  const cols = rows[0]!.length;
  if (cols === 0) throw new SettingError(what, `${what}: the first row is empty`);
  const ragged = rows.findIndex((r) => r.length !== cols);
  if (ragged >= 0) throw new SettingError(what, `${what}: row ${ragged + 1} has ${rows[ragged]!.length} values, the first row has ${cols}`);
  if (rows.length * cols > MAX_ELEMENTS) {
    throw new SettingError(what, `${what}: ${rows.length} × ${cols} is more than the page takes (${MAX_ELEMENTS} values)`);
  }
  const data = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => data.set(r, i * cols));
  return { rows: rows.length, cols, data };
}

// ---------------------------------------------------------------- digit glyphs

/** The drift view's task: 10 digit glyphs on an 8 × 8 grid. */
export const GLYPH_SIZE = 8;
export const GLYPH_PIXELS = GLYPH_SIZE * GLYPH_SIZE;
export const GLYPH_CLASSES = 10;

// 5 × 7 digit shapes (rows top to bottom, '#' = ink), placed on the 8 × 8 grid with a random shift.
const SHAPES: readonly string[][] = [
  ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  ['####.', '....#', '....#', '.###.', '....#', '....#', '####.'],
  ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
];

/** A labelled set of glyphs: x [count × 64] row-major, labels [count]. */
export interface GlyphSet {
  x: Float32Array;
  labels: Uint8Array;
  count: number;
}

/**
 * `count` noisy digit glyphs of split `split` (0 train, 1 test): sample k's class,
 * x shift (0 … 3) and y shift (0 … 1) from the uniforms 4k, 4k + 1, 4k + 2 of
 * PlaygroundData sub 2 + 2 · split; its pixels are ink (1) or background (0) plus
 * `noise` times the normals k · 64 … k · 64 + 63 of sub 3 + 2 · split.
 */
export function glyphSet(seed: number, split: 0 | 1, count: number, noise: number): GlyphSet {
  const shape = new RandomStream(seed, RandomStreamId.PlaygroundData, 0, DataSub.glyphShapes + 2 * split).fillUniform(new Float64Array(4 * count));
  const g = new RandomStream(seed, RandomStreamId.PlaygroundData, 0, DataSub.glyphNoise + 2 * split).fillNormal(new Float64Array(GLYPH_PIXELS * count));
  const x = new Float32Array(GLYPH_PIXELS * count);
  const labels = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const c = Math.min(GLYPH_CLASSES - 1, Math.floor(shape[4 * k]! * GLYPH_CLASSES));
    const dx = Math.min(3, Math.floor(shape[4 * k + 1]! * 4));
    const dy = Math.min(1, Math.floor(shape[4 * k + 2]! * 2));
    labels[k] = c;
    const rows = SHAPES[c]!;
    const o = k * GLYPH_PIXELS;
    for (let p = 0; p < GLYPH_PIXELS; p++) {
      const r = Math.floor(p / GLYPH_SIZE) - dy;
      const col = (p % GLYPH_SIZE) - dx;
      const ink = r >= 0 && r < 7 && col >= 0 && col < 5 && rows[r]![col] === '#' ? 1 : 0;
      x[o + p] = ink + noise * g[o + p]!;
    }
  }
  return { x, labels, count };
}

/** The training order of epoch `epoch`: a permutation of 0 … n − 1 from PlaygroundData call 1 + epoch, sub 0. */
export function epochOrder(seed: number, epoch: number, n: number): Uint32Array {
  return streamPermutation(new RandomStream(seed, RandomStreamId.PlaygroundData, 1 + epoch, 0), n);
}
