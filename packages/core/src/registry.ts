/**
 * The engine registry, shaped after TensorFlow.js's: engines register a
 * factory with a priority; `getBackend()` without a name takes the
 * `CROSSBAR_BACKEND` environment variable, else the highest-priority engine
 * whose factory works here. A `BackendRegistry` holds no engine state of its
 * own, so several engines (and several registries) live side by side.
 */
import { BackendError } from './errors.js';
import type { AnalogTileBackend, Awaitable } from './tile.js';

/** Makes an engine; may be async and may throw where the engine cannot work here (the registry records why). */
export type BackendFactory = () => Awaitable<AnalogTileBackend>;

/** Options of `registerBackend`. */
export interface RegisterOptions {
  /** Higher wins when no name is given (ndarray: 1). */
  priority?: number;
}

/** One registered engine as `listBackends()` and `probeBackends()` report it. */
export interface BackendInfo {
  name: string;
  priority: number;
  /** 'untried' until first asked for; then 'ok' or 'failed'. */
  status: 'untried' | 'ok' | 'failed';
  /** The engine's own description when it works (e.g. the gpu.js mode), else why it failed. */
  detail?: string;
}

interface Entry {
  factory: BackendFactory;
  priority: number;
  instance?: Promise<AnalogTileBackend>;
  resolved?: AnalogTileBackend;
  error?: unknown;
}

function envBackend(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.CROSSBAR_BACKEND?.trim();
  return v ? v : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A set of engine factories by name; `defaultRegistry` is the one the package functions use. */
export class BackendRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Adds (or replaces) an engine factory under a lower-case name; throws BackendError on a bad name, factory or priority. */
  register(name: string, factory: BackendFactory, options: RegisterOptions = {}): void {
    if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name)) {
      throw new BackendError(`registerBackend: name must be lower-case letters, digits and "-", got ${JSON.stringify(name)}`);
    }
    if (typeof factory !== 'function') throw new BackendError(`registerBackend("${name}"): factory must be a function`);
    const priority = options.priority ?? 0;
    if (!Number.isFinite(priority)) throw new BackendError(`registerBackend("${name}"): priority must be a finite number`);
    this.entries.set(name, { factory, priority });
  }

  /** Removes an engine; true if it was registered. */
  unregister(name: string): boolean {
    return this.entries.delete(name);
  }

  /** Every registered engine, highest priority first, without trying any. */
  list(): BackendInfo[] {
    return [...this.entries.entries()]
      .sort((a, b) => b[1].priority - a[1].priority)
      .map(([name, e]) => ({
        name,
        priority: e.priority,
        status: e.resolved ? 'ok' : e.error !== undefined ? 'failed' : 'untried',
        detail: e.resolved ? e.resolved.description : e.error !== undefined ? messageOf(e.error) : undefined,
      }));
  }

  /** Tries every engine once (for `crossbar engines`); the result says which work and why others fail. */
  async probe(): Promise<BackendInfo[]> {
    for (const name of this.entries.keys()) {
      await this.instantiate(name).catch(() => undefined);
    }
    return this.list();
  }

  private instantiate(name: string): Promise<AnalogTileBackend> {
    const entry = this.entries.get(name);
    if (!entry) {
      const known = [...this.entries.keys()];
      return Promise.reject(new BackendError(`No engine named "${name}" is registered; registered: ${known.length ? known.join(', ') : 'none'}`));
    }
    if (!entry.instance) {
      entry.instance = (async () => {
        try {
          const backend = await entry.factory();
          if (!backend || typeof backend.createTile !== 'function') {
            throw new BackendError(`the factory of "${name}" did not return an AnalogTileBackend`);
          }
          entry.resolved = backend;
          return backend;
        } catch (e) {
          entry.error = e;
          throw e;
        }
      })();
    }
    return entry.instance;
  }

  /**
   * The engine called `name`; without a name, `CROSSBAR_BACKEND`, else the
   * highest-priority engine that works here. If none works, one error lists
   * each engine's failure.
   */
  async get(name?: string): Promise<AnalogTileBackend> {
    const wanted = name ?? envBackend();
    if (wanted !== undefined) {
      try {
        return await this.instantiate(wanted);
      } catch (e) {
        if (e instanceof BackendError && !this.entries.has(wanted)) throw e;
        throw new BackendError(`Engine "${wanted}" does not work here: ${messageOf(e)}`);
      }
    }
    const failures: string[] = [];
    for (const info of this.list()) {
      try {
        return await this.instantiate(info.name);
      } catch (e) {
        failures.push(`${info.name}: ${messageOf(e)}`);
      }
    }
    if (failures.length === 0) throw new BackendError('No engine is registered (import @crossbar/backend-ndarray to register one)');
    throw new BackendError(`No registered engine works here:\n  ${failures.join('\n  ')}`);
  }
}

/** The process-wide registry that engines register into when imported. */
export const defaultRegistry = new BackendRegistry();

/** Registers an engine in the default registry (what an engine package does on import). */
export function registerBackend(name: string, factory: BackendFactory, options?: RegisterOptions): void {
  defaultRegistry.register(name, factory, options);
}
/** The named engine, or without a name `CROSSBAR_BACKEND`'s, else the highest-priority engine that works here; BackendError when none does. */
export function getBackend(name?: string): Promise<AnalogTileBackend> {
  return defaultRegistry.get(name);
}
/** Every engine registered in the default registry, without trying any. */
export function listBackends(): BackendInfo[] {
  return defaultRegistry.list();
}
/** Every registered engine, each tried once, with whether it works here and why not. */
export function probeBackends(): Promise<BackendInfo[]> {
  return defaultRegistry.probe();
}
