/**
 * The machinery behind every config class: a field table (name, kind, default,
 * allowed range, doc) from which construction, validation, printing, cloning
 * and the aihwkit dict form are all derived, so that no class repeats them.
 */
import { ConfigError } from '../errors.js';
import { ENUMS, type EnumName } from '../enums.js';

interface FieldCommon {
  /** What the field means (from aihwkit's docstrings). */
  readonly doc: string;
  /** aihwkit's snake_case name, when it is not the mechanical snake_case of the key. */
  readonly py?: string;
  /** Set for fields that aihwkit 0.7.1's Python dataclass does not have. */
  readonly since?: string;
}

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

export interface BooleanField extends FieldCommon {
  readonly kind: 'boolean';
  readonly default: boolean;
}

export interface EnumField<E extends string = string> extends FieldCommon {
  readonly kind: 'enum';
  readonly enumName: EnumName;
  readonly values: readonly E[];
  readonly default: E;
}

export interface NumberListField extends FieldCommon {
  readonly kind: 'numberList';
  readonly default: readonly number[];
  readonly minLength?: number;
}

/** A nested config; `classes` lists the config classes allowed here (a device, a noise model). */
export interface NestedField<C = unknown> extends FieldCommon {
  readonly kind: 'nested';
  readonly classes: () => readonly AnyConfigClass[];
  readonly create: () => C;
  readonly nullable?: boolean;
  /** Whether the dict form names the class with a "type" key (devices, noise models). */
  readonly typed?: boolean;
}

export type Field = NumberField | BooleanField | EnumField | NumberListField | NestedField;
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
          : never;

type FieldInit<F> = F extends NestedField<infer C> ? C | ConfigInitOf<C> : FieldValue<F>;

export type SpecValues<S extends Spec> = { -readonly [K in keyof S]: FieldValue<S[K]> };
export type ConfigInit<S extends Spec> = { [K in keyof S]?: FieldInit<S[K]> };

/** The init object a config class takes (plain partial of its fields, nested partials allowed). */
export type ConfigInitOf<C> = C extends { readonly __spec?: infer S extends Spec } ? ConfigInit<S> : never;

/** Any config class (its constructor's init type erased; see `construct`). */
export interface AnyConfigClass {
  new (init?: never): ConfigBase;
  readonly configName: string;
  readonly fields: Spec;
  readonly crossValidate?: (config: ConfigBase, where: string) => void;
}

// ---------------------------------------------------------------- field builders

type Opts<F> = Omit<F, 'kind' | 'default' | 'doc'>;

export const num = (def: number, doc: string, opts: Opts<NumberField> = {}): NumberField => ({
  kind: 'number',
  default: def,
  doc,
  ...opts,
});
export const int = (def: number, doc: string, opts: Opts<NumberField> = {}): NumberField =>
  num(def, doc, { ...opts, integer: true });
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

// ---------------------------------------------------------------- names

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function pyName(key: string, field: Field): string {
  return field.py ?? camelToSnake(key);
}

// ---------------------------------------------------------------- value checks

