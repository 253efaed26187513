/**
 * Progress bars on stderr: redrawn in place (\r) when stderr is a terminal,
 * plain lines at intervals otherwise (logs, CI, pipes).
 */

/** Where progress is drawn: a stream like process.stderr. */
export interface ProgressStream {
  /** Writes text as it is. */
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of a progress bar. */
export interface ProgressOptions {
  /** Where to draw (default process.stderr). */
  stream?: ProgressStream;
  /** Redraw in place (default: stream.isTTY). */
  tty?: boolean;
  /** Without a terminal: a line at every this fraction of the total (default 0.25) and at the end. */
  lineEvery?: number;
  /** Least time between two redraws on a terminal, ms (default 100). */
  redrawMs?: number;
  /** Clock in ms (for tests). */
  now?: () => number;
}

const BAR_WIDTH = 24;

/** One bar: `label [#####.....]  done/total  fields`. */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly lineEvery: number;
  private readonly redrawMs: number;
  private readonly now: () => number;
  private lastDraw = -Infinity;
  private nextLine: number;
  private finished = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.lineEvery = options.lineEvery ?? 0.25;
    this.redrawMs = options.redrawMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.nextLine = this.lineEvery;
  }

  private text(done: number, fields: string): string {
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(frac * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    const count = `${String(done).padStart(String(this.total).length)}/${this.total}`;
    return `${this.label} ${bar} ${count}${fields ? `  ${fields}` : ''}`;
  }

  /** Reports `done` of the total with the current fields (e.g. "loss 0.31  acc 91.2 %  812 samples/s"). */
  update(done: number, fields = ''): void {
    if (this.finished) return;
    const frac = this.total > 0 ? done / this.total : 1;
    if (this.tty) {
      const t = this.now();
      if (t - this.lastDraw < this.redrawMs && done < this.total) return;
      this.lastDraw = t;
      let line = this.text(done, fields);
      const cols = this.stream.columns;
      if (cols && line.length > cols - 1) line = line.slice(0, cols - 1);
      this.stream.write(`\r\x1b[2K${line}`);
    } else if (frac + 1e-12 >= this.nextLine && done < this.total) {
      while (this.nextLine <= frac + 1e-12) this.nextLine += this.lineEvery;
      this.stream.write(`${this.text(done, fields)}\n`);
    }
  }

  /** Draws the final state and ends the line. */
  finish(fields = ''): void {
    if (this.finished) return;
    this.finished = true;
    const line = this.text(this.total, fields);
    this.stream.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}
