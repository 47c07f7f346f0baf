import type { AgentClient, ConnectionState } from '@hotline/agent-protocol';
import { Box, useApp, useStdout } from 'ink';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { asyncScheduler, of, type SchedulerLike } from 'rxjs';
import { HintLine, MessageLine } from '../components/MessageLine.js';
import { StatusBar } from '../components/StatusBar.js';
import { TabBar } from '../components/TabBar.js';
import { loginFields, wrapUpFields } from '../components/form-fields.js';
import { focusTakesText } from '../components/form-model.js';
import { createTranslator, I18nContext, type Lang, type Translator } from '../i18n/i18n.js';
import { findCommand, type CommandContext } from '../keys/command-table.js';
import { keyId, type KeyPress } from '../keys/keypress.js';
import { KeyRouter } from '../keys/KeyRouter.js';
import { createActions, type ConsoleActions, type Connection } from '../state/actions.js';
import { ConsoleStore } from '../state/console-store.js';
import { ActionsContext, ClockContext, ServerContext, SizeContext, UiContext, useNow } from '../state/contexts.js';
import { describeError } from '../state/describe-error.js';
import { currentCall, EMPTY_SERVER_STATE, type ServerState } from '../state/server-state.js';
import { formOf, initialUiState, type UiState } from '../state/ui-state.js';
import { UiStore } from '../state/ui-store.js';
import { useObservable } from '../state/use-observable.js';
import { CallScreen } from './CallScreen.js';
import { CustomerScreen } from './CustomerScreen.js';
import { InboxScreen } from './InboxScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { formPanel, PanelHost } from './PanelHost.js';
import { TicketsScreen } from './TicketsScreen.js';
import { VoicemailScreen } from './VoicemailScreen.js';
import { WallboardScreen } from './WallboardScreen.js';

/** Props of {@link ConsoleApp}. */
export interface ConsoleAppProps {
  /** Makes the protocol client for a server address (tests give an in-memory transport). */
  readonly createClient: (url: string) => AgentClient;
  readonly lang?: Lang;
  /** Time source (tests: a virtual clock). */
  readonly scheduler?: SchedulerLike;
  /** Pre-filled login fields. */
  readonly login?: { readonly server?: string; readonly user?: string };
  /** Fixed size (tests); default: the terminal's, following resizes. */
  readonly size?: { readonly columns: number; readonly rows: number };
  /** Called when a call starts ringing (the terminal bell). */
  readonly onRing?: () => void;
  /** Called when the user quits. */
  readonly onExit?: () => void;
}

const STALE = new Set(['session-expired', 'forced-logout', 'version-mismatch', 'unreachable', 'connection-lost']);

/** Auto-submit this long before wrap-up runs out, so the disposition reaches the server before its timer ends wrap-up. */
const AUTO_SUBMIT_MS = 1_000;

function useTerminalSize(fixed: ConsoleAppProps['size']): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = (): { columns: number; rows: number } => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed]);
  return fixed ?? size;
}

/** Submits the wrap-up when its time runs out (mounted always: a form may cover the call screen). */
function WrapUpTimer(props: { readonly server: ServerState; readonly actions: ConsoleActions }): null {
  const now = useNow();
  const { server, actions } = props;
  const call = server.agent?.activity === 'wrap-up' ? server.lastEnded : undefined;
  const wrapUpMs = server.catalog?.wrapUpMs;
  const remaining = call && wrapUpMs !== undefined && server.agent ? server.agent.since + wrapUpMs - now : undefined;
  const done = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!call || remaining === undefined || remaining > AUTO_SUBMIT_MS || done.current === call.callId) return;
    done.current = call.callId;
    void actions.submitWrapUp(true);
  }, [call, remaining, actions]);
  return null;
}

/** The status bar with its own one-second clock (only it re-renders every second). */
function StatusBarContainer(p: {
  readonly t: Translator;
  readonly server: ServerState;
  readonly connection: ConnectionState;
  readonly reasonLabel: string | undefined;
}): ReactNode {
  const now = useNow();
  return (
    <StatusBar
      t={p.t}
      user={p.server.user}
      agent={p.server.agent}
      queues={p.server.queues}
      connection={p.connection}
      now={now}
      wrapUpMs={p.server.catalog?.wrapUpMs}
      reasonLabel={p.reasonLabel}
    />
  );
}

