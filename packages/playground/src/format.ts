/** How the page writes numbers (the Node test formats its own numbers the same way to compare). */

/** 4 significant digits; "–" for NaN / null. */
export function formatNumber(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(4)));
  return v.toExponential(3);
}

/** 0.9712 → "97.1 %". */
export function formatPercent(v: number, digits = 1): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(digits)} %` : '–';
}

/** Milliseconds as "0.84 ms", "12.3 ms", "1.25 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** DAC/ADC resolution as levels and bits: res 1/126 → "127 levels ≈ 7 bits"; res ≤ 0 → "not quantised". */
export function describeResolution(res: number): string {
  if (!(res > 0)) return 'not quantised';
  const step = res > 1 ? 1 / res : res; // aihwkit: a value > 1 is a number of steps
  const levels = Math.round(1 / step) + 1;
  return `${levels} levels ≈ ${Math.log2(levels).toFixed(1)} bits`;
}
