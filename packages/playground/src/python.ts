/**
 * The RPU config in Python: the aihwkit dict (rpuConfigToDict) as a Python
 * literal, a script that builds the same config object in aihwkit 0.7.1, and a
 * reader that takes such a literal (or JSON) back. The reader accepts what
 * Python's `repr` / `pprint` of a dict prints: quotes ' or ", True / False /
 * None, float('inf'), inf, nan, tuples, comments, and a leading `name =`.
 */
import { ConfigBase, pyName, rpuConfigToDict, RPU_CONFIG_CLASSES, type AnyConfigClass, type Field, type RPUConfig } from '@crossbar/core';
import { SettingError } from './settings.js';

// ---------------------------------------------------------------- writing

function pyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** Python's repr of a float: 0.06, 1.0, 1e-05, 2.5e+20 (exponent form below 1e-4 and from 1e16, as Python). */
function pyFloatRepr(x: number): string {
  const [mant, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

function pyNumber(x: number): string {
  if (Number.isNaN(x)) return "float('nan')";
  if (!Number.isFinite(x)) return x > 0 ? "float('inf')" : "float('-inf')";
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? String(x) : pyFloatRepr(x);
}

/**
 * A JSON-like value as a Python literal, dicts one key per line indented by 4.
 * Strings "inf" / "-inf" where the dict form writes infinities stay strings
 * unless `infinities` is set (then float('inf')): aihwkit's dataclasses take floats.
 */
export function toPythonLiteral(value: unknown, indent = 0, infinities = true): string {
  const pad = ' '.repeat(indent);
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') {
    if (infinities && (value === 'inf' || value === '-inf')) return `float('${value}')`;
    return pyString(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => toPythonLiteral(v, indent, infinities)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const inner = ' '.repeat(indent + 4);
    return `{\n${entries.map(([k, v]) => `${inner}${pyString(k)}: ${toPythonLiteral(v, indent + 4, infinities)}`).join(',\n')},\n${pad}}`;
  }
  return pyString(String(value));
}

/**
 * The aihwkit dict of `config` (rpuConfigToDict) as a Python literal, with each
 * number written as its field's Python type: int fields as ints, float fields as
 * floats (3.0, 1e-05, float('inf')), as `dataclasses.asdict` prints them.
 */
export function pythonDictLiteral(config: RPUConfig): string {
  return configLiteral(config, rpuConfigToDict(config), 0);
}

function configLiteral(c: ConfigBase, dict: Record<string, unknown>, indent: number): string {
  const cls = classOf(c);
  const self = c as unknown as Record<string, unknown>;
  const byPy = new Map(Object.entries(cls.fields).map(([k, f]) => [pyName(k, f), [k, f] as const]));
  const inner = ' '.repeat(indent + 4);
  const entries = Object.entries(dict).map(([py, v]) => {
    const known = byPy.get(py);
    if (!known) return `${inner}${pyString(py)}: ${toPythonLiteral(v, indent + 4)}`;
    const [key, field] = known;
    return `${inner}${pyString(py)}: ${fieldLiteral(field, self[key], v, indent + 4)}`;
  });
  return `{\n${entries.join(',\n')},\n${' '.repeat(indent)}}`;
}

function fieldLiteral(field: Field, value: unknown, dictValue: unknown, indent: number): string {
  switch (field.kind) {
    case 'nested':
      return value === null ? 'None' : configLiteral(value as ConfigBase, dictValue as Record<string, unknown>, indent);
    case 'number':
      return field.integer ? pyNumber(value as number) : Number.isFinite(value) ? pyFloatRepr(value as number) : pyNumber(value as number);
    case 'numberList':
      return `[${(value as number[]).map((x) => pyFloatRepr(x)).join(', ')}]`;
    case 'boolean':
      return value ? 'True' : 'False';
    case 'enum':
      return pyString(String(value));
    case 'nestedList': {
      const items = value as ConfigBase[];
      const dicts = dictValue as Record<string, unknown>[];
      return `[${items.map((c, i) => configLiteral(c, dicts[i]!, indent)).join(', ')}]`;
    }
    case 'derived':
      return 'None';
  }
}

/** Where aihwkit 0.7.1 has each class (the names our config classes carry). */
const MODULE_OF: Record<string, string> = {
  PCMLikeNoiseModel: 'aihwkit.inference',
  GlobalDriftCompensation: 'aihwkit.inference',
  SinglePairConductanceConverter: 'aihwkit.inference',
};
const CONFIGS = 'aihwkit.simulator.configs';

function classOf(c: ConfigBase): AnyConfigClass {
  return c.constructor as unknown as AnyConfigClass;
}

interface ScriptState {
  lines: string[];
  imports: Map<string, Set<string>>;
}

function use(state: ScriptState, name: string): string {
  const mod = MODULE_OF[name] ?? CONFIGS;
  if (!state.imports.has(mod)) state.imports.set(mod, new Set());
  state.imports.get(mod)!.add(name);
  return name;
}

function leafValue(state: ScriptState, field: Field, v: unknown): string {
  switch (field.kind) {
    case 'enum':
      return `${use(state, field.enumName)}(${pyString(String(v))})`;
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return field.integer ? pyNumber(v as number) : Number.isFinite(v) ? pyFloatRepr(v as number) : pyNumber(v as number);
    case 'numberList':
      return `[${(v as number[]).map((x) => pyFloatRepr(x)).join(', ')}]`;
    case 'derived':
      return 'None';
    default:
      return toPythonLiteral(v);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof ConfigBase || b instanceof ConfigBase) return a instanceof ConfigBase && b instanceof ConfigBase && a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  return Object.is(a, b);
}

/** The PCM noise model as aihwkit 0.7.1's constructor call (g_max, g_min go to its conductance converter). */
function noiseModelCall(state: ScriptState, model: ConfigBase): string {
  const cls = classOf(model);
  const fresh = new (cls as unknown as new () => ConfigBase)();
  const self = model as unknown as Record<string, unknown>;
  const dflt = fresh as unknown as Record<string, unknown>;
  const args: string[] = [];
  const converter: string[] = [];
  for (const [key, field] of Object.entries(cls.fields)) {
    if (sameValue(self[key], dflt[key])) continue;
    const text = `${pyName(key, field)}=${leafValue(state, field, self[key])}`;
    if (key === 'gMax' || key === 'gMin') converter.push(text);
    else args.push(text);
  }
  if (converter.length) args.unshift(`g_converter=${use(state, 'SinglePairConductanceConverter')}(${converter.join(', ')})`);
  return `${use(state, cls.configName)}(${args.join(', ')})`;
}

/** Assignments `path.field = value` for every field of `config` that differs from `defaults`. */
function assignments(state: ScriptState, config: ConfigBase, defaults: ConfigBase, path: string): void {
  const cls = classOf(config);
  const self = config as unknown as Record<string, unknown>;
  const dflt = defaults as unknown as Record<string, unknown>;
  for (const [key, field] of Object.entries(cls.fields)) {
    const v = self[key];
    const d = dflt[key];
    const target = `${path}.${pyName(key, field)}`;
    if (field.since) {
      if (!sameValue(v, d)) state.lines.push(`# ${target} = ${leafValue(state, field, v)}  # not in aihwkit 0.7.1's Python config (${field.since})`);
      continue;
    }
    if (field.kind === 'nestedList') {
      // A unit cell's devices: the list of classes, then each device's fields.
      const items = v as ConfigBase[];
      const was = d as ConfigBase[];
      if (items.length === was.length && items.every((c, i) => c.equals(was[i]))) continue;
      state.lines.push(`${target} = [${items.map((c) => `${use(state, classOf(c).configName)}()`).join(', ')}]`);
      items.forEach((c, i) => assignments(state, c, new (classOf(c) as unknown as new () => ConfigBase)(), `${target}[${i}]`));
      continue;
    }
    if (field.kind !== 'nested') {
      if (!sameValue(v, d)) state.lines.push(`${target} = ${leafValue(state, field, v)}`);
      continue;
    }
    if (v === null) {
      if (d !== null) state.lines.push(`${target} = None`);
      continue;
    }
    const c = v as ConfigBase;
    const name = classOf(c).configName;
    if (name === 'PCMLikeNoiseModel') {
      if (!sameValue(c, d)) state.lines.push(`${target} = ${noiseModelCall(state, c)}`);
      continue;
    }
    if (d === null || !(d instanceof ConfigBase) || classOf(d) !== classOf(c)) {
      state.lines.push(`${target} = ${use(state, name)}()`);
      assignments(state, c, new (classOf(c) as unknown as new () => ConfigBase)(), target);
      continue;
    }
    assignments(state, c, d, target);
  }
}

/** A Python script that builds `config` in aihwkit 0.7.1: the class, then each field that differs from its default. */
export function aihwkitScript(config: RPUConfig): string {
  const cls = classOf(config);
  const state: ScriptState = { lines: [], imports: new Map() };
  use(state, cls.configName);
  assignments(state, config, new (cls as unknown as new () => ConfigBase)(), 'rpu_config');
  const imports = [...state.imports.entries()]
    .sort(([a], [b]) => (a === CONFIGS ? -1 : b === CONFIGS ? 1 : a.localeCompare(b)))
    .map(([mod, names]) => `from ${mod} import ${[...names].sort().join(', ')}`);
  return ["# aihwkit 0.7.1: the playground's RPU config", ...imports, '', `rpu_config = ${cls.configName}()`, ...state.lines, ''].join('\n');
}

// ---------------------------------------------------------------- reading

type Token = { kind: 'punct'; value: string; pos: number } | { kind: 'value'; value: unknown; pos: number };

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return `line ${line}, column ${pos - before.lastIndexOf('\n')}`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const err = (pos: number, what: string): never => {
    throw new SettingError('dict', `config dict: ${what} at ${lineCol(text, pos)}`);
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if ('{}[](),:'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch, pos: i });
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const start = i++;
      let s = '';
      while (i < text.length && text[i] !== ch) {
        if (text[i] === '\n') err(start, 'a string that does not end on its line');
        if (text[i] === '\\') {
          const n = text[i + 1];
          s += n === 'n' ? '\n' : n === 't' ? '\t' : (n ?? '');
          i += 2;
        } else s += text[i++];
      }
      if (i >= text.length) err(start, 'a string that does not end');
      i++;
      tokens.push({ kind: 'value', value: s, pos: start });
      continue;
    }
    const num = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      tokens.push({ kind: 'value', value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const word = /^[+-]?[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (word) {
      const w = word[0];
      const start = i;
      i += w.length;
      const bare = w.replace(/^[+-]/, '');
      const sign = w.startsWith('-') ? -1 : 1;
      if (bare === 'True' || bare === 'true') tokens.push({ kind: 'value', value: true, pos: start });
      else if (bare === 'False' || bare === 'false') tokens.push({ kind: 'value', value: false, pos: start });
      else if (bare === 'None' || bare === 'null') tokens.push({ kind: 'value', value: null, pos: start });
      else if (bare === 'inf' || bare === 'math.inf' || bare === 'Infinity' || bare === 'np.inf') tokens.push({ kind: 'value', value: sign * Infinity, pos: start });
      else if (bare === 'nan' || bare === 'math.nan' || bare === 'NaN') tokens.push({ kind: 'value', value: NaN, pos: start });
      else if (bare === 'float') {
        // float('inf'), float("-inf"), float('nan')
        const call = /^\(\s*(['"])([+-]?[a-zA-Z]+)\1\s*\)/.exec(text.slice(i));
        const v = call ? call[2]!.toLowerCase() : '';
        const value = v === 'inf' || v === '+inf' || v === 'infinity' ? Infinity : v === '-inf' || v === '-infinity' ? -Infinity : v === 'nan' ? NaN : undefined;
        if (!call || value === undefined) err(start, "float(...) other than float('inf'), float('-inf') or float('nan')");
        tokens.push({ kind: 'value', value: sign * value!, pos: start });
        i += call![0].length;
      } else err(start, `"${w}" (only dict literals are read: strings, numbers, True, False, None, float('inf'))`);
      continue;
    }
    err(i, `unexpected "${ch}"`);
  }
  return tokens;
}

/**
 * Reads a dict written as a Python literal or JSON (a leading `rpu_config_dict =`
 * is skipped). Infinities become the dict form's "inf" / "-inf". Throws SettingError
 * with the line and column of what it could not read.
 */
export function parseDictText(text: string): Record<string, unknown> {
  const body = text.replace(/^\s*[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)/, '');
  const offset = text.length - body.length;
  const tokens = tokenize(body);
  let k = 0;
  const where = (t: Token | undefined): string => (t ? lineCol(text, t.pos + offset) : 'the end');
  const fail = (t: Token | undefined, what: string): never => {
    throw new SettingError('dict', `config dict: ${what} at ${where(t)}`);
  };
  const expectPunct = (p: string): void => {
    const t = tokens[k];
    if (!t || t.kind !== 'punct' || t.value !== p) fail(t, `expected "${p}"`);
    k++;
  };
  const peekPunct = (p: string): boolean => {
    const t = tokens[k];
    return t !== undefined && t.kind === 'punct' && t.value === p;
  };
  const value = (): unknown => {
    const t = tokens[k];
    if (!t) return fail(t, 'a value is missing');
    if (t.kind === 'value') {
      k++;
      const v = t.value;
      if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
      return v;
    }
    if (t.value === '{') {
      k++;
      const out: Record<string, unknown> = {};
      while (!peekPunct('}')) {
        const key = tokens[k];
        if (!key || key.kind !== 'value' || typeof key.value !== 'string') fail(key, 'expected a quoted key');
        k++;
        expectPunct(':');
        out[(key as { value: string }).value] = value();
        if (!peekPunct('}')) expectPunct(',');
      }
      k++;
      return out;
    }
    if (t.value === '[' || t.value === '(') {
      const close = t.value === '[' ? ']' : ')';
      k++;
      const out: unknown[] = [];
      while (!peekPunct(close)) {
        out.push(value());
        if (!peekPunct(close)) expectPunct(',');
      }
      k++;
      return out;
    }
    return fail(t, `unexpected "${t.value}"`);
  };
  if (tokens.length === 0) throw new SettingError('dict', 'config dict: the text is empty');
  const first = tokens[0]!;
  if (first.kind !== 'punct' || first.value !== '{') fail(first, 'expected a dict starting with "{"');
  const result = value() as Record<string, unknown>;
  if (k < tokens.length) fail(tokens[k], 'unexpected text after the dict');
  return result;
}

/** The RPU config class names a dict may have as "type". */
export const RPU_CONFIG_NAMES: readonly string[] = RPU_CONFIG_CLASSES.map((c) => c.configName);
