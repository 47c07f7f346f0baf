import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

// `shims` gives the CJS build an `import.meta.url`, which the addon loader resolves paths from.
export default defineConfig(
  libraryBuild({ index: 'src/index.ts' }, { external: ['@hotline/cti-core', 'sharp', 'utif2'], shims: true }),
);
