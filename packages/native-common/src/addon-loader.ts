import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** A compiled addon, or why it is not there. */
export type AddonLoad<T> =
  | { readonly ok: true; readonly binding: T; readonly path: string }
  | { readonly ok: false; readonly reason: string; readonly tried: readonly string[] };

/**
 * Loads `<packageRoot>/build/{Release,Debug}/<name>.node`. Never throws: a package whose addon
 * did not build (no compiler at install time) still imports, and reports why it is unavailable.
 * `HOTLINE_ADDON_DIR` overrides the folder (for prebuilt addons).
 */
export function loadAddon<T>(packageRoot: string, name: string, env: NodeJS.ProcessEnv = process.env): AddonLoad<T> {
  const dirs = env.HOTLINE_ADDON_DIR
    ? [env.HOTLINE_ADDON_DIR]
    : [join(packageRoot, 'build', 'Release'), join(packageRoot, 'build', 'Debug')];
  const tried = dirs.map((d) => join(d, `${name}.node`));
  const require = createRequire(join(packageRoot, 'package.json'));
  const errors: string[] = [];
  for (const path of tried) {
    if (!existsSync(path)) {
      errors.push(`${path}: not built`);
      continue;
    }
    try {
      return { ok: true, binding: require(path) as T, path };
    } catch (error) {
      errors.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    ok: false,
    tried,
    reason: `the native addon ${name}.node is not available (${errors.join('; ')}); build it with \`npm rebuild\` in ${packageRoot} (needs python3, make and a C++ compiler)`,
  };
}
