/**
 * The machinery behind every config class: a field table (name, kind, default,
 * allowed range, doc) from which construction, validation, printing, cloning
 * and the aihwkit dict form are all derived, so that no class repeats them.
 *
 * Errors: every refusal is a ConfigError whose message names the outermost
 * config, the path to the field, the config class that owns the field, the
 * field (camelCase and aihwkit's snake_case name), the refused value and what
 * is allowed; `error.detail` carries the same as data.
 */
import { ConfigError } from '../errors.js';
import { ENUMS, type EnumName } from '../enums.js';

interface FieldCommon {
  /** What the field means (from aihwkit's docstrings). */
  readonly doc: string;
  /** aihwkit's snake_case name, when it is not the mechanical snake_case of the key. */
  readonly py?: string;
  /**
   * Set for fields that aihwkit 0.7.1's Python dataclass does not have: says
   * where they come from (aihwkit's C++ parameters, or a later aihwkit version).
   */
  readonly since?: string;
}

/** A numeric config field: default, doc, range and integer-ness. */
export interface NumberField extends FieldCommon {
  readonly kind: 'number';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
  /** Whether ±Infinity is allowed ("inf" in dicts). NaN never is. */
  readonly allowInfinity?: boolean;
}

/** A boolean config field. */
export interface BooleanField extends FieldCommon {
  readonly kind: 'boolean';
  readonly default: boolean;
}

/** A config field holding one value of an aihwkit enum. */
export interface EnumField<E extends string = string> extends FieldCommon {
  readonly kind: 'enum';
  readonly enumName: EnumName;
  readonly values: readonly E[];
  readonly default: E;
}

/** A config field holding a list of numbers. */
export interface NumberListField extends FieldCommon {
  readonly kind: 'numberList';
  readonly default: readonly number[];
  readonly minLength?: number;
}

/** A nested config; `classes` lists the config classes allowed here (a device, a noise model). */
export interface NestedField<C = unknown> extends FieldCommon {
  readonly kind: 'nested';
  /** The config classes a value of this field may be. */
  readonly classes: () => readonly AnyConfigClass[];
  /** Makes the field's default value. */
  readonly create: () => C;
  readonly nullable?: boolean;
  /** Whether the dict form names the class with a "type" key (devices, noise models). */
  readonly typed?: boolean;
}

/**
 * A list of nested configs, each naming its class with a "type" key in the
 * dict form (a unit cell's `unit_cell_devices`).
 */
export interface NestedListField<C = unknown> extends FieldCommon {
  readonly kind: 'nestedList';
  /** The config classes an element of the list may be. */
  readonly classes: () => readonly AnyConfigClass[];
  /** Makes the field's default value. */
  readonly create: () => C[];
}

/**
 * A field that aihwkit's dataclass has but computes itself (it is `None` in
 * the dataclass and overwritten when the device is built, e.g.
 * SoftBoundsPmaxDevice's w_min): only null is accepted, so that a value set
 * here is never silently replaced; `doc` says where the value comes from.
 */
export interface DerivedField extends FieldCommon {
  readonly kind: 'derived';
  readonly default: null;
}

/** Any config field description. */
export type Field = NumberField | BooleanField | EnumField | NumberListField | NestedField | NestedListField | DerivedField;
/** A config class's field table: camelCase name → field. */
export type Spec = Readonly<Record<string, Field>>;

type FieldValue<F> = F extends NumberField
  ? number
  : F extends BooleanField
    ? boolean
    : F extends EnumField<infer E>
      ? E
      : F extends NumberListField
        ? number[]
        : F extends NestedField<infer C>
          ? C
          : F extends NestedListField<infer C>
            ? C[]
            : F extends DerivedField
              ? null
              : never;

type FieldInit<F> = F extends NestedField<infer C> ? C | ConfigInitOf<C> : FieldValue<F>;

/** The values of a field table (what a config instance holds). */
export type SpecValues<S extends Spec> = { -readonly [K in keyof S]: FieldValue<S[K]> };
/** The init object of a field table: any subset of its fields, nested configs as instances or init objects. */
export type ConfigInit<S extends Spec> = { [K in keyof S]?: FieldInit<S[K]> };

