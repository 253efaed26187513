/**
 * The oracle's file format (oracle/README.md in this package): cases, aihwkit's results,
 * and the nested-array numbers they hold. Numbers are float32 written as
 * decimals (read with Math.fround); non-finite values are the strings "nan",
 * "inf" and "-inf".
 */

/** The kinds of oracle case. */
export const ORACLE_KINDS = ['forward', 'backward', 'update', 'drift', 'modifier', 'clip', 'remap', 'd2d', 'lifecycle'] as const;
export type OracleKind = (typeof ORACLE_KINDS)[number];

/** A number as the oracle files write it. */
export type OracleNumber = number | 'nan' | 'inf' | '-inf';
/** A nested array of oracle numbers ([rep][batch][out], ...). */
export type OracleArray = OracleNumber | OracleArray[];

/** One case of `cases/*.json`: aihwkit's snake_case config, inputs and optional seed and reps. */
export interface OracleCase {
  name: string;
  kind: OracleKind;
  config: Record<string, unknown>;
  seed?: number;
  reps?: number;
  weights?: OracleArray;
  inputs?: OracleArray;
  x?: OracleArray;
  d?: OracleArray;
  hidden_parameters?: Record<string, OracleArray>;
  [key: string]: unknown;
}

/** One result: what aihwkit gave (`expected/*.json`), or what `runOracleCase` gives for an engine. */
export interface OracleResult {
  name: string;
  kind: OracleKind;
  ok: boolean;
  /** Set when ok is false: "<ErrorClass>: <message>". */
  error?: string;
  /** Set by runOracleCase when ok is false: the error's class name. */
  error_type?: string;
  seed?: number;
  reps?: number;
  seconds?: number;
  [key: string]: unknown;
}

/** A named oracle file: its cases and, paired by position and name, aihwkit's results. */
export interface OracleFile {
  /** File stem, e.g. "forward_det". */
  file: string;
  cases: OracleCase[];
  expected: OracleResult[];
}

export interface Oracle {
  /** Where it was read from (a directory or URL), for messages. */
  source: string;
  files: OracleFile[];
}

/** A case of the oracle with its file, and aihwkit's result. */
export interface OracleEntry {
  /** "file/case", the id skips and reports use. */
  id: string;
  file: string;
  case: OracleCase;
  expected: OracleResult;
}

/** A problem with the oracle data itself (not with an engine). */
export class OracleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OracleFormatError';
  }
}

/** The oracle file stems this package ships (used where a directory cannot be listed, as over HTTP). */
export const DEFAULT_ORACLE_FILES = [
  'forward_det',
  'forward_sto',
  'backward_det',
  'backward_sto',
  'edge',
  'update_det',
  'update_sto',
  'drift',
  'modifier',
  'clip_remap',
  'devices',
  'compounds',
  'd2d',
  'lifecycle',
] as const;

// ---------------------------------------------------------------- numbers

/** An oracle number as a JS number (float32 value). */
export function decodeNumber(v: unknown, where: string): number {
  if (typeof v === 'number') return Math.fround(v);
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new OracleFormatError(`${where}: expected a number, "nan", "inf" or "-inf", got ${JSON.stringify(v)}`);
}

/** A JS number as an oracle number (non-finite as strings, so JSON keeps them). */
export function encodeNumber(x: number): OracleNumber {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return x;
}

/**
 * The shortest decimal that reads back (with Math.fround) as the same float32,
 * as the oracle files write numbers. (More digits never break the round trip,
 * so the digit count is found by bisection.)
 */
export function float32Shortest(x: number): OracleNumber {
  if (!Number.isFinite(x)) return encodeNumber(x);
  const f = Math.fround(x);
  if (f === 0 || Number.isInteger(f)) return f;
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(f.toPrecision(mid))) === f) hi = mid;
    else lo = mid + 1;
  }
  return Number(f.toPrecision(lo));
}

/**
 * JSON text of an oracle result as the oracle files write it: array values as
 * shortest float32 decimals, non-finite values as strings.
 */
export function stringifyOracleResult(result: unknown, indent?: number): string {
  return JSON.stringify(
    result,
    (key, value: unknown) => (typeof value === 'number' && key !== 'seconds' && !Number.isInteger(value) ? float32Shortest(value) : value),
    indent,
  );
}

// ---------------------------------------------------------------- nested arrays

/** A dense array: its values (float32 values as numbers, non-finite allowed) and shape. */
export interface Dense {
  data: Float64Array;
  shape: number[];
}

