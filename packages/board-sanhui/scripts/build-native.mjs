// Builds the addon and the fake libshpa3.so with node-gyp (bundled with npm). Run as the
// package's `install` script: a failure is reported but does not fail `npm install`, because the
// package must still install (and report `available: false` with the reason) on machines
// without a compiler. `--strict` (npm run build:native) fails on error instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

function nodeGyp() {
  // npm sets npm_config_node_gyp to its bundled node-gyp for lifecycle scripts.
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp))
    return process.env.npm_config_node_gyp;
  const require = createRequire(import.meta.url);
  for (const id of ['node-gyp/bin/node-gyp.js']) {
    try {
      return require.resolve(id);
    } catch {
      /* try the next */
    }
  }
  const npmDir = join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  return existsSync(npmDir) ? npmDir : undefined;
}

const gyp = nodeGyp();
if (!gyp) {
  process.stderr.write(
    '@hotline/board-sanhui: node-gyp not found; the native addon was not built (the driver will report available: false)\n',
  );
  process.exit(strict ? 1 : 0);
}
const result = spawnSync(process.execPath, [gyp, 'rebuild', '--jobs=max'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(
    `@hotline/board-sanhui: building the native addon failed (exit ${String(result.status)}); the driver will report available: false. ` +
      'Install python3, make and g++ and run `npm rebuild @hotline/board-sanhui`.\n',
  );
  process.exit(strict ? 1 : 0);
}
