/**
 * Crash safety: a process killed while it saves leaves the previous file intact
 * (the CLI writes checkpoints, demo outputs and bench reports through
 * writeFileAtomicSync: temporary file, flush, rename).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomicSync } from '../src/atomic-write.js';

const dir = mkdtempSync(join(tmpdir(), 'crossbar-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const child = fileURLToPath(new URL('./fixtures/atomic-writer.ts', import.meta.url));

/**
 * Starts the writer and, once a save has been timed, kills it (SIGKILL) halfway through the
 * next one. Returns the last save that completed and the one that was under way.
 */
function killMidSave(target: string, mb: number): Promise<{ lastDone: number; killedDuring: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [tsxCli, child, target, String(mb)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let lastDone = 0;
    let killedDuring = 0;
    let saveMs = 0;
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const [what, seq, ms] = line.split(' ');
        if (what === 'done') {
          lastDone = Number(seq);
          saveMs = Number(ms);
        } else if (what === 'start' && saveMs > 0 && killedDuring === 0) {
          killedDuring = Number(seq);
          setTimeout(() => p.kill('SIGKILL'), saveMs / 2);
        }
      }
    });
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('exit', () => (killedDuring > 0 ? resolve({ lastDone, killedDuring }) : reject(new Error(`the writer exited: ${err}`))));
  });
}

describe('writeFileAtomicSync', () => {
  it('writes the whole content and leaves no temporary file', () => {
    const target = join(dir, 'plain.json');
    writeFileAtomicSync(target, '{"a":1}');
    writeFileAtomicSync(target, new TextEncoder().encode('{"a":2}'));
    expect(readFileSync(target, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a process killed during a save leaves the previous file intact', async () => {
    const target = join(dir, 'model.json');
    let interrupted = 0;
    for (let attempt = 0; attempt < 5 && interrupted === 0; attempt++) {
      rmSync(target, { force: true });
      const { lastDone, killedDuring } = await killMidSave(target, 32);
      // The file is always one whole save: the last one that completed (or, if the kill came
      // too late, the one under way), never a part of one.
      const saved = JSON.parse(readFileSync(target, 'utf8')) as { seq: number; payload: string };
      expect(saved.payload.length).toBe(32 * 2 ** 20);
      if (lastDone >= killedDuring) {
        expect(saved.seq).toBe(lastDone); // the save under way finished before the kill
        continue;
      }
      interrupted++;
      expect(saved.seq).toBe(lastDone);
    }
    expect(interrupted).toBeGreaterThan(0);
  }, 120_000);
});
