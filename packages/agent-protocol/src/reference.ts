/**
 * Renders the generated part of `docs/protocol.md` (every command, event and domain shape with
 * its fields) straight from the schemas, so the reference cannot drift from the code. A test
 * fails when the committed document differs; `npx tsx packages/agent-protocol/scripts/update-docs.ts`
 * rewrites it.
 * @internal
 */
import { z } from 'zod';
import { COMMANDS, COMMAND_NAMES, CustomerQuery, TicketDraft } from './commands.js';
import * as domain from './domain.js';
import { EVENTS, EVENT_NAMES } from './events.js';
import { ProtocolErrorCode } from './errors.js';

/** Markers around the generated section. */
export const BEGIN_MARK = '<!-- BEGIN GENERATED: npx tsx packages/agent-protocol/scripts/update-docs.ts -->';
/** See {@link BEGIN_MARK}. */
export const END_MARK = '<!-- END GENERATED -->';

type Schema = z.ZodType;

const NAMED: readonly (readonly [string, Schema])[] = [
  // Sorted by name: module namespace key order differs between loaders.
  ...Object.entries(domain as unknown as Record<string, unknown>)
    .filter(
      (entry): entry is [string, Schema] =>
        entry[1] instanceof z.ZodObject || entry[1] instanceof z.ZodDiscriminatedUnion,
    )
    .filter(([name]) => name !== 'Snapshot')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ['Snapshot', domain.Snapshot],
  ['CustomerQuery', CustomerQuery],
  ['TicketDraft', TicketDraft],
];
/** Named scalars: rendered by name in field types and explained in their own table. */
const SCALARS: readonly (readonly [string, Schema, string])[] = [
  ['Id', domain.Id, 'opaque identifier, 1–64 characters'],
  ['Timestamp', domain.Timestamp, 'epoch milliseconds (UTC), integer ≥ 0'],
  ['DurationMs', domain.DurationMs, 'duration in milliseconds, integer ≥ 0'],
  ['Fen', domain.Fen, 'money in fen (分, 1/100 yuan), integer; never a float'],
  ['PhoneNumber', domain.PhoneNumber, 'digits with optional leading `+` and `*`, `#`, `-`; 1–32 characters'],
  ['CallerId', domain.CallerId, 'a PhoneNumber, or `""` when the network withheld the number'],
  [
    'ReasonCode',
    domain.ReasonCode,
    'lower-case code `[a-z0-9][a-z0-9_-]*`, ≤ 32 characters (not-ready reasons, dispositions)',
  ],
  ['TrackingNo', domain.TrackingNo, 'ticket tracking number (受理流水号): 6–20 digits including the check digit'],
];
const NAME_OF = new Map<Schema, string>([
  ...NAMED.map(([name, schema]) => [schema, name] as const),
  ...SCALARS.map(([name, schema]) => [schema, name] as const),
]);

function anchor(name: string): string {
  return name.toLowerCase();
}

function typeOf(schema: Schema, top = false): string {
  const named = NAME_OF.get(schema);
  if (named && !top) return `[${named}](#${anchor(named)})`;
  if (schema instanceof z.ZodOptional) return typeOf(schema.unwrap() as Schema);
  if (schema instanceof z.ZodNullable) return `${typeOf(schema.unwrap() as Schema)} \\| null`;
  if (schema instanceof z.ZodDefault) return typeOf(schema.def.innerType as Schema);
  if (schema instanceof z.ZodArray) {
    const inner = typeOf(schema.element as Schema);
    return inner.includes('\\|') ? `(${inner})[]` : `${inner}[]`;
  }
  if (schema instanceof z.ZodEnum) return schema.options.map((o) => `\`${String(o)}\``).join(' \\| ');
  if (schema instanceof z.ZodLiteral) return [...schema.values].map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (schema instanceof z.ZodString) {
    const max = schema.maxLength;
    return max === null ? 'string' : `string(≤${max})`;
  }
  if (schema instanceof z.ZodNumber) return schema.isInt ? 'integer' : 'number';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodUnknown) return 'unknown';
  if (schema instanceof z.ZodRecord) return 'object';
  if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) {
    return (schema.options as Schema[]).map((o) => typeOf(o)).join(' \\| ');
  }
  if (schema instanceof z.ZodObject) {
    const fields = Object.entries(schema.shape as Record<string, Schema>).map(
      ([k, v]) => `${k}${isOptional(v) ? '?' : ''}: ${typeOf(v)}`,
    );
    return fields.length === 0 ? '`{}`' : `{ ${fields.join('; ')} }`;
  }
  return 'value';
}

