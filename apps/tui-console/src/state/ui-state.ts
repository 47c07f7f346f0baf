/**
 * The console's own state: which screen and panel are shown, the drafts of every form, list
 * cursors, data fetched for views, the message line. It lives above the connection: a dropped
 * link, a reconnect or even a re-login of the same user never touches it, which is how nothing
 * typed is lost.
 */
import type {
  BillSummary,
  Customer,
  CustomerSummary,
  Interaction,
  Ticket,
  TicketHistoryEntry,
  Voicemail,
} from '@hotline/agent-protocol';

/** Top-level screens (tabs). */
export type Screen = 'call' | 'customer' | 'tickets' | 'voicemail' | 'wallboard' | 'inbox';

/** A panel that takes the content area and the keyboard over the screen. */
export type Panel =
  | 'help'
  | 'transfer'
  | 'consult'
  | 'notReady'
  | 'dial'
  | 'customerEdit'
  | 'ticketForm'
  | 'ticketUpdate'
  | 'deptResult'
  | 'deptEscalate'
  | 'forceNotReady';

/** Form ids (each keeps its own draft). */
export type FormId =
  | 'login'
  | 'search'
  | 'customerEdit'
  | 'ticket'
  | 'ticketUpdate'
  | 'transfer'
  | 'dial'
  | 'wrapUp'
  | 'deptResult'
  | 'deptEscalate';

/** One form's draft. */
export interface FormState {
  readonly values: Readonly<Record<string, string>>;
  /** Index of the focused field. */
  readonly focus: number;
  /** Field errors, already translated. */
  readonly errors: Readonly<Record<string, string>>;
  readonly busy: boolean;
  /** A form-level error (from the server). */
  readonly error: string | undefined;
  /** What the form is about (customer id being edited, ticket id, `create`). */
  readonly subject?: string;
}

/** An empty form. */
export const EMPTY_FORM: FormState = { values: {}, focus: 0, errors: {}, busy: false, error: undefined };

/** A line on the message bar. */
export interface Message {
  readonly text: string;
  readonly level: 'info' | 'success' | 'error' | 'warning';
  readonly at: number;
}

/** Data fetched for the views (kept across screen switches and reconnects). */
export interface ViewData {
  readonly customer?: {
    readonly customer: Customer;
    readonly openTickets: readonly Ticket[];
    readonly recentInteractions: readonly Interaction[];
  };
  readonly bill?: BillSummary;
  readonly search?: { readonly customers: readonly CustomerSummary[]; readonly total: number };
  readonly tickets?: readonly Ticket[];
  readonly ticket?: { readonly ticket: Ticket; readonly history: readonly TicketHistoryEntry[] };
  readonly createdTicket?: Ticket;
  readonly voicemails?: readonly Voicemail[];
  readonly inbox?: readonly Ticket[];
  readonly monitor?: {
    readonly monitorId: string;
    readonly agentId: string;
    readonly mode: 'listen' | 'whisper' | 'barge';
  };
  /** Tickets created during the current call (sent with the wrap-up). */
  readonly callTickets?: readonly string[];
  /** The agent picked on the wallboard for a forced not-ready. */
  readonly forceTarget?: string;
  readonly loading?: string;
}

/** The whole UI state. */
export interface UiState {
  readonly screen: Screen;
  readonly panel: Panel | undefined;
  readonly forms: Readonly<Partial<Record<FormId, FormState>>>;
  readonly data: ViewData;
  readonly customerView: 'search' | 'results' | 'detail';
  readonly ticketView: 'list' | 'detail' | 'created';
  readonly inboxView: 'list' | 'detail';
  /** List cursors by list name. */
  readonly cursor: Readonly<Record<string, number>>;
  readonly message: Message | undefined;
  /** Ctrl+C was pressed once: the next one quits. */
  readonly quitArmed: boolean;
  /** The login screen is shown over the kept state (first login, or after the session ended). */
  readonly loggedIn: boolean;
}

/** The UI state at start. */
export function initialUiState(login: Record<string, string> = {}): UiState {
  return {
    screen: 'call',
    panel: undefined,
    forms: { login: { ...EMPTY_FORM, values: login, focus: login.server ? (login.user ? 2 : 1) : 0 } },
    data: {},
    customerView: 'search',
    ticketView: 'list',
    inboxView: 'list',
    cursor: {},
    message: undefined,
    quitArmed: false,
    loggedIn: false,
  };
}

/** A UI state update: a function of the previous state. */
export type UiUpdate = (state: UiState) => UiState;

/** The reducer: applies the update. */
export function uiReducer(state: UiState, update: UiUpdate): UiState {
  return update(state);
}

/** The draft of a form (empty when none). */
export function formOf(state: UiState, id: FormId): FormState {
  return state.forms[id] ?? EMPTY_FORM;
}

/** An update that changes one form. */
export function updateForm(id: FormId, change: Partial<FormState> | ((f: FormState) => Partial<FormState>)): UiUpdate {
  return (s) => {
    const f = formOf(s, id);
    const patch = typeof change === 'function' ? change(f) : change;
    return { ...s, forms: { ...s.forms, [id]: { ...f, ...patch } } };
  };
}

/** An update that changes the view data. */
export function updateData(patch: Partial<ViewData>): UiUpdate {
  return (s) => ({ ...s, data: { ...s.data, ...patch } });
}
