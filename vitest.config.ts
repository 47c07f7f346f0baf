import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

/** Every workspace (packages/*, apps/*) is a vitest project; cross-package tests live in test/. */
const workspaces = ['packages', 'apps']
  .flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => `${dir}/${name}`) : []))
  .filter((dir) => existsSync(`${dir}/package.json`));

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources through the `source` export condition.
  resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'import', 'default'], externalConditions: ['source'] } },
  test: {
    // Whole calls run in virtual time but do real work (audio DSP, SQLite); on a loaded 2-core CI
    // machine some take seconds of wall time.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      ...workspaces.map((root) => ({
        extends: true as const,
        test: {
          name: basename(root),
          root,
          include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
        },
      })),
      { extends: true as const, test: { name: 'e2e', include: ['test/**/*.test.{ts,tsx}'] } },
    ],
  },
});
