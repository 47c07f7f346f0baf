/**
 * Declarative menus: parsing (YAML or JSON) with precise errors (file, line, path, what is
 * wrong), semantic checks (targets, actions, sub-flows), and compilation to a
 * {@link FlowDefinition} that runs on the same runtime as code flows.
 *
 * @module
 */
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { Logger } from '@hotline/cti-core';
import type { CallContext, PromptRef, Prompts } from './call-context.js';
import { IvrErrorCode, ivrError } from './errors.js';
import type { FlowDefinition } from './flow.js';
import {
  menuFileSchema,
  type MenuFile,
  type MenuNode,
  type MenuPrompts,
  type MenuSayValue,
  type MenuValidator,
} from './menu-schema.js';
import type { SayValue } from './say/values.js';
import { isFlowSignal } from './signals.js';
import {
  accountNumber,
  amountEntry,
  dateEntry,
  digitsEntry,
  phoneEntry,
  pinEntry,
  type EntryValidator,
} from './validators.js';

/** What a code action returns: a branch name (`ok` by default) and variables to set. */
export type ActionResult =
  string | void | { readonly result?: string; readonly vars?: Readonly<Record<string, unknown>> };

/** A named code action a declarative menu can call (bill lookup, password change...). */
export type MenuAction = (ctx: CallContext, signal: AbortSignal) => Promise<ActionResult>;

