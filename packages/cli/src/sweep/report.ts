/**
 * The sweep's report from its results: a table per axis (accuracy at each
 * drift time, mean ± std), a table per setting (mean ± std over seeds), the
 * accuracy against drift time of every setting (SVG, the demo's plot) and,
 * with two axes or more, a heat map of the first two axes at the last time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { textTable, timeLabel, type Align } from '../format.js';
import { accuracyPlotSvg, esc, num } from '../demo/svg.js';
import type { SweepResult } from './job.js';
import { canonicalJson, type JsonValue, type SweepJob, type SweepSpec } from './spec.js';

/** Mean and sample standard deviation (0 for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

/** Accuracies of a group of results: before programming, and at each time with/without compensation. */
export interface GroupStats {
  beforeProgramming: Stat;
  compensated: Stat[];
  uncompensated: Stat[];
}

export interface AxisTable {
  axis: string;
  rows: { value: JsonValue; jobs: number; stats: GroupStats }[];
}

export interface SettingRow {
  settings: Record<string, JsonValue>;
  seeds: number[];
  stats: GroupStats;
}

export interface SweepReport {
  format: 'crossbar-sweep-report@1';
  study: string;
  jobs: number;
  results: number;
  times: number[];
  axes: AxisTable[];
  settings: SettingRow[];
  /** Summed job times (what one worker would need), seconds. */
  jobSeconds: number;
  files: { results: string; report: string; plot: string; heatmap: string | null };
}

function groupStats(rs: readonly SweepResult[], times: readonly number[]): GroupStats {
  // A result's accuracy at a time is the mean over its repeats; std is then over the group's results.
  const at = (r: SweepResult, i: number) => r.points[i]!;
  return {
    beforeProgramming: meanStd(rs.map((r) => r.beforeProgramming)),
    compensated: times.map((_, i) => meanStd(rs.map((r) => at(r, i).compensated.mean))),
    uncompensated: times.map((_, i) => meanStd(rs.map((r) => at(r, i).uncompensated.mean))),
  };
}

export function valueText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function settingsLabel(settings: Readonly<Record<string, JsonValue>>): string {
  const parts = Object.entries(settings).map(([k, v]) => `${k.split('.').at(-1)}=${valueText(v)}`);
  return parts.length ? parts.join(', ') : 'base';
}

/** The report's numbers from the sweep's jobs and their results (results of other jobs are ignored). */
export function buildReport(spec: SweepSpec, jobs: readonly SweepJob[], results: ReadonlyMap<string, SweepResult>): Omit<SweepReport, 'files'> {
  const times = spec.base.times;
  const rs = jobs.map((j) => results.get(j.id)).filter((r): r is SweepResult => r !== undefined);
  const axes: AxisTable[] = spec.axes.map(([axis, values]) => ({
    axis,
    rows: values.map((value) => {
      const group = rs.filter((r) => canonicalJson(r.settings[axis]) === canonicalJson(value));
      return { value, jobs: group.length, stats: groupStats(group, times) };
    }),
  }));
  const bySetting = new Map<string, { settings: Record<string, JsonValue>; rs: SweepResult[] }>();
  for (const j of jobs) {
    const key = canonicalJson(j.settings);
    if (!bySetting.has(key)) bySetting.set(key, { settings: j.settings, rs: [] });
    const r = results.get(j.id);
    if (r) bySetting.get(key)!.rs.push(r);
  }
  const settings = [...bySetting.values()].map(({ settings: s, rs: g }) => ({ settings: s, seeds: g.map((r) => r.seed), stats: groupStats(g, times) }));
  return {
    format: 'crossbar-sweep-report@1',
    study: spec.name,
    jobs: jobs.length,
    results: rs.length,
    times: [...times],
    axes,
    settings,
    jobSeconds: rs.reduce((a, r) => a + r.timings.totalSeconds, 0),
  };
}

function pm(s: Stat): string {
  if (!Number.isFinite(s.mean)) return '–';
  return s.n > 1 ? `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)} %` : `${(100 * s.mean).toFixed(2)} %`;
}