/** Reads a nested oracle array into a dense array, checking that it is rectangular. */
export function toDense(value: unknown, where: string): Dense {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  let pos = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new OracleFormatError(`${where}${path}: array nested deeper than its siblings`);
      data[pos++] = decodeNumber(v, `${where}${path}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new OracleFormatError(`${where}${path}: not a rectangular array of shape [${shape.join(', ')}]`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, '');
  return { data, shape };
}

/** A rows × cols matrix from the case as a Float32Array, checked. */
export function matrixFromCase(value: unknown, where: string, cols?: number): { data: Float32Array; rows: number; cols: number } {
  const dense = toDense(value, where);
  if (dense.shape.length !== 2) throw new OracleFormatError(`${where}: expected a 2-d array, got shape [${dense.shape.join(', ')}]`);
  const [r, c] = dense.shape as [number, number];
  if (cols !== undefined && c !== cols) throw new OracleFormatError(`${where}: expected ${cols} columns, got ${c}`);
  return { data: Float32Array.from(dense.data), rows: r, cols: c };
}

/** Nests flat values into the given shape, encoding non-finite values as strings. */
export function nest(data: ArrayLike<number>, shape: readonly number[]): OracleArray {
  let pos = 0;
  const build = (depth: number): OracleArray => {
    if (depth === shape.length) return encodeNumber(data[pos++]!);
    const out: OracleArray[] = new Array(shape[depth]!);
    for (let i = 0; i < shape[depth]!; i++) out[i] = build(depth + 1);
    return out;
  };
  if (shape.length === 0) return encodeNumber(data[0]!);
  return build(0);
}

/** Stacks equally-sized arrays along a new first axis. */
export function stack(parts: readonly ArrayLike<number>[], partShape: readonly number[]): Dense {
  const size = partShape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(parts.length * size);
  parts.forEach((p, k) => {
    if (p.length !== size) throw new OracleFormatError(`stack: part ${k} has ${p.length} values, expected ${size}`);
    for (let i = 0; i < size; i++) data[k * size + i] = p[i]!;
  });
  return { data, shape: [parts.length, ...partShape] };
}

/** A flat index as "[i][j]..." for messages. */
export function indexPath(flat: number, shape: readonly number[]): string {
  const idx: number[] = new Array(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
  }
  return idx.map((i) => `[${i}]`).join('');
}

// ---------------------------------------------------------------- pairing files

/** Pairs the cases of one file with aihwkit's results, checking names and kinds. */
export function pairOracleFile(file: string, casesJson: unknown, expectedJson: unknown): OracleFile {
  const cases = (casesJson as { cases?: unknown })?.cases;
  const results = (expectedJson as { results?: unknown })?.results;
  if (!Array.isArray(cases)) throw new OracleFormatError(`cases/${file}.json: expected {"cases": [...]}`);
  if (!Array.isArray(results)) throw new OracleFormatError(`expected/${file}.json: expected {"results": [...]}`);
  if (cases.length !== results.length) {
    throw new OracleFormatError(`${file}: ${cases.length} cases but ${results.length} expected results`);
  }
  cases.forEach((c: OracleCase, i) => {
    const r = results[i] as OracleResult;
    if (!c || typeof c.name !== 'string' || !ORACLE_KINDS.includes(c.kind)) {
      throw new OracleFormatError(`cases/${file}.json case ${i}: needs a name and a kind (one of ${ORACLE_KINDS.join(', ')})`);
    }
    if (!r || r.name !== c.name || r.kind !== c.kind) {
      throw new OracleFormatError(`${file}: case ${i} is "${c.name}" (${c.kind}) but its expected result is "${r?.name}" (${r?.kind})`);
    }
    if (c.config === null || typeof c.config !== 'object') throw new OracleFormatError(`${file}/${c.name}: config must be an object`);
  });
  return { file, cases: cases as OracleCase[], expected: results as OracleResult[] };
}

/** Every case of the oracle with its id "file/case". */
export function oracleEntries(oracle: Oracle): OracleEntry[] {
  const out: OracleEntry[] = [];
  const seen = new Set<string>();
  for (const f of oracle.files) {
    f.cases.forEach((c, i) => {
      const id = `${f.file}/${c.name}`;
      if (seen.has(id)) throw new OracleFormatError(`${id}: two cases with the same name`);
      seen.add(id);
      out.push({ id, file: f.file, case: c, expected: f.expected[i]! });
    });
  }
  return out;
}

/** What loadOracleWithFetch needs of a fetch response. */
export interface OracleFetchResponse {
  ok: boolean;
  status: number;
  /** The body parsed as JSON. */
  json(): Promise<unknown>;
  /** The body as bytes (a gzipped oracle file). */
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Gunzips bytes with the platform's DecompressionStream (browsers, Node 18+). */
async function gunzip(bytes: ArrayBuffer): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/**
 * Reads the oracle through a fetch function (a browser page, or any source of
 * the files): `${baseUrl}/cases/<file>.json.gz` and `${baseUrl}/expected/<file>.json.gz`
 * as this package ships them, or the plain `.json` files with `gzip: false`.
 */
export async function loadOracleWithFetch(
  baseUrl: string,
  options: { files?: readonly string[]; gzip?: boolean; fetch?: (url: string) => Promise<OracleFetchResponse> } = {},
): Promise<Oracle> {
  const fetchFn = options.fetch ?? (globalThis.fetch as unknown as NonNullable<typeof options.fetch>);
  if (typeof fetchFn !== 'function') throw new OracleFormatError('loadOracleWithFetch: no fetch function here; pass options.fetch');
  const gzip = options.gzip ?? true;
  const base = baseUrl.replace(/\/+$/, '');
  const files: OracleFile[] = [];
  for (const file of options.files ?? DEFAULT_ORACLE_FILES) {
    const get = async (sub: string): Promise<unknown> => {
      const url = `${base}/${sub}/${file}.json${gzip ? '.gz' : ''}`;
      const res = await fetchFn(url);
      if (!res.ok) throw new OracleFormatError(`loadOracleWithFetch: ${url} answered HTTP ${res.status}`);
      if (!gzip) return res.json();
      const text = await gunzip(await res.arrayBuffer()).catch((e: unknown) => {
        throw new OracleFormatError(`loadOracleWithFetch: ${url} is not gzipped (${(e as Error).message})`);
      });
      return JSON.parse(text);
    };
    files.push(pairOracleFile(file, await get('cases'), await get('expected')));
  }
  return { source: base, files };
}