/** The init object a config class takes (plain partial of its fields, nested partials allowed). */
export type ConfigInitOf<C> = C extends { readonly __spec?: infer S extends Spec } ? ConfigInit<S> : never;

/**
 * Refuses a combination of values: `field` is a camelCase path relative to the
 * config being checked (e.g. "inpBound" or "prePost.inputRange.enable"); `why`
 * says what is allowed and why.
 */
export type Refuse = (field: string, why: string) => never;

/** Any config class (its constructor's init type erased; see `construct`). */
export interface AnyConfigClass {
  new (init?: never): ConfigBase;
  readonly configName: string;
  readonly fields: Spec;
  /** Checks combinations of field values; calls `refuse` for one that is not allowed. */
  readonly crossValidate?: (config: ConfigBase, refuse: Refuse) => void;
}

// ---------------------------------------------------------------- field builders

type Opts<F> = Omit<F, 'kind' | 'default' | 'doc'>;

export const num = (def: number, doc: string, opts: Opts<NumberField> = {}): NumberField => ({
  kind: 'number',
  default: def,
  doc,
  ...opts,
});
export const int = (def: number, doc: string, opts: Opts<NumberField> = {}): NumberField => num(def, doc, { ...opts, integer: true });
export const bool = (def: boolean, doc: string, opts: Opts<BooleanField> = {}): BooleanField => ({
  kind: 'boolean',
  default: def,
  doc,
  ...opts,
});
export function enumOf<N extends EnumName>(
  enumName: N,
  def: (typeof ENUMS)[N]['values'][number],
  doc: string,
  opts: Omit<Opts<EnumField>, 'enumName' | 'values'> = {},
): EnumField<(typeof ENUMS)[N]['values'][number]> {
  return { kind: 'enum', enumName, values: ENUMS[enumName].values, default: def, doc, ...opts };
}
export const numList = (def: readonly number[], doc: string, opts: Opts<NumberListField> = {}): NumberListField => ({
  kind: 'numberList',
  default: def,
  doc,
  ...opts,
});
export function nested<C>(
  classes: () => readonly AnyConfigClass[],
  create: () => C,
  doc: string,
  opts: Omit<Opts<NestedField<C>>, 'classes' | 'create'> = {},
): NestedField<C> {
  return { kind: 'nested', classes, create, doc, ...opts };
}

export function nestedList<C>(
  classes: () => readonly AnyConfigClass[],
  create: () => C[],
  doc: string,
  opts: Omit<Opts<NestedListField<C>>, 'classes' | 'create'> = {},
): NestedListField<C> {
  return { kind: 'nestedList', classes, create, doc, ...opts };
}
export const derived = (doc: string, opts: Opts<DerivedField> = {}): DerivedField => ({ kind: 'derived', default: null, doc, ...opts });

// ---------------------------------------------------------------- names

/** aihwkit's snake_case name of a camelCase field name. */
export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** aihwkit's (snake_case) name of a field. */
export function pyName(key: string, field: Field): string {
  return field.py ?? camelToSnake(key);
}

// ---------------------------------------------------------------- errors

type Style = 'camel' | 'py';
interface Seg {
  readonly camel: string;
  readonly py: string;
}

/** What went wrong, relative to the config `cls` reached through `segs` from the outermost config. */
interface Fault {
  readonly kind: 'value' | 'unknown' | 'shape';
  readonly cls: string;
  readonly segs: readonly Seg[];
  readonly field?: Seg;
  readonly value?: unknown;
  /** 'value': "expected …" or the reason of a refused combination; 'shape': what it must be. */
  readonly allowed?: string;
  /** 'unknown': the known fields. */
  readonly known?: readonly Seg[];
}

const FAULT = Symbol('crossbar.configFault');
type FaultyError = ConfigError & { [FAULT]?: { fault: Fault; root: string; style: Style } };

