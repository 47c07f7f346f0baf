/**
 * Renders the gas call centre's complete prompt set (the IVR's standard prompts and number
 * fragments, plus the gas flows' prompts) into `apps/gas-callcenter/prompts/<locale>/`, with
 * espeak-ng and sox. Reproducible: the manifest records every file's text and SHA-256.
 *
 *   npm run prompts -w @hotline/gas-callcenter
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePromptSet } from '@hotline/ivr';
import { gasPromptTexts } from '../src/flows/prompts.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'prompts');
const generated = await generatePromptSet({ outDir, extra: gasPromptTexts() });
process.stdout.write(`${generated.length} prompts written to ${outDir}\n`);
