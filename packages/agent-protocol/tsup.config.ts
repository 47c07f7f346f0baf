import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

export default defineConfig(
  libraryBuild(
    { index: 'src/index.ts', server: 'src/server/index.ts', conformance: 'src/conformance/index.ts' },
    { external: ['vitest'] },
  ),
);
