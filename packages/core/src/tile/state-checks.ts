/**
 * Checks of a TileState's named arrays and scalars, made before setState changes
 * anything (validate, then commit).
 */
import { InputError } from '../errors.js';
import type { TileState } from '../tile.js';

/** state.arrays and state.scalars are objects. */
export function checkStateObjects(state: TileState): void {
  if (state.arrays === null || typeof state.arrays !== 'object') throw new InputError('setState: state.arrays must be an object');
  if (state.scalars === null || typeof state.scalars !== 'object') throw new InputError('setState: state.scalars must be an object');
}

/** arrays[key] is missing, null (when `nullable`), or `length` finite numbers. */
export function checkStateArray(arrays: TileState['arrays'], key: string, length: number, nullable: boolean): void {
  const v = arrays[key];
  if (v === undefined || (v === null && nullable)) return;
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new InputError(`setState: state.arrays["${key}"] must be ${nullable ? 'null or ' : ''}${length} finite numbers`);
  }
}

/** scalars[key] is missing, null, or a finite number. */
export function checkStateScalar(scalars: TileState['scalars'], key: string): void {
  const v = scalars[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`setState: state.scalars["${key}"] must be null or a finite number`);
}
