/**
 * Checks at the public boundary, shared by every engine and layer, so a bad
 * call throws the same clear InputError everywhere and changes nothing.
 */
import { InputError } from './errors.js';

/** A positive integer (sizes, batch). */
export function checkPositiveInteger(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InputError(`${where}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** A finite number (learning rate, time). */
export function checkFiniteNumber(where: string, name: string, value: unknown, opts: { min?: number; minExclusive?: boolean } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InputError(`${where}: ${name} must be a finite number, got ${String(value)}`);
  }
  if (opts.min !== undefined && (opts.minExclusive ? !(value > opts.min) : !(value >= opts.min))) {
    throw new InputError(`${where}: ${name} must be ${opts.minExclusive ? '>' : '>='} ${opts.min}, got ${value}`);
  }
  return value;
}

/** Whether every element is finite: v · 0 is 0 for a finite v and NaN for ±∞ or NaN (a branch-free scan; the caller finds the index). */
function allFinite(value: Float32Array): boolean {
  // four independent sums: the scan is not held up by one addition chain
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const n4 = value.length & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    a0 += value[i]! * 0;
    a1 += value[i + 1]! * 0;
    a2 += value[i + 2]! * 0;
    a3 += value[i + 3]! * 0;
  }
  for (; i < value.length; i++) a0 += value[i]! * 0;
  return a0 + a1 + a2 + a3 === 0;
}

/**
 * A Float32Array of exactly `length` elements, all finite (unless allowNonFinite).
 * Returns the array itself (callers copy if they keep it).
 */
export function checkFloat32Array(where: string, name: string, value: unknown, length: number, opts: { allowNonFinite?: boolean; shape?: string } = {}): Float32Array {
  if (!(value instanceof Float32Array)) {
    const got =
      value === null ? 'null' : Array.isArray(value) ? 'an Array' : typeof value === 'object' ? ((value as object).constructor?.name ?? 'an object') : typeof value;
    throw new InputError(`${where}: ${name} must be a Float32Array, got ${got}`);
  }
  if (value.length !== length) {
    throw new InputError(`${where}: ${name} must have ${length} elements${opts.shape ? ` (${opts.shape})` : ''}, got ${value.length}`);
  }
  if (!opts.allowNonFinite && !allFinite(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i]!;
      if (!Number.isFinite(v)) {
        throw new InputError(`${where}: ${name}[${i}] is ${v}; every element must be finite`);
      }
    }
  }
  return value;
}

/**
 * A JSON list of numbers (a saved state's array) as a Float32Array: refuses what
 * Float32Array.from would silently coerce (null, as JSON.stringify writes NaN, → 0;
 * "0.5" → 0.5; true → 1) and non-finite values. `length` undefined: any length.
 */
export function checkNumberList(where: string, name: string, value: unknown, length?: number): Float32Array {
  if (!Array.isArray(value)) {
    throw new InputError(`${where}: ${name} must be an array of numbers, got ${value === null ? 'null' : typeof value}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new InputError(`${where}: ${name} must have ${length} elements, got ${value.length}`);
  }
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(
        `${where}: ${name}[${i}] is ${JSON.stringify(v) ?? String(v)}; every element must be a finite number` +
          (v === null ? ' (null is how JSON.stringify writes NaN or Infinity)' : ''),
      );
    }
  }
  return Float32Array.from(value as number[]);
}
