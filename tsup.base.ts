import type { Options } from 'tsup';

/** The one build recipe every library uses: ESM + CJS + declarations, per entry point. */
export function libraryBuild(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    ...extra,
  };
}
