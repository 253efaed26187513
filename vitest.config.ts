// One vitest run over every package (what `pnpm test` runs); each package also
// has its own `test` target for `nx affected -t test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'tools/vitest.config.ts'],
  },
});
