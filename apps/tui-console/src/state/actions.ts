/**
 * Everything the console does, as named actions: they read the UI and server state, call the
 * protocol, and update the UI state (messages, drafts, fetched data). Views never call the
 * client; they call these (through the actions context), so the command table, key handlers and
 * tests all go through one place.
 */
import type { AgentClient, CallInfo, Customer, TransferTarget } from '@hotline/agent-protocol';
import type { SchedulerLike } from 'rxjs';
import {
  customerFields,
  deptEscalateFields,
  deptResultFields,
  searchFields,
  ticketFields,
  ticketUpdateFields,
  transferFields,
  wrapUpFields,
} from '../components/form-fields.js';
import { editForm, formValues, type FieldSpec, type FormEdit } from '../components/form-model.js';
import type { KeyPress } from '../keys/keypress.js';
import type { MessageKey, Translator } from '../i18n/i18n.js';
import type { ConsoleStore } from './console-store.js';
import { describeError } from './describe-error.js';
import { currentCall, type ServerState } from './server-state.js';
import {
  EMPTY_FORM,
  formOf,
  initialUiState,
  updateData,
  updateForm,
  type FormId,
  type Message,
  type Panel,
  type Screen,
  type UiState,
  type UiUpdate,
} from './ui-state.js';
import { isDialable, validateCustomer, validateTicket } from './validation.js';

/** A live connection: the client, its store, the address. */
export interface Connection {
  readonly url: string;
  readonly client: AgentClient;
  readonly store: ConsoleStore;
}

/** What the actions need from the container. */
export interface ActionDeps {
  readonly t: Translator;
  readonly scheduler: SchedulerLike;
  readonly getUi: () => UiState;
  readonly update: (u: UiUpdate) => void;
  readonly getConn: () => Connection | undefined;
  /** Returns the connection to `url`, creating it (and dropping another) when needed. */
  readonly connect: (url: string) => Connection;
  readonly exit: () => void;
}

/** The actions; see the module comment. */
export type ConsoleActions = ReturnType<typeof createActions>;

const OPEN_STATES: ReadonlySet<string> = new Set(['accepted', 'assigned', 'in-progress']);

