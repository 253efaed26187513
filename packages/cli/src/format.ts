/** Plain-text output helpers: aligned tables, percentages, durations. */

export type Align = 'left' | 'right';

/** Splits text into lines of at most `width` characters at spaces (a longer word is cut). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter((w) => w.length > 0)) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * An aligned plain-text table: a header row, a rule, then the rows. A column
 * with a `maxWidths` entry wraps its cells onto continuation lines at that width.
 */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
  maxWidths: readonly (number | undefined)[] = [],
): string {
  const wrapped = rows.map((r) => headers.map((_, i) => (maxWidths[i] === undefined ? [r[i] ?? ''] : wrapText(r[i] ?? '', maxWidths[i]!))));
  const widths = headers.map((h, i) => Math.max(h.length, ...wrapped.map((cells) => Math.max(...cells[i]!.map((l) => l.length)))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (align[i] === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const body = wrapped.flatMap((cells) => {
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => line(cells.map((c) => c[k] ?? '')));
  });
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body].join('\n');
}

/** A count with its noun: plural(1, 'epoch') → "1 epoch", plural(6, 'epoch') → "6 epochs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
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
