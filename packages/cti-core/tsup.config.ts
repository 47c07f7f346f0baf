import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

export default defineConfig(
  libraryBuild(
    {
      index: 'src/index.ts',
      media: 'src/media/index.ts',
      signaling: 'src/signaling/index.ts',
      conformance: 'src/conformance/index.ts',
    },
    { external: ['vitest'] },
  ),
);
