/**
 * In-process: the largest deviation of `crossbar case --expected`, the case
 * file checks, and engine resolution (`--engine name[:mode]`, `--load`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackendError, listBackends } from '@crossbar/core';
import type { OracleResult } from '@crossbar/conformance/portable';
import { largestDeviation, readCaseFile } from '../src/oracle.js';
import { loadEngineModule, prepareEngines, resolveEngine } from '../src/engines.js';
import { UsageError } from '../src/errors.js';
import { main } from '../src/program.js';

const base = { name: 'c', kind: 'forward', ok: true } as const;

describe('largestDeviation', () => {
  it('finds the element with the largest |ours − reference| over every array', () => {
    const ref: OracleResult = {
      ...base,
      outputs: [
        [
          [1, 2],
          [3, 4],
        ],
      ],
      weights_used: [[0.5, 0.25]],
    };
    const ours: OracleResult = {
      ...base,
      outputs: [
        [
          [1, 2.5],
          [3, 3.9],
        ],
      ],
      weights_used: [[0.5, 0.25]],
    };
    expect(largestDeviation(ref, ours)).toEqual({ key: 'outputs', path: '[0][0][1]', ours: 2.5, reference: 2, abs: 0.5, compared: 'value' });
  });

  it('compares stochastic arrays by our mean over reps against <key>_mean', () => {
    const ref: OracleResult = { ...base, reps: 100, outputs_mean: [[1, 2]], outputs_std: [[0.1, 0.1]], outputs_first: [[1, 2]] };
    const ours: OracleResult = { ...base, outputs: [[[1.1, 2]], [[0.9, 2.4]]] };
    const d = largestDeviation(ref, ours)!;
    expect(d).toMatchObject({ key: 'outputs', path: '[0][1]', reference: 2, compared: 'mean' });
    expect(d.ours).toBeCloseTo(2.2, 6); // float32 inputs
    expect(d.abs).toBeCloseTo(0.2, 6);
  });

  it('hidden parameters, non-finite values, refusals', () => {
    const ref: OracleResult = { ...base, hidden_parameters: { max_bound: [[1, 1]] }, outputs: [['nan', 'inf']] };
    const same: OracleResult = { ...base, hidden_parameters: { max_bound: [[1, 1]] }, outputs: [['nan', 'inf']] };
    expect(largestDeviation(ref, same)!.abs).toBe(0);
    const off: OracleResult = { ...base, hidden_parameters: { max_bound: [[1, 0.75]] }, outputs: [[0, 'inf']] };
    expect(largestDeviation(ref, off)).toMatchObject({ key: 'outputs', path: '[0][0]', abs: Infinity });
    const hp: OracleResult = { ...base, hidden_parameters: { max_bound: [[1, 0.75]] }, outputs: [['nan', 'inf']] };
    expect(largestDeviation(ref, hp)).toMatchObject({ key: 'hidden_parameters.max_bound', path: '[0][1]', abs: 0.25 });
    expect(largestDeviation({ ...base, ok: false, error: 'X' }, { ...base, ok: false, error: 'Y' })).toBeUndefined();
  });
});

describe('case files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbar-case-'));
  const write = (name: string, v: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v));
    return p;
  };

  it('accepts the oracle format and refuses what is not', () => {
    const ok = readCaseFile(write('ok.json', { cases: [{ name: 'a', kind: 'clip', config: {} }] }));
    expect(ok.stem).toBe('ok');
    expect(ok.cases).toHaveLength(1);
    expect(() => readCaseFile(join(dir, 'nope.json'))).toThrow(/no such file/);
    expect(() => readCaseFile(write('a.json', '[1,'))).toThrow(/not valid JSON/);
    expect(() => readCaseFile(write('b.json', { results: [] }))).toThrow(/a case file is \{"cases": \[\.\.\.\]\}/);
    expect(() => readCaseFile(write('c.json', { cases: [{ kind: 'clip', config: {} }] }))).toThrow(/case 0 needs a "name"/);
    expect(() => readCaseFile(write('d.json', { cases: [{ name: 'x', kind: 'clip' }] }))).toThrow(/case "x" needs a "config" object/);
    expect(() =>
      readCaseFile(
        write('e.json', {
          cases: [
            { name: 'x', kind: 'clip', config: {} },
            { name: 'x', kind: 'clip', config: {} },
          ],
        }),
      ),
    ).toThrow(/two cases are called "x"/);
  });
});

describe('engines', () => {
  it('resolves names and gpu.js modes, and refuses unknown ones as usage errors', async () => {
    await prepareEngines();
    expect((await resolveEngine('ndarray')).name).toBe('ndarray');
    expect((await resolveEngine('gpujs:cpu')).name).toBe('gpujs');
    await expect(resolveEngine('nope')).rejects.toBeInstanceOf(UsageError);
    await expect(resolveEngine('ndarray:fast')).rejects.toThrow(/only the gpujs engine has modes/);
    await expect(resolveEngine('gpujs:metal')).rejects.toThrow(/unknown gpujs mode "metal"/);
    await expect(resolveEngine('gpujs:webgl2')).rejects.toBeInstanceOf(BackendError); // needs a browser
    await expect(resolveEngine('a:b:c')).rejects.toThrow(/expected a name or name:mode/);
  });

  it('--load registers an engine module and reports what it added', async () => {
    const added = await loadEngineModule(new URL('./fixtures/engine-default-export.mjs', import.meta.url).pathname);
    expect(added).toEqual(['toy-default']);
    expect(listBackends().some((b) => b.name === 'toy-default')).toBe(true);
    await expect(loadEngineModule(new URL('./fixtures/engine-none.mjs', import.meta.url).pathname)).rejects.toThrow(/registered no engine/);
  });
});

describe('main (in-process)', () => {
  it('returns the exit code and writes to the given streams', async () => {
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    expect(await main(['engines', '--json', '--engine', 'ndarray'], io)).toBe(0);
    expect(JSON.parse(out)).toEqual([expect.objectContaining({ engine: 'ndarray', works: true })]);
    out = '';
    expect(await main(['bench', '--bogus'], io)).toBe(2);
    expect(err).toBe("error: unknown option '--bogus' (see 'crossbar bench --help')\n");
    err = '';
    expect(await main(['case', join(tmpdir(), 'no-such-case-file.json'), '--engine', 'ndarray'], io)).toBe(2); // a missing input file: bad input (docs/cli.md, exit codes)
    expect(err).toMatch(/^error: case file .*no-such-case-file\.json: no such file\n$/);
  });
});
