/**
 * Small SVG plots drawn by the page itself: a scatter plot, a histogram, a bar
 * chart and a line plot with a log time axis. Each returns an <svg> element
 * sized by its viewBox (it scales with its container).
 */
const NS = 'http://www.w3.org/2000/svg';
const W = 440;
const H = 300;
const M = { left: 58, right: 14, top: 30, bottom: 44 };

export const COLORS = { analog: '#1f6feb', ideal: '#8b949e', error: '#cf222e', compensated: '#1a7f37', uncompensated: '#bc4c00', passes: '#8250df' };

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Round tick values covering [lo, hi] (about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

interface Frame {
  svg: SVGSVGElement;
  x: (v: number) => number;
  y: (v: number) => number;
}

interface Size {
  W: number;
  H: number;
}

function frame(
  title: string,
  xLabel: string,
  yLabel: string,
  xr: [number, number],
  yr: [number, number],
  xTicks: { v: number; label: string }[],
  size: Size = { W, H },
): Frame {
  const { W, H } = size;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'plot' });
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * pw;
  const y = (v: number) => M.top + ph - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * ph;
  svg.append(el('text', { x: W / 2, y: 18, 'text-anchor': 'middle', class: 'plot-title' }, title));
  svg.append(el('rect', { x: M.left, y: M.top, width: pw, height: ph, class: 'plot-area' }));
  for (const t of niceTicks(yr[0], yr[1])) {
    if (t < yr[0] - 1e-12 || t > yr[1] + 1e-12) continue;
    svg.append(el('line', { x1: M.left, x2: M.left + pw, y1: y(t), y2: y(t), class: 'grid' }));
    svg.append(el('text', { x: M.left - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'tick' }, formatTick(t)));
  }
  for (const t of xTicks) {
    if (t.v < xr[0] - 1e-12 || t.v > xr[1] + 1e-12) continue;
    svg.append(el('line', { x1: x(t.v), x2: x(t.v), y1: M.top, y2: M.top + ph, class: 'grid' }));
    svg.append(el('text', { x: x(t.v), y: M.top + ph + 16, 'text-anchor': 'middle', class: 'tick' }, t.label));
  }
  svg.append(el('text', { x: M.left + pw / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-label' }, xLabel));
  svg.append(el('text', { x: 14, y: M.top + ph / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${M.top + ph / 2})` }, yLabel));
  return { svg, x, y };
}

function extent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** Analog vs ideal outputs, with the line y = x; at most `maxPoints` points (evenly spaced). */
export function scatterPlot(ideal: ArrayLike<number>, analog: ArrayLike<number>, title: string, maxPoints = 4000): SVGSVGElement {
  const [a, b] = extent([...extent(ideal), ...extent(analog)]);
  const r: [number, number] = [a, b];
  const f = frame(
    title,
    'ideal output W·x',
    'analog output',
    r,
    r,
    niceTicks(a, b).map((v) => ({ v, label: formatTick(v) })),
  );
  f.svg.append(el('line', { x1: f.x(a), y1: f.y(a), x2: f.x(b), y2: f.y(b), class: 'diagonal' }));
  const n = ideal.length;
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  let d = '';
  for (let i = 0; i < n; i += stride) {
    const yv = analog[i]!;
    if (!Number.isFinite(yv)) continue;
    d += `M${f.x(ideal[i]!).toFixed(1)} ${f.y(yv).toFixed(1)}h0`;
  }
  f.svg.append(el('path', { d, class: 'dots', stroke: COLORS.analog }));
  return f.svg;
}

/** Histogram of `values` in `bins` equal bins. */
export function histogram(values: ArrayLike<number>, title: string, xLabel: string, bins = 41): SVGSVGElement {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite.push(values[i]!);
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (!finite.length) [lo, hi] = [0, 1];
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  [lo, hi] = [-m, m]; // symmetric around 0: errors
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]!++;
  const top = Math.max(...counts, 1);
  const f = frame(
    title,
    xLabel,
    'count',
    [lo, hi],
    [0, top * 1.08],
    niceTicks(lo, hi).map((v) => ({ v, label: formatTick(v) })),
  );
  const w = (f.x(hi) - f.x(lo)) / bins;
  counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = f.x(lo + ((hi - lo) * i) / bins);
    f.svg.append(el('rect', { x: x0 + 0.5, y: f.y(c), width: Math.max(0.5, w - 1), height: f.y(0) - f.y(c), fill: COLORS.error, class: 'bar' }));
  });
  return f.svg;
}

/** Bars: count per label (e.g. input vectors per number of passes). */
export function barChart(labels: string[], counts: number[], title: string, xLabel: string, yLabel: string): SVGSVGElement {
  const top = Math.max(...counts, 1);
  const n = labels.length;
  const f = frame(
    title,
    xLabel,
    yLabel,
    [0, n],
    [0, top * 1.12],
    labels.map((label, i) => ({ v: i + 0.5, label })),
  );
  counts.forEach((c, i) => {
    const x0 = f.x(i + 0.15);
    const x1 = f.x(i + 0.85);
    f.svg.append(el('rect', { x: x0, y: f.y(c), width: x1 - x0, height: f.y(0) - f.y(c), fill: COLORS.passes, class: 'bar' }));
    f.svg.append(el('text', { x: (x0 + x1) / 2, y: f.y(c) - 4, 'text-anchor': 'middle', class: 'bar-label' }, String(c)));
  });
  return f.svg;
}

/** A message where a plot would be. */
export function emptyPlot(title: string, message: string): SVGSVGElement {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'plot' });
  svg.append(el('text', { x: W / 2, y: 18, 'text-anchor': 'middle', class: 'plot-title' }, title));
  svg.append(el('rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, class: 'plot-area' }));
  const words = message.split(' ');
  const lines: string[] = [''];
  for (const w of words) {
    if ((lines[lines.length - 1] + ' ' + w).length > 48) lines.push(w);
    else lines[lines.length - 1] = `${lines[lines.length - 1]} ${w}`.trim();
  }
  lines.forEach((l, i) => svg.append(el('text', { x: W / 2, y: H / 2 - 8 * lines.length + 18 * i, 'text-anchor': 'middle', class: 'plot-message' }, l)));
  return svg;
}

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number; lo?: number; hi?: number }[];
}

/** Lines over a log-scaled x axis (x > 0), with optional bands (lo … hi) and a dashed horizontal reference. */
export function logLinePlot(
  series: Series[],
  title: string,
  xLabel: string,
  yLabel: string,
  xTickLabel: (x: number) => string,
  reference?: { y: number; label: string },
): SVGSVGElement {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.lo ?? p.y, p.hi ?? p.y]));
  if (reference) ys.push(reference.y);
  const lx0 = Math.log10(Math.min(...xs));
  const lx1 = Math.log10(Math.max(...xs));
  const pad = (lx1 - lx0 || 1) * 0.04;
  let [y0, y1] = extent(ys);
  y0 = Math.max(0, y0 - 0.02);
  y1 = Math.min(1, y1 + 0.02);
  const xTicks = [...new Set(xs)].map((x) => ({ v: Math.log10(x), label: xTickLabel(x) }));
  const size = { W: 720, H: 360 };
  const f = frame(title, xLabel, yLabel, [lx0 - pad, lx1 + pad], [y0, y1], xTicks, size);
  if (reference) {
    f.svg.append(el('line', { x1: f.x(lx0 - pad), x2: f.x(lx1 + pad), y1: f.y(reference.y), y2: f.y(reference.y), class: 'reference' }));
    f.svg.append(el('text', { x: f.x(lx1 + pad) - 4, y: f.y(reference.y) - 5, 'text-anchor': 'end', class: 'reference-label' }, reference.label));
  }
  series.forEach((s, k) => {
    const pts = s.points.map((p) => ({ ...p, px: f.x(Math.log10(p.x)) }));
    if (pts.some((p) => p.lo !== undefined && p.hi !== undefined && p.hi > p.lo)) {
      const upper = pts.map((p) => `${p.px.toFixed(1)},${f.y(p.hi ?? p.y).toFixed(1)}`);
      const lower = pts.map((p) => `${p.px.toFixed(1)},${f.y(p.lo ?? p.y).toFixed(1)}`).reverse();
      f.svg.append(el('polygon', { points: [...upper, ...lower].join(' '), fill: s.color, class: 'band' }));
    }
    f.svg.append(el('polyline', { points: pts.map((p) => `${p.px.toFixed(1)},${f.y(p.y).toFixed(1)}`).join(' '), stroke: s.color, class: 'line' }));
    for (const p of pts) f.svg.append(el('circle', { cx: p.px, cy: f.y(p.y), r: 3, fill: s.color }));
    // legend, bottom left inside the plot
    const ly = size.H - M.bottom - 12 - 16 * (series.length - 1 - k);
    f.svg.append(el('line', { x1: M.left + 10, x2: M.left + 28, y1: ly, y2: ly, stroke: s.color, class: 'line' }));
    f.svg.append(el('text', { x: M.left + 34, y: ly + 4, class: 'legend' }, s.name));
  });
  return f.svg;
}
