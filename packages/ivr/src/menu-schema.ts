/**
 * The schema of declarative menus (YAML or JSON), as zod schemas. A menu file is a graph of
 * named nodes; `start` names the first. Every node that continues names its `next` node;
 * menu options name the node each key leads to. Reserved targets: `@agent` (reach an agent),
 * `@back` (previous menu), `@hangup` (goodbye).
 *
 * ```yaml
 * name: gas-main
 * start: main
 * nodes:
 *   main:
 *     type: menu
 *     prompt: menu.main
 *     options: { "1": account, "2": prices, "9": "@hangup" }
 *   account:
 *     type: collect
 *     prompt: prompt.account
 *     validator: { type: account, minDigits: 8, maxDigits: 10 }
 *     store: account
 *     next: bill
 *   bill:
 *     type: action
 *     action: lookupBill
 *     on: { ok: say-bill, not-found: main }
 *   say-bill:
 *     type: say
 *     prompt: prompt.bill-is
 *     value: { type: money, var: amountFen, unit: fen }
 *     next: main
 * ```
 *
 * @module
 */
import { z } from 'zod';

const nodeId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'a node id starts with a letter and holds letters, digits, _ . -');
const target = z.union([nodeId, z.enum(['@agent', '@back', '@hangup'])]);
const promptId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a prompt id holds letters, digits, . _ - (no path)');
const key = z.string().regex(/^[0-9*#]$/, 'a menu key is one of 0-9 * #');
const ms = z.number().int().min(100).max(3_600_000);

const sayValue = z.strictObject({
  type: z.enum(['number', 'money', 'digits', 'date', 'time', 'percent']),
  /** A variable set by a collect (`store`) or an action. */
  var: z.string().min(1).optional(),
  /** A literal value. */
  value: z.union([z.string(), z.number()]).optional(),
  /** For money from a variable: the variable holds fen (default yuan). */
  unit: z.enum(['yuan', 'fen']).optional(),
});

const promptRef = z.union([promptId, z.strictObject({ say: sayValue })]);
const prompts = z.union([promptRef, z.array(promptRef).min(1)]);

const exitSchema = z.enum(['agent', 'goodbye']);

const validator = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('account'),
    minDigits: z.number().int().min(1).max(32).optional(),
    maxDigits: z.number().int().min(1).max(32).optional(),
    checksum: z.literal('luhn').optional(),
  }),
  z.strictObject({
    type: z.literal('pin'),
    length: z.number().int().min(4).max(12).optional(),
    rejectTrivial: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('amount'),
    minFen: z.number().int().min(0).optional(),
    maxFen: z.number().int().min(1).optional(),
  }),
  z.strictObject({ type: z.literal('date') }),
  z.strictObject({ type: z.literal('phone') }),
  z.strictObject({
    type: z.literal('digits'),
    minDigits: z.number().int().min(1).max(64).optional(),
    maxDigits: z.number().int().min(1).max(64),
  }),
]);

const common = { description: z.string().optional() };

const menuNode = z.strictObject({
  ...common,
  type: z.literal('menu'),
  prompt: prompts,
  options: z.record(key, target).refine((o) => Object.keys(o).length > 0, 'a menu needs at least one option'),
  timeoutMs: ms.optional(),
  maxFailures: z.number().int().min(1).max(10).optional(),
  invalidPrompt: prompts.optional(),
  timeoutPrompt: prompts.optional(),
  onMaxFailures: exitSchema.optional(),
  agentKey: z.union([key, z.literal(false)]).optional(),
  back: z.boolean().optional(),
});

const playNode = z.strictObject({
  ...common,
  type: z.literal('play'),
  prompt: prompts,
  bargeIn: z.boolean().optional(),
  next: target,
});

const sayNode = z.strictObject({
  ...common,
  type: z.literal('say'),
  prompt: prompts.optional(),
  value: sayValue,
  after: prompts.optional(),
  next: target,
});