function fmt(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(fmt).join(', ')}]`;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof ConfigBase) return article(v.constructor.name);
  if (typeof v === 'function') return 'a function';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** "an IOParameters", "a SingleRPUConfig". */
function article(name: string): string {
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function faultMessage(f: Fault, root: string, style: Style): string {
  const name = (s: Seg) => (style === 'py' ? s.py : s.camel);
  const other = (s: Seg) => (style === 'py' ? s.camel : s.py);
  const loc = root + f.segs.map((s) => `.${name(s)}`).join('');
  const where = f.segs.length === 0 ? root : `${loc} (${f.cls})`;
  switch (f.kind) {
    case 'shape':
      return `${where} must be ${f.allowed}, got ${fmt(f.value)}`;
    case 'unknown': {
      const key = String(f.value);
      const known = (f.known ?? []).map(name);
      const close = known
        .map((k) => [k, editDistance(k.toLowerCase(), key.toLowerCase())] as const)
        .filter(([, d]) => d <= Math.max(2, Math.floor(key.length / 4)))
        .sort((a, b) => a[1] - b[1])[0];
      const hint = close ? ` (did you mean "${close[0]}"?)` : '';
      const noun = style === 'py' ? 'key' : 'field';
      return `${where} has no ${noun} "${key}"${hint}; known ${noun}s: ${known.join(', ')}`;
    }
    case 'value': {
      const field = f.field!;
      const alt = other(field);
      const qual = f.segs.length === 0 ? (alt !== name(field) ? ` (${alt})` : '') : ` (${f.cls}.${alt})`;
      return `${loc}.${name(field)}${qual} = ${fmt(f.value)} is not allowed: ${f.allowed}`;
    }
  }
}

function faultError(fault: Fault, root: string, style: Style): ConfigError {
  const detail = {
    configClass: fault.cls,
    path: [...fault.segs.map((s) => s.camel), ...(fault.field ? [fault.field.camel] : [])],
    ...(fault.field ? { field: fault.field.camel, pyField: fault.field.py } : {}),
    ...(fault.kind === 'unknown' ? { field: String(fault.value) } : {}),
    ...(fault.kind !== 'shape' || fault.value !== undefined ? { value: fault.value } : {}),
    ...(fault.kind === 'unknown'
      ? { allowed: `one of ${(fault.known ?? []).map((s) => (style === 'py' ? s.py : s.camel)).join(', ')}` }
      : fault.allowed !== undefined
        ? { allowed: fault.allowed }
        : {}),
  };
  const e = new ConfigError(faultMessage(fault, root, style), detail) as FaultyError;
  Object.defineProperty(e, FAULT, { value: { fault, root, style }, enumerable: false });
  return e;
}

/** Re-throws a ConfigError from a nested config with the path from `root` prepended. */
function rethrowNested(e: unknown, root: string, seg: Seg | undefined, style?: Style): never {
  const info = e instanceof ConfigError ? (e as FaultyError)[FAULT] : undefined;
  if (!info) throw e;
  const fault: Fault = seg ? { ...info.fault, segs: [seg, ...info.fault.segs] } : info.fault;
  throw faultError(fault, root, style ?? info.style);
}

// ---------------------------------------------------------------- value checks

/** Text that says what a number field allows, e.g. "a finite number >= 0". */
export function describeRange(f: NumberField): string {
  const parts: string[] = [f.integer ? 'an integer' : f.allowInfinity ? 'a number (±inf allowed)' : 'a finite number'];
  if (f.min !== undefined) parts.push(`${f.minExclusive ? '>' : '>='} ${f.min}`);
  if (f.max !== undefined) parts.push(`${f.min !== undefined ? 'and ' : ''}${f.maxExclusive ? '<' : '<='} ${f.max}`);
  return parts.join(' ');
}

/** What a field allows, in words (for messages and the configuration reference). */
export function describeAllowed(field: Field): string {
  switch (field.kind) {
    case 'number':
      return describeRange(field);
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${field.enumName} ${field.values.map((v) => `"${v}"`).join(', ')}`;
    case 'numberList':
      return field.minLength === 1 ? 'a non-empty list of finite numbers' : `a list of ${field.minLength ? `at least ${field.minLength} ` : ''}finite numbers`;
    case 'nested': {
      const names = field.classes().map((c) => c.configName);
      const list = names.length > 1 ? `one of ${names.join(', ')}` : article(names[0]!);
      return `${list}${field.nullable ? ' or null' : ''}`;
    }
    case 'nestedList':
      return `a list of configs, each one of ${field
        .classes()
        .map((c) => c.configName)
        .join(', ')}`;
    case 'derived':
      return 'null (computed from other fields)';
  }
}

interface Ctx {
  readonly cls: AnyConfigClass;
}

