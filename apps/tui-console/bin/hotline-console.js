#!/usr/bin/env node
// Runs the console from its TypeScript sources (private app: no build step needed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.tsx', import.meta.url));
const result = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
