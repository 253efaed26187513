/**
 * The sweep file (`crossbar sweep study.yaml`): a base job, axes over RPU
 * config fields by their aihwkit dict path, and seeds. Read from YAML or
 * JSON, checked against SWEEP_SCHEMA (JSON Schema, draft-07) and then every
 * axis value through core's `rpuConfigFromDict`, so a misspelt field or a
 * value out of range is refused before any job runs, with the key path.
 *
 * Expanding the file gives the jobs: the grid of every axis value times every
 * seed. A job is plain data, fully determined by its settings and seed; its
 * id is a hash of them, so the same job has the same id on every machine.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import {
  ConfigError,
  InferenceRPUConfig,
  PRESETS,
  rpuConfigFromDict,
  rpuConfigToDict,
  SingleRPUConfig,
  TransferCompound,
  UnitCellRPUConfig,
  type RPUConfig,
} from '@crossbar/core';
import { CliError } from '../errors.js';
import { analogSgdConfig, DEVICES, hwaConfig, tikiTakaConfig, TRAINING_MODES, type TrainingMode } from '../demo/configs.js';
import { DEFAULT_TIMES, DEMO_DEFAULTS } from '../demo/run.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The base job: the demo's network, data and schedule (every field has the demo's default). */
export interface SweepBase {
  training: TrainingMode;
  device: string;
  epochs: number;
  trainSize: number;
  testSize: number;
  hidden: number[];
  batchSize: number;
  lr: number;
  modifierStd: number;
  augmentShift: number;
  times: number[];
  repeats: number;
  /** The engine, `name` or `name:mode`. */
  engine: string;
  /** An aihwkit dict replacing the mode's built-in training config; null: the built-in one. */
  rpuConfig: Record<string, JsonValue> | null;
}

export interface SweepSpec {
  name: string;
  base: SweepBase;
  /** Axis path (aihwkit dict path, or "preset") → its values, in file order. */
  axes: [string, JsonValue[]][];
  seeds: number[];
}

/** One job: plain data, validated again on receipt by a worker (JOB_SCHEMA). */
export interface SweepJob {
  format: 'crossbar-sweep-job@1';
  /** Hash of base, settings and seed (16 hex digits). */
  id: string;
  study: string;
  base: SweepBase;
  /** Axis path → this job's value, in the sweep's axis order. */
  settings: Record<string, JsonValue>;
  seed: number;
}

/** How many jobs a sweep may have (a typo such as `seeds: 100000` should not flood a queue). */
export const MAX_JOBS = 100_000;

const AXIS_NAME = '^(preset|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*)$';

const BASE_SCHEMA = {
  type: 'object',
  description: "The base job: the demo's network, MNIST data and training (`crossbar demo`'s options); every field has the demo's default",
  additionalProperties: false,
  properties: {
    training: {
      enum: [...TRAINING_MODES],
      description:
        'hwa: hardware-aware training (InferenceRPUConfig); analog-sgd: in-situ pulsed training (SingleRPUConfig); tiki-taka: in-situ Tiki-Taka training (UnitCellRPUConfig with a TransferCompound)',
      default: 'hwa',
    },
    device: {
      enum: Object.keys(DEVICES),
      description: `pulsed device of analog-sgd and tiki-taka training (default: ${DEMO_DEFAULTS.device} for analog-sgd, ${DEMO_DEFAULTS.tikiTakaDevice} for tiki-taka)`,
    },
    epochs: { type: 'integer', minimum: 0, maximum: 1000, description: 'training epochs (default: 6)' },
    trainSize: { type: 'integer', minimum: 1, maximum: 10000, default: DEMO_DEFAULTS.trainSize },
    testSize: { type: 'integer', minimum: 1, maximum: 10000, default: DEMO_DEFAULTS.testSize },
    hidden: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 100000 }, description: 'hidden layer sizes', default: [...DEMO_DEFAULTS.hidden] },
    batchSize: { type: 'integer', minimum: 1, maximum: 100000, default: DEMO_DEFAULTS.batchSize },
    lr: { type: 'number', exclusiveMinimum: 0, description: 'initial learning rate, decaying linearly to 0 (default: 0.2 for hwa, 0.1 for analog-sgd)' },
    modifierStd: { type: 'number', minimum: 0, description: 'hwa: training weight noise relative to the largest weight', default: DEMO_DEFAULTS.modifierStd },
    augmentShift: { type: 'integer', minimum: 0, maximum: 4, default: DEMO_DEFAULTS.augmentShift },
    times: {
      type: 'array',
      minItems: 1,
      items: { type: 'number', exclusiveMinimum: 0 },
      description: 'inference times after programming, seconds',
      default: [...DEFAULT_TIMES],
    },
    repeats: { type: 'integer', minimum: 1, maximum: 1000, description: 'programmings per time to average over', default: DEMO_DEFAULTS.repeats },
    engine: { type: 'string', minLength: 1, description: "engine of every job, 'name' or 'name:mode'", default: 'ndarray' },
    rpuConfig: {
      type: 'object',
      description:
        "an aihwkit dict replacing the mode's built-in training config (InferenceRPUConfig for hwa, SingleRPUConfig for analog-sgd, UnitCellRPUConfig with a TransferCompound for tiki-taka)",
    },
  },
} as const;

