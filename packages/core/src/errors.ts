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

/** A config value, key or combination that is not allowed. */
export class ConfigError extends CrossbarError {}

/** Data handed to a tile or layer that has the wrong length, shape or non-finite values. */
export class InputError extends CrossbarError {}

/** A feature that a config names but the chosen engine does not implement. */
export class NotSupportedError extends CrossbarError {}

/** The engine registry could not give the engine that was asked for. */
export class BackendError extends CrossbarError {}