function fmt(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(fmt).join(', ')}]`;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof ConfigBase) return v.constructor.name;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Text that says what a number field allows, e.g. "a finite number >= 0". */
export function describeRange(f: NumberField): string {
  const parts: string[] = [f.integer ? 'an integer' : f.allowInfinity ? 'a number (inf allowed)' : 'a finite number'];
  if (f.min !== undefined) parts.push(`${f.minExclusive ? '>' : '>='} ${f.min}`);
  if (f.max !== undefined) parts.push(`${f.min !== undefined ? 'and ' : ''}${f.maxExclusive ? '<' : '<='} ${f.max}`);
  return parts.join(' ');
}

function fail(where: string, key: string, field: Field, value: unknown, allowed: string): never {
  const py = pyName(key, field);
  const alias = py !== key ? ` (${py})` : '';
  throw new ConfigError(`${where}.${key}${alias} = ${fmt(value)} is not allowed: expected ${allowed}`);
}

/** Checks one value against its field; returns the value to store (a copy for lists). */
export function checkValue(where: string, key: string, field: Field, value: unknown): unknown {
  switch (field.kind) {
    case 'number': {
      if (typeof value !== 'number' || Number.isNaN(value)) fail(where, key, field, value, describeRange(field));
      if (!Number.isFinite(value) && !field.allowInfinity) fail(where, key, field, value, describeRange(field));
      if (field.integer && !Number.isInteger(value)) fail(where, key, field, value, describeRange(field));
      if (field.min !== undefined && (field.minExclusive ? !(value > field.min) : !(value >= field.min)))
        fail(where, key, field, value, describeRange(field));
      if (field.max !== undefined && (field.maxExclusive ? !(value < field.max) : !(value <= field.max)))
        fail(where, key, field, value, describeRange(field));
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(where, key, field, value, 'true or false');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !field.values.includes(value))
        fail(where, key, field, value, `one of ${field.enumName} ${field.values.map((v) => `"${v}"`).join(', ')}`);
      return value;
    case 'numberList': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
        fail(where, key, field, value, 'a list of finite numbers');
      if (field.minLength !== undefined && value.length < field.minLength)
        fail(where, key, field, value, `a list of at least ${field.minLength} finite numbers`);
      return [...(value as number[])];
    }
    case 'nested': {
      if (value === null) {
        if (!field.nullable) fail(where, key, field, value, allowedClasses(field));
        return null;
      }
      const classes = field.classes();
      if (value instanceof ConfigBase) {
        if (!classes.some((c) => value.constructor === c)) fail(where, key, field, value, allowedClasses(field));
        value.validate(`${where}.${key}`);
        return value;
      }
      if (typeof value === 'object' && !Array.isArray(value)) {
        // A plain partial builds the default class of this field.
        const def = field.create();
        if (def === null) fail(where, key, field, value, allowedClasses(field));
        const Cls = (def as ConfigBase).constructor as AnyConfigClass;
        return constructAt(Cls, value as Record<string, unknown>, `${where}.${key}`);
      }
      fail(where, key, field, value, allowedClasses(field));
    }
  }
}

function allowedClasses(field: NestedField): string {
  const names = field.classes().map((c) => c.configName);
  return `${names.length > 1 ? 'one of ' : 'a '}${names.join(', ')}${field.nullable ? ' or null' : ''} (an instance or a plain object of its fields)`;
}

/** `new Cls(init)` for a class whose init type is erased. */
export function construct(Cls: AnyConfigClass, init: object): ConfigBase {
  return new (Cls as unknown as new (init: object) => ConfigBase)(init);
}

function constructAt(Cls: AnyConfigClass, init: Record<string, unknown>, where: string): ConfigBase {
  try {
    return construct(Cls, init);
  } catch (e) {
    if (e instanceof ConfigError && !e.message.startsWith(where)) {
      throw new ConfigError(e.message.replace(new RegExp(`^${Cls.configName}`), where));
    }
    throw e;
  }
}

// ---------------------------------------------------------------- base class

function classOf(c: ConfigBase): AnyConfigClass {
  return c.constructor as unknown as AnyConfigClass;
}

function valuesEqual(a: unknown, b: unknown): boolean {
  if (a instanceof ConfigBase || b instanceof ConfigBase) {
    return a instanceof ConfigBase && b instanceof ConfigBase && a.equals(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  return Object.is(a, b);
}

/** Python's float repr, so printed configs read like aihwkit's. */
export function pyFloatRepr(x: number, integer = false): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (integer) return String(x);
  let s = String(x);
  const e = s.indexOf('e');
  if (e >= 0) {
    const mant = s.slice(0, e);
    const sign = s[e + 1] === '-' ? '-' : '+';
    const exp = s.slice(e + 2).padStart(2, '0');
    return `${mant}e${sign}${exp}`;
  }
  if (Math.abs(x) >= 1e16) {
    s = x.toExponential();
    return pyFloatRepr(Number(s));
  }
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** Base of every config class: construction from a partial, validation, equality, printing, dicts. */
export abstract class ConfigBase {
  /** Type-level marker of the field table (never set at run time). */
  declare readonly __spec?: Spec;

  /** Fills every field with its default, then applies `init` (camelCase keys) with validation. */
  protected initialise(init: object): void {
    const cls = classOf(this);
    const where = cls.configName;
    if (init === null || typeof init !== 'object' || Array.isArray(init)) {
      throw new ConfigError(`${where} takes an object of fields, got ${fmt(init)}`);
    }
    const self = this as unknown as Record<string, unknown>;
    for (const [key, field] of Object.entries(cls.fields)) {
      self[key] = defaultOf(field);
    }
    for (const [key, value] of Object.entries(init)) {
      const field = cls.fields[key];
      if (!field) throw unknownKey(where, key, Object.keys(cls.fields));
      if (value === undefined) continue;
      self[key] = checkValue(where, key, field, value);
    }
    cls.crossValidate?.(this, where);
  }

  /**
   * Re-checks every field (fields are public and mutable, as in aihwkit, so an
   * engine calls this when it takes a config). Throws ConfigError.
   */
  validate(where: string = classOf(this).configName): this {
    const cls = classOf(this);
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(self)) {
      if (!(key in cls.fields)) throw unknownKey(where, key, Object.keys(cls.fields));
    }
    for (const [key, field] of Object.entries(cls.fields)) {
      checkValue(where, key, field, self[key]);
    }
    cls.crossValidate?.(this, where);
    return this;
  }

  /** A deep copy. */
  clone(): this {
    const cls = classOf(this);
    const copy = Object.create(Object.getPrototypeOf(this)) as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(cls.fields)) {
      const v = self[key];
      copy[key] = v instanceof ConfigBase ? v.clone() : Array.isArray(v) ? [...v] : v;
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

  /** Prints the fields that differ from their defaults, like aihwkit's `_PrintableMixin`. */
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

  /** aihwkit's dict form: snake_case keys, enums as strings, ±inf as "inf"/"-inf", nested configs with a "type". */
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

function defaultOf(field: Field): unknown {
  if (field.kind === 'nested') return field.create();
  if (field.kind === 'numberList') return [...field.default];
  return field.default;
}

function unknownKey(where: string, key: string, known: string[]): ConfigError {
  return new ConfigError(`${where} has no field "${key}"; known fields: ${known.join(', ')}`);
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
  }
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
      return field.typed || field.classes().length > 1 || field.nullable ? { type: classOf(c).configName, ...d } : d;
    }
    default:
      return v;
  }
}

// ---------------------------------------------------------------- from dict

/** Reads a number from a dict value: numbers, and the strings "inf", "-inf", "Infinity". */
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
 * A "type" key, if present, must name `Cls`.
 */
export function configFromDict<C extends ConfigBase>(
  Cls: AnyConfigClass & (new (init?: never) => C),
  dict: unknown,
  where: string = Cls.configName,
): C {
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    throw new ConfigError(`${where} must be a dict (object) of ${Cls.configName} fields, got ${fmt(dict)}`);
  }
  const byPy = new Map<string, [string, Field]>();
  for (const [key, field] of Object.entries(Cls.fields)) byPy.set(pyName(key, field), [key, field]);
  const init: Record<string, unknown> = {};
  // A "type" key names the class, unless the class has a field of that name (clip, modifier, remap).
  const typeIsClassName = !byPy.has('type');
  for (const [py, raw] of Object.entries(dict as Record<string, unknown>)) {
    if (py === 'type' && typeIsClassName) {
      if (raw !== Cls.configName) {
        throw new ConfigError(`${where}.type = ${fmt(raw)} is not allowed: expected "${Cls.configName}"`);
      }
      continue;
    }
    const entry = byPy.get(py);
    if (!entry) {
      throw new ConfigError(`${where} has no key "${py}"; known keys: ${[...byPy.keys()].join(', ')}`);
    }
    const [key, field] = entry;
    init[key] = fieldFromDict(field, raw, `${where}.${py}`);
  }
  try {
    return construct(Cls, init) as C;
  } catch (e) {
    if (e instanceof ConfigError && where !== Cls.configName) {
      throw new ConfigError(e.message.replace(new RegExp(`^${Cls.configName}`), where));
    }
    throw e;
  }
}

function fieldFromDict(field: Field, raw: unknown, where: string): unknown {
  switch (field.kind) {
    case 'number':
      return numberFromDict(raw);
    case 'numberList':
      return Array.isArray(raw) ? raw.map(numberFromDict) : raw;
    case 'nested': {
      if (raw === null) return null; // checkValue decides whether null is allowed
      const classes = field.classes();
      if (raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new ConfigError(`${where} = ${fmt(raw)} is not allowed: expected ${allowedClasses(field)}`);
      }
      const typed = field.typed || classes.length > 1 || field.nullable;
      const typeName = typed ? (raw as Record<string, unknown>).type : undefined;
      let Cls: AnyConfigClass | undefined;
      if (typeName === undefined) {
        const def = field.create();
        Cls = def === null ? undefined : classOf(def as ConfigBase);
        if (!Cls) throw new ConfigError(`${where} needs a "type" key: one of ${classes.map((c) => c.configName).join(', ')}`);
      } else {
        Cls = classes.find((c) => c.configName === typeName);
        if (!Cls) {
          throw new ConfigError(
            `${where}.type = ${fmt(typeName)} is not allowed: expected one of ${classes.map((c) => `"${c.configName}"`).join(', ')}`,
          );
        }
      }
      return configFromDict(Cls, raw, where);
    }
    default:
      return raw;
  }
}

// ---------------------------------------------------------------- class factory

export interface ConfigClass<S extends Spec> {
  new (init?: ConfigInit<S>): ConfigBase & SpecValues<S> & { readonly __spec?: S };
  readonly configName: string;
  readonly fields: S;
  readonly crossValidate?: (config: ConfigBase, where: string) => void;
}

/**
 * Makes a config class from its field table. `crossValidate` checks
 * combinations of fields (it runs after construction and in `validate()`).
 */
export function defineConfig<S extends Spec>(
  configName: string,
  fields: S,
  crossValidate?: (config: SpecValues<S>, where: string) => void,
): ConfigClass<S> {
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