/** One problem in a menu file. */
export interface MenuIssue {
  readonly file: string;
  /** Path in the document, e.g. `nodes.main.options.1`. */
  readonly path: string;
  /** 1-based line and column, when the position is known. */
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** Options of {@link compileMenu} and {@link loadMenuSource}. */
export interface CompileMenuOptions {
  /** Named code actions (an action the file calls must be here). */
  readonly actions?: Readonly<Record<string, MenuAction>>;
  /** Code flows the file can run as sub-flows (`type: flow`). */
  readonly flows?: Readonly<Record<string, FlowDefinition<void, unknown>>>;
  /** Version number given to the compiled flow (default 1). */
  readonly version?: number;
  readonly logger?: Logger;
}

/** A compiled menu: a flow plus what the compiler found. */
export interface CompiledMenu {
  readonly flow: FlowDefinition<void, void>;
  readonly file: MenuFile;
  readonly source: string;
  readonly version: number;
  /** Prompt ids the menu refers to. */
  readonly prompts: readonly string[];
  /** Non-fatal findings (unreachable nodes). */
  readonly warnings: readonly string[];
}

function formatIssues(issues: readonly MenuIssue[]): string {
  return issues
    .map(
      (i) =>
        `${i.file}${i.line === undefined ? '' : `:${i.line}:${i.column ?? 1}`}: ${i.path || '(top)'}: ${i.message}`,
    )
    .join('\n');
}

function invalid(issues: readonly MenuIssue[]): never {
  throw ivrError(IvrErrorCode.MenuInvalid, `invalid menu:\n${formatIssues(issues)}`, { details: { issues } });
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

function suggest(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

/** Locates a path in a parsed document (the nearest existing ancestor for missing keys). */
function locate(
  doc: Document,
  counter: LineCounter,
  path: readonly (string | number)[],
): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

/**
 * Parses and validates a menu file's text (YAML, or JSON when `file` ends in `.json`) and
 * compiles it.
 * @throws HotlineError `ERR_IVR_MENU_INVALID` listing every problem (`details.issues`).
 */
export function loadMenuSource(source: string, file: string, options: CompileMenuOptions = {}): CompiledMenu {
  const counter = new LineCounter();
  if (file.endsWith('.json')) {
    try {
      JSON.parse(source);
    } catch (error) {
      invalid([{ file, path: '', message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  const doc = parseDocument(source, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    invalid(
      doc.errors.map((e) => ({
        file,
        path: '',
        ...(e.linePos?.[0] ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}),
        message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
      })),
    );
  }
  const parsed = menuFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    invalid(
      parsed.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const at = keys.length > 0 ? [...path, keys[0]!] : path;
        let message = issue.message;
        if (issue.code === 'invalid_key' && at[at.length - 2] === 'options')
          message = `'${String(at[at.length - 1])}' is not a menu key (one of 0-9 * #)`;
        else if (issue.code === 'invalid_key') message = `'${String(at[at.length - 1])}' is not a valid name here`;
        else if (issue.code !== 'unrecognized_keys' && at.length > 0 && !doc.hasIn(at))
          message = `'${String(at[at.length - 1])}' is missing`;
        else if (issue.code === 'unrecognized_keys')
          message = `unknown field '${String(keys[0])}'${keys.length > 1 ? ` (and ${keys.slice(1).join(', ')})` : ''}`;
        return { file, path: at.join('.'), ...locate(doc, counter, at), message };
      }),
    );
  }
  const where = (path: readonly (string | number)[]): { line?: number; column?: number } => locate(doc, counter, path);
  return compileMenu(parsed.data, file, source, options, where);
}

function refsOf(p: MenuPrompts | undefined | false): readonly (string | { say: MenuSayValue })[] {
  if (p === undefined || p === false) return [];
  return Array.isArray(p) ? p : [p];
}

function validatorOf(v: MenuValidator): EntryValidator<unknown> {
  switch (v.type) {
    case 'account':
      return accountNumber({
        ...(v.minDigits === undefined ? {} : { minDigits: v.minDigits }),
        ...(v.maxDigits === undefined ? {} : { maxDigits: v.maxDigits }),
        ...(v.checksum === undefined ? {} : { checksum: v.checksum }),
      });
    case 'pin':
      return pinEntry({
        ...(v.length === undefined ? {} : { length: v.length }),
        ...(v.rejectTrivial === undefined ? {} : { rejectTrivial: v.rejectTrivial }),
      });
    case 'amount':
      return amountEntry({
        ...(v.minFen === undefined ? {} : { minFen: v.minFen }),
        ...(v.maxFen === undefined ? {} : { maxFen: v.maxFen }),
      });
    case 'date':
      return dateEntry();
    case 'phone':
      return phoneEntry();
    case 'digits':
      return digitsEntry({ maxDigits: v.maxDigits, ...(v.minDigits === undefined ? {} : { minDigits: v.minDigits }) });
  }
}

function sayOf(value: MenuSayValue, ctx: CallContext, where: string): SayValue {
  let v: unknown = value.value;
  if (value.var !== undefined) {
    v = ctx.vars[value.var];
    if (v === undefined) throw ivrError(IvrErrorCode.InvalidArgument, `${where}: variable '${value.var}' is not set`);
  }
  const text = (): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));
  switch (value.type) {
    case 'money':
      if (value.unit === 'fen') return { type: 'money', fen: Number(v) };
      return { type: 'money', value: typeof v === 'number' ? v : text() };
    case 'number':
    case 'percent':
      return { type: value.type, value: typeof v === 'number' ? v : text() };
    case 'digits':
      return { type: 'digits', value: text() };
    case 'date':
    case 'time':
      return { type: value.type, value: text() };
  }
}

function toPrompts(p: MenuPrompts | undefined, ctx: CallContext, where: string): Prompts {
  return refsOf(p).map((r): PromptRef => (typeof r === 'string' ? r : { say: sayOf(r.say, ctx, where) }));
}

/**
 * Compiles a validated menu file. Checks that `start` and every target exist, that every action
 * and sub-flow is registered, and that no secret is read back.
 * @throws HotlineError `ERR_IVR_MENU_INVALID` listing every problem.
 */
export function compileMenu(
  menu: MenuFile,
  file: string,
  source: string,
  options: CompileMenuOptions = {},
  where: (path: readonly (string | number)[]) => { line?: number; column?: number } = () => ({}),
): CompiledMenu {
  const issues: MenuIssue[] = [];
  const nodes = menu.nodes;
  const ids = Object.keys(nodes);
  const issue = (path: (string | number)[], message: string): void => {
    issues.push({ file, path: path.join('.'), ...where(path), message });
  };
  const checkTarget = (path: (string | number)[], t: string | undefined, allowBack: boolean): void => {
    if (t === undefined) return;
    if (t === '@back' && !allowBack) issue(path, `'@back' is only a menu option`);
    if (!t.startsWith('@') && !(t in nodes)) issue(path, `goes to '${t}', which is not a node${suggest(t, ids)}`);
  };
  if (!(menu.start in nodes)) issue(['start'], `'${menu.start}' is not a node${suggest(menu.start, ids)}`);
  const actions = options.actions ?? {};
  const flows = options.flows ?? {};
  const promptIds = new Set<string>();
  const addPrompts = (p: MenuPrompts | undefined | false): void => {
    for (const r of refsOf(p)) if (typeof r === 'string') promptIds.add(r);
  };
  const edges = new Map<string, string[]>();
  for (const [id, node] of Object.entries(nodes)) {
    const out: string[] = [];
    const base = ['nodes', id];
    const next = 'next' in node ? node.next : undefined;
    if (next !== undefined) {
      checkTarget([...base, 'next'], next, false);
      out.push(next);
    }
    switch (node.type) {
      case 'menu':
        addPrompts(node.prompt);
        addPrompts(node.invalidPrompt);
        addPrompts(node.timeoutPrompt);
        for (const [key, t] of Object.entries(node.options)) {
          checkTarget([...base, 'options', key], t, true);
          out.push(t);
        }
        if (
          node.agentKey !== false &&
          node.options[node.agentKey ?? '0'] !== undefined &&
          node.agentKey !== undefined
        ) {
          issue([...base, 'agentKey'], `key '${node.agentKey}' is both an option and the agent key`);
        }
        break;
      case 'play':
        addPrompts(node.prompt);
        break;
      case 'say':
        addPrompts(node.prompt);
        addPrompts(node.after);
        if ((node.value.var === undefined) === (node.value.value === undefined)) {
          issue([...base, 'value'], 'give exactly one of var (a variable) or value (a literal)');
        }
        break;
      case 'collect':
        addPrompts(node.prompt);
        addPrompts(node.invalidPrompt);
        addPrompts(node.timeoutPrompt);
        if (node.confirm && node.validator.type === 'pin')
          issue([...base, 'confirm'], 'a PIN is a secret and is never read back');
        break;
      case 'action':
        addPrompts(node.fallbackPrompt);
        if (!(node.action in actions))
          issue(
            [...base, 'action'],
            `no code action named '${node.action}' is registered${suggest(node.action, Object.keys(actions))}`,
          );
        for (const [result, t] of Object.entries(node.on ?? {})) {
          checkTarget([...base, 'on', result], t, false);
          out.push(t);
        }
        if (node.next === undefined && node.on === undefined) issue([...base], 'an action needs next or on');
        break;
      case 'queue':
        addPrompts(node.holdPrompt);
        break;
      case 'voicemail':
        addPrompts(node.greeting);
        break;
      case 'transfer':
        addPrompts(node.announce);
        break;
      case 'survey':
        node.questions.forEach((q, i) => {
          addPrompts(q.prompt);
          if (q.kind === 'scale' && (q.min ?? 1) >= (q.max ?? 5))
            issue([...base, 'questions', i], 'scale min must be below max');
        });
        break;
      case 'flow':
        if (!(node.flow in flows))
          issue(
            [...base, 'flow'],
            `no code flow named '${node.flow}' is registered${suggest(node.flow, Object.keys(flows))}`,
          );
        break;
      case 'hangup':
        addPrompts(node.prompt);
        break;
      case 'fax':
        break;
    }
    edges.set(id, out);
  }
  if (issues.length > 0) invalid(issues);
  // Unreachable nodes are drafts or mistakes: worth a warning, not a refusal.
  const seen = new Set<string>();
  const stack = [menu.start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id) || !(id in nodes)) continue;
    seen.add(id);
    stack.push(...(edges.get(id) ?? []));
  }
  const warnings = ids
    .filter((id) => !seen.has(id))
    .map((id) => `${file}: node '${id}' cannot be reached from '${menu.start}'`);
  for (const w of warnings) options.logger?.warn('menu warning', { warning: w });
  const version = options.version ?? 1;
  const flow = interpreter(menu, file, version, actions, flows, [...promptIds].sort());
  return { flow, file: menu, source, version, prompts: flow.prompts ?? [], warnings };
}

