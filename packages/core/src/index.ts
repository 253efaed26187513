/**
 * @crossbar/core — the vocabulary (aihwkit's configs and enums), the engine
 * contract and registry, the counter-based random generator, and the pure
 * physics formulas every engine shares.
 */
export * from './errors.js';
export * from './enums.js';
export {
  ConfigBase,
  configFromDict,
  camelToSnake,
  pyName,
  describeAllowed,
  dictKeys,
  type AnyConfigClass,
  type ConfigClass,
  type ConfigInit,
  type ConfigInitOf,
  type Field,
  type NumberField,
  type BooleanField,
  type EnumField,
  type NumberListField,
  type NestedField,
  type NestedListField,
  type DerivedField,
  type Refuse,
  type Spec,
  type SpecValues,
} from './config/field.js';
export * from './config/parameters.js';
export * from './config/devices.js';
export * from './config/compounds.js';
export * from './config/support.js';
export * from './config/inference.js';
export * from './config/rpu-configs.js';
export * from './config/presets.js';
export * from './config/catalog.js';
export * from './config/dict.js';
export * from './tile.js';
export * from './registry.js';
export * from './rng.js';
export * from './validate.js';
export * from './tile-state.js';
export * from './tile-calls.js';
export * from './tile-memory.js';
export { checkHiddenParameterRanges, MAX_HIDDEN_MAGNITUDE } from './hidden-checks.js';
export * from './physics/index.js';
export * from './tile/index.js';
