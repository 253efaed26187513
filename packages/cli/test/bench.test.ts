/**
 * The benchmark harness: cases are found in src/bench/cases, run on tinybench,
 * and reported as a table, JSON and a Markdown block. (Times are measured,
 * never asserted.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  MARKDOWN_END,
  MARKDOWN_START,
  benchMain,
  defineBench,
  formatMarkdown,
  formatTable,
  loadCases,
  machineInfo,
  replaceMarkdownBlock,
  runBenchmarks,
  runCase,
  si,
  type BenchReport,
} from '../src/bench/index.js';

describe('cases', () => {
  it('finds the cases in src/bench/cases, with the RNG normals case among them', async () => {
    const cases = await loadCases();
    const rng = cases.find((c) => c.group === 'rng' && c.name.startsWith('fillNormal 1e6'));
    expect(rng).toBeDefined();
    expect(rng).toMatchObject({ engine: 'core', size: 1_000_000, items: { count: 1_000_000, unit: 'normals' } });
  });

  it('finds a new case file dropped into a cases folder (a one-file change)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbar-bench-'));
    try {
      const harness = new URL('../src/bench/harness.ts', import.meta.url).href;
      writeFileSync(
        join(dir, 'extra.ts'),
        `import { defineBench } from ${JSON.stringify(harness)};\nexport default defineBench({ name: 'x', group: 'g', engine: 'core', size: 1, setup: () => () => 1 });\n`,
      );
      writeFileSync(join(dir, 'types.d.ts'), 'export {};\n');
      const cases = await loadCases(dir);
      expect(cases.map((c) => c.name)).toEqual(['x']);
      writeFileSync(join(dir, 'bad.ts'), 'export default 42;\n');
      await expect(loadCases(dir)).rejects.toThrow(/bad\.ts: the default export must be a case/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defineBench refuses incomplete cases', () => {
    const ok = { name: 'n', group: 'g', engine: 'e', size: 1, setup: () => () => 0 };
    expect(() => defineBench({ ...ok, name: '' })).toThrow(/name, group and engine/);
    expect(() => defineBench({ ...ok, flops: -1 })).toThrow(/flops/);
    expect(() => defineBench({ ...ok, items: { count: 0, unit: 'x' } })).toThrow(/items/);
  });
});

describe('runner', () => {
  it('times a case and derives runs/s, GFLOP/s and items/s from the mean time', async () => {
    let sum = 0;
    const r = await runCase(
      defineBench({
        name: 'sum',
        group: 'test',
        engine: 'core',
        size: 1000,
        flops: 1000,
        items: { count: 1000, unit: 'adds' },
        setup: () => () => {
          for (let i = 0; i < 1000; i++) sum += i;
        },
      }),
      { timeMs: 30 },
    );
    expect(sum).toBeGreaterThan(0);
    expect(r.status).toBe('ok');
    expect(r.samples).toBeGreaterThanOrEqual(10);
    expect(r.opsPerSecond).toBeCloseTo(1000 / r.meanMs!, 6);
    expect(r.gflops).toBeCloseTo((1000 * r.opsPerSecond!) / 1e9, 9);
    expect(r.itemsPerSecond).toBeCloseTo(1000 * r.opsPerSecond!, 3);
    expect(r.itemUnit).toBe('adds');
  });

  it('reports a case whose setup throws as skipped, a failing run as failed, and runs teardown', async () => {
    const teardown = vi.fn();
    const report = await runBenchmarks(
      [
        defineBench({ name: 'no gpu', group: 'g', engine: 'gpujs', size: 1, setup: () => Promise.reject(new Error('no WebGL here')) }),
        defineBench({
          name: 'throws',
          group: 'g',
          engine: 'core',
          size: 1,
          setup: () => ({
            run: () => {
              throw new Error('boom');
            },
            teardown,
          }),
        }),
        defineBench({ name: 'fine', group: 'g', engine: 'core', size: 1, setup: () => ({ run: () => 1, teardown }) }),
      ],
      { timeMs: 10 },
    );
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['no gpu', 'skipped'],
      ['throws', 'failed'],
      ['fine', 'ok'],
    ]);
    expect(report.results[0]!.reason).toBe('no WebGL here');
    expect(report.results[1]!.reason).toContain('boom');
    expect(teardown).toHaveBeenCalledTimes(2);
  });

  it('isolated runs (a fresh process per case) need the built worker: from the sources a case is failed with the reason', async () => {
    const report = await runBenchmarks([defineBench({ name: 'x', group: 'g', engine: 'core', size: 1, setup: () => () => 0 })], { timeMs: 10, isolate: true });
    expect(report.results[0]).toMatchObject({ name: 'x', status: 'failed' });
    expect(report.results[0]!.reason).toMatch(/worker\.js is missing: build the CLI/);
  });

  it('refuses two cases of the same name', async () => {
    const c = defineBench({ name: 'a', group: 'g', engine: 'core', size: 1, setup: () => () => 0 });
    await expect(runBenchmarks([c, c])).rejects.toThrow(/two benchmark cases are called g\/core\/a/);
  });
});

describe('report', () => {
  const report: BenchReport = {
    machine: { ...machineInfo(new Date('2026-01-02T03:04:05Z')), cpu: 'Test CPU', cores: 8, load: 0.5 },
    timeMs: 500,
    results: [
      {
        name: 'fillNormal 1e6',
        group: 'rng',
        engine: 'core',
        size: 1e6,
        status: 'ok',
        meanMs: 20,
        p50Ms: 19,
        rmePercent: 1.5,
        samples: 50,
        opsPerSecond: 50,
        itemsPerSecond: 5e7,
        itemUnit: 'normals',
      },
      { name: 'mvm', group: 'forward', engine: 'gpujs', size: '256x256', status: 'skipped', reason: 'no WebGL' },
    ],
  };

  it('prints a table with the machine', () => {
    const t = formatTable(report);
    expect(t).toContain('Test CPU, 8 cores');
    expect(t).toContain('2026-01-02, load average 0.5');
    expect(t).toMatch(/rng\s+fillNormal 1e6\s+core\s+1000000\s+20\.0 ms\s+1\.5 %\s+50\.0\s+–\s+50\.0 M normals\/s/);
    expect(t).toContain('skipped: no WebGL');
  });

  it('writes a Markdown block between the bench markers and replaces it on the next run', () => {
    const md = formatMarkdown(report);
    expect(md.startsWith(MARKDOWN_START)).toBe(true);
    expect(md.endsWith(MARKDOWN_END)).toBe(true);
    expect(md).toContain(`Measured on Test CPU, 8 cores`);
    expect(md).toContain('| rng | fillNormal 1e6 | core | 1000000 | 20.0 ms | 1.5 % | 50.0 | – | 50.0 M normals/s |');
    const doc = `# Benchmarks\n\ntext\n\n${MARKDOWN_START}\nold\n${MARKDOWN_END}\n\nafter\n`;
    const updated = replaceMarkdownBlock(doc, md);
    expect(updated).toContain('text');
    expect(updated).toContain('after');
    expect(updated).not.toContain('old');
    expect(replaceMarkdownBlock('# B\n', md)).toBe(`# B\n\n${md}\n`);
  });

  it('si prefixes', () => {
    expect(si(5e7)).toBe('50.0 M');
    expect(si(1234)).toBe('1.23 k');
    expect(si(0.5)).toBe('0.500');
  });
});

describe('main', () => {
  it('runs the RNG case and writes JSON and the Markdown table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbar-bench-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const json = join(dir, 'r.json');
      const md = join(dir, 'b.md');
      writeFileSync(md, `# Benchmarks\n\n${MARKDOWN_START}\n${MARKDOWN_END}\n`);
      const code = await benchMain(['--in-process', '--filter', '^rng/core/fillNormal', '--time', '20', '--json', json, '--markdown', md]);
      expect(code).toBe(0);
      const r = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
      expect(r.results).toHaveLength(1);
      expect(r.results[0]).toMatchObject({ group: 'rng', status: 'ok', itemUnit: 'normals' });
      expect(r.results[0]!.itemsPerSecond).toBeGreaterThan(0);
      expect(r.machine.node).toBe(process.version);
      expect(readFileSync(md, 'utf8')).toContain('normals/s');
      expect(await benchMain(['--filter', 'nothing-matches-this'])).toBe(1);
    } finally {
      log.mockRestore();
      err.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
