/**
 * The command table: every global command with its keys, its label (for the help overlay and
 * the hint line), the roles that have it, when it applies, and what it runs. Function keys and
 * Ctrl/Alt combinations work everywhere, even while typing in a form; single printable keys
 * (`?`, `1`…`5`) work only when no text field has the focus.
 */
import type { Role } from '@hotline/agent-protocol';
import type { MessageKey } from '../i18n/i18n.js';
import type { ConsoleActions } from '../state/actions.js';
import { currentCall, type ServerState } from '../state/server-state.js';
import type { Screen, UiState } from '../state/ui-state.js';

/** What a command sees. */
export interface CommandContext {
  readonly server: ServerState;
  readonly ui: UiState;
  readonly actions: ConsoleActions;
  /** A text field has the focus (printable keys type text). */
  readonly typing: boolean;
}

/** One command. */
export interface ConsoleCommand {
  readonly id: string;
  /** Key ids (see `keyId`): `f2`, `ctrl+q`, `meta+1`, `?`. The first is shown in hints. */
  readonly keys: readonly string[];
  readonly label: MessageKey;
  /** Roles that have the command (default: everyone). */
  readonly roles?: readonly Role[];
  /** Whether it applies now (default: always). */
  readonly when?: (ctx: CommandContext) => boolean;
  readonly run: (ctx: CommandContext) => void;
}

const CALLERS: readonly Role[] = ['agent', 'supervisor'];
const offered = (c: CommandContext): boolean => c.server.calls.some((x) => x.state === 'offered');
const active = (c: CommandContext) => {
  const call = currentCall(c.server);
  return call && call.state !== 'offered' ? call : undefined;
};
const noCall = (c: CommandContext): boolean => c.server.calls.length === 0;

function tab(screen: Screen, digit: string, label: MessageKey, roles: readonly Role[]): ConsoleCommand {
  return {
    id: `tab.${screen}`,
    keys: [digit, `meta+${digit}`],
    label,
    roles,
    run: (c) => c.actions.showScreen(screen),
  };
}

/** The commands, in help order. */
export const COMMAND_TABLE: readonly ConsoleCommand[] = [
  { id: 'help', keys: ['f1', '?'], label: 'cmd.help', run: (c) => c.actions.toggleHelp() },
  {
    id: 'answer',
    keys: ['f2'],
    label: 'cmd.answer',
    roles: CALLERS,
    when: offered,
    run: (c) => void c.actions.answer(),
  },
  {
    id: 'hangup',
    keys: ['f3'],
    label: 'cmd.hangup',
    roles: CALLERS,
    when: (c) => active(c) !== undefined,
    run: (c) => void c.actions.hangup(),
  },
  {
    id: 'hold',
    keys: ['f4'],
    label: 'cmd.hold',
    roles: CALLERS,
    when: (c) => ['connected', 'held', 'conference'].includes(active(c)?.state ?? ''),
    run: (c) => void c.actions.toggleHold(),
  },
  {
    id: 'transfer',
    keys: ['f5'],
    label: 'cmd.transfer',
    roles: CALLERS,
    when: (c) => ['connected', 'held'].includes(active(c)?.state ?? ''),
    run: (c) => c.actions.openTransfer(),
  },
  {
    id: 'consult',
    keys: ['f6'],
    label: 'cmd.consult',
    roles: CALLERS,
    when: (c) => active(c)?.state === 'consulting',
    run: (c) => c.actions.openConsult(),
  },
  { id: 'dial', keys: ['f7'], label: 'cmd.dial', roles: CALLERS, when: noCall, run: (c) => c.actions.openDial() },
  { id: 'ready', keys: ['f8'], label: 'cmd.ready', roles: CALLERS, run: (c) => void c.actions.toggleReady() },
  {
    id: 'search',
    keys: ['f9'],
    label: 'cmd.search',
    roles: ['agent', 'supervisor', 'administrator'],
    run: (c) => c.actions.openSearch(),
  },
  { id: 'newTicket', keys: ['f10'], label: 'cmd.newTicket', roles: CALLERS, run: (c) => c.actions.newTicket() },
  tab('call', '1', 'cmd.tab.call', CALLERS),
  tab('customer', '2', 'cmd.tab.customer', ['agent', 'supervisor', 'administrator']),
  tab('tickets', '3', 'cmd.tab.tickets', ['agent', 'supervisor', 'administrator']),
  tab('voicemail', '4', 'cmd.tab.voicemail', CALLERS),
  tab('wallboard', '5', 'cmd.tab.wallboard', ['supervisor']),
  tab('inbox', '1', 'cmd.tab.inbox', ['department']),
  { id: 'logout', keys: ['ctrl+l'], label: 'cmd.logout', run: (c) => void c.actions.logout() },
  { id: 'quit', keys: ['ctrl+c', 'ctrl+q'], label: 'cmd.quit', run: (c) => c.actions.quit() },
];

/** Whether `cmd` belongs to `role`. */
export function hasCommand(cmd: ConsoleCommand, role: Role | undefined): boolean {
  return !cmd.roles || (role !== undefined && cmd.roles.includes(role));
}

/** Finds the command a key id runs now, or undefined. */
export function findCommand(
  id: string,
  ctx: CommandContext,
  table: readonly ConsoleCommand[] = COMMAND_TABLE,
): ConsoleCommand | undefined {
  const printable = Array.from(id).length === 1;
  if (printable && ctx.typing) return undefined;
  return table.find(
    (cmd) => cmd.keys.includes(id) && hasCommand(cmd, ctx.server.user?.role) && (cmd.when?.(ctx) ?? true),
  );
}

/** How a key id is shown: `F1`, `Ctrl+Q`, `Alt+1`. */
export function showKey(id: string): string {
  if (/^f\d+$/.test(id)) return id.toUpperCase();
  if (id.startsWith('ctrl+')) return `Ctrl+${id.slice(5).toUpperCase()}`;
  if (id.startsWith('meta+')) return `Alt+${id.slice(5)}`;
  return id;
}
