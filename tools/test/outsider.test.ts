// The outsider's check: the README's "Use it in your project" section, run as
// written. The packages are packed (pnpm pack, what publishing uploads) and
// installed with plain npm into a project in a temporary folder outside the
// workspace; there an engine written in that project passes a short
// conformance run through `npx crossbar`, a script trains two steps from ESM,
// and a CommonJS script require()s the packages. The code blocks come from the
// README itself, so the section cannot drift from what is tested.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll, publicPackages, root } from '../packing.mjs';

interface Block {
  lang: string;
  code: string;
}

function readmeSection(): Block[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it in your project\n');
  if (start < 0) throw new Error('README.md has no "## Use it in your project" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

/** The environment of a user's shell: no pnpm/npm variables of this run, no workspace folders on the PATH. */
function outsiderEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|VITEST|CROSSBAR_|BASH_ENV$|ENV$)/i.test(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.startsWith(root))
    .join(delimiter);
  env.NO_COLOR = '1';
  return env;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both, for failure messages. */
  out: string;
}

function sh(script: string, cwd: string): Run {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-eo', 'pipefail', '-c', script], { cwd, env: outsiderEnv(), encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

const blocks = readmeSection();
const unbuilt = publicPackages().filter(({ dir }) => !existsSync(join(root, 'packages', dir, 'dist')));

describe.skipIf(unbuilt.length > 0)("an outsider's project (README: Use it in your project)", () => {
  let work = '';
  let project = '';
  let install: Run = { code: null, stdout: '', stderr: '', out: 'not run' };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'crossbar-outsider-'));
    const [first] = blocks;
    if (!first || first.lang !== 'sh') throw new Error('the section must start with the sh block that packs and installs');
    const loop = /for p in ([\w -]+?); do/.exec(first.code);
    if (!loop) throw new Error('the first block packs with `for p in ...; do`');
    const dirs = loop[1]!.trim().split(/\s+/);
    // The loop packs with pnpm pack into ../crossbar-packs beside the clone;
    // here into the temporary folder, which stands beside a stand-in "clone".
    expect(first.code).toContain('npx -y pnpm@12.4.2 pack --pack-destination ../../../crossbar-packs');
    mkdirSync(join(work, 'crossbar-packs'));
    packAll(join(work, 'crossbar-packs'), dirs);
    const afterLoop = first.code.slice(first.code.indexOf('\ndone\n') + '\ndone\n'.length);
    mkdirSync(join(work, 'clone'));
    install = sh(afterLoop, join(work, 'clone'));
    project = join(work, 'my-project');
    for (const b of blocks.slice(1)) {
      if (b.lang !== 'js') continue;
      const name = /^\/\/ ([\w.-]+):/.exec(b.code)?.[1];
      if (!name) throw new Error(`a js block of the section does not start with "// <file name>:": ${b.code.slice(0, 60)}`);
      writeFileSync(join(project, name), b.code);
    }
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const commands = blocks
    .filter((b) => b.lang === 'sh')
    .slice(1)
    .map((b) => b.code.trim());
  const command = (re: RegExp): string => {
    const c = commands.find((x) => re.test(x));
    if (!c) throw new Error(`the README section has no command matching ${re}`);
    return c;
  };

  it('installs the packed packages with npm, without gpu.js or vitest', () => {
    expect(install.code, install.out).toBe(0);
    const nm = join(project, 'node_modules');
    for (const p of ['@crossbar/core', '@crossbar/backend-ndarray', '@crossbar/modules', '@crossbar/conformance', '@crossbar/cli']) {
      expect(existsSync(join(nm, p, 'package.json')), p).toBe(true);
    }
    for (const p of ['gpu.js', 'gl', '@crossbar/backend-gpujs', 'vitest']) expect(existsSync(join(nm, p)), `${p} was installed`).toBe(false);
  });

  it('runs the conformance suite on an engine written in the project (npx crossbar conformance --load)', () => {
    const r = sh(command(/^npx crossbar conformance --load \.\/my-engine\.js/), project);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^pass\s+forward_det\/perfect_8x5/m);
    expect(r.out).toMatch(/^pass\s+property:mvm\/perfect-equals-gemm/m);
    expect(r.out).toMatch(/conformance my-engine \(cpu tolerance\): 2 passed, 0 failed, 0 skipped/);
  });

  it('trains two steps from ESM (core, an engine, modules)', () => {
    const r = sh(command(/^node train\.js$/), project);
    expect(r.code, r.out).toBe(0);
    const losses = [...r.out.matchAll(/^step (\d): loss (-?[\d.]+)$/gm)].map((m) => Number(m[2]));
    expect(losses, r.out).toHaveLength(2);
    for (const l of losses) expect(Number.isFinite(l) && l > 0, r.out).toBe(true);
    expect(losses[1], 'the first step lowers the loss').toBeLessThan(losses[0]!);
  });

  it('loads from CommonJS with require()', () => {
    const r = sh(command(/^node count\.cjs$/), project);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout.trim(), r.out).toBe('ndarray');
  });

  it("imports the suite's vitest-free entries and finds the packaged oracle without vitest installed", () => {
    const r = sh(
      `node --input-type=module -e "const n = await import('@crossbar/conformance/node'); const p = await import('@crossbar/conformance/portable'); const o = n.loadOracle(); if (!o.oracle) throw new Error(o.reason); console.log(typeof p.runOracleCase, p.oracleEntries(o.oracle).length > 0)"`,
      project,
    );
    expect(r.code, r.out).toBe(0);
    expect(r.stdout.trim(), r.out).toBe('function true');
  });

  it('says in one line how to install the gpu.js engine when it is asked for', () => {
    const r = sh('npx crossbar conformance --engine gpujs --no-cases --filter "^property:mvm/perfect-equals-gemm$"', project);
    expect(r.code, r.out).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.out).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*npm install @crossbar\/backend-gpujs/);
    expect(r.stdout, r.out).toBe('');
  });
});

describe.skipIf(unbuilt.length === 0)("an outsider's project", () => {
  it('needs the packages built', () => {
    expect(
      unbuilt.map((p) => p.name),
      'build first: npx nx run-many -t build',
    ).toEqual([]);
  });
});
