// Builds the native parts of a Hotline vendor package (its addon and its C fake library) with
// node-gyp, from the package's folder. The package's `install` script runs it:
//
//   "install": "node -e \"require('@hotline/native-common/build-native')\"",
//   "build:native": "node -e \"require('@hotline/native-common/build-native')\" -- --strict"
//
// A failed build is reported but does not fail `npm install`: the package must still install,
// and report `available: false` with the reason, on a machine without a compiler. `--strict`
// fails instead. `HOTLINE_GYP_DEFINES="name=value …"` passes gyp variables (e.g. Donjin's
// `dj_u32_bytes=8`).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = process.cwd();
const strict = process.argv.includes('--strict');
let name = root;
try {
  name = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name || root;
} catch {
  /* keep the folder as the name */
}

function nodeGyp() {
  // npm sets npm_config_node_gyp to its bundled node-gyp for lifecycle scripts.
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    /* fall back to the copy bundled with npm */
  }
  const bundled = join(
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
  return existsSync(bundled) ? bundled : undefined;
}

const gyp = nodeGyp();
if (!gyp) {
  process.stderr.write(
    `${name}: node-gyp not found; the native addon was not built (the driver will report available: false)\n`,
  );
  process.exit(strict ? 1 : 0);
}
const defines = (process.env.HOTLINE_GYP_DEFINES || '')
  .split(/\s+/)
  .filter(Boolean)
  .map((d) => `-D${d}`);
const args = [gyp, 'rebuild', '--jobs=max', ...(defines.length ? ['--', ...defines] : [])];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(
    `${name}: building the native addon failed (exit ${String(result.status)}); the driver will report available: false. ` +
      `Install python3, make and g++ and run \`npm rebuild ${name}\`.\n`,
  );
  process.exit(strict ? 1 : 0);
}
