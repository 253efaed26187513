/** Plain-text output helpers: aligned tables, percentages, durations. */

export type Align = 'left' | 'right';

/** An aligned plain-text table: a header row, a rule, then the rows. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (align[i] === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 0.9712 → "97.12 %". */
export function percent(x: number, digits = 2): string {
  return `${(100 * x).toFixed(digits)} %`;
}

/** Seconds as "850 ms", "12.3 s" or "2 min 05 s". */
export function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/** Seconds after programming as a readable time: 1 s, 1 h, 1 day, 1 month, 1 year, ... */
export function timeLabel(t: number): string {
  const units: [number, string, string][] = [
    [365 * 86400, 'year', 'years'],
    [30 * 86400, 'month', 'months'],
    [86400, 'day', 'days'],
    [3600, 'h', 'h'],
    [60, 'min', 'min'],
    [1, 's', 's'],
  ];
  for (const [size, one, many] of units) {
    if (t >= size && Math.abs(t / size - Math.round(t / size)) < 1e-9) {
      const n = Math.round(t / size);
      return `${n} ${n === 1 ? one : many}`;
    }
  }
  return `${Number(t.toPrecision(3))} s`;
}