function valueFault(ctx: Ctx, key: string, field: Field, value: unknown, allowed: string): never {
  const fault: Fault = {
    kind: 'value',
    cls: ctx.cls.configName,
    segs: [],
    field: { camel: key, py: pyName(key, field) },
    value,
    allowed,
  };
  throw faultError(fault, ctx.cls.configName, 'camel');
}

function numberOk(field: NumberField, value: unknown): value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  if (!Number.isFinite(value)) return field.allowInfinity === true && !field.integer && rangeOk(field, value);
  if (field.integer && !Number.isInteger(value)) return false;
  return rangeOk(field, value);
}

function rangeOk(field: NumberField, value: number): boolean {
  if (field.min !== undefined && (field.minExclusive ? !(value > field.min) : !(value >= field.min))) return false;
  if (field.max !== undefined && (field.maxExclusive ? !(value < field.max) : !(value <= field.max))) return false;
  return true;
}

/** Checks one value against its field; returns the value to store (a copy for lists, an instance for partials). */
function checkValue(ctx: Ctx, key: string, field: Field, value: unknown): unknown {
  const refuse = () => valueFault(ctx, key, field, value, `expected ${describeAllowed(field)}`);
  switch (field.kind) {
    case 'number':
      if (!numberOk(field, value)) refuse();
      return value === 0 ? 0 : value; // no -0: it would not survive JSON
    case 'boolean':
      if (typeof value !== 'boolean') refuse();
      return value;
    case 'enum':
      if (typeof value !== 'string' || !field.values.includes(value)) refuse();
      return value;
    case 'numberList': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) refuse();
      const list = value as number[];
      if (field.minLength !== undefined && list.length < field.minLength) refuse();
      return list.map((v) => (v === 0 ? 0 : v));
    }
    case 'nested': {
      if (value === null) {
        if (!field.nullable) refuse();
        return null;
      }
      const seg = { camel: key, py: pyName(key, field) };
      if (value instanceof ConfigBase) {
        if (!field.classes().some((c) => value.constructor === c)) refuse();
        try {
          value.validate();
        } catch (e) {
          rethrowNested(e, ctx.cls.configName, seg);
        }
        return value;
      }
      if (typeof value === 'object' && !Array.isArray(value)) {
        // A plain partial fills in from this field's default (e.g. a preset's
        // forward IOParameters, or InferenceRPUConfig's perfect backward).
        const base = field.create();
        if (!(base instanceof ConfigBase)) return refuse();
        try {
          const given = Object.entries(value as object).filter(([, v]) => v !== undefined);
          return construct(classOf(base), { ...base.fieldValues(), ...Object.fromEntries(given) });
        } catch (e) {
          rethrowNested(e, ctx.cls.configName, seg);
        }
      }
      return refuse();
    }
    case 'nestedList': {
      if (!Array.isArray(value)) refuse();
      const classes = field.classes();
      return (value as unknown[]).map((item, i) => {
        const seg = { camel: `${key}[${i}]`, py: `${pyName(key, field)}[${i}]` };
        if (!(item instanceof ConfigBase) || !classes.some((c) => item.constructor === c)) {
          return valueFault(ctx, key, field, value, `expected ${describeAllowed(field)} (item ${i} is ${fmt(item)})`);
        }
        try {
          item.validate();
        } catch (e) {
          rethrowNested(e, ctx.cls.configName, seg);
        }
        return item;
      });
    }
    case 'derived':
      if (value !== null) valueFault(ctx, key, field, value, `expected null: ${field.doc}`);
      return null;
  }
}

/** `new Cls(init)` for a class whose init type is erased. */
export function construct(Cls: AnyConfigClass, init: object): ConfigBase {
  return new (Cls as unknown as new (init: object) => ConfigBase)(init);
}

// ---------------------------------------------------------------- base class

function classOf(c: ConfigBase): AnyConfigClass {
  return c.constructor as unknown as AnyConfigClass;
}

function valuesEqual(a: unknown, b: unknown): boolean {
  if (a instanceof ConfigBase || b instanceof ConfigBase) {
    return a instanceof ConfigBase && b instanceof ConfigBase && a.equals(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => (v instanceof ConfigBase ? v.equals(b[i]) : Object.is(v, b[i])));
  }
  return Object.is(a, b);
}

