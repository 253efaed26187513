/**
 * The engines the CLI can use: the installed engine packages (the wasm engine,
 * the default where its kernels load, the ndarray engine, and gpu.js where its
 * package loads), engines a contributor loads
 * with `--load ./my-engine.js`, and `--engine name[:mode]` resolution.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackendError, getBackend, listBackends, probeBackends, registerBackend, type AnalogTileBackend, type BackendFactory } from '@crossbar/core';
import '@crossbar/backend-ndarray';
// registers "wasm" above ndarray: the default wherever its kernels load (else the registry says why and takes ndarray)
import '@crossbar/backend-wasm';
import { TOLERANCES, type ToleranceMode } from '@crossbar/conformance/portable';
import { CliError, UsageError, oneLine } from './errors.js';

/** The gpu.js package's exports the CLI uses (modes), when it loaded. */
interface GpujsModule {
  GPUJS_MODES: readonly string[];
  checkMode(mode: string): { mode: string; ok: boolean; reason?: string };
  createGpujsBackend(options?: { mode?: string }): AnalogTileBackend;
}

/** The gpu.js engine's package: an optional peer of the CLI (it brings gpu.js and its native build), loaded only when present. */
export const GPUJS_PACKAGE = '@crossbar/backend-gpujs';
/** The one line a user reads where the gpu.js engine is asked for but not installed. */
export const GPUJS_NOT_INSTALLED = `${GPUJS_PACKAGE} is not installed (the CLI does not bring it): npm install ${GPUJS_PACKAGE}`;

/** Whether an import failed because `pkg` itself is not installed (not because something inside it broke). */
export function isMissingPackage(e: unknown, pkg: string): boolean {
  return (e as { code?: unknown })?.code === 'ERR_MODULE_NOT_FOUND' && messageOf(e).includes(`'${pkg}'`);
}

let gpujs: GpujsModule | undefined;
let gpujsLoadError: string | undefined;
let gpujsLoad: Promise<GpujsModule | undefined> | undefined;

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Imports the gpu.js engine's package once, when first needed; undefined where it cannot load (gpujsLoadError says why). */
function loadGpujs(): Promise<GpujsModule | undefined> {
  gpujsLoad ??= (async () => {
    try {
      gpujs = (await import(GPUJS_PACKAGE)) as unknown as GpujsModule;
    } catch (e) {
      gpujsLoadError = isMissingPackage(e, GPUJS_PACKAGE) ? GPUJS_NOT_INSTALLED : oneLine(messageOf(e));
    }
    return gpujs;
  })();
  return gpujsLoad;
}

function gpujsUnavailable(): BackendError {
  return new BackendError(gpujsLoadError === GPUJS_NOT_INSTALLED ? GPUJS_NOT_INSTALLED : `${GPUJS_PACKAGE} could not be loaded here: ${gpujsLoadError}`);
}

/** The priority the gpu.js package registers "gpujs" with (its GPUJS_PRIORITY): below the ndarray engine. */
const GPUJS_PRIORITY = 0;

/**
 * Registers the installed engines: "ndarray" (imported above) and "gpujs",
 * without importing the gpu.js package: gpu.js and its native and WebGL code
 * load only when the engine is used (`--engine gpujs`, `crossbar engines`).
 * Where the package cannot be imported, the engine's factory fails with the
 * reason (the npm install line where it is not installed), so `crossbar
 * engines` and the registry's errors say why.
 */
export function registerInstalledEngines(): Promise<void> {
  if (!listBackends().some((b) => b.name === 'gpujs')) {
    registerBackend(
      'gpujs',
      async () => {
        // Importing the package registers its own "gpujs" entry in place of this
        // one (resolveEngine and engineRows import it first, so they meet that entry).
        const m = await loadGpujs();
        if (!m) throw gpujsUnavailable();
        return m.createGpujsBackend();
      },
      { priority: GPUJS_PRIORITY },
    );
  }
  return Promise.resolve();
}

/** What a `--load` module may default-export instead of calling registerBackend itself. */
interface EngineExport {
  name: string;
  factory: BackendFactory;
  priority?: number;
}

function isBackend(v: unknown): v is AnalogTileBackend {
  return typeof v === 'object' && v !== null && typeof (v as AnalogTileBackend).createTile === 'function' && typeof (v as AnalogTileBackend).name === 'string';
}

function isEngineExport(v: unknown): v is EngineExport {
  return typeof v === 'object' && v !== null && typeof (v as EngineExport).name === 'string' && typeof (v as EngineExport).factory === 'function';
}

/**
 * Loads a contributor's engine module (`--load ./my-engine.js`) and returns
 * the names of the engines it registered. The module either calls
 * `registerBackend` of @crossbar/core on import (the same copy of core the CLI
 * uses), or default-exports an engine (an AnalogTileBackend object, or
 * `{ name, factory, priority }`), which the CLI registers.
 */