/** JSON Schema of the sweep file (also `crossbar sweep --schema`, and docs/sweep.schema.json). */
export const SWEEP_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/crossbar/crossbar/docs/sweep.schema.json',
  title: 'crossbar sweep file',
  description: 'A study: a base job, axes over RPU config fields by their aihwkit dict path, and seeds. Every combination of axis values is run once per seed.',
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, description: 'name of the study (default: the file name)' },
    base: BASE_SCHEMA,
    axes: {
      type: 'object',
      description:
        'axis → list of values. An axis is a field of the training RPU config by its aihwkit dict path (forward.out_noise, noise_model.prog_noise_scale, drift_compensation, ...) or "preset": an aihwkit RPU config preset by name (ReRamESPreset, ...; analog-sgd training)',
      propertyNames: { pattern: AXIS_NAME },
      additionalProperties: { type: 'array', minItems: 1, uniqueItems: true },
      default: {},
    },
    seeds: {
      description: 'a count n (seeds 1..n) or a list of seeds',
      oneOf: [
        { type: 'integer', minimum: 1, maximum: 10000 },
        { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 0 } },
      ],
      default: 1,
    },
  },
} as const;

/** JSON Schema of a job as it travels on a queue; a worker checks every job it receives against it. */
export const JOB_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'crossbar sweep job',
  type: 'object',
  additionalProperties: false,
  required: ['format', 'id', 'study', 'base', 'settings', 'seed'],
  properties: {
    format: { const: 'crossbar-sweep-job@1' },
    id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
    study: { type: 'string' },
    base: {
      ...BASE_SCHEMA,
      properties: { ...BASE_SCHEMA.properties, rpuConfig: { type: ['object', 'null'] } },
      required: Object.keys(BASE_SCHEMA.properties),
    },
    settings: { type: 'object', propertyNames: { pattern: AXIS_NAME } },
    seed: { type: 'integer', minimum: 0 },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const checkSweep = ajv.compile(SWEEP_SCHEMA);
const checkJob = ajv.compile(JOB_SCHEMA);

/** Where in the document, as a key path: `base.epochs`, `axes."forward.out_noise"`, `seeds[2]`. */
function keyPath(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += (out ? '.' : '') + (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg) ? seg : JSON.stringify(seg));
  }
  return out || '(top level)';
}

