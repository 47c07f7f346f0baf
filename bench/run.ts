/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those whose name contains an argument:
 * `npm run bench -- dtmf`). Each benchmark prints its own figures with a same-run baseline.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`);
  process.exit(1);
}
console.log(`node ${process.version}, ${process.arch}, ${(await import('node:os')).cpus()[0]?.model ?? 'unknown cpu'}`);
for (const file of files) {
  console.log(`\n=== ${file}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') {
    console.error(`${file} exports no run()`);
    process.exitCode = 1;
    continue;
  }
  await mod.run();
}