/** Plain-text tables of the report (accuracy with global drift compensation; without it in parentheses at the last time). */
export function formatSweepReport(r: Omit<SweepReport, 'files'>): string {
  const head = ['before programming', ...r.times.map((t) => timeLabel(t))];
  const lastNoComp = `${timeLabel(r.times.at(-1)!)}, no compensation`;
  const right = (n: number): Align[] => Array.from({ length: n }, () => 'right');
  const out: string[] = [`Sweep "${r.study}": ${r.results} of ${r.jobs} jobs; test accuracy with global drift compensation at each time after programming`];
  for (const a of r.axes) {
    out.push(
      '',
      `by ${a.axis} (mean ± std over seeds${r.axes.length > 1 ? ' and the other axes' : ''})`,
      textTable(
        [a.axis, 'jobs', ...head, lastNoComp],
        a.rows.map((row) => [
          valueText(row.value),
          String(row.jobs),
          pm(row.stats.beforeProgramming),
          ...row.stats.compensated.map(pm),
          pm(row.stats.uncompensated.at(-1)!),
        ]),
        ['left', ...right(head.length + 2)],
      ),
    );
  }
  if (r.axes.length !== 1) {
    out.push(
      '',
      'by setting (mean ± std over seeds)',
      textTable(
        ['setting', 'seeds', ...head, lastNoComp],
        r.settings.map((s) => [
          settingsLabel(s.settings),
          String(s.seeds.length),
          pm(s.stats.beforeProgramming),
          ...s.stats.compensated.map(pm),
          pm(s.stats.uncompensated.at(-1)!),
        ]),
        ['left', ...right(head.length + 2)],
      ),
    );
  }
  return out.join('\n');
}

/** A categorical palette (matplotlib's tab10, as the demo's colours). */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Accuracy (with compensation) against drift time, one line per setting, std over seeds as error bars. */
export function sweepPlotSvg(r: Omit<SweepReport, 'files'>): string {
  const withStd = r.settings.some((s) => s.seeds.length > 1);
  return accuracyPlotSvg({
    title: `Sweep "${r.study}": test accuracy after PCM drift`,
    subtitle: `global drift compensation; ${withStd ? 'mean ± std over seeds' : 'one seed'}; ${r.results} jobs`,
    times: r.times,
    series: r.settings.map((s, i) => ({
      label: settingsLabel(s.settings),
      color: PALETTE[i % PALETTE.length]!,
      dashed: i >= PALETTE.length,
      values: s.stats.compensated.map((c) => c.mean),
      ...(withStd ? { std: s.stats.compensated.map((c) => c.std) } : {}),
    })),
  });
}

