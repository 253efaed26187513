/**
 * The demo's plot: test accuracy against time after programming (log time
 * axis), with and without global drift compensation, and the accuracy before
 * programming as a reference line. Plain SVG, no dependencies.
 */
import { timeLabel } from '../format.js';

export interface PlotSeries {
  label: string;
  color: string;
  dashed?: boolean;
  /** Accuracy (0..1) at each time; `std` (same length) draws error bars. */
  values: readonly number[];
  std?: readonly number[];
}

export interface AccuracyPlot {
  title: string;
  subtitle?: string;
  /** Seconds after programming (> 0). */
  times: readonly number[];
  series: readonly PlotSeries[];
  /** Horizontal reference lines (e.g. before programming). */
  references?: readonly { label: string; value: number; color: string }[];
}

const W = 760;
const H = 440;
const M = { left: 70, right: 24, top: 62, bottom: 96 };

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function num(x: number): string {
  return Number(x.toFixed(2)).toString();
}

/** A "nice" step (1, 2 or 5 × 10^k) for about `ticks` ticks over `span`. */
function niceStep(span: number, ticks: number): number {
  const raw = span / Math.max(1, ticks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** The SVG text of the plot. */
export function accuracyPlotSvg(plot: AccuracyPlot): string {
  const times = plot.times;
  if (times.length === 0 || times.some((t) => !(t > 0))) throw new Error('accuracyPlotSvg: times must be > 0');
  const all: number[] = [];
  for (const s of plot.series) s.values.forEach((v, i) => Number.isFinite(v) && all.push(v - (s.std?.[i] ?? 0), v + (s.std?.[i] ?? 0)));
  for (const r of plot.references ?? []) if (Number.isFinite(r.value)) all.push(r.value);
  // Accuracy in percent; the axis spans the data with a margin, at most 0..100.
  const lo = Math.max(0, Math.min(...all) * 100);
  const hi = Math.min(100, Math.max(...all) * 100);
  const step = niceStep(Math.max(hi - lo, 1), 6);
  const yMin = Math.max(0, Math.floor((lo - step / 2) / step) * step);
  const yMax = Math.min(100, Math.ceil((hi + step / 2) / step) * step);
  const tMin = Math.min(...times);
  const tMax = Math.max(...times);
  const lMin = Math.log10(tMin) - 0.25;
  const lMax = Math.log10(tMax) + 0.25;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (t: number) => M.left + ((Math.log10(t) - lMin) / (lMax - lMin)) * pw;
  const y = (acc: number) => M.top + (1 - (acc * 100 - yMin) / (yMax - yMin)) * ph;

  // Legend below the axis title, wrapped into rows (many series: a sweep's settings).
  const entries = [
    ...plot.series.map((s) => ({ label: s.label, color: s.color, dash: s.dashed ? '7 5' : '' })),
    ...(plot.references ?? []).filter((r) => Number.isFinite(r.value)).map((r) => ({ label: r.label, color: r.color, dash: '2 4' })),
  ];
  const legend: { x: number; row: number; e: (typeof entries)[number] }[] = [];
  let lx = M.left;
  let row = 0;
  for (const e of entries) {
    const w = 52 + e.label.length * 7;
    if (lx > M.left && lx + w - 20 > W - M.right) {
      lx = M.left;
      row++;
    }
    legend.push({ x: lx, row, e });
    lx += w;
  }
  const height = H + 18 * row;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(plot.title)}</text>`,
  );
  if (plot.subtitle) out.push(`<text x="${W / 2}" y="43" text-anchor="middle" fill="#555555">${esc(plot.subtitle)}</text>`);
  // Grid and y ticks.
  for (let v = yMin; v <= yMax + 1e-9; v += step) {
    const yy = num(y(v / 100));
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${num(v)} %</text>`);
  }
  // Decade grid lines (log axis) and the evaluated times as labelled ticks.
  for (let d = Math.ceil(lMin); d <= Math.floor(lMax); d++) {
    const xx = num(x(10 ** d));
    out.push(`<line x1="${xx}" x2="${xx}" y1="${M.top}" y2="${M.top + ph}" stroke="#f0f0f0"/>`);
  }
  for (const t of times) {
    const xx = num(x(t));
    out.push(`<line x1="${xx}" x2="${xx}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#333333"/>`);
    out.push(`<text x="${xx}" y="${M.top + ph + 18}" text-anchor="middle">${esc(timeLabel(t))}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333333"/>`);
  out.push(
    `<text x="${M.left + pw / 2}" y="${M.top + ph + 42}" text-anchor="middle">time after programming (log scale; grid lines at powers of 10 s)</text>`,
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">test accuracy</text>`,
  );
  // Reference lines.
  for (const r of plot.references ?? []) {
    if (!Number.isFinite(r.value)) continue;
    const yy = num(y(r.value));
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="${r.color}" stroke-dasharray="2 4" stroke-width="1.5"/>`);
  }
  // Series.
  for (const s of plot.series) {
    const pts = times.map((t, i) => [x(t), y(s.values[i]!)] as const).filter(([, yy]) => Number.isFinite(yy));
    if (s.std) {
      times.forEach((t, i) => {
        const v = s.values[i]!;
        const e = s.std![i]!;
        if (!(e > 0) || !Number.isFinite(v)) return;
        out.push(`<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${num(y(v - e))}" y2="${num(y(v + e))}" stroke="${s.color}"/>`);
      });
    }
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="7 5"' : ''} points="${pts.map(([a, b]) => `${num(a)},${num(b)}`).join(' ')}"/>`,
    );
    for (const [a, b] of pts) out.push(`<circle cx="${num(a)}" cy="${num(b)}" r="3.5" fill="${s.color}"/>`);
  }
  for (const { x: ex, row: r, e } of legend) {
    const ly = H - 16 + 18 * r;
    out.push(`<line x1="${ex}" x2="${ex + 26}" y1="${ly}" y2="${ly}" stroke="${e.color}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/>`);
    out.push(`<text x="${ex + 32}" y="${ly}" dominant-baseline="middle">${esc(e.label)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