/** Python's float repr, so printed configs read like aihwkit's. */
export function pyFloatRepr(x: number, integer = false): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (integer) return String(x);
  const s = String(x);
  const e = s.indexOf('e');
  if (e >= 0) {
    const mant = s.slice(0, e);
    const sign = s[e + 1] === '-' ? '-' : '+';
    const exp = s.slice(e + 2).padStart(2, '0');
    return `${mant}e${sign}${exp}`;
  }
  if (Math.abs(x) >= 1e16) return pyFloatRepr(Number(x.toExponential()));
  return Number.isInteger(x) ? `${s}.0` : s;
}

function unknownFault(cls: AnyConfigClass, key: string, style: Style): ConfigError {
  const fault: Fault = {
    kind: 'unknown',
    cls: cls.configName,
    segs: [],
    value: key,
    known: Object.entries(cls.fields).map(([k, f]) => ({ camel: k, py: pyName(k, f) })),
  };
  return faultError(fault, cls.configName, style);
}

/** Base of every config class: construction from a partial, validation, equality, printing, dicts. */
export abstract class ConfigBase {
  /** Type-level marker of the field table (never set at run time). */
  declare readonly __spec?: Spec;

  /** Fills every field with its default, then applies `init` (camelCase keys) with validation. */
  protected initialise(init: object): void {
    const cls = classOf(this);
    if (init === null || typeof init !== 'object' || Array.isArray(init) || init instanceof ConfigBase) {
      throw faultError({ kind: 'shape', cls: cls.configName, segs: [], value: init, allowed: `built from an object of its fields` }, cls.configName, 'camel');
    }
    const ctx: Ctx = { cls };
    const self = this as unknown as Record<string, unknown>;
    // Defaults first, so the own keys are in table order (for printing and dicts).
    for (const [key, field] of Object.entries(cls.fields)) self[key] = defaultOf(field);
    for (const [key, value] of Object.entries(init)) {
      if (!Object.hasOwn(cls.fields, key)) throw unknownFault(cls, key, 'camel');
      if (value === undefined) continue;
      self[key] = checkValue(ctx, key, cls.fields[key]!, value);
    }
    runCrossValidate(this);
  }

  /**
   * Re-checks every field (fields are public and mutable, as in aihwkit, so an
   * engine calls this when it takes a config). Throws ConfigError; returns this.
   */
  validate(): this {
    const cls = classOf(this);
    const ctx: Ctx = { cls };
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(self)) {
      if (!Object.hasOwn(cls.fields, key)) throw unknownFault(cls, key, 'camel');
    }
    for (const [key, field] of Object.entries(cls.fields)) {
      const v = self[key];
      // A nested plain object set by hand is not a config: refuse it here rather than build one.
      if (field.kind === 'nested' && v !== null && !(v instanceof ConfigBase)) {
        valueFault(ctx, key, field, v, `expected ${describeAllowed(field)} instance`);
      }
      checkValue(ctx, key, field, v);
    }
    runCrossValidate(this);
    return this;
  }

  /** A deep copy. */
  clone(): this {
    const cls = classOf(this);
    const copy = Object.create(Object.getPrototypeOf(this)) as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(cls.fields)) {
      const v = self[key];
      copy[key] = v instanceof ConfigBase ? v.clone() : Array.isArray(v) ? v.map((x: unknown) => (x instanceof ConfigBase ? x.clone() : x)) : v;
    }
    return copy as this;
  }

  /** Deep equality of class and every field. */
  equals(other: unknown): boolean {
    if (!(other instanceof ConfigBase) || other.constructor !== this.constructor) return false;
    const self = this as unknown as Record<string, unknown>;
    const that = other as unknown as Record<string, unknown>;
    return Object.keys(classOf(this).fields).every((k) => valuesEqual(self[k], that[k]));
  }

  /** The fields as a plain object (nested configs deep-copied), e.g. to build a variant: `new C({ ...c.fieldValues(), x })`. */
  fieldValues(): Record<string, unknown> {
    const c = this.clone() as unknown as Record<string, unknown>;
    return Object.fromEntries(Object.keys(classOf(this).fields).map((k) => [k, c[k]]));
  }

  /**
   * Prints the fields that differ from their defaults, like aihwkit's
   * `_PrintableMixin` (camelCase names, enums as `Enum.Value`, Python's float repr;
   * a nested config is printed only when it differs from its default).
   */
  toString(): string {
    const cls = classOf(this);
    const self = this as unknown as Record<string, unknown>;
    const lines: string[] = [];
    for (const [key, field] of Object.entries(cls.fields)) {
      const v = self[key];
      if (valuesEqual(v, defaultOf(field))) continue;
      lines.push(`${key}=${printValue(field, v)}`);
    }
    const multiline = lines.length > 3 || lines.some((l) => l.includes('\n'));
    if (!multiline) return `${cls.configName}(${lines.join(', ')})`;
    const body = lines.join(',\n').replace(/^/gm, '    ');
    return `${cls.configName}(\n${body}\n)`;
  }

  /** aihwkit's dict form: snake_case keys, enums as strings, ±inf as "inf"/"-inf", nested devices and noise models with a "type". */
  toDict(): Record<string, unknown> {
    const cls = classOf(this);
    const self = this as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(cls.fields)) {
      out[pyName(key, field)] = valueToDict(field, self[key]);
    }
    return out;
  }
}

