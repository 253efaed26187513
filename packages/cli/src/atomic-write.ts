/**
 * Crash-safe file writes for what the CLI saves (model checkpoints, demo
 * reports and plots, benchmark reports): the data goes to a temporary file
 * beside the target, is flushed to disk, and then renamed over the target in
 * one step, so a process killed mid-write leaves the previous file intact
 * (a rename within a folder is atomic on POSIX file systems and on NTFS).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Writes `data` to `path` atomically: the file holds either its old content or all of `data`. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  syncFolder(dirname(path));
}

/** Flushes the folder entry of the rename (best effort: not every platform can open a folder). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot fsync a folder; the rename itself is still atomic there
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
