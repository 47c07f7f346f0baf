#!/usr/bin/env node
/**
 * Install step of @hotline/fax-spandsp: builds the native binding to libspandsp when the library
 * and its headers are present, and otherwise skips the build with a message. It never fails the
 * install (a machine without libspandsp must still `npm ci`): the package then loads, reports
 * `available: false`, and says what to install. The outcome is written to
 * `build/hotline-fax-build.json`, which the loader reads to explain a missing addon.
 *
 *   node scripts/install.mjs           build if possible (npm runs this on install)
 *   node scripts/install.mjs --force   build, and exit non-zero if the build fails
 *
 * Environment: HOTLINE_FAX_SKIP_BUILD=1 skips the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const statusFile = join(root, 'build', 'hotline-fax-build.json');
const INSTALL_HINT =
  'install libspandsp-dev and libtiff-dev (Debian/Ubuntu: apt-get install libspandsp-dev libtiff-dev), then run `npm rebuild @hotline/fax-spandsp`';

function record(status) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, `${JSON.stringify({ ...status, at: new Date().toISOString() }, null, 2)}\n`);
}

function say(message) {
  process.stderr.write(`@hotline/fax-spandsp: ${message}\n`);
}

/** Finds a header through pkg-config, then in the usual include directories. */
function findHeader(pkg, header) {
  const pc = spawnSync('pkg-config', ['--cflags-only-I', pkg], { encoding: 'utf8' });
  const dirs =
    pc.status === 0
      ? pc.stdout
          .split(/\s+/)
          .filter((f) => f.startsWith('-I'))
          .map((f) => f.slice(2))
      : [];
  dirs.push(
    '/usr/include',
    '/usr/local/include',
    `/usr/include/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    '/opt/homebrew/include',
  );
  return dirs.find((d) => existsSync(join(d, header)));
}

if (process.env.HOTLINE_FAX_SKIP_BUILD === '1' && !force) {
  say('HOTLINE_FAX_SKIP_BUILD=1: native fax binding not built; the fax engine will report available: false.');
  record({ built: false, reason: 'build skipped by HOTLINE_FAX_SKIP_BUILD=1' });
  process.exit(0);
}

const missing = [];
if (!findHeader('spandsp', 'spandsp.h')) missing.push('libspandsp (spandsp.h)');
if (!findHeader('libtiff-4', 'tiffio.h')) missing.push('libtiff (tiffio.h)');
if (missing.length > 0) {
  const reason = `${missing.join(' and ')} not found; ${INSTALL_HINT}`;
  say(`skipping the native fax binding: ${reason}. The package still loads; the fax engine reports available: false.`);
  record({ built: false, reason });
  process.exit(force ? 1 : 0);
}

// npm runs install scripts with `npm_config_node_gyp` pointing at its bundled node-gyp.
const nodeGyp = process.env.npm_config_node_gyp;
const args = ['rebuild', '--release'];
// Without a nodedir, node-gyp downloads headers; use the running Node's own headers when they exist.
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'common.gypi')))
  args.push(`--nodedir=${prefix}`);
const command = nodeGyp && existsSync(nodeGyp) ? process.execPath : 'node-gyp';
const commandArgs = nodeGyp && existsSync(nodeGyp) ? [nodeGyp, ...args] : args;
say(`building the native fax binding (${command === 'node-gyp' ? 'node-gyp' : 'npm node-gyp'} ${args.join(' ')})`);
const result = spawnSync(command, commandArgs, {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  shell: command === 'node-gyp',
});
if (result.status !== 0) {
  const reason = `node-gyp build failed (${result.error ? result.error.message : `exit ${result.status}`}); run \`npm run build:addon -w @hotline/fax-spandsp\` to see why`;
  say(`WARNING: ${reason}. The fax engine will report available: false.`);
  record({ built: false, reason });
  process.exit(force ? 1 : 0);
}
record({ built: true });
say('native fax binding built.');