function runCrossValidate(config: ConfigBase): void {
  const cls = classOf(config);
  if (!cls.crossValidate) return;
  const refuse: Refuse = (path, why) => {
    const parts = path.split('.');
    const segs: Seg[] = [];
    let owner: ConfigBase = config;
    for (const part of parts.slice(0, -1)) {
      const f = classOf(owner).fields[part];
      const next = (owner as unknown as Record<string, unknown>)[part];
      if (!f || !(next instanceof ConfigBase)) throw new Error(`crossValidate of ${cls.configName}: bad path ${path}`);
      segs.push({ camel: part, py: pyName(part, f) });
      owner = next;
    }
    const last = parts[parts.length - 1]!;
    const f = classOf(owner).fields[last];
    if (!f) throw new Error(`crossValidate of ${cls.configName}: bad path ${path}`);
    const fault: Fault = {
      kind: 'value',
      cls: classOf(owner).configName,
      segs,
      field: { camel: last, py: pyName(last, f) },
      value: (owner as unknown as Record<string, unknown>)[last],
      allowed: why,
    };
    throw faultError(fault, cls.configName, 'camel');
  };
  cls.crossValidate(config, refuse);
}

function defaultOf(field: Field): unknown {
  if (field.kind === 'nested' || field.kind === 'nestedList') return field.create();
  if (field.kind === 'numberList') return [...field.default];
  return field.default;
}

function printValue(field: Field, v: unknown): string {
  switch (field.kind) {
    case 'number':
      return pyFloatRepr(v as number, field.integer);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'enum':
      return `${field.enumName}.${String(v)}`;
    case 'numberList':
      return `[${(v as number[]).map((x) => pyFloatRepr(x)).join(', ')}]`;
    case 'nested':
      return v === null ? 'None' : String(v);
    case 'nestedList':
      return `[${(v as ConfigBase[]).map(String).join(', ')}]`;
    case 'derived':
      return 'None';
  }
}

function isTyped(field: NestedField): boolean {
  return field.typed === true || field.classes().length > 1 || field.nullable === true;
}

function valueToDict(field: Field, v: unknown): unknown {
  switch (field.kind) {
    case 'number':
      return Number.isFinite(v) ? v : (v as number) > 0 ? 'inf' : '-inf';
    case 'numberList':
      return [...(v as number[])];
    case 'nested': {
      if (v === null) return null;
      const c = v as ConfigBase;
      const d = c.toDict();
      return isTyped(field) ? { type: classOf(c).configName, ...d } : d;
    }
    case 'nestedList':
      return (v as ConfigBase[]).map((c) => ({ type: classOf(c).configName, ...c.toDict() }));
    default:
      return v;
  }
}

// ---------------------------------------------------------------- from dict

/** Reads a number from a dict value: numbers, and the strings "inf", "-inf", "Infinity", "nan" (then refused). */
function numberFromDict(v: unknown): unknown {
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'inf' || s === 'infinity' || s === '+inf') return Infinity;
    if (s === '-inf' || s === '-infinity') return -Infinity;
    if (s === 'nan') return NaN;
  }
  return v;
}

