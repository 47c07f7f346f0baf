/**
 * Regenerates the committed prompt set `packages/ivr/prompts/` with espeak-ng and sox.
 *
 *   apt-get install -y espeak-ng sox
 *   node --conditions=source --import tsx packages/ivr/scripts/generate-prompts.ts [outDir]
 *
 * The output is reproducible: the same tool versions give the same bytes (see manifest.json).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePromptSet } from '../src/prompt-generator.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, '..', 'prompts');
const entries = await generatePromptSet({ outDir });
const total = entries.reduce((s, e) => s + e.durationMs, 0);
process.stdout.write(`generated ${entries.length} prompts (${(total / 1000).toFixed(1)} s of audio) in ${outDir}\n`);