function isOptional(schema: Schema): boolean {
  return schema instanceof z.ZodOptional || schema instanceof z.ZodDefault;
}

function notes(schema: Schema): string {
  const out: string[] = [];
  if (schema instanceof z.ZodDefault) out.push(`default \`${JSON.stringify(schema.def.defaultValue)}\``);
  let inner: Schema = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) {
    inner = (inner instanceof z.ZodDefault ? inner.def.innerType : inner.unwrap()) as Schema;
  }
  if (NAME_OF.has(inner)) return out.join(', '); // a named scalar or shape: explained in its own table
  if (inner instanceof z.ZodString) {
    const min = inner.minLength;
    if (min !== null && min > 0) out.push(`at least ${min}`);
    for (const check of inner.def.checks ?? []) {
      const def = (check as unknown as { _zod: { def: { check: string; pattern?: RegExp } } })._zod.def;
      if (def.check === 'string_format' && def.pattern) out.push(`\`${def.pattern.source.replace(/\|/g, '\\|')}\``);
    }
  }
  if (inner instanceof z.ZodNumber) {
    if (inner.minValue !== null && inner.minValue > Number.MIN_SAFE_INTEGER) out.push(`≥ ${inner.minValue}`);
    if (inner.maxValue !== null && inner.maxValue < Number.MAX_SAFE_INTEGER) out.push(`≤ ${inner.maxValue}`);
  }
  if (inner instanceof z.ZodArray) {
    const max = (inner.def.checks ?? [])
      .map((c) => (c as unknown as { _zod: { def: { check: string; maximum?: number } } })._zod.def)
      .find((d) => d.check === 'max_length');
    if (max?.maximum !== undefined) out.push(`at most ${max.maximum}`);
  }
  return out.join(', ');
}

function table(schema: Schema): string {
  if (!(schema instanceof z.ZodObject)) return `${typeOf(schema, true)}\n`;
  const rows = Object.entries(schema.shape as Record<string, Schema>).map(
    ([key, value]) => `| \`${key}\` | ${typeOf(value)} | ${isOptional(value) ? '' : 'yes'} | ${notes(value)} |`,
  );
  if (rows.length === 0) return 'No fields (`{}`).\n';
  return ['| field | type | required | notes |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

function shape(schema: Schema): string {
  const named = NAME_OF.get(schema);
  return named ? `[${named}](#${anchor(named)})\n` : table(schema);
}

/** Renders the generated reference (Markdown, between the markers, markers included). */
export function renderReference(): string {
  const out: string[] = [BEGIN_MARK, '', '## Commands', ''];
  out.push('| command | roles | audited | summary |', '| --- | --- | --- | --- |');
  for (const name of COMMAND_NAMES) {
    const def = COMMANDS[name];
    out.push(
      `| [\`${name}\`](#${anchor(name.replace('.', ''))}) | ${def.roles.join(', ')} | ${def.audit ? 'yes' : ''} | ${def.summary} |`,
    );
  }
  out.push('');
  for (const name of COMMAND_NAMES) {
    const def = COMMANDS[name];
    out.push(
      `### \`${name}\``,
      '',
      def.summary,
      '',
      `Roles: ${def.roles.join(', ')}.${def.audit ? ' Audited.' : ''} Since ${def.since}.`,
      '',
    );
    out.push('Params:', '', shape(def.params), 'Result:', '', shape(def.result));
  }
  out.push('## Events', '');
  for (const name of EVENT_NAMES) {
    out.push(`### \`${name}\``, '', 'Data:', '', shape(EVENTS[name]));
  }
  out.push('## Scalars', '', '| name | meaning |', '| --- | --- |');
  for (const [name, , meaning] of SCALARS) out.push(`| <a id="${anchor(name)}"></a>${name} | ${meaning} |`);
  out.push('', '## Domain shapes', '');
  for (const [name, schema] of NAMED) {
    out.push(`### ${name}`, '', table(schema));
  }
  out.push('## Error codes', '', '| code | constant |', '| --- | --- |');
  for (const [key, code] of Object.entries(ProtocolErrorCode))
    out.push(`| \`${code}\` | \`ProtocolErrorCode.${key}\` |`);
  out.push('', END_MARK);
  return out.join('\n');
}

/** Replaces the generated section of a document (which must contain both markers). */
export function updateReference(document: string): string {
  const begin = document.indexOf(BEGIN_MARK);
  const end = document.indexOf(END_MARK);
  if (begin < 0 || end < begin) throw new Error('the document has no generated-section markers');
  return document.slice(0, begin) + renderReference() + document.slice(end + END_MARK.length);
}