/**
 * Builds an instance of `Cls` from aihwkit's dict form (snake_case keys). An
 * unknown key or bad value is a ConfigError naming the path and what is allowed.
 * A "type" key, if present, must name `Cls` (unless `Cls` has a field called type).
 */
export function configFromDict<C extends ConfigBase>(Cls: AnyConfigClass & (new (init?: never) => C), dict: unknown): C {
  try {
    return fromDictAt(Cls, dict) as C;
  } catch (e) {
    rethrowNested(e, Cls.configName, undefined, 'py');
  }
}

function fromDictAt(Cls: AnyConfigClass, dict: unknown, base?: ConfigBase): ConfigBase {
  const init = dictToInit(Cls, dict);
  try {
    // A partial dict for a nested field fills in from that field's default values.
    return construct(Cls, base ? { ...base.fieldValues(), ...init } : init);
  } catch (e) {
    rethrowNested(e, Cls.configName, undefined, 'py');
  }
}

/** The camelCase init of `Cls` from its dict form (nested configs already built). */
function dictToInit(Cls: AnyConfigClass, dict: unknown): Record<string, unknown> {
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    throw faultError({ kind: 'shape', cls: Cls.configName, segs: [], value: dict, allowed: `a dict (object) of ${Cls.configName} fields` }, Cls.configName, 'py');
  }
  const byPy = new Map<string, [string, Field]>();
  for (const [key, field] of Object.entries(Cls.fields)) byPy.set(pyName(key, field), [key, field]);
  const init: Record<string, unknown> = {};
  const typeIsClassName = !byPy.has('type');
  for (const [py, raw] of Object.entries(dict as Record<string, unknown>)) {
    if (py === 'type' && typeIsClassName) {
      if (raw !== Cls.configName) {
        const fault: Fault = {
          kind: 'value',
          cls: Cls.configName,
          segs: [],
          field: { camel: 'type', py: 'type' },
          value: raw,
          allowed: `expected "${Cls.configName}"`,
        };
        throw faultError(fault, Cls.configName, 'py');
      }
      continue;
    }
    const entry = byPy.get(py);
    if (!entry) throw unknownFault(Cls, py, 'py');
    const [key, field] = entry;
    init[key] = fieldFromDict(Cls, key, field, raw);
  }
  return init;
}

function fieldFromDict(owner: AnyConfigClass, key: string, field: Field, raw: unknown): unknown {
  switch (field.kind) {
    case 'number':
      return numberFromDict(raw);
    case 'numberList':
      return Array.isArray(raw) ? raw.map(numberFromDict) : raw;
    case 'nested': {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw; // checkValue refuses what is wrong
      const classes = field.classes();
      const typeName = isTyped(field) ? (raw as Record<string, unknown>).type : undefined;
      const py = pyName(key, field);
      const def = field.create();
      const defCls = def instanceof ConfigBase ? classOf(def) : undefined;
      let Cls: AnyConfigClass | undefined;
      if (typeName === undefined) {
        // No "type" (e.g. what dataclasses.asdict gives): the class whose keys the dict has.
        const inferred = inferClass(classes, raw as Record<string, unknown>, defCls);
        if (typeof inferred === 'string') {
          const fault: Fault = {
            kind: 'value',
            cls: owner.configName,
            segs: [],
            field: { camel: key, py },
            value: raw,
            allowed: inferred,
          };
          throw faultError(fault, owner.configName, 'py');
        }
        Cls = inferred ?? defCls ?? classes[0];
      } else {
        Cls = classes.find((c) => c.configName === typeName);
        if (!Cls) {
          const fault: Fault = {
            kind: 'value',
            cls: owner.configName,
            segs: [],
            field: { camel: `${key}.type`, py: `${py}.type` },
            value: typeName,
            allowed: `expected one of ${classes.map((c) => `"${c.configName}"`).join(', ')}`,
          };
          throw faultError(fault, owner.configName, 'py');
        }
      }
      try {
        return fromDictAt(Cls!, raw, def instanceof ConfigBase && Cls === defCls ? def : undefined);
      } catch (e) {
        rethrowNested(e, owner.configName, { camel: key, py }, 'py');
      }
    }
    case 'nestedList': {
      if (!Array.isArray(raw)) return raw; // checkValue refuses it
      const classes = field.classes();
      const py = pyName(key, field);
      return raw.map((item: unknown, i) => {
        const seg = { camel: `${key}[${i}]`, py: `${py}[${i}]` };
        const where = (allowed: string, value: unknown, name = py): never => {
          const fault: Fault = { kind: 'value', cls: owner.configName, segs: [], field: { camel: key, py: name }, value, allowed };
          throw faultError(fault, owner.configName, 'py');
        };
        if (item === null || typeof item !== 'object' || Array.isArray(item)) {
          return where(`expected a dict of a device (item ${i} is ${fmt(item)})`, raw);
        }
        const typeName = (item as Record<string, unknown>).type;
        let Cls: AnyConfigClass | undefined;
        if (typeName === undefined) {
          const inferred = inferClass(classes, item as Record<string, unknown>);
          if (inferred === undefined)
            return where(`item ${i}: its keys fit none of ${classes.map((c) => c.configName).join(', ')}; add a "type" key`, item, `${py}[${i}]`);
          if (typeof inferred === 'string') return where(`item ${i}: ${inferred}`, item, `${py}[${i}]`);
          Cls = inferred;
        } else {
          Cls = classes.find((c) => c.configName === typeName);
          if (!Cls) return where(`expected one of ${classes.map((c) => `"${c.configName}"`).join(', ')}`, typeName, `${py}[${i}].type`);
        }
        try {
          return fromDictAt(Cls, item);
        } catch (e) {
          rethrowNested(e, owner.configName, seg, 'py');
        }
      });
    }
    case 'derived':
      return raw;
    default:
      return raw;
  }
}

