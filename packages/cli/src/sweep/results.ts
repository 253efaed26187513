/**
 * results.jsonl: one finished job per line, appended as jobs finish. A re-run
 * reads it first and skips the ids it holds; a last line cut short by a kill
 * is ignored (and its job run again).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SweepResult } from './job.js';

/** The results in the file by id (the first line of an id wins), and how many lines could not be read. */
export function readResults(file: string): { results: Map<string, SweepResult>; unreadable: number } {
  const results = new Map<string, SweepResult>();
  let unreadable = 0;
  if (!existsSync(file)) return { results, unreadable };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as SweepResult;
      if (r && r.format === 'crossbar-sweep-result@1' && typeof r.id === 'string') {
        if (!results.has(r.id)) results.set(r.id, r);
      } else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { results, unreadable };
}

/** Appends results as lines. A file whose last line was cut short gets a newline first, so the new line stays whole. */
export class ResultsWriter {
  private needsNewline: boolean;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    this.needsNewline = text.length > 0 && !text.endsWith('\n');
  }

  append(result: SweepResult): void {
    appendFileSync(this.file, `${this.needsNewline ? '\n' : ''}${JSON.stringify(result)}\n`);
    this.needsNewline = false;
  }
}
