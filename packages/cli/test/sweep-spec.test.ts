/**
 * The sweep file, its jobs and its report, without running jobs: schema
 * errors naming the key, axes checked through rpuConfigFromDict, job ids,
 * job validation on receipt, results.jsonl reading, tables and SVGs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { InferenceRPUConfig, SingleRPUConfig } from '@crossbar/core';
import type { SweepResult } from '../src/sweep/job.js';
import { buildReport, formatSweepReport, heatmapSvg, meanStd, sweepPlotSvg } from '../src/sweep/report.js';
import { readResults, ResultsWriter } from '../src/sweep/results.js';
import { expandJobs, jobId, jobRpuConfig, loadSweep, parseSweep, SWEEP_SCHEMA, validateJob, type SweepSpec } from '../src/sweep/spec.js';
import { redactUrl, checkRedisUrl } from '../src/sweep/queue.js';
import { tempDir } from './helpers/spawn.js';

const GRID = {
  name: 'grid',
  base: { epochs: 1, trainSize: 100, testSize: 50, hidden: [8], times: [1, 86400] },
  axes: { 'forward.out_noise': [0, 0.05, 0.1], 'noise_model.prog_noise_scale': [0.5, 1] },
  seeds: 2,
};

const parse = (doc: unknown) => parseSweep(doc, 'study.yaml');

describe('sweep file', () => {
  it('fills the base with the demo defaults and expands axes × seeds, first axis slowest', () => {
    const spec = parse(GRID);
    expect(spec.base).toMatchObject({ training: 'hwa', epochs: 1, trainSize: 100, batchSize: 32, engine: 'ndarray', repeats: 1, lr: 0.2 });
    expect(spec.seeds).toEqual([1, 2]);
    const jobs = expandJobs(spec);
    expect(jobs).toHaveLength(12);
    expect(jobs.slice(0, 3).map((j) => [j.settings['forward.out_noise'], j.settings['noise_model.prog_noise_scale'], j.seed])).toEqual([
      [0, 0.5, 1],
      [0, 0.5, 2],
      [0, 1, 1],
    ]);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(12);
    for (const j of jobs) expect(j.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a job id is the hash of base, settings and seed: independent of key order and of the study name', () => {
    const a = expandJobs(parse(GRID));
    const reordered = { seeds: [1, 2], axes: GRID.axes, base: { times: [1, 86400], hidden: [8], testSize: 50, trainSize: 100, epochs: 1 }, name: 'other' };
    expect(expandJobs(parse(reordered)).map((j) => j.id)).toEqual(a.map((j) => j.id));
    const changed = expandJobs(parse({ ...GRID, base: { ...GRID.base, epochs: 2 } }));
    expect(changed.map((j) => j.id).filter((id) => a.some((j) => j.id === id))).toEqual([]);
  });

  it('each job config has the axis values at their aihwkit paths', () => {
    const [job] = expandJobs(parse({ ...GRID, axes: { 'forward.out_noise': [0.07], 'noise_model.prog_noise_scale': [1.5], drift_compensation: [null] } }));
    const cfg = jobRpuConfig(job!.base, job!.settings) as InferenceRPUConfig;
    expect(cfg).toBeInstanceOf(InferenceRPUConfig);
    expect(cfg.forward.outNoise).toBe(0.07);
    expect(cfg.noiseModel.fieldValues().progNoiseScale).toBe(1.5);
    expect(cfg.driftCompensation).toBeNull();
    expect(cfg.modifier.fieldValues().stdDev).toBe(0.1); // the demo's hwa config underneath
  });

  it('a preset axis picks an aihwkit RPU config preset (in-situ training)', () => {
    const spec = parse({ base: { training: 'analog-sgd' }, axes: { preset: ['ReRamESPreset', 'CapacitorPreset'], 'forward.out_noise': [0.01] } });
    const cfgs = expandJobs(spec).map((j) => jobRpuConfig(j.base, j.settings) as SingleRPUConfig);
    expect(cfgs.map((c) => c.device.constructor.name)).toEqual(['ExpStepDevice', 'LinearStepDevice']);
    expect(cfgs[0]!.forward.outNoise).toBe(0.01);
    expect(() => parse({ axes: { preset: ['ReRamESPreset'] } })).toThrow(/axes\.preset: .*training: analog-sgd/);
    expect(() => parse({ base: { training: 'analog-sgd' }, axes: { preset: ['PCMPresetDevice'] } })).toThrow(
      /axes\.preset\[0\] = "PCMPresetDevice": "PCMPresetDevice" is not an RPU config preset/,
    );
    // a unit-cell preset is an RPU config, but not one in-situ training on a single device takes
    expect(() => parse({ base: { training: 'analog-sgd' }, axes: { preset: ['PCMPreset'] } })).toThrow(
      /axes\.preset\[0\] = "PCMPreset": in-situ training \(training: analog-sgd\) needs a SingleRPUConfig, got UnitCellRPUConfig/,
    );
  });

  it('an axis naming a field that does not exist: error naming the axis and the key', () => {
    expect(() => parse({ axes: { 'forward.out_nois': [0.1] } })).toThrow(
      /^study\.yaml: axes\."forward\.out_nois"\[0\] = 0\.1: .*has no key "out_nois" \(did you mean "out_noise"\?\)/,
    );
    expect(() => parse({ axes: { 'noise_modle.prog_noise_scale': [1] } })).toThrow(/axes\."noise_modle\.prog_noise_scale"\[0\].*noise_modle/);
    expect(() => parse({ axes: { 'forward.out_noise.x': [1] } })).toThrow(/axes\."forward\.out_noise\.x"\[0\] = 1: forward\.out_noise is 0\.06, not a dict/);
    expect(() => parse({ axes: { 'Forward.OutNoise': [1] } })).toThrow(/axes: key "Forward\.OutNoise" is not an aihwkit dict path/);
  });

  it('a value out of range or of the wrong type: error naming the axis, the index and the field', () => {
    expect(() => parse({ axes: { 'noise_model.prog_noise_scale': [1, -0.5] } })).toThrow(
      /axes\."noise_model\.prog_noise_scale"\[1\] = -0\.5: InferenceRPUConfig\.noise_model\.prog_noise_scale .* expected a finite number >= 0/,
    );
    expect(() => parse({ axes: { 'forward.out_res': ['fine'] } })).toThrow(/axes\."forward\.out_res"\[0\] = "fine"/);
    expect(() => parse({ axes: { 'forward.bound_management': ['Sideways'] } })).toThrow(/axes\."forward\.bound_management"\[0\] = "Sideways"/);
  });

  it('schema errors name every bad key path', () => {
    expect(() => parse({ base: { epochs: -1, trainsize: 3 }, seeds: 0, extra: 1 })).toThrow(
      /^study\.yaml: extra: unknown key; base\.trainsize: unknown key; base\.epochs: must be >= 0; seeds: must be a count n \(seeds 1\.\.n\) or a list of seeds$/,
    );
    expect(() => parse({ axes: { 'forward.out_noise': [] } })).toThrow(/axes\."forward\.out_noise": must NOT have fewer than 1 items/);
    expect(() => parse({ axes: { 'forward.out_noise': [0.1, 0.1] } })).toThrow(/axes\."forward\.out_noise": must NOT have duplicate items/);
    expect(() => parse({ base: { training: 'backprop', times: [0] } })).toThrow(
      /base\.training: must be one of "hwa", "analog-sgd", "tiki-taka"; base\.times\[0\]: must be > 0/,
    );
    expect(() => parse({ seeds: [1, 1] })).toThrow(/seeds: must be a count/);
    expect(() => parse('text')).toThrow(/study\.yaml: \(top level\): must be object/);
    expect(() => parse({ base: { rpuConfig: { type: 'SingleRPUConfig' } } })).toThrow(
      /base\.rpuConfig: hardware-aware training \(training: hwa\) needs an InferenceRPUConfig/,
    );
    expect(() => parse({ seeds: 10000, axes: { 'forward.out_noise': Array.from({ length: 11 }, (_, i) => i / 100) } })).toThrow(/110000 jobs .* at most 100000/);
  });

  it('files: YAML or JSON; a missing or unparsable file says which and why', () => {
    const d = tempDir();
    writeFileSync(join(d, 'a.yaml'), 'name: a\nseeds: [3]\naxes:\n  forward.out_noise: [0.01]\n');
    writeFileSync(join(d, 'b.json'), '{"seeds": 2}');
    writeFileSync(join(d, 'broken.yaml'), 'axes: [unclosed\n');
    writeFileSync(join(d, 'broken.json'), '{"seeds": }');
    expect(loadSweep(join(d, 'a.yaml'))).toMatchObject({ name: 'a', seeds: [3], axes: [['forward.out_noise', [0.01]]] });
    expect(loadSweep(join(d, 'b.json'))).toMatchObject({ name: 'b', seeds: [1, 2], axes: [] });
    expect(() => loadSweep(join(d, 'broken.yaml'))).toThrow(/broken\.yaml: not YAML/);
    expect(() => loadSweep(join(d, 'broken.json'))).toThrow(/broken\.json: not JSON/);
    expect(() => loadSweep(join(d, 'none.yaml'))).toThrow(/none\.yaml: no such file/);
  });

  it("docs/sweeps.md's worked example is docs/examples/sweep-grid.yaml: a 3 x 3 grid, 3 seeds", () => {
    const docs = join(import.meta.dirname, '..', '..', '..', 'docs');
    const file = readFileSync(join(docs, 'examples', 'sweep-grid.yaml'), 'utf8');
    const block = /```yaml\n# docs\/examples\/sweep-grid\.yaml[^\n]*\n([\s\S]*?)```/.exec(readFileSync(join(docs, 'sweeps.md'), 'utf8'))![1]!;
    expect(parseYaml(block)).toEqual(parseYaml(file));
    const spec = loadSweep(join(docs, 'examples', 'sweep-grid.yaml'));
    expect(expandJobs(spec)).toHaveLength(27);
    expect(spec.axes.map(([a, v]) => [a, v.length])).toEqual([
      ['forward.out_noise', 3],
      ['noise_model.prog_noise_scale', 3],
    ]);
  });

  it('SWEEP_SCHEMA is what docs/sweep.schema.json says', () => {
    const file = join(import.meta.dirname, '..', '..', '..', 'docs', 'sweep.schema.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(SWEEP_SCHEMA)));
  });
});

describe('a job received from a queue', () => {
  const [job] = expandJobs(parse(GRID));

  it('a valid job passes unchanged', () => {
    expect(validateJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
  });

  it('malformed data is refused with the reason', () => {
    expect(() => validateJob('rm -rf /')).toThrow(/malformed job: \(top level\): must be object/);
    expect(() => validateJob({ ...job, format: 'x' })).toThrow(/malformed job: format: must be equal to constant/);
    expect(() => validateJob({ ...job, code: 'process.exit()' })).toThrow(/malformed job: code: unknown key/);
    expect(() => validateJob({ ...job, seed: 3 })).toThrow(/malformed job: id [0-9a-f]{16} is not the hash of its settings and seed/);
    // A well-formed job (its id fits) whose config is refused.
    const settings = { 'forward.out_noise': -1 };
    const bad = { ...job!, settings, id: jobId(job!.base, settings, job!.seed) };
    expect(() => validateJob(bad)).toThrow(new RegExp(`malformed job ${bad.id}: InferenceRPUConfig\\.forward\\.out_noise .*= -1 is not allowed`));
  });
});

function fakeResult(spec: SweepSpec, i: number, acc: (s: Record<string, unknown>, seed: number, t: number) => number): SweepResult {
  const job = expandJobs(spec)[i]!;
  const stat = (m: number) => ({ mean: m, std: 0, values: [m] });
  return {
    format: 'crossbar-sweep-result@1',
    id: job.id,
    study: spec.name,
    settings: job.settings,
    seed: job.seed,
    engine: 'ndarray',
    beforeProgramming: 0.9,
    training: { loss: 0.3, trainAccuracy: 0.9 },
    points: spec.base.times.map((t) => ({
      t,
      compensated: stat(acc(job.settings, job.seed, t)),
      uncompensated: stat(acc(job.settings, job.seed, t) - 0.05),
      compensationScale: 1,
    })),
    timings: { loadSeconds: 0, trainSeconds: 1, inferenceSeconds: 1, totalSeconds: 2 },
    ranOn: { host: 'h', pid: 1, thread: 1 },
    finishedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('report', () => {
  const spec = parse(GRID);
  const jobs = expandJobs(spec);
  const acc = (s: Record<string, unknown>, seed: number, t: number) => 0.9 - (s['forward.out_noise'] as number) - (t > 1 ? 0.1 : 0) + (seed === 1 ? 0.01 : -0.01);
  const results = new Map(jobs.map((_, i) => fakeResult(spec, i, acc)).map((r) => [r.id, r]));

  it('tables per axis: mean ± std over seeds and the other axes', () => {
    const r = buildReport(spec, jobs, results);
    expect(r.results).toBe(12);
    const noise = r.axes[0]!;
    expect(noise.rows.map((row) => row.jobs)).toEqual([4, 4, 4]);
    expect(noise.rows[1]!.stats.compensated[0]!.mean).toBeCloseTo(0.85, 12);
    expect(noise.rows[1]!.stats.compensated[0]!.std).toBeCloseTo(meanStd([0.86, 0.84, 0.86, 0.84]).std, 12);
    expect(r.settings).toHaveLength(6);
    expect(r.settings[0]!.stats.compensated[1]!.mean).toBeCloseTo(0.8, 12);
    const text = formatSweepReport(r);
    expect(text).toContain('by forward.out_noise (mean ± std over seeds and the other axes)');
    expect(text).toMatch(/^0\.05\s+4\s+90\.00 ± 0\.00 %\s+85\.00 ± 1\.15 %\s+75\.00 ± 1\.15 %\s+70\.00 ± 1\.15 %$/m);
    expect(text).toMatch(/^out_noise=0, prog_noise_scale=0\.5\s+2\s+90\.00 ± 0\.00 %\s+90\.00 ± 1\.41 %/m);
  });

  it('plots: a line per setting; a heat map of the first two axes at the last time', () => {
    const r = buildReport(spec, jobs, results);
    const svg = sweepPlotSvg(r);
    expect(svg.match(/<polyline/g)).toHaveLength(6);
    expect(svg).toContain('out_noise=0.1, prog_noise_scale=1');
    const heat = heatmapSvg(spec, [...results.values()]);
    expect(heat.match(/<text[^>]*>[\d.]+ %<\/text>/g)!.length).toBeGreaterThanOrEqual(6);
    expect(heat).toContain('>80.0 %<'); // out_noise 0 at 1 day, mean of seeds
    expect(heat).toContain('>70.0 %<');
  });
});

describe('results.jsonl', () => {
  it('reads whole lines; a line cut short is skipped and the next append starts on a new line', () => {
    const spec = parse(GRID);
    const file = join(tempDir(), 'results.jsonl');
    const a = fakeResult(spec, 0, () => 0.5);
    const b = fakeResult(spec, 1, () => 0.5);
    writeFileSync(file, `${JSON.stringify(a)}\n${JSON.stringify(b).slice(0, 40)}`);
    expect(readResults(file)).toMatchObject({ unreadable: 1 });
    expect([...readResults(file).results.keys()]).toEqual([a.id]);
    new ResultsWriter(file).append(b);
    const again = readResults(file);
    expect([...again.results.keys()]).toEqual([a.id, b.id]);
    expect(again.unreadable).toBe(1);
  });
});

describe('Redis URLs', () => {
  it('passwords are never printed; only redis:// and rediss:// are taken', () => {
    expect(redactUrl('redis://:s3cret@host:6379/0')).toBe('redis://:***@host:6379/0');
    expect(redactUrl('rediss://user:s3cret@host:6380')).toBe('rediss://user:***@host:6380');
    expect(() => checkRedisUrl('http://host:6379')).toThrow(/expected a redis:\/\/ or rediss:\/\/ \(TLS\) URL/);
    expect(() => checkRedisUrl('host:6379')).toThrow(/expected a redis/);
    expect(() => checkRedisUrl('not a url')).toThrow(/not a URL/);
  });
});
