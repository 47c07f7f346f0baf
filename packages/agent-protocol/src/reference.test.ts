import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from './commands.js';
import { ProtocolErrorCode } from './errors.js';
import { EVENT_NAMES } from './events.js';
import { renderReference, updateReference } from './reference.js';

const docPath = fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url));

describe('docs/protocol.md', () => {
  it('has an up-to-date generated reference (run `npx tsx packages/agent-protocol/scripts/update-docs.ts`)', () => {
    const doc = readFileSync(docPath, 'utf8');
    expect(updateReference(doc)).toBe(doc);
  });

  it('the reference covers every command, event and error code', () => {
    const generated = renderReference();
    for (const name of [...COMMAND_NAMES, ...EVENT_NAMES]) expect(generated).toContain(`### \`${name}\``);
    for (const code of Object.values(ProtocolErrorCode)) expect(generated).toContain(`\`${code}\``);
  });
});