/** The dict keys (aihwkit names) of a config class. */
export function dictKeys(Cls: AnyConfigClass): string[] {
  return Object.entries(Cls.fields).map(([k, f]) => pyName(k, f));
}

/**
 * Which of `classes` a dict without a "type" key is: the class whose keys are
 * exactly the dict's (a full `dataclasses.asdict`), else `preferred` if it has
 * every key, else the only class that has every key. Returns undefined when
 * nothing matches (the caller then reports the unknown keys), or a sentence
 * saying that a "type" key is needed when several classes match.
 */
export function inferClass(classes: readonly AnyConfigClass[], dict: Record<string, unknown>, preferred?: AnyConfigClass): AnyConfigClass | string | undefined {
  const keys = Object.keys(dict).filter((k) => k !== 'type');
  const exact = classes.filter((c) => {
    const own = dictKeys(c);
    return own.length === keys.length && keys.every((k) => own.includes(k));
  });
  if (exact.length === 1) return exact[0];
  const covering = classes.filter((c) => {
    const own = dictKeys(c);
    return keys.every((k) => own.includes(k));
  });
  if (preferred && covering.includes(preferred)) return preferred;
  if (covering.length === 1) return covering[0];
  if (covering.length > 1) {
    return `a "type" key is needed to tell which class this is: one of ${covering.map((c) => `"${c.configName}"`).join(', ')}`;
  }
  return undefined;
}

// ---------------------------------------------------------------- class factory

/** A config class made by `defineConfig`: its constructor takes a ConfigInit of its fields. */
export interface ConfigClass<S extends Spec> {
  new (init?: ConfigInit<S>): ConfigBase & SpecValues<S> & { readonly __spec?: S };
  readonly configName: string;
  readonly fields: S;
  /** Checks combinations of field values; calls `refuse` for one that is not allowed. */
  readonly crossValidate?: (config: ConfigBase, refuse: Refuse) => void;
}

/**
 * Makes a config class from its field table. `crossValidate` checks
 * combinations of fields (it runs after construction and in `validate()`)
 * and calls `refuse(field, why)` for a combination aihwkit does not accept.
 */
export function defineConfig<S extends Spec>(configName: string, fields: S, crossValidate?: (config: SpecValues<S>, refuse: Refuse) => void): ConfigClass<S> {
  const Config = class extends ConfigBase {
    static readonly configName = configName;
    static readonly fields = fields;
    static readonly crossValidate = crossValidate as AnyConfigClass['crossValidate'];
    constructor(init: object = {}) {
      super();
      this.initialise(init);
    }
  };
  Object.defineProperty(Config, 'name', { value: configName });
  return Config as unknown as ConfigClass<S>;
}