const collectNode = z.strictObject({
  ...common,
  type: z.literal('collect'),
  prompt: prompts,
  validator,
  store: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'),
  timeoutMs: ms.optional(),
  maxFailures: z.number().int().min(1).max(10).optional(),
  invalidPrompt: prompts.optional(),
  timeoutPrompt: prompts.optional(),
  onMaxFailures: exitSchema.optional(),
  confirm: z.boolean().optional(),
  next: target,
});

const actionNode = z.strictObject({
  ...common,
  type: z.literal('action'),
  action: z.string().min(1),
  timeoutMs: ms.optional(),
  retries: z.number().int().min(0).max(3).optional(),
  fallbackPrompt: z.union([prompts, z.literal(false)]).optional(),
  /** Branches by the action's result (`ok` by default; `error`/`timeout` when the action failed). */
  on: z.record(z.string().min(1), target).optional(),
  next: target.optional(),
});

const queueNode = z.strictObject({
  ...common,
  type: z.literal('queue'),
  skills: z.array(z.string().min(1)).min(1),
  priority: z.number().int().min(0).max(100).optional(),
  maxWaitMs: ms.optional(),
  holdPrompt: prompts.optional(),
  next: target,
});

const voicemailNode = z.strictObject({
  ...common,
  type: z.literal('voicemail'),
  mailbox: z.string().min(1).optional(),
  greeting: prompts.optional(),
  maxDurationMs: ms.optional(),
  review: z.boolean().optional(),
  next: target,
});

const transferNode = z.strictObject({
  ...common,
  type: z.literal('transfer'),
  number: z.string().regex(/^[0-9*#]+$/, 'a dialable number'),
  timeoutMs: ms.optional(),
  announce: prompts.optional(),
  next: target,
});

const surveyNode = z.strictObject({
  ...common,
  type: z.literal('survey'),
  questions: z
    .array(
      z.discriminatedUnion('kind', [
        z.strictObject({
          id: z.string().min(1),
          prompt: prompts,
          kind: z.literal('scale'),
          min: z.number().int().min(0).max(9).optional(),
          max: z.number().int().min(1).max(9).optional(),
        }),
        z.strictObject({ id: z.string().min(1), prompt: prompts, kind: z.literal('yes-no') }),
      ]),
    )
    .min(1),
  next: target,
});

const faxNode = z.strictObject({
  ...common,
  type: z.literal('fax'),
  documents: z.array(z.string().min(1)).min(1),
  next: target,
});

const flowNode = z.strictObject({ ...common, type: z.literal('flow'), flow: z.string().min(1), next: target });

const hangupNode = z.strictObject({
  ...common,
  type: z.literal('hangup'),
  prompt: z.union([prompts, z.literal(false)]).optional(),
});

/** One node of a declarative menu. */
export const menuNodeSchema = z.discriminatedUnion('type', [
  menuNode,
  playNode,
  sayNode,
  collectNode,
  actionNode,
  queueNode,
  voicemailNode,
  transferNode,
  surveyNode,
  faxNode,
  flowNode,
  hangupNode,
]);

/** A declarative menu file. */
export const menuFileSchema = z.strictObject({
  /** Flow name (analytics). */
  name: nodeId,
  description: z.string().optional(),
  /** The first node. */
  start: nodeId,
  /** Locale calls start in (default: the runtime's). */
  locale: z.enum(['zh-CN', 'en']).optional(),
  nodes: z
    .record(nodeId, menuNodeSchema)
    .refine((n) => Object.keys(n).length > 0, 'a menu file needs at least one node'),
});

/** A validated menu file. */
export type MenuFile = z.infer<typeof menuFileSchema>;
/** A validated node. */
export type MenuNode = z.infer<typeof menuNodeSchema>;
/** A prompt list as written in a menu file. */
export type MenuPrompts = z.infer<typeof prompts>;
/** A value to speak as written in a menu file. */
export type MenuSayValue = z.infer<typeof sayValue>;
/** A validator as written in a menu file. */
export type MenuValidator = z.infer<typeof validator>;