export async function loadEngineModule(spec: string): Promise<string[]> {
  const path = resolve(spec);
  if (!existsSync(path)) throw new CliError(`--load ${spec}: no such file (${path})`);
  if (!statSync(path).isFile()) throw new CliError(`--load ${spec}: not a file (${path})`);
  const before = new Map(listBackends().map((b) => [b.name, b]));
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    throw new CliError(`--load ${spec} could not be imported: ${messageOf(e)}`);
  }
  const def = mod.default;
  if (isBackend(def)) {
    registerBackend(def.name, () => def, { priority: 0 });
  } else if (isEngineExport(def)) {
    registerBackend(def.name, def.factory, { priority: def.priority ?? 0 });
  }
  const added = listBackends()
    .filter((b) => !before.has(b.name) || (isEngineExport(def) && def.name === b.name) || (isBackend(def) && def.name === b.name))
    .map((b) => b.name);
  if (added.length === 0) {
    throw new CliError(
      `--load ${spec} registered no engine: it must call registerBackend() of @crossbar/core (the copy the CLI uses) ` +
        'or default-export an AnalogTileBackend or { name, factory, priority }',
    );
  }
  return added;
}

/** Registers the installed engines and loads every `--load` module; returns the names the modules added. */
export async function prepareEngines(load: readonly string[] = []): Promise<string[]> {
  await registerInstalledEngines();
  const added: string[] = [];
  for (const spec of load) added.push(...(await loadEngineModule(spec)));
  return added;
}

/**
 * The engine of `--engine name[:mode]` (mode: gpu.js's kernel mode, e.g.
 * `gpujs:webasm`); without a name the registry's choice (CROSSBAR_BACKEND,
 * else the highest-priority engine that works here).
 */
export async function resolveEngine(spec?: string): Promise<AnalogTileBackend> {
  if (spec === undefined || spec === '') return getBackend();
  const [name, mode, ...rest] = spec.split(':');
  if (name === 'gpujs') await loadGpujs();
  if (rest.length > 0 || !name) throw new UsageError(`--engine ${spec}: expected a name or name:mode, e.g. ndarray or gpujs:webasm`);
  const known = listBackends().map((b) => b.name);
  if (!known.includes(name)) {
    throw new UsageError(`--engine ${name}: no such engine; registered: ${known.join(', ')} (load another with --load ./engine.js)`);
  }
  if (mode === undefined) return getBackend(name);
  if (name !== 'gpujs') throw new UsageError(`--engine ${spec}: only the gpujs engine has modes`);
  const gpujs = await loadGpujs();
  if (!gpujs) throw gpujsUnavailable();
  if (!gpujs.GPUJS_MODES.includes(mode)) {
    throw new UsageError(`--engine ${spec}: unknown gpujs mode "${mode}"; modes: ${gpujs.GPUJS_MODES.join(', ')}`);
  }
  const check = gpujs.checkMode(mode);
  if (!check.ok) throw new BackendError(`Engine "gpujs:${mode}" does not work here: ${check.reason ?? 'unknown reason'}`);
  try {
    return gpujs.createGpujsBackend({ mode });
  } catch (e) {
    throw new BackendError(`Engine "gpujs:${mode}" does not work here: ${messageOf(e)}`);
  }
}

/** One row of `crossbar engines`. */
export interface EngineRow {
  /** `name` or `name:mode`. */
  engine: string;
  priority: number | null;
  /** Whether it works here. */
  works: boolean;
  /** Whether a plain `--engine`-less run picks it (the registry's default). */
  isDefault: boolean;
  /** The engine's description when it works, else why not. */
  detail: string;
}

/** Every registered engine (each tried once) and, for gpu.js, each of its modes. */
export async function engineRows(): Promise<EngineRow[]> {
  await loadGpujs(); // its modes are listed too
  const infos = await probeBackends();
  let defaultName: string | undefined;
  try {
    defaultName = (await getBackend()).name;
  } catch {
    defaultName = undefined;
  }
  const rows: EngineRow[] = [];
  for (const info of infos) {
    rows.push({
      engine: info.name,
      priority: info.priority,
      works: info.status === 'ok',
      isDefault: info.name === defaultName,
      detail: oneLine(info.detail ?? ''),
    });
    if (info.name === 'gpujs' && gpujs) {
      for (const mode of gpujs.GPUJS_MODES) {
        const c = gpujs.checkMode(mode);
        rows.push({
          engine: `gpujs:${mode}`,
          priority: null,
          works: c.ok,
          isDefault: false,
          detail: c.ok ? `gpu.js ${mode} mode (use --engine gpujs:${mode})` : oneLine(c.reason ?? ''),
        });
      }
    }
  }
  return rows;
}

/**
 * The conformance tolerance of an engine's arithmetic when the user names none:
 * the engine's `mode` where it reports one that the conformance package has a
 * tolerance for (gpu.js: headlessgl, webgl2, webasm, cpu; its browser WebGL1
 * mode computes as headless-gl, also WebGL1), else `cpu`.
 */
export function defaultToleranceMode(backend: AnalogTileBackend): ToleranceMode {
  const reported = (backend as { mode?: unknown }).mode;
  const mode = reported === 'webgl' ? 'headlessgl' : reported;
  return typeof mode === 'string' && Object.hasOwn(TOLERANCES, mode) ? (mode as ToleranceMode) : 'cpu';
}