/** Which panel or screen owns the keyboard, and whether a text field has the focus. */
function focusOf(
  t: Translator,
  ui: UiState,
  server: ServerState,
  actions: ConsoleActions,
): { owner: string; typing: boolean } {
  if (!ui.loggedIn) return { owner: 'login', typing: focusTakesText(formOf(ui, 'login'), loginFields(t)) };
  if (ui.panel) {
    const spec = formPanel(ui.panel, t, ui, server, actions);
    return { owner: `panel:${ui.panel}`, typing: spec ? focusTakesText(formOf(ui, spec.form), spec.fields) : false };
  }
  if (ui.screen === 'customer') return { owner: 'screen:customer', typing: ui.customerView === 'search' };
  if (ui.screen === 'call' && server.agent?.activity === 'wrap-up' && !currentCall(server)) {
    return { owner: 'screen:call', typing: focusTakesText(formOf(ui, 'wrapUp'), wrapUpFields(t, server.catalog)) };
  }
  return { owner: `screen:${ui.screen}`, typing: false };
}

/**
 * The console: owns the connection, the UI store and the actions, provides them through the
 * state and actions contexts, routes keys (command table first, then the focused panel) and
 * lays out the screen: status bar, tabs, content, message line, key hints.
 */
export function ConsoleApp(props: ConsoleAppProps): ReactNode {
  const scheduler = props.scheduler ?? asyncScheduler;
  const t = useMemo(() => createTranslator(props.lang ?? 'zh-CN'), [props.lang]);
  const app = useApp();
  // One store for the console's life: the login props only seed it.
  const [uiStore] = useState(
    () => new UiStore(initialUiState({ server: props.login?.server ?? '', user: props.login?.user ?? '' })),
  );
  const ui = useObservable(uiStore.state$, uiStore.value);
  const [conn, setConn] = useState<Connection | undefined>(undefined);
  const connRef = useRef<Connection | undefined>(undefined);
  const propsRef = useRef(props);
  propsRef.current = props;

  const actions = useMemo(
    () =>
      createActions({
        t,
        scheduler,
        getUi: () => uiStore.value,
        update: uiStore.update,
        getConn: () => connRef.current,
        connect: (url) => {
          const current = connRef.current;
          if (current && current.url === url) return current;
          if (current) {
            current.store.dispose();
            void current.client.close();
          }
          const client = propsRef.current.createClient(url);
          const next: Connection = { url, client, store: new ConsoleStore(client) };
          connRef.current = next;
          setConn(next);
          return next;
        },
        exit: () => {
          propsRef.current.onExit?.();
          app.exit();
        },
      }),
    [t, scheduler, uiStore, app],
  );

  const serverSource = useMemo(() => conn?.store.state$ ?? of(EMPTY_SERVER_STATE), [conn]);
  const connectionSource = useMemo(
    () => conn?.store.connection$ ?? of<ConnectionState>({ status: 'offline', reason: 'idle' }),
    [conn],
  );
  const server = useObservable(serverSource, EMPTY_SERVER_STATE);
  const connection = useObservable(connectionSource, { status: 'offline', reason: 'idle' });
  const serverView = useMemo(() => ({ server, connection }), [server, connection]);

  // Connection changes and server events that the person should notice.
  useEffect(() => {
    if (!conn) return;
    let wasReconnecting = false;
    const say = (text: string, level: 'info' | 'success' | 'error' | 'warning'): void =>
      uiStore.update((s) => ({ ...s, message: { text, level, at: scheduler.now() } }));
    const subs = [
      conn.store.connection$.subscribe((c) => {
        if (c.status === 'reconnecting') {
          wasReconnecting = true;
          say(t.t('conn.lost', { n: c.attempt }), 'warning');
        } else if (c.status === 'online' && wasReconnecting) {
          wasReconnecting = false;
          say(c.session.resync ? t.t('conn.resynced') : t.t('conn.restored'), 'success');
        } else if (c.status === 'offline' && STALE.has(c.reason) && uiStore.value.loggedIn) {
          // Back to the login form over the kept state: every draft survives a re-login.
          const text = c.error ? describeError(t, c.error, { url: conn.url }) : t.t('error.ERR_SESSION_EXPIRED');
          uiStore.update((s) => ({
            ...s,
            loggedIn: false,
            forms: {
              ...s.forms,
              login: { ...formOf(s, 'login'), focus: 2, error: `${text} · ${t.t('login.relogin')}` },
            },
          }));
        }
      }),
      conn.store.signals$.subscribe((signal) => {
        if (signal.kind !== 'event') return;
        const e = signal.event;
        if (e.name === 'call.offered') {
          uiStore.update((s) => ({
            ...s,
            screen: 'call',
            panel: s.panel === 'help' || s.panel === 'notReady' ? undefined : s.panel,
            cursor: { ...s.cursor, candidates: 0 },
          }));
          propsRef.current.onRing?.();
          // Arrears belong on the pop before the agent answers.
          if (e.data.customer) void actions.loadBill(e.data.customer.customerId);
        } else if (e.name === 'agent.state' && e.data.activity === 'wrap-up') {
          uiStore.update((s) => ({ ...s, screen: s.screen === 'wallboard' ? s.screen : 'call' }));
        } else if (e.name === 'notice') {
          say(
            `${e.data.from ? t.t('notice.from', { from: e.data.from }) : ''}${e.data.text}`,
            e.data.level === 'info' ? 'info' : 'warning',
          );
        } else if (
          e.name === 'ticket.changed' &&
          e.data.change.by !== conn.store.value.user?.userId &&
          e.data.change.by !== 'system'
        ) {
          say(
            t.t('ticket.changedNotice', {
              no: e.data.ticket.trackingNo,
              status: t.t(`ticket.status.${e.data.ticket.status}`),
            }),
            'info',
          );
          if (uiStore.value.screen === 'inbox') void actions.loadInbox();
        } else if (
          e.name === 'voicemail.added' &&
          e.data.status === 'new' &&
          !uiStore.value.data.voicemails?.some((v) => v.voicemailId === e.data.voicemailId)
        ) {
          say(t.t('vm.added', { caller: e.data.callbackNumber ?? e.data.callerId }), 'info');
        }
      }),
    ];
    return () => subs.forEach((s) => s.unsubscribe());
  }, [conn, uiStore, t, scheduler, actions]);

  const size = useTerminalSize(props.size);
  const focus = focusOf(t, ui, server, actions);

  const onKey = (key: KeyPress): boolean => {
    const id = keyId(key);
    const current = uiStore.value;
    if (current.quitArmed && id !== 'ctrl+c' && id !== 'ctrl+q') uiStore.update((s) => ({ ...s, quitArmed: false }));
    if (!current.loggedIn) {
      if (id === 'ctrl+c' || id === 'ctrl+q') return (actions.quit(), true);
      return false;
    }
    const ctx: CommandContext = {
      server: connRef.current?.store.value ?? EMPTY_SERVER_STATE,
      ui: current,
      actions,
      typing: focus.typing,
    };
    const cmd = findCommand(id, ctx);
    if (!cmd) return false;
    cmd.run(ctx);
    return true;
  };

  const contentHeight = Math.max(8, size.rows - 4);
  const role = server.user?.role;
  const call = currentCall(server);
  const hint =
    role === 'department'
      ? t.t('hints.department')
      : call?.state === 'offered'
        ? t.t('hints.offered')
        : call?.state === 'consulting'
          ? t.t('hints.consulting')
          : call
            ? t.t('hints.connected')
            : t.t('hints.idle');
  const reason = server.agent?.reason
    ? server.catalog?.notReadyReasons.find((r) => r.code === server.agent?.reason)
    : undefined;

  let content: ReactNode;
  if (ui.panel) content = <PanelHost />;
  else if (ui.screen === 'call') content = <CallScreen height={contentHeight} />;
  else if (ui.screen === 'customer') content = <CustomerScreen height={contentHeight} />;
  else if (ui.screen === 'tickets') content = <TicketsScreen height={contentHeight} />;
  else if (ui.screen === 'voicemail') content = <VoicemailScreen height={contentHeight} />;
  else if (ui.screen === 'wallboard') content = <WallboardScreen height={contentHeight} />;
  else content = <InboxScreen height={contentHeight} />;

  return (
    <I18nContext.Provider value={t}>
      <ClockContext.Provider value={scheduler}>
        <SizeContext.Provider value={size}>
          <ServerContext.Provider value={serverView}>
            <UiContext.Provider value={ui}>
              <ActionsContext.Provider value={actions}>
                <KeyRouter onKey={onKey} activeOwner={focus.owner}>
                  <Box flexDirection="column" width={size.columns} height={size.rows}>
                    {ui.loggedIn ? (
                      <>
                        <StatusBarContainer
                          t={t}
                          server={server}
                          connection={connection}
                          reasonLabel={reason ? t.label(reason, reason.code) : undefined}
                        />
                        <TabBar
                          t={t}
                          role={role}
                          screen={ui.screen}
                          badges={{
                            voicemail: server.voicemailsWaiting,
                            inbox: ui.data.inbox?.length ?? server.inboxCount ?? 0,
                          }}
                        />
                        <Box flexDirection="column" height={contentHeight} overflow="hidden">
                          {content}
                        </Box>
                        <MessageLine message={ui.message} />
                        <HintLine text={hint} />
                        <WrapUpTimer server={server} actions={actions} />
                      </>
                    ) : (
                      <>
                        <LoginScreen />
                        {ui.message ? <MessageLine message={ui.message} /> : null}
                      </>
                    )}
                  </Box>
                </KeyRouter>
              </ActionsContext.Provider>
            </UiContext.Provider>
          </ServerContext.Provider>
        </SizeContext.Provider>
      </ClockContext.Provider>
    </I18nContext.Provider>
  );
}