/** Builds the actions over their dependencies. */
export function createActions(deps: ActionDeps) {
  const { t, update } = deps;
  const server = (): ServerState | undefined => deps.getConn()?.store.value;
  const client = (): AgentClient => {
    const c = deps.getConn();
    if (!c) throw new Error('not connected');
    return c.client;
  };
  const say = (text: string, level: Message['level'] = 'info'): void =>
    update((s) => ({ ...s, message: { text, level, at: deps.scheduler.now() } }));
  const fail = (error: unknown): void => say(describeError(t, error, { url: deps.getConn()?.url ?? '' }), 'error');
  const setPanel = (panel: Panel | undefined): void => update((s) => ({ ...s, panel }));
  const form = (id: FormId) => formOf(deps.getUi(), id);

  /** Runs a form submission: busy flag, the server's error on the form, drafts kept on failure. */
  async function submitForm<T>(id: FormId, work: () => Promise<T>, done: (result: T) => void): Promise<void> {
    if (form(id).busy) return;
    update(updateForm(id, { busy: true, error: undefined }));
    try {
      const result = await work();
      update(updateForm(id, { busy: false }));
      done(result);
    } catch (error) {
      update(updateForm(id, { busy: false, error: describeError(t, error, { url: deps.getConn()?.url ?? '' }) }));
    }
  }

  async function attempt(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      fail(error);
    }
  }

  const activeCall = (): CallInfo | undefined => {
    const s = server();
    if (!s) return undefined;
    const call = currentCall(s);
    return call && call.state !== 'offered' ? call : undefined;
  };

  /** The customer the agent works with: the one opened, else the one of the current call. */
  const workingCustomer = (): Customer | undefined => {
    const ui = deps.getUi();
    if (ui.data.customer) return ui.data.customer.customer;
    const s = server();
    const call = s ? currentCall(s) : undefined;
    return call ? (s?.pops[call.callId]?.customer ?? undefined) : undefined;
  };

  const actions = {
    say,
    /** The UI state now (key handlers read it, not a render's snapshot: keys can outrun renders). */
    ui: (): UiState => deps.getUi(),
    /** Applies a key to a form's current draft; returns what it did, or undefined when unused. */
    keyToForm(id: FormId, fields: readonly FieldSpec[], key: KeyPress): FormEdit | undefined {
      const edit = editForm(form(id), fields, key);
      if (edit) update(updateForm(id, edit.patch));
      return edit;
    },

    // --- session ---------------------------------------------------------------------------------
    async login(): Promise<void> {
      const v = form('login').values;
      const url = (v.server ?? '').trim();
      const userId = (v.user ?? '').trim();
      const password = v.password ?? '';
      if (!url || !userId || !password) return update(updateForm('login', { error: t.t('login.required') }));
      if (!/^wss?:\/\/\S+$/.test(url)) return update(updateForm('login', { error: t.t('login.badUrl'), focus: 0 }));
      const conn = deps.connect(url);
      await submitForm(
        'login',
        () => conn.client.login({ userId, password }),
        (session) => {
          update((s) => {
            // Drafts belong to the user who typed them: another user starts from a clean console.
            const previous = s.forms.login?.subject;
            const base = previous !== undefined && previous !== session.user.userId ? initialUiState() : s;
            const role = session.user.role;
            const fresh = previous !== session.user.userId;
            const screen: Screen =
              role === 'department' ? 'inbox' : role === 'supervisor' && fresh ? 'wallboard' : base.screen;
            return {
              ...base,
              loggedIn: true,
              screen,
              forms: {
                ...base.forms,
                login: { ...EMPTY_FORM, values: { server: url, user: userId }, subject: session.user.userId },
              },
              message: undefined,
            };
          });
          if (session.user.role === 'department') void actions.loadInbox();
        },
      );
      update(updateForm('login', (f) => ({ values: { ...f.values, password: '' } })));
    },
    async logout(): Promise<void> {
      const conn = deps.getConn();
      if (!conn) return;
      const s = conn.store.value;
      if (s.agent && s.agent.presence !== 'logged-out') await conn.client.api.agent.logout().catch(() => undefined);
      await conn.client.logout();
      update((ui) => ({ ...ui, loggedIn: false, panel: undefined }));
    },
    quit(): void {
      const ui = deps.getUi();
      if (!ui.quitArmed) {
        update((s) => ({
          ...s,
          quitArmed: true,
          message: { text: t.t('app.quitConfirm'), level: 'warning', at: deps.scheduler.now() },
        }));
        return;
      }
      void deps.getConn()?.client.close();
      deps.exit();
    },

    // --- navigation ------------------------------------------------------------------------------
    showScreen(screen: Screen): void {
      update((s) => ({ ...s, screen, panel: s.panel === 'help' ? undefined : s.panel }));
      if (screen === 'tickets' && !deps.getUi().data.tickets) void actions.loadTickets();
      if (screen === 'voicemail') void actions.loadVoicemails();
      if (screen === 'inbox' && !deps.getUi().data.inbox) void actions.loadInbox();
      if (screen === 'wallboard' && !server()?.wallboard) void actions.loadWallboard();
    },
    toggleHelp(): void {
      update((s) => ({ ...s, panel: s.panel === 'help' ? undefined : 'help' }));
    },
    closePanel(): void {
      setPanel(undefined);
    },
    moveCursor(list: string, delta: number, length: number): void {
      update((s) => ({
        ...s,
        cursor: { ...s.cursor, [list]: Math.max(0, Math.min(length - 1, (s.cursor[list] ?? 0) + delta)) },
      }));
    },
    editForm(id: FormId, patch: Partial<UiState['forms'][FormId] & object>): void {
      update(updateForm(id, patch));
    },

    // --- agent state -----------------------------------------------------------------------------
    async toggleReady(): Promise<void> {
      const agent = server()?.agent;
      if (agent?.presence === 'ready') return setPanel('notReady');
      await attempt(async () => {
        await client().api.agent.ready();
        say(t.t('presence.ready'), 'success');
      });
    },
    async setNotReady(reason: string): Promise<void> {
      const ui = deps.getUi();
      if (ui.panel === 'forceNotReady' && ui.data.forceTarget)
        return actions.forceState(ui.data.forceTarget, 'not-ready', reason);
      setPanel(undefined);
      await attempt(() => client().api.agent.notReady({ reason }));
    },

    // --- calls -----------------------------------------------------------------------------------
    async answer(): Promise<void> {
      const call = server()?.calls.find((c) => c.state === 'offered');
      if (!call) return;
      update((s) => ({ ...s, screen: 'call', data: { ...s.data, callTickets: [], customer: undefined } }));
      await attempt(() => client().api.call.answer({ callId: call.callId }));
    },
    async hangup(): Promise<void> {
      const call = activeCall();
      if (!call) return;
      if (call.state === 'consulting') return attempt(() => client().api.call.cancelConsult({ callId: call.callId }));
      await attempt(() => client().api.call.hangup({ callId: call.callId }));
    },
    async toggleHold(): Promise<void> {
      const call = activeCall();
      if (!call) return;
      if (call.state === 'held') await attempt(() => client().api.call.retrieve({ callId: call.callId }));
      else if (call.state === 'connected' || call.state === 'conference')
        await attempt(() => client().api.call.hold({ callId: call.callId }));
    },
    openTransfer(): void {
      if (!activeCall()) return;
      setPanel('transfer');
    },
    async submitTransfer(): Promise<void> {
      const call = activeCall();
      if (!call) return setPanel(undefined);
      const f = form('transfer');
      const kind = f.values.kind ?? 'queue';
      const v = formValues(f, transferFields(t, server()?.catalog, kind));
      let target: TransferTarget | undefined;
      if (kind === 'queue' && v.queue) target = { kind: 'queue', queueId: v.queue };
      else if (kind === 'agent' && v.target) target = { kind: 'agent', agentId: v.target };
      else if (kind === 'number' && v.target && isDialable(v.target)) target = { kind: 'number', number: v.target };
      if (!target)
        return update(
          updateForm('transfer', {
            errors: { [kind === 'queue' ? 'queue' : 'target']: t.t('transfer.targetRequired') },
          }),
        );
      const mode = v.mode === 'consult' ? 'consult' : 'blind';
      await submitForm(
        'transfer',
        () => client().api.call.transfer({ callId: call.callId, mode, target, ...(v.note ? { note: v.note } : {}) }),
        () => {
          update((s) => ({ ...s, panel: undefined, forms: { ...s.forms, transfer: EMPTY_FORM } }));
          say(t.t(mode === 'blind' ? 'transfer.done' : 'transfer.consulting'), 'success');
        },
      );
    },
    openConsult(): void {
      if (activeCall()?.state === 'consulting') setPanel('consult');
    },
    async consult(what: 'complete' | 'conference' | 'cancel'): Promise<void> {
      const call = activeCall();
      setPanel(undefined);
      if (!call) return;
      const api = client().api.call;
      await attempt(() =>
        what === 'complete'
          ? api.completeConsult({ callId: call.callId })
          : what === 'conference'
            ? api.conference({ callId: call.callId })
            : api.cancelConsult({ callId: call.callId }),
      );
    },
    openDial(): void {
      const f = form('dial');
      const phones = workingCustomer()?.phones ?? [];
      if (!f.values.number && phones[0]) update(updateForm('dial', { values: { number: phones[0] }, focus: 0 }));
      setPanel('dial');
    },
    async submitDial(): Promise<void> {
      const number = (form('dial').values.number ?? '').replace(/\s/g, '');
      if (!isDialable(number)) return update(updateForm('dial', { errors: { number: t.t('dial.invalid') } }));
      const customer = workingCustomer();
      const customerId = customer && customer.phones.includes(number) ? customer.customerId : undefined;
      await submitForm(
        'dial',
        () => client().api.call.dial({ number, ...(customerId ? { customerId } : {}) }),
        () => update((s) => ({ ...s, panel: undefined, screen: 'call', forms: { ...s.forms, dial: EMPTY_FORM } })),
      );
    },
    async submitWrapUp(auto = false): Promise<void> {
      const s = server();
      const call = s?.lastEnded;
      if (!call || s?.agent?.activity !== 'wrap-up') return;
      const fields = wrapUpFields(t, s.catalog);
      const v = formValues(form('wrapUp'), fields);
      if (!v.disposition) return;
      const label = fields[0]?.options?.find((o) => o.value === v.disposition)?.label ?? v.disposition;
      const ticketIds = deps.getUi().data.callTickets ?? [];
      await submitForm(
        'wrapUp',
        () =>
          client().api.call.wrapUp({
            callId: call.callId,
            disposition: v.disposition as string,
            ...(v.note ? { note: v.note } : {}),
            ...(ticketIds.length ? { ticketIds: [...ticketIds] } : {}),
          }),
        () => {
          update((ui) => ({
            ...ui,
            forms: { ...ui.forms, wrapUp: EMPTY_FORM },
            data: { ...ui.data, callTickets: [] },
          }));
          say(auto ? t.t('wrap.autoSubmitted', { label }) : t.t('wrap.done'), auto ? 'warning' : 'success');
        },
      );
    },

    // --- customers -------------------------------------------------------------------------------
    setCustomerView(view: UiState['customerView']): void {
      update((s) => ({ ...s, customerView: view }));
    },
    setTicketView(view: UiState['ticketView']): void {
      update((s) => ({ ...s, ticketView: view }));
    },
    setInboxView(view: UiState['inboxView']): void {
      update((s) => ({ ...s, inboxView: view }));
    },
    openSearch(): void {
      update((s) => ({ ...s, screen: 'customer', customerView: 'search', panel: undefined }));
    },
    async submitSearch(): Promise<void> {
      const v = formValues(form('search'), searchFields(t));
      const phone = (v.phone ?? '').replace(/[\s-]/g, '');
      const query = {
        ...(v.name ? { name: v.name } : {}),
        ...(phone ? { phone } : {}),
        ...(v.customerNo ? { customerNo: v.customerNo } : {}),
        ...(v.address ? { address: v.address } : {}),
      };
      if (Object.keys(query).length === 0) return update(updateForm('search', { error: t.t('customer.searchEmpty') }));
      if (phone && !/^\+?\d{4,32}$/.test(phone))
        return update(updateForm('search', { errors: { phone: t.t('customer.phoneShort') } }));
      await submitForm(
        'search',
        () => client().api.customer.search({ query, limit: 50 }),
        (result) =>
          update((s) => ({
            ...s,
            customerView: 'results',
            cursor: { ...s.cursor, results: 0 },
            data: { ...s.data, search: result },
          })),
      );
    },
    async openCustomer(customerId: string): Promise<void> {
      update((s) => ({ ...s, screen: 'customer', customerView: 'detail', data: { ...s.data, loading: 'customer' } }));
      await attempt(async () => {
        const result = await client().api.customer.get({ customerId });
        update(
          updateData({
            customer: result,
            loading: undefined,
            ...(deps.getUi().data.bill?.customerId === customerId ? {} : { bill: undefined }),
          }),
        );
        void actions.loadBill(customerId);
      });
    },
    async loadBill(customerId: string): Promise<void> {
      await attempt(async () => update(updateData({ bill: await client().api.billing.summary({ customerId }) })));
    },
    editCustomer(): void {
      const customer = deps.getUi().data.customer?.customer;
      if (!customer) return;
      const f = form('customerEdit');
      // A draft of the same customer is kept (it may hold what was typed before a disconnect).
      if (f.subject !== customer.customerId) {
        update(
          updateForm('customerEdit', {
            ...EMPTY_FORM,
            subject: customer.customerId,
            values: {
              name: customer.name,
              phones: customer.phones.join(', '),
              address: customer.address,
              district: customer.district,
              districtCode: customer.districtCode,
              householdSize: customer.householdSize === undefined ? '' : String(customer.householdSize),
              floor: customer.floor === undefined ? '' : String(customer.floor),
              notes: customer.notes ?? '',
            },
          }),
        );
      }
      setPanel('customerEdit');
    },
    createCustomer(): void {
      const f = form('customerEdit');
      if (f.subject !== 'create') {
        const s = server();
        const call = s ? currentCall(s) : undefined;
        update(
          updateForm('customerEdit', {
            ...EMPTY_FORM,
            subject: 'create',
            values: { phones: call?.remoteNumber ?? '' },
          }),
        );
      }
      setPanel('customerEdit');
    },
    async saveCustomer(): Promise<void> {
      const f = form('customerEdit');
      const { errors, patch } = validateCustomer(t, formValues(f, customerFields(t)));
      if (!patch) return update(updateForm('customerEdit', { errors }));
      const editing = deps.getUi().data.customer?.customer;
      if (f.subject === 'create') {
        const customer = { ...patch, name: patch.name ?? '', phones: patch.phones ?? [], address: patch.address ?? '' };
        await submitForm(
          'customerEdit',
          () => client().api.customer.create({ customer }),
          (created) => {
            update((s) => ({ ...s, panel: undefined, forms: { ...s.forms, customerEdit: EMPTY_FORM } }));
            say(t.t('customer.created', { no: created.customerNo }), 'success');
            void actions.openCustomer(created.customerId);
          },
        );
        return;
      }
      if (!editing || editing.customerId !== f.subject) return setPanel(undefined);
      await submitForm(
        'customerEdit',
        () => client().api.customer.update({ customerId: editing.customerId, version: editing.version, patch }),
        (saved) => {
          update((s) => ({
            ...s,
            panel: undefined,
            forms: { ...s.forms, customerEdit: EMPTY_FORM },
            data: { ...s.data, customer: s.data.customer ? { ...s.data.customer, customer: saved } : s.data.customer },
          }));
          say(t.t('customer.saved'), 'success');
        },
      );
    },

    // --- tickets ---------------------------------------------------------------------------------
    newTicket(): void {
      const f = form('ticket');
      const empty = Object.values(f.values).every((v) => v === '' || v === undefined);
      if (empty) {
        const customer = workingCustomer();
        const s = server();
        const call = s ? currentCall(s) : undefined;
        const phone = customer?.phones[0] ?? call?.remoteNumber ?? '';
        // A caller who reported a gas leak: the ticket starts as an urgent emergency.
        const emergency = call && s?.pops[call.callId]?.priority === 'emergency';
        update(
          updateForm('ticket', {
            ...EMPTY_FORM,
            focus: 2,
            subject: customer?.customerId ?? '',
            values: {
              ...(emergency ? { kind: 'emergency', priority: 'urgent' } : {}),
              contactName: customer?.name ?? '',
              contactPhone: phone,
              address: customer?.address ?? '',
            },
          }),
        );
      }
      setPanel('ticketForm');
    },
    async submitTicket(): Promise<void> {
      const f = form('ticket');
      const v = formValues(f, ticketFields(t));
      const errors = validateTicket(t, v);
      if (Object.keys(errors).length > 0) {
        const fields = ticketFields(t);
        const first = fields.findIndex((x) => errors[x.name] !== undefined);
        return update(updateForm('ticket', { errors, focus: first >= 0 ? first : f.focus }));
      }
      const s = server();
      const call = s ? (currentCall(s) ?? s.lastEnded) : undefined;
      const customerId = f.subject || undefined;
      await submitForm(
        'ticket',
        () =>
          client().api.ticket.create({
            kind: v.kind as 'repair',
            priority: v.priority as 'normal',
            subject: v.subject as string,
            description: v.description as string,
            ...(customerId ? { customerId } : {}),
            ...(v.contactName ? { contactName: v.contactName } : {}),
            ...(v.contactPhone ? { contactPhone: v.contactPhone } : {}),
            ...(v.address ? { address: v.address } : {}),
            ...(call ? { callId: call.callId } : {}),
          }),
        (ticket) => {
          // A ticket filed during a call makes "ticket created" the wrap-up's disposition, unless one was chosen.
          const wrap = deps.getUi().forms.wrapUp ?? EMPTY_FORM;
          const preset =
            call && !wrap.values.disposition && s?.catalog?.dispositions.some((d) => d.code === 'ticket-created');
          update((ui) => ({
            ...ui,
            panel: undefined,
            screen: 'tickets',
            ticketView: 'created',
            forms: {
              ...ui.forms,
              ticket: EMPTY_FORM,
              ...(preset ? { wrapUp: { ...wrap, values: { ...wrap.values, disposition: 'ticket-created' } } } : {}),
            },
            data: {
              ...ui.data,
              createdTicket: ticket,
              callTickets: [...(ui.data.callTickets ?? []), ticket.ticketId],
              tickets: [ticket, ...(ui.data.tickets ?? [])],
            },
          }));
          say(`${t.t('ticket.created')} · ${t.t('ticket.trackingNo')} ${ticket.trackingNo}`, 'success');
        },
      );
    },
    async loadTickets(): Promise<void> {
      const customerId = workingCustomer()?.customerId;
      await attempt(async () => {
        const page = await client().api.ticket.list({ ...(customerId ? { customerId } : {}), limit: 50 });
        update(updateData({ tickets: page.tickets }));
      });
    },
    async openTicket(ticketId: string): Promise<void> {
      await attempt(async () => {
        const result = await client().api.ticket.get({ ticketId });
        update((s) => ({
          ...s,
          ticketView: s.screen === 'inbox' ? s.ticketView : 'detail',
          inboxView: s.screen === 'inbox' ? 'detail' : s.inboxView,
          data: { ...s.data, ticket: result },
        }));
      });
    },
    openTicketUpdate(): void {
      const ticket = deps.getUi().data.ticket?.ticket;
      if (!ticket) return;
      if (form('ticketUpdate').subject !== ticket.ticketId)
        update(
          updateForm('ticketUpdate', { ...EMPTY_FORM, subject: ticket.ticketId, values: { status: ticket.status } }),
        );
      setPanel('ticketUpdate');
    },
    async submitTicketUpdate(): Promise<void> {
      const ticket = deps.getUi().data.ticket?.ticket;
      if (!ticket) return setPanel(undefined);
      const v = formValues(form('ticketUpdate'), ticketUpdateFields(t, ticket.status));
      await submitForm(
        'ticketUpdate',
        () =>
          client().api.ticket.update({
            ticketId: ticket.ticketId,
            version: ticket.version,
            ...(v.status && v.status !== ticket.status ? { status: v.status as 'closed' } : {}),
            ...(v.note ? { note: v.note } : {}),
          }),
        (updated) => {
          update((s) => ({ ...s, panel: undefined, forms: { ...s.forms, ticketUpdate: EMPTY_FORM } }));
          say(t.t('ticket.updated'), 'success');
          void actions.openTicket(updated.ticketId);
        },
      );
    },

    // --- voicemail -------------------------------------------------------------------------------
    async loadVoicemails(): Promise<void> {
      await attempt(async () => {
        const result = await client().api.voicemail.list({ status: ['new', 'in-progress', 'unreachable'], limit: 100 });
        update(updateData({ voicemails: result.voicemails }));
      });
    },
    async callBack(voicemailId: string): Promise<void> {
      await attempt(async () => {
        const result = await client().api.voicemail.callBack({ voicemailId });
        say(t.t('vm.callingBack', { number: result.call.remoteNumber }), 'success');
        update((s) => ({ ...s, screen: 'call', data: { ...s.data, callTickets: [] } }));
      });
    },
    async markVoicemail(
      voicemailId: string,
      patch: { played?: boolean; status?: 'called-back' | 'unreachable' },
    ): Promise<void> {
      await attempt(async () => {
        const vm = await client().api.voicemail.mark({ voicemailId, ...patch });
        update((s) => ({
          ...s,
          data: {
            ...s.data,
            voicemails: (s.data.voicemails ?? []).map((x) => (x.voicemailId === vm.voicemailId ? vm : x)),
          },
        }));
        if (patch.status) say(t.t('vm.marked', { status: t.t(`vm.status.${patch.status}` as MessageKey) }), 'success');
      });
    },

    // --- supervisor ------------------------------------------------------------------------------
    async loadWallboard(): Promise<void> {
      await attempt(async () => {
        const wb = await client().api.supervisor.snapshot();
        deps.getConn()?.store.replaceWallboard(wb);
      });
    },
    openForceNotReady(agentId: string): void {
      update((s) => ({ ...s, panel: 'forceNotReady', data: { ...s.data, forceTarget: agentId } }));
    },
    async forceState(agentId: string, presence: 'ready' | 'not-ready' | 'logged-out', reason?: string): Promise<void> {
      setPanel(undefined);
      await attempt(async () => {
        await client().api.supervisor.forceState({ agentId, presence, ...(reason ? { reason } : {}) });
        const name = server()?.wallboard?.agents.find((a) => a.agentId === agentId)?.name ?? agentId;
        say(t.t('wb.forced', { name, state: t.t(`presence.${presence}` as MessageKey) }), 'success');
      });
    },
    async monitor(agentId: string, mode: 'listen' | 'whisper' | 'barge'): Promise<void> {
      await attempt(async () => {
        const current = deps.getUi().data.monitor;
        if (current) await client().api.supervisor.stopMonitor({ monitorId: current.monitorId });
        const result = await client().api.supervisor.monitor({ agentId, mode });
        update(updateData({ monitor: { monitorId: result.monitorId, agentId, mode } }));
        const name = server()?.wallboard?.agents.find((a) => a.agentId === agentId)?.name ?? agentId;
        say(t.t('wb.monitoring', { mode: t.t(`wb.mode.${mode}`), name }), 'success');
      });
    },
    async stopMonitor(): Promise<void> {
      const current = deps.getUi().data.monitor;
      if (!current) return;
      await attempt(async () => {
        await client().api.supervisor.stopMonitor({ monitorId: current.monitorId });
        update(updateData({ monitor: undefined }));
        say(t.t('wb.monitorStopped'));
      });
    },

    // --- department ------------------------------------------------------------------------------
    async loadInbox(): Promise<void> {
      await attempt(async () => {
        const page = await client().api.department.inbox({ limit: 200 });
        const sorted = [...page.tickets].sort(
          (a, b) => (a.deadline ?? Number.MAX_SAFE_INTEGER) - (b.deadline ?? Number.MAX_SAFE_INTEGER),
        );
        update(updateData({ inbox: sorted }));
      });
    },
    openDeptResult(): void {
      const ticket = deps.getUi().data.ticket?.ticket;
      if (!ticket) return;
      if (form('deptResult').subject !== ticket.ticketId)
        update(
          updateForm('deptResult', {
            ...EMPTY_FORM,
            subject: ticket.ticketId,
            values: { result: ticket.result ?? '' },
          }),
        );
      setPanel('deptResult');
    },
    async submitDeptResult(): Promise<void> {
      const ticket = deps.getUi().data.ticket?.ticket;
      if (!ticket) return setPanel(undefined);
      const v = formValues(form('deptResult'), deptResultFields(t));
      if (!v.result) return update(updateForm('deptResult', { errors: { result: t.t('dept.v.resultRequired') } }));
      await submitForm(
        'deptResult',
        () =>
          client().api.department.recordResult({
            ticketId: ticket.ticketId,
            version: ticket.version,
            result: v.result as string,
            resolve: v.resolve !== 'no',
          }),
        (updated) => {
          update((s) => ({ ...s, panel: undefined, forms: { ...s.forms, deptResult: EMPTY_FORM } }));
          say(t.t('dept.resultSaved'), 'success');
          void actions.openTicket(updated.ticketId);
          void actions.loadInbox();
        },
      );
    },
    openEscalate(): void {
      const ticket = deps.getUi().data.ticket?.ticket;
      if (!ticket) return;
      if (form('deptEscalate').subject !== ticket.ticketId)
        update(updateForm('deptEscalate', { ...EMPTY_FORM, subject: ticket.ticketId }));
      setPanel('deptEscalate');
    },
    async submitEscalate(): Promise<void> {
      const ticket = deps.getUi().data.ticket?.ticket;
      if (!ticket) return setPanel(undefined);
      const v = formValues(form('deptEscalate'), deptEscalateFields(t));
      if (!v.reason) return update(updateForm('deptEscalate', { errors: { reason: t.t('dept.v.reasonRequired') } }));
      await submitForm(
        'deptEscalate',
        () =>
          client().api.department.escalate({
            ticketId: ticket.ticketId,
            version: ticket.version,
            reason: v.reason as string,
          }),
        () => {
          update((s) => ({
            ...s,
            panel: undefined,
            inboxView: 'list',
            forms: { ...s.forms, deptEscalate: EMPTY_FORM },
          }));
          say(t.t('dept.escalated'), 'success');
          void actions.loadInbox();
        },
      );
    },
  };
  return actions;
}

/** Whether a ticket still needs work (for lists). */
export function isOpenTicket(status: string): boolean {
  return OPEN_STATES.has(status);
}