/** Ajv's errors as one readable message per key. */
export function schemaErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const out: string[] = [];
  // A value that fits no branch of a oneOf: one message from the oneOf's description, not one per branch.
  const oneOfAt = new Set((errors ?? []).filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  for (const e of errors ?? []) {
    if (e.keyword === 'oneOf') {
      const desc = (e.parentSchema as { description?: string } | undefined)?.description;
      out.push(`${keyPath(e.instancePath)}: must be ${desc ?? 'one of the allowed forms'}`);
      continue;
    }
    if ([...oneOfAt].some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))) continue;
    const at = keyPath(e.instancePath);
    let msg: string;
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      msg = `${at === '(top level)' ? '' : `${at}.`}${key}: unknown key`;
    } else if (e.keyword === 'propertyNames') {
      msg = `${at}: key ${JSON.stringify((e.params as { propertyName: string }).propertyName)} is not an aihwkit dict path (snake_case words joined by ".") or "preset"`;
    } else if (e.keyword === 'enum') {
      msg = `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else {
      msg = `${at}: ${e.message ?? e.keyword}`;
    }
    if (!out.includes(msg)) out.push(msg);
  }
  return out;
}

/** The training config of a mode before the axes: the file's rpuConfig, else the demo's built-in one. */
function baseConfigDict(base: SweepBase): Record<string, unknown> {
  if (base.rpuConfig) return structuredClone(base.rpuConfig);
  const builtIn = base.training === 'hwa' ? hwaConfig(base.modifierStd) : base.training === 'tiki-taka' ? tikiTakaConfig(base.device) : analogSgdConfig(base.device);
  return rpuConfigToDict(builtIn);
}

const RPU_PRESETS = PRESETS.filter((p) => p.kind === 'rpuConfig');

function presetDict(name: JsonValue): Record<string, unknown> {
  const p = RPU_PRESETS.find((q) => q.name === name);
  if (!p) {
    throw new ConfigError(`${JSON.stringify(name)} is not an RPU config preset; presets: ${RPU_PRESETS.map((q) => q.name).join(', ')}`);
  }
  return rpuConfigToDict(p.create() as RPUConfig);
}

/** Sets `a.b.c` in a dict, creating missing nested dicts; a non-dict on the way is an error. */
function setPath(dict: Record<string, unknown>, path: string, value: JsonValue): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = dict;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    const next = node[k];
    if (next === undefined || next === null) node[k] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) {
      throw new ConfigError(`${keys.slice(0, i + 1).join('.')} is ${JSON.stringify(next)}, not a dict with a field "${keys[i + 1]}"`);
    }
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = structuredClone(value);
}

/**
 * The training RPU config of a job: the base config, the preset if the
 * settings name one, then each setting at its dict path, read back through
 * `rpuConfigFromDict` (which refuses unknown keys and bad values).
 */
export function jobRpuConfig(base: SweepBase, settings: Readonly<Record<string, JsonValue>>): RPUConfig {
  let dict = 'preset' in settings ? presetDict(settings.preset!) : baseConfigDict(base);
  dict = structuredClone(dict);
  for (const [path, value] of Object.entries(settings)) if (path !== 'preset') setPath(dict, path, value);
  const cfg = rpuConfigFromDict(dict);
  if (base.training === 'hwa' && !(cfg instanceof InferenceRPUConfig)) {
    throw new ConfigError(`hardware-aware training (training: hwa) needs an InferenceRPUConfig, got ${cfg.constructor.name}`);
  }
  if (base.training === 'analog-sgd' && !(cfg instanceof SingleRPUConfig)) {
    throw new ConfigError(`in-situ training (training: analog-sgd) needs a SingleRPUConfig, got ${cfg.constructor.name}`);
  }
  if (base.training === 'tiki-taka' && !(cfg instanceof UnitCellRPUConfig && cfg.device instanceof TransferCompound)) {
    throw new ConfigError(`Tiki-Taka training (training: tiki-taka) needs a UnitCellRPUConfig with a TransferCompound device, got ${cfg.constructor.name}`);
  }
  return cfg;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The base with the demo's defaults filled in. */
function fullBase(b: Partial<SweepBase>): SweepBase {
  const training = b.training ?? 'hwa';
  return {
    training,
    device: b.device ?? (training === 'tiki-taka' ? DEMO_DEFAULTS.tikiTakaDevice : DEMO_DEFAULTS.device),
    epochs: b.epochs ?? DEMO_DEFAULTS[training].epochs,
    trainSize: b.trainSize ?? DEMO_DEFAULTS.trainSize,
    testSize: b.testSize ?? DEMO_DEFAULTS.testSize,
    hidden: b.hidden ?? [...DEMO_DEFAULTS.hidden],
    batchSize: b.batchSize ?? DEMO_DEFAULTS.batchSize,
    lr: b.lr ?? DEMO_DEFAULTS[training].lr,
    modifierStd: b.modifierStd ?? DEMO_DEFAULTS.modifierStd,
    augmentShift: b.augmentShift ?? DEMO_DEFAULTS.augmentShift,
    times: b.times ?? [...DEFAULT_TIMES],
    repeats: b.repeats ?? DEMO_DEFAULTS.repeats,
    engine: b.engine ?? 'ndarray',
    rpuConfig: b.rpuConfig ?? null,
  };
}

/**
 * Checks a parsed sweep document and returns the spec. `where` names the
 * file in messages. Every problem is a CliError naming the key path.
 */
export function parseSweep(doc: unknown, where: string, defaultName = 'sweep'): SweepSpec {
  if (!checkSweep(doc)) throw new CliError(`${where}: ${schemaErrors(checkSweep.errors).join('; ')}`);
  const d = doc as { name?: string; base?: Partial<SweepBase>; axes?: Record<string, JsonValue[]>; seeds?: number | number[] };
  const base = fullBase(d.base ?? {});
  const axes = Object.entries(d.axes ?? {});
  const seeds = typeof d.seeds === 'number' ? Array.from({ length: d.seeds }, (_, i) => i + 1) : (d.seeds ?? [1]);
  if (base.training === 'hwa' && axes.some(([k]) => k === 'preset')) {
    throw new CliError(`${where}: axes.preset: the presets are SingleRPUConfigs for in-situ training; set base.training: analog-sgd`);
  }
  // The base config alone, then every axis value on its own: the message names the value that is refused.
  try {
    jobRpuConfig(base, {});
  } catch (e) {
    throw new CliError(`${where}: base${base.rpuConfig ? '.rpuConfig' : ''}: ${messageOf(e)}`);
  }
  for (const [axis, values] of axes) {
    values.forEach((v, i) => {
      try {
        jobRpuConfig(base, { [axis]: v });
      } catch (e) {
        throw new CliError(`${where}: ${keyPath(`/axes/${axis}`)}[${i}] = ${JSON.stringify(v)}: ${messageOf(e)}`);
      }
    });
  }
  const count = axes.reduce((n, [, v]) => n * v.length, seeds.length);
  if (count > MAX_JOBS) throw new CliError(`${where}: ${count} jobs (axes × seeds); at most ${MAX_JOBS}`);
  return { name: d.name ?? defaultName, base, axes, seeds };
}

/** Reads and checks a sweep file (.yaml, .yml or .json). */
export function loadSweep(file: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(err.code === 'ENOENT' ? `${file}: no such file` : `${file}: ${err.message}`);
  }
  let doc: unknown;
  const ext = extname(file).toLowerCase();
  try {
    doc = ext === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: false });
  } catch (e) {
    throw new CliError(`${file}: not ${ext === '.json' ? 'JSON' : 'YAML'} (${messageOf(e)})`);
  }
  const name = file.replace(/^.*[\\/]/, '').replace(/\.(ya?ml|json)$/i, '');
  return parseSweep(doc, file, name);
}

/** JSON with keys sorted at every level: the same value gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A job's id: the first 16 hex digits of the SHA-256 of its canonical base, settings and seed. */
export function jobId(base: SweepBase, settings: Readonly<Record<string, JsonValue>>, seed: number): string {
  return createHash('sha256').update(canonicalJson({ base, settings, seed })).digest('hex').slice(0, 16);
}

/** Every job of a sweep: each combination of axis values (the first axis slowest), each seed. */
export function expandJobs(spec: SweepSpec): SweepJob[] {
  let combos: Record<string, JsonValue>[] = [{}];
  for (const [axis, values] of spec.axes) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  const jobs: SweepJob[] = [];
  for (const settings of combos) {
    for (const seed of spec.seeds) {
      jobs.push({ format: 'crossbar-sweep-job@1', id: jobId(spec.base, settings, seed), study: spec.name, base: spec.base, settings, seed });
    }
  }
  return jobs;
}

/**
 * Checks data received as a job (from a queue): the schema, the id against
 * the hash of its contents, and its config. Throws a CliError saying why.
 */
export function validateJob(data: unknown): SweepJob {
  if (!checkJob(data)) throw new CliError(`malformed job: ${schemaErrors(checkJob.errors).join('; ')}`);
  const job = data as SweepJob;
  const id = jobId(job.base, job.settings, job.seed);
  if (id !== job.id) throw new CliError(`malformed job: id ${job.id} is not the hash of its settings and seed (${id})`);
  try {
    jobRpuConfig(job.base, job.settings);
  } catch (e) {
    throw new CliError(`malformed job ${job.id}: ${messageOf(e)}`);
  }
  return job;
}