function interpreter(
  menu: MenuFile,
  file: string,
  version: number,
  actions: Readonly<Record<string, MenuAction>>,
  flows: Readonly<Record<string, FlowDefinition<void, unknown>>>,
  prompts: readonly string[],
): FlowDefinition<void, void> {
  const nodes = menu.nodes;
  return {
    name: menu.name,
    version,
    prompts,
    async run(ctx) {
      if (menu.locale) ctx.setLocale(menu.locale);
      const menus: string[] = [];
      let currentMenu: string | undefined;
      let id: string = menu.start;
      const where = (n: string): string => `${file} node ${n}`;
      for (let steps = 0; ; steps++) {
        if (steps > 10_000)
          throw ivrError(
            IvrErrorCode.MenuInvalid,
            `${file}: more than 10000 steps without caller input (a loop of nodes?)`,
          );
        if (id === '@hangup') {
          await ctx.hangup();
          return;
        }
        if (id === '@agent') {
          await ctx.toAgent();
          return;
        }
        if (id === '@back') {
          const previous = menus.pop();
          id = previous ?? currentMenu ?? menu.start;
          currentMenu = undefined;
          continue;
        }
        const node: MenuNode | undefined = nodes[id];
        if (!node) throw ivrError(IvrErrorCode.MenuInvalid, `${file}: no node '${id}'`);
        switch (node.type) {
          case 'menu': {
            const at = menus.indexOf(id);
            if (at >= 0) menus.length = at;
            else if (currentMenu !== undefined && currentMenu !== id) menus.push(currentMenu);
            currentMenu = id;
            let key: string;
            try {
              key = await ctx.menu({
                id,
                prompt: toPrompts(node.prompt, ctx, where(id)),
                choices: Object.keys(node.options),
                back: (node.back ?? true) && menus.length > 0,
                ...(node.timeoutMs === undefined ? {} : { timeoutMs: node.timeoutMs }),
                ...(node.maxFailures === undefined ? {} : { maxFailures: node.maxFailures }),
                ...(node.invalidPrompt === undefined
                  ? {}
                  : { invalidPrompt: toPrompts(node.invalidPrompt, ctx, where(id)) }),
                ...(node.timeoutPrompt === undefined
                  ? {}
                  : { timeoutPrompt: toPrompts(node.timeoutPrompt, ctx, where(id)) }),
                ...(node.onMaxFailures === undefined ? {} : { onMaxFailures: node.onMaxFailures }),
                ...(node.agentKey === undefined ? {} : { agentKey: node.agentKey }),
              });
            } catch (error) {
              if (isFlowSignal(error) && error.kind === 'back') {
                id = '@back';
                continue;
              }
              throw error;
            }
            id = node.options[key]!;
            continue;
          }
          case 'play':
            await ctx.play(toPrompts(node.prompt, ctx, where(id)), { id, bargeIn: node.bargeIn ?? true });
            id = node.next;
            continue;
          case 'say': {
            const refs: PromptRef[] = [
              ...(toPrompts(node.prompt, ctx, where(id)) as PromptRef[]),
              { say: sayOf(node.value, ctx, where(id)) },
              ...(toPrompts(node.after, ctx, where(id)) as PromptRef[]),
            ];
            await ctx.play(refs, { id });
            id = node.next;
            continue;
          }
          case 'collect': {
            const validator = validatorOf(node.validator);
            const value = await ctx
              .collect({
                id,
                prompt: toPrompts(node.prompt, ctx, where(id)),
                validator,
                back: menus.length > 0 || currentMenu !== undefined,
                ...(node.timeoutMs === undefined ? {} : { firstDigitTimeoutMs: node.timeoutMs }),
                ...(node.maxFailures === undefined ? {} : { maxFailures: node.maxFailures }),
                ...(node.invalidPrompt === undefined
                  ? {}
                  : { invalidPrompt: toPrompts(node.invalidPrompt, ctx, where(id)) }),
                ...(node.timeoutPrompt === undefined
                  ? {}
                  : { timeoutPrompt: toPrompts(node.timeoutPrompt, ctx, where(id)) }),
                ...(node.onMaxFailures === undefined ? {} : { onMaxFailures: node.onMaxFailures }),
                ...(node.confirm && node.validator.type !== 'pin'
                  ? { confirm: (_v: unknown, entry: string): Prompts => ({ say: { type: 'digits', value: entry } }) }
                  : {}),
              })
              .catch((error: unknown) => {
                if (isFlowSignal(error) && error.kind === 'back') return BACK;
                throw error;
              });
            if (value === BACK) {
              id = currentMenu ?? menu.start; // back to the menu that led here
              continue;
            }
            ctx.vars[node.store] = value;
            if (!validator.secret && (typeof value === 'string' || typeof value === 'number'))
              ctx.data[node.store] = value;
            id = node.next;
            continue;
          }
          case 'action': {
            const action = actions[node.action]!;
            const r = await ctx.service(node.action, (signal) => action(ctx, signal), {
              id,
              ...(node.timeoutMs === undefined ? {} : { timeoutMs: node.timeoutMs }),
              ...(node.retries === undefined ? {} : { retries: node.retries }),
              ...(node.fallbackPrompt === undefined
                ? {}
                : {
                    fallbackPrompt:
                      node.fallbackPrompt === false ? false : toPrompts(node.fallbackPrompt, ctx, where(id)),
                  }),
            });
            let branch: string;
            if (r.ok) {
              const v = r.value;
              branch = typeof v === 'string' ? v : (v?.result ?? 'ok');
              if (v && typeof v === 'object' && v.vars) Object.assign(ctx.vars, v.vars);
            } else {
              branch = node.on?.[r.reason] !== undefined ? r.reason : 'error';
            }
            const t = node.on?.[branch] ?? node.next;
            if (t === undefined) {
              if (!r.ok) {
                await ctx.hangup({ goodbye: 'ivr.goodbye' });
                return;
              }
              throw ivrError(
                IvrErrorCode.InvalidArgument,
                `${where(id)}: action '${node.action}' returned '${branch}', which has no branch and no next`,
              );
            }
            id = t;
            continue;
          }
          case 'queue':
            await ctx.queue({
              id,
              skills: node.skills,
              ...(node.priority === undefined ? {} : { priority: node.priority }),
              ...(node.maxWaitMs === undefined ? {} : { maxWaitMs: node.maxWaitMs }),
              ...(node.holdPrompt === undefined ? {} : { holdPrompt: toPrompts(node.holdPrompt, ctx, where(id)) }),
            });
            id = node.next;
            continue;
          case 'voicemail':
            await ctx.voicemail({
              id,
              ...(node.mailbox === undefined ? {} : { mailbox: node.mailbox }),
              ...(node.greeting === undefined ? {} : { greeting: toPrompts(node.greeting, ctx, where(id)) }),
              ...(node.maxDurationMs === undefined ? {} : { maxDurationMs: node.maxDurationMs }),
              ...(node.review === undefined ? {} : { review: node.review }),
            });
            id = node.next;
            continue;
          case 'transfer':
            await ctx.transfer(node.number, {
              id,
              ...(node.timeoutMs === undefined ? {} : { timeoutMs: node.timeoutMs }),
              ...(node.announce === undefined ? {} : { announce: toPrompts(node.announce, ctx, where(id)) }),
            });
            id = node.next;
            continue;
          case 'survey':
            await ctx.survey(
              id,
              node.questions.map((q) => ({ ...q, prompt: toPrompts(q.prompt, ctx, where(id)) })),
            );
            id = node.next;
            continue;
          case 'fax':
            await ctx.fax({ id, documents: node.documents });
            id = node.next;
            continue;
          case 'flow': {
            const r = await ctx.sub(flows[node.flow]!, undefined);
            id = r.status === 'back' ? (currentMenu ?? menu.start) : node.next;
            continue;
          }
          case 'hangup':
            await ctx.hangup({
              id,
              goodbye:
                node.prompt === false
                  ? false
                  : node.prompt === undefined
                    ? 'ivr.goodbye'
                    : toPrompts(node.prompt, ctx, where(id)),
            });
            return;
        }
      }
    },
  };
}

const BACK: unique symbol = Symbol('back');
