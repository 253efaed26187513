/**
 * Every error Crossbar throws on purpose is a `CrossbarError`, so callers can
 * tell our validation apart from bugs. Subclasses say which boundary refused.
 */
export class CrossbarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Where a refused config value sits, for programs that react to a ConfigError. */
export interface ConfigErrorDetail {
  /** The config class that refused (e.g. "IOParameters"). */
  readonly configClass: string;
  /** The camelCase field (or the unknown key as given), when one field is to blame. */
  readonly field?: string;
  /** aihwkit's snake_case name of that field. */
  readonly pyField?: string;
  /** The refused value, as given. */
  readonly value?: unknown;
  /** What would have been allowed. */
  readonly allowed?: string;
  /** Path from the outermost config to the field, camelCase segments (e.g. ["forward", "outNoise"]). */
  readonly path: readonly string[];
}

/** A config value, key or combination that is not allowed. */
export class ConfigError extends CrossbarError {
  constructor(
    message: string,
    /** Structured form of the message, when the refusal is about one field or key. */
    readonly detail?: ConfigErrorDetail,
  ) {
    super(message);
  }
}

/** Data handed to a tile or layer that has the wrong length, shape or non-finite values. */
export class InputError extends CrossbarError {}

/** A feature that a config names but the chosen engine does not implement. */
export class NotSupportedError extends CrossbarError {}

/** The engine registry could not give the engine that was asked for. */
export class BackendError extends CrossbarError {}
