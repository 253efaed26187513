// What `pnpm publish` would upload passes publint, attw and the manifest checks
// (tools/check-packages.mjs; the same script a maintainer runs by hand).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicPackages, root } from '../packing.mjs';

describe('published packages', () => {
  const unbuilt = publicPackages().filter(({ dir }) => !existsSync(join(root, 'packages', dir, 'dist')));

  it('are built (the packages are packed from dist/)', () => {
    expect(
      unbuilt.map((p) => p.name),
      'build first: npx nx run-many -t build',
    ).toEqual([]);
  });

  it.skipIf(unbuilt.length > 0)('pass publint, attw and the manifest checks when packed', () => {
    const r = spawnSync(process.execPath, [join(root, 'tools', 'check-packages.mjs')], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const { name } of publicPackages()) expect(r.stdout).toMatch(new RegExp(`^ok\\s+${name}$`, 'm'));
  });
});
