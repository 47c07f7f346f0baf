/** Rewrites the generated reference section of docs/protocol.md from the schemas. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { updateReference } from '../src/reference.js';

const path = fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url));
writeFileSync(path, updateReference(readFileSync(path, 'utf8')));
process.stdout.write(`updated ${path}\n`);
