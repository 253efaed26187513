/**
 * Reads Python class signatures such as aihwkit's documentation prints them
 * (`class aihwkit.simulator.configs.utils.IOParameters(is_perfect=False, ...)[source]`
 * or plain `IOParameters(is_perfect=False, ...)`), and compares them with our
 * config classes' field tables.
 */
import { expect } from 'vitest';
import { ConfigBase, pyName, type AnyConfigClass, type Field } from '../../src/index.js';

/** A Python default as written in a signature. */
export type PyValue =
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'enum'; enumName: string; member: string }
  | { kind: 'factory'; cls?: string }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'call'; cls: string; args: [string, PyValue][] };

export interface Signature {
  name: string;
  args: [string, PyValue][];
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '<') depth++;
    if (ch === ')' || ch === ']' || ch === '>') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function parsePyValue(raw: string): PyValue {
  const s = raw.trim().replace(/^-\s+/, '-'); // Sphinx prints "- 1.0"
  if (s === 'True' || s === 'False') return { kind: 'bool', value: s === 'True' };
  if (s === 'None') return { kind: 'none' };
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return { kind: 'number', value: Number(s) };
  const factory = /^<factory(?::(\w+))?>$/.exec(s);
  if (factory) return factory[1] ? { kind: 'factory', cls: factory[1] } : { kind: 'factory' };
  const en = /^(\w+)\.([A-Z_][A-Z0-9_]*)$/.exec(s);
  if (en) return { kind: 'enum', enumName: en[1]!, member: en[2]! };
  if (s.startsWith('[') && s.endsWith(']')) return { kind: 'list', items: splitTopLevel(s.slice(1, -1)).map(parsePyValue) };
  const call = /^(\w+)\((.*)\)$/.exec(s);
  if (call) return { kind: 'call', cls: call[1]!, args: parseArgs(call[2]!) };
  throw new Error(`cannot read the Python value ${raw}`);
}

function parseArgs(s: string): [string, PyValue][] {
  return splitTopLevel(s).map((a) => {
    const eq = a.indexOf('=');
    if (eq < 0) throw new Error(`argument without a default: ${a}`);
    return [a.slice(0, eq).trim(), parsePyValue(a.slice(eq + 1))];
  });
}

/** Every `Name(args)` signature in the text: Sphinx "class a.b.Name(args)[source]" lines or plain "Name(args)" lines. */
export function parseSignatures(text: string): Map<string, Signature> {
  const out = new Map<string, Signature>();
  for (const line of text.split('\n')) {
    const m = /^(?:class\s+[\w.]*\.)?([A-Z]\w*)\((.*)\)(?:\[source\])?\s*$/.exec(line.trim());
    if (!m || line.trim().startsWith('#')) continue;
    out.set(m[1]!, { name: m[1]!, args: parseArgs(m[2]!) });
  }
  return out;
}

/** "ONE_PASS" and "OnePass" (or "DOREFA" and "DoReFa") compare equal. */
export const normEnum = (s: string) => s.replace(/_/g, '').toLowerCase();

/** Checks one of our values against a Python default; returns a description of the mismatch or null. */
export function mismatch(field: Field, ours: unknown, py: PyValue): string | null {
  switch (py.kind) {
    case 'number':
      return field.kind === 'number' && Object.is(ours, py.value) ? null : `expected ${py.value}, got ${String(ours)}`;
    case 'bool':
      return field.kind === 'boolean' && ours === py.value ? null : `expected ${py.value}, got ${String(ours)}`;
    case 'enum':
      return field.kind === 'enum' && field.enumName === py.enumName && normEnum(String(ours)) === normEnum(py.member)
        ? null
        : `expected ${py.enumName}.${py.member}, got ${String(ours)}`;
    case 'list':
      return field.kind === 'numberList' &&
        Array.isArray(ours) &&
        ours.length === py.items.length &&
        py.items.every((it, i) => it.kind === 'number' && Object.is(it.value, ours[i]))
        ? null
        : `expected a list ${JSON.stringify(py.items)}, got ${JSON.stringify(ours)}`;
    case 'factory':
      if (field.kind === 'numberList') return null; // a default_factory list: its values are not in the signature
      if (field.kind === 'nestedList') return Array.isArray(ours) && ours.length === 0 ? null : `expected an empty list, got ${String(ours)}`;
      if (field.kind !== 'nested') return `expected a nested config, got a ${field.kind} field`;
      if (py.cls && !(ours instanceof ConfigBase && ours.constructor.name === py.cls)) {
        return `expected a default ${py.cls}, got ${String(ours)}`;
      }
      return null;
    case 'call': {
      if (field.kind !== 'nested' || !(ours instanceof ConfigBase) || ours.constructor.name !== py.cls) {
        return `expected a default ${py.cls}(...), got ${String(ours)}`;
      }
      return compareValues(ours.constructor as unknown as AnyConfigClass, ours, py.args, { partial: true }).join('; ') || null;
    }
    case 'none':
      return ours === null && (field.kind === 'derived' || field.kind === 'nested') ? null : `expected None, got ${String(ours)}`;
  }
}

/**
 * Compares a config instance's values with a signature's arguments. `partial`:
 * the signature lists only some fields (the others are not checked).
 * Returns the list of differences.
 */
export function compareValues(
  Cls: AnyConfigClass,
  instance: ConfigBase,
  args: [string, PyValue][],
  opts: { partial?: boolean; extras?: readonly string[] } = {},
): string[] {
  const problems: string[] = [];
  const ours = Object.entries(Cls.fields).map(([k, f]) => [pyName(k, f), k, f] as const);
  const byPy = new Map(ours.map(([py, k, f]) => [py, [k, f] as const]));
  for (const [py, value] of args) {
    const entry = byPy.get(py);
    if (!entry) {
      problems.push(`${Cls.configName} lacks aihwkit's field ${py}`);
      continue;
    }
    const [k, f] = entry;
    const m = mismatch(f, (instance as unknown as Record<string, unknown>)[k], value);
    if (m) problems.push(`${Cls.configName}.${k} (${py}): ${m}`);
  }
  if (!opts.partial) {
    const theirs = args.map(([py]) => py);
    const extra = ours.map(([py]) => py).filter((py) => !theirs.includes(py));
    expect(extra, `${Cls.configName}: fields aihwkit does not have`).toEqual([...(opts.extras ?? [])]);
    // Same order as aihwkit (that of dataclasses.asdict), extras at the end.
    expect(
      ours.map(([py]) => py).filter((py) => theirs.includes(py)),
      `${Cls.configName}: field order`,
    ).toEqual(theirs);
  }
  return problems;
}
