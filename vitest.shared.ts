// Shared vitest settings for every package: tests import sibling packages from
// their TypeScript sources (the "source" export condition), so a test run never
// needs a stale dist/ of another package.
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

export const sourceConditions = ['source', 'module', 'node', 'import', 'default'];

export function crossbarProject(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions, externalConditions: ['source'] } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      ...extra,
    },
  });
}