/** A colour between white-ish yellow and dark blue for a fraction in [0, 1] (viridis-like, 3 stops). */
function ramp(f: number): string {
  const stops = [
    [68, 1, 84],
    [33, 145, 140],
    [253, 231, 37],
  ] as const;
  const x = Math.min(1, Math.max(0, f)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const t = x - i;
  const c = stops[i]!.map((a, k) => Math.round(a + (stops[i + 1]![k]! - a) * t));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Heat map of the first two axes: accuracy with compensation at the last
 * time, mean over seeds (and any further axes), one cell per pair of values.
 */
export function heatmapSvg(spec: SweepSpec, results: readonly SweepResult[]): string {
  const [[ax, xs], [ay, ys]] = spec.axes as [[string, JsonValue[]], [string, JsonValue[]]];
  const tIndex = spec.base.times.length - 1;
  const cell = (vx: JsonValue, vy: JsonValue) =>
    meanStd(
      results
        .filter((r) => canonicalJson(r.settings[ax]) === canonicalJson(vx) && canonicalJson(r.settings[ay]) === canonicalJson(vy))
        .map((r) => r.points[tIndex]!.compensated.mean),
    );
  const grid = ys.map((vy) => xs.map((vx) => cell(vx, vy)));
  const finite = grid
    .flat()
    .filter((s) => Number.isFinite(s.mean))
    .map((s) => s.mean);
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const cw = Math.max(70, Math.min(120, 560 / xs.length));
  const ch = Math.max(34, Math.min(60, 300 / ys.length));
  const left = 150;
  const top = 70;
  const W = left + cw * xs.length + 120;
  const H = top + ch * ys.length + 70;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(W)}" height="${num(H)}" viewBox="0 0 ${num(W)} ${num(H)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${num(W)}" height="${num(H)}" fill="#ffffff"/>`,
    `<text x="${num(W / 2)}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(`Sweep "${spec.name}": test accuracy at ${timeLabel(spec.base.times[tIndex]!)}`)}</text>`,
    `<text x="${num(W / 2)}" y="43" text-anchor="middle" fill="#555555">${esc(`global drift compensation; mean over seeds${spec.axes.length > 2 ? ' and the other axes' : ''}`)}</text>`,
  ];
  grid.forEach((row, j) =>
    row.forEach((s, i) => {
      const x = left + i * cw;
      const y = top + j * ch;
      const f = hi > lo ? (s.mean - lo) / (hi - lo) : 0.5;
      const fill = Number.isFinite(s.mean) ? ramp(f) : '#eeeeee';
      out.push(`<rect x="${num(x)}" y="${num(y)}" width="${num(cw)}" height="${num(ch)}" fill="${fill}" stroke="#ffffff"/>`);
      const label = Number.isFinite(s.mean) ? `${(100 * s.mean).toFixed(1)} %` : '–';
      out.push(
        `<text x="${num(x + cw / 2)}" y="${num(y + ch / 2)}" text-anchor="middle" dominant-baseline="middle" fill="${f > 0.6 ? '#000000' : '#ffffff'}">${label}</text>`,
      );
    }),
  );
  xs.forEach((v, i) => out.push(`<text x="${num(left + (i + 0.5) * cw)}" y="${num(top + ch * ys.length + 18)}" text-anchor="middle">${esc(valueText(v))}</text>`));
  ys.forEach((v, j) => out.push(`<text x="${left - 8}" y="${num(top + (j + 0.5) * ch)}" text-anchor="end" dominant-baseline="middle">${esc(valueText(v))}</text>`));
  out.push(
    `<text x="${num(left + (cw * xs.length) / 2)}" y="${num(top + ch * ys.length + 42)}" text-anchor="middle">${esc(ax)}</text>`,
    `<text transform="translate(18 ${num(top + (ch * ys.length) / 2)}) rotate(-90)" text-anchor="middle">${esc(ay)}</text>`,
  );
  // Colour bar.
  const bx = left + cw * xs.length + 30;
  const bh = ch * ys.length;
  for (let k = 0; k < 20; k++) out.push(`<rect x="${num(bx)}" y="${num(top + (bh * k) / 20)}" width="16" height="${num(bh / 20 + 0.5)}" fill="${ramp(1 - k / 19)}"/>`);
  out.push(
    `<text x="${num(bx + 22)}" y="${top + 4}" dominant-baseline="middle">${(100 * hi).toFixed(1)} %</text>`,
    `<text x="${num(bx + 22)}" y="${num(top + bh - 4)}" dominant-baseline="middle">${(100 * lo).toFixed(1)} %</text>`,
    '</svg>',
  );
  return out.join('\n') + '\n';
}

/** Writes report.json, accuracy-vs-time.svg and (two axes or more) heatmap.svg into `dir`. */
export function writeReport(dir: string, spec: SweepSpec, jobs: readonly SweepJob[], results: ReadonlyMap<string, SweepResult>, resultsFile: string): SweepReport {
  const d = resolve(dir);
  mkdirSync(d, { recursive: true });
  const r = buildReport(spec, jobs, results);
  const files = { results: resultsFile, report: join(d, 'report.json'), plot: join(d, 'accuracy-vs-time.svg'), heatmap: null as string | null };
  if (r.results > 0) writeFileSync(files.plot, sweepPlotSvg(r));
  if (spec.axes.length >= 2 && r.results > 0) {
    files.heatmap = join(d, 'heatmap.svg');
    const rs = jobs.map((j) => results.get(j.id)).filter((x): x is SweepResult => x !== undefined);
    writeFileSync(files.heatmap, heatmapSvg(spec, rs));
  }
  const full: SweepReport = { ...r, files };
  writeFileSync(files.report, JSON.stringify(full, null, 2) + '\n');
  return full;
}
