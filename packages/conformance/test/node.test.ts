import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ORACLE_FILES, loadOracleWithFetch, ORACLE_KINDS } from '../src/format.js';
import { findOracleDir, loadOracle, loadOracleFromDir, PACKAGED_ORACLE_DIR } from '../src/node.js';

describe('finding the oracle on disk', () => {
  it('CROSSBAR_ORACLE_DIR overrides the default and says when it is wrong', () => {
    const r = findOracleDir({ CROSSBAR_ORACLE_DIR: '/nonexistent/oracle' });
    expect(r.dir).toBeUndefined();
    expect(r.reason).toMatch(/CROSSBAR_ORACLE_DIR=\/nonexistent\/oracle: no cases\/ and expected\/ folders there/);
    expect(loadOracle({ CROSSBAR_ORACLE_DIR: '/nonexistent/oracle' }).oracle).toBeUndefined();
  });

  it('defaults to the oracle packaged with this package, every file gzipped', () => {
    const r = findOracleDir({});
    expect(r.dir).toBe(resolve(PACKAGED_ORACLE_DIR));
    const { oracle } = loadOracle({});
    expect(oracle?.files.map((f) => f.file).sort()).toEqual([...DEFAULT_ORACLE_FILES].sort());
    // every kind of the format occurs, and every file has as many results as cases
    const kinds = new Set(oracle!.files.flatMap((f) => f.cases.map((c) => c.kind)));
    expect([...kinds].sort()).toEqual([...ORACLE_KINDS].sort());
    for (const f of oracle!.files) expect(f.expected.length).toBe(f.cases.length);
  });

  it('reads plain .json files from another folder (a newer oracle), and names a broken file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-'));
    try {
      mkdirSync(join(dir, 'cases'));
      mkdirSync(join(dir, 'expected'));
      const gz = (sub: string) => gunzipSync(readFileSync(join(PACKAGED_ORACLE_DIR, sub, 'clip_remap.json.gz')));
      writeFileSync(join(dir, 'cases', 'clip_remap.json'), gz('cases'));
      writeFileSync(join(dir, 'expected', 'clip_remap.json'), gz('expected'));
      const { oracle } = loadOracle({ CROSSBAR_ORACLE_DIR: dir });
      expect(oracle?.files.map((f) => f.file)).toEqual(['clip_remap']);
      expect(oracle?.files[0]!.cases.length).toBeGreaterThan(0);
      writeFileSync(join(dir, 'cases', 'edge.json.gz'), 'not gzip');
      writeFileSync(join(dir, 'expected', 'edge.json'), '{"results": []}');
      expect(() => loadOracleFromDir(dir)).toThrow(/edge\.json\.gz: not gzipped JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loadOracleWithFetch gunzips what it fetches (as a browser page reads the packaged files)', async () => {
    const fetch = async (url: string) => {
      const path = join(PACKAGED_ORACLE_DIR, url.replace(/^oracle:\/\/x\//, ''));
      const bytes = readFileSync(path);
      return {
        ok: true,
        status: 200,
        json: async () => JSON.parse(bytes.toString()),
        arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      };
    };
    const oracle = await loadOracleWithFetch('oracle://x/', { files: ['edge'], fetch });
    expect(oracle.files[0]!.cases.map((c) => c.name)).toEqual(
      loadOracle({})
        .oracle!.files.find((f) => f.file === 'edge')!
        .cases.map((c) => c.name),
    );
    await expect(loadOracleWithFetch('oracle://x/', { files: ['edge'], gzip: false, fetch })).rejects.toThrow();
  });
});
