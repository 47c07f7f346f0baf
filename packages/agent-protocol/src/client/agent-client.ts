import { randomUUID } from 'node:crypto';
import { asyncScheduler, BehaviorSubject, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { COMMANDS, COMMAND_NAMES, type CommandName, type CommandParams, type CommandResult } from '../commands.js';
import type { Snapshot, UserInfo } from '../domain.js';
import { ProtocolError, ProtocolErrorCode, isProtocolError } from '../errors.js';
import { EVENTS, isEventName, type ProtocolEvent } from '../events.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  EventFrame,
  ResponseFrame,
  SessionFrame,
  WelcomeFrame,
  ByeFrame,
  ErrorFrame,
  PingFrame,
  fromWireError,
  issuesOf,
  readFrame,
  utf8Length,
  type ClientFrame,
} from '../frames.js';
import { silentLogger, type Logger } from '../logger.js';
import type { ClientTransport, CloseInfo, TransportLink } from '../transport.js';
import { PROTOCOL_VERSION, parseVersion } from '../version.js';
import { wsTransport, type WsTransportOptions } from './ws-transport.js';

/** The session as the client knows it after a login or resume. */
export interface SessionInfo {
  readonly sessionId: string;
  readonly user: UserInfo;
  /** The negotiated protocol version. */
  readonly protocol: string;
  readonly server: { readonly name: string; readonly version: string };
  /** True when this came from a resume after a reconnect. */
  readonly resumed: boolean;
  /** True when the desktop must rebuild its state from `snapshot` (login, or a resume past the replay buffer). */
  readonly resync: boolean;
  /** The event seq the snapshot is current at (resync) or the replay starts after. */
  readonly seq: number;
  /** The state to start from (present when `resync`). */
  readonly snapshot?: Snapshot;
}

/** Why the client is offline. */
export type OfflineReason =
  /** Not connected yet. */
  | 'idle'
  /** `close()` was called. */
  | 'closed'
  /** `logout()` ended the session. */
  | 'logged-out'
  /** Login was refused (see `error`: bad credentials, locked out...). */
  | 'login-failed'
  /** The session could not be resumed (expired, or the server restarted): log in again. */
  | 'session-expired'
  /** The server ended the session (see the `session.forcedLogout` event). */
  | 'forced-logout'
  /** The server speaks another protocol major version. */
  | 'version-mismatch'
  /** The server could not be reached (first connect, or reconnect attempts exhausted). */
  | 'unreachable'
  /** The connection dropped before a session existed. */
  | 'connection-lost';

/** The connection state as `connection$` emits it. */
export type ConnectionState =
  | { readonly status: 'offline'; readonly reason: OfflineReason; readonly error?: ProtocolError }
  | { readonly status: 'connecting' }
  | { readonly status: 'online'; readonly session: SessionInfo }
  | {
      readonly status: 'reconnecting';
      /** 1 for the first retry. */
      readonly attempt: number;
      /** Delay before this attempt, ms. */
      readonly retryInMs: number;
      /** What broke the link (`connection dropped`, `heartbeat timeout`...). */
      readonly reason: string;
      readonly error?: ProtocolError;
    };

/** Reconnect backoff: `initialDelayMs · factor^(attempt-1)`, capped at `maxDelayMs`, ± `jitter`. */
export interface ReconnectOptions {
  /** Default 500 ms. */
  readonly initialDelayMs?: number;
  /** Default 15 000 ms. */
  readonly maxDelayMs?: number;
  /** Default 2. */
  readonly factor?: number;
  /** Relative random spread, 0..1 (default 0.2: ±20 %). */
  readonly jitter?: number;
  /** Give up after this many failed attempts (default: never; the server's resume window still bounds it). */
  readonly maxAttempts?: number;
}

/** Options of {@link AgentClient}. */
export interface AgentClientOptions {
  /** The server address, `ws://127.0.0.1:7070/` or `wss://cti.example.cn/agent`. */
  readonly url?: string;
  /** TLS and size options of the default `ws` transport. */
  readonly ws?: WsTransportOptions;
  /** A transport instead of `url` (tests use the in-memory one). */
  readonly transport?: ClientTransport;
  /** Time source for timeouts, heartbeat checks and backoff (default `asyncScheduler`; tests use a virtual clock). */
  readonly scheduler?: SchedulerLike;
  readonly logger?: Logger;
  /** Reported in `hello`. */
  readonly clientInfo?: { readonly name: string; readonly version: string };
  /** The protocol version to announce (default {@link PROTOCOL_VERSION}). */
  readonly protocolVersion?: string;
  /** Default per-request timeout, ms (default 15 000). Queued time counts. */
  readonly requestTimeoutMs?: number;
  /** Time to open the link and finish `hello`, ms (default 10 000). */
  readonly connectTimeoutMs?: number;
  readonly reconnect?: ReconnectOptions;
  /** Random source for jitter (default `Math.random`). */
  readonly random?: () => number;
}

/** Per-request options. */
export interface RequestOptions {
  /** Overrides the client's default timeout, ms. */
  readonly timeoutMs?: number;
}

/** Credentials for {@link AgentClient.login}. The password is sent once and never kept. */
export interface Credentials {
  readonly userId: string;
  readonly password: string;
}

type ArgsOf<N extends CommandName> =
  // `{} extends P` is true exactly when every parameter is optional (then `params` may be left out).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  {} extends CommandParams<N>
    ? [params?: CommandParams<N>, options?: RequestOptions]
    : [params: CommandParams<N>, options?: RequestOptions];

type NamespaceOf<N> = N extends `${infer NS}.${string}` ? NS : never;

/**
 * The commands as namespaced methods: `client.api.call.answer({ callId })`,
 * `client.api.agent.notReady({ reason: 'lunch' })`, `client.api.ticket.create({...})`.
 */
export type CommandApi = {
  readonly [NS in NamespaceOf<CommandName>]: {
    readonly [N in CommandName as N extends `${NS}.${infer M}` ? M : never]: (
      ...args: ArgsOf<N>
    ) => Promise<CommandResult<N>>;
  };
};

interface Pending {
  readonly command: CommandName;
  readonly frame: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: ProtocolError) => void;
  timer: Subscription | undefined;
  sent: boolean;
}

interface Control {
  readonly expect: 'welcome' | 'session';
  readonly resolve: (frame: WelcomeFrame | SessionFrame) => void;
  readonly reject: (error: ProtocolError) => void;
}

type Phase = 'idle' | 'connecting' | 'connected' | 'authenticating' | 'online' | 'reconnecting' | 'closed';

/**
 * The desktop side of the agent protocol.
 *
 * ```ts
 * const client = new AgentClient({ url: 'ws://127.0.0.1:7070/' });
 * client.events$.subscribe((e) => { if (e.name === 'call.offered') showPop(e.data); });
 * await client.login({ userId: '1001', password });   // ERR_BAD_CREDENTIALS, ERR_LOCKED_OUT...
 * await client.api.agent.ready();
 * ```
 *
 * Contracts:
 * - `login()` connects (hello, version check) and logs in; it rejects with a typed error
 *   (`ERR_UNREACHABLE`, `ERR_VERSION_MISMATCH`, `ERR_BAD_CREDENTIALS`, `ERR_LOCKED_OUT`,
 *   `ERR_ACCOUNT_DISABLED`).
 * - After a login, a dropped link is reconnected with backoff on the injected scheduler and the
 *   session resumed with the last applied seq: `events$` gets exactly the missed events, none
 *   twice. When the server cannot replay, `session$` emits a `resync` session with a snapshot.
 * - Commands issued while reconnecting are queued and sent once online; a command whose response
 *   was lost is re-sent with the same request id, so the server applies it once.
 * - Each command rejects with `ERR_TIMEOUT` after `requestTimeoutMs` (`details.sent` says whether
 *   it had been sent, i.e. whether its effect is unknown), or with the server's typed error.
 * - `events$`, `session$` and `connection$` are hot; `connection$` replays the current state.
 */
export class AgentClient {
  /** Every command, as namespaced typed methods. */
  readonly api: CommandApi;
  /** Events in seq order, validated, each exactly once. */
  readonly events$: Observable<ProtocolEvent>;
  /** Connection state; replays the current state to new subscribers. */
  readonly connection$: Observable<ConnectionState>;
  /** Every login and resume; with `resync: true` the desktop rebuilds from `snapshot`. */
  readonly session$: Observable<SessionInfo>;

  private readonly transport: ClientTransport;
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly reconnectOptions: Required<ReconnectOptions>;
  private readonly random: () => number;
  private readonly clientInfo: { readonly name: string; readonly version: string };
  private readonly protocolVersion: string;
  private readonly idPrefix = randomUUID().slice(0, 8);

  private readonly events = new Subject<ProtocolEvent>();
  private readonly connection = new BehaviorSubject<ConnectionState>({ status: 'offline', reason: 'idle' });
  private readonly sessions = new Subject<SessionInfo>();

  private phase: Phase = 'idle';
  private link: TransportLink | undefined;
  private linkSerial = 0;
  private control: Control | undefined;
  private welcome: WelcomeFrame | undefined;
  private token: string | undefined;
  private session: SessionInfo | undefined;
  private lastSeq = 0;
  private nextId = 0;
  private readonly pending = new Map<string, Pending>();
  private heartbeat: Subscription | undefined;
  private lastHeard = 0;
  private reconnectTimer: Subscription | undefined;
  private attempt = 0;
  /** Set when the server said the session is over: the coming close is final. */
  private terminal: { reason: OfflineReason; error: ProtocolError } | undefined;

  constructor(options: AgentClientOptions) {
    if (!options.transport && !options.url)
      throw new ProtocolError(ProtocolErrorCode.Validation, 'AgentClient needs a url or a transport');
    this.transport = options.transport ?? wsTransport(options.url as string, options.ws);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = options.logger ?? silentLogger;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.reconnectOptions = {
      initialDelayMs: options.reconnect?.initialDelayMs ?? 500,
      maxDelayMs: options.reconnect?.maxDelayMs ?? 15_000,
      factor: options.reconnect?.factor ?? 2,
      jitter: options.reconnect?.jitter ?? 0.2,
      maxAttempts: options.reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY,
    };
    this.random = options.random ?? Math.random;
    this.clientInfo = options.clientInfo ?? { name: '@hotline/agent-protocol', version: PROTOCOL_VERSION };
    this.protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
    this.events$ = this.events.asObservable();
    this.connection$ = this.connection.asObservable();
    this.session$ = this.sessions.asObservable();
    this.api = this.buildApi();
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.connection.value;
  }

  /** The last event seq applied (what a resume asks the server to continue after). */
  get seq(): number {
    return this.lastSeq;
  }

  /**
   * Opens the link and performs the `hello` handshake (login calls it for you). Resolves with the
   * server's welcome; rejects with `ERR_UNREACHABLE` or `ERR_VERSION_MISMATCH`.
   */
  async connect(): Promise<WelcomeFrame> {
    this.assertNotClosed();
    if (this.link && this.welcome && (this.phase === 'connected' || this.phase === 'online')) return this.welcome;
    if (this.phase === 'connecting' || this.phase === 'authenticating' || this.phase === 'reconnecting') {
      throw new ProtocolError(ProtocolErrorCode.IllegalState, `cannot connect while ${this.phase}`);
    }
    this.phase = 'connecting';
    this.connection.next({ status: 'connecting' });
    try {
      return await this.openAndHello();
    } catch (error) {
      const e = asProtocolError(error);
      this.dropLink(1000, 'connect failed');
      this.phase = 'idle';
      this.goOffline(e.code === ProtocolErrorCode.VersionMismatch ? 'version-mismatch' : 'unreachable', e);
      throw e;
    }
  }

  /**
   * Connects if needed and logs in. Resolves with the session (with its snapshot); rejects with
   * `ERR_BAD_CREDENTIALS`, `ERR_LOCKED_OUT`, `ERR_ACCOUNT_DISABLED`, `ERR_UNREACHABLE` or
   * `ERR_VERSION_MISMATCH`. On failure the link is closed and the client may try again.
   */
  async login(credentials: Credentials): Promise<SessionInfo> {
    this.assertNotClosed();
    if (this.phase === 'online' || this.phase === 'reconnecting' || this.phase === 'authenticating') {
      throw new ProtocolError(
        ProtocolErrorCode.IllegalState,
        `already ${this.phase === 'authenticating' ? 'logging in' : 'logged in'}`,
      );
    }
    await this.connect();
    this.phase = 'authenticating';
    try {
      await this.exchange({ type: 'login', userId: credentials.userId, password: credentials.password }, 'session');
      // onControl established the session synchronously (replayed events may follow at once).
      if (!this.session) throw new ProtocolError(ProtocolErrorCode.ConnectionLost, 'session ended during login');
      return this.session;
    } catch (error) {
      const e = asProtocolError(error);
      this.dropLink(1000, 'login failed');
      this.phase = 'idle';
      this.goOffline(
        e.code === ProtocolErrorCode.Unreachable ||
          e.code === ProtocolErrorCode.ConnectionLost ||
          e.code === ProtocolErrorCode.Timeout
          ? 'unreachable'
          : 'login-failed',
        e,
      );
      throw e;
    }
  }

  /**
   * Sends a command. Resolves with its typed result; rejects with the server's typed error,
   * `ERR_INVALID_PARAMS` (checked locally first), `ERR_TIMEOUT`, `ERR_NOT_AUTHENTICATED`
   * (no session) or the reason the session ended.
   */
  request<N extends CommandName>(command: N, ...args: ArgsOf<N>): Promise<CommandResult<N>> {
    const [params, options] = args as [CommandParams<N> | undefined, RequestOptions | undefined];
    return new Promise<CommandResult<N>>((resolve, reject) => {
      if (this.phase === 'closed') return reject(new ProtocolError(ProtocolErrorCode.Closed, 'the client is closed'));
      if (!this.token || !(this.phase === 'online' || this.phase === 'reconnecting')) {
        return reject(new ProtocolError(ProtocolErrorCode.NotAuthenticated, 'log in first'));
      }
      const def = COMMANDS[command];
      const negotiated = this.session?.protocol;
      if (negotiated !== undefined && newerThan(def.since, negotiated)) {
        return reject(
          new ProtocolError(
            ProtocolErrorCode.NotImplemented,
            `${command} needs protocol ${def.since}; the server speaks ${negotiated}`,
            {
              details: { command, since: def.since, protocol: negotiated },
            },
          ),
        );
      }
      const parsed = def.params.safeParse(params ?? {});
      if (!parsed.success) {
        return reject(
          new ProtocolError(ProtocolErrorCode.InvalidParams, `invalid parameters for ${command}`, {
            details: { command, issues: issuesOf(parsed.error) },
          }),
        );
      }
      const id = `${this.idPrefix}-${++this.nextId}`;
      const frame = JSON.stringify({ type: 'request', id, command, params: parsed.data });
      const limit = this.welcome?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
      if (utf8Length(frame) > limit) {
        return reject(
          new ProtocolError(
            ProtocolErrorCode.FrameTooLarge,
            `${command} request exceeds the ${limit}-byte frame limit`,
            { details: { limit } },
          ),
        );
      }
      const entry: Pending = {
        command,
        frame,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer: undefined,
        sent: false,
      };
      const timeoutMs = options?.timeoutMs ?? this.requestTimeoutMs;
      entry.timer = this.scheduler.schedule(() => {
        if (this.pending.get(id) !== entry) return;
        this.pending.delete(id);
        reject(
          new ProtocolError(ProtocolErrorCode.Timeout, `${command} got no response within ${timeoutMs} ms`, {
            details: { command, requestId: id, timeoutMs, sent: entry.sent },
          }),
        );
      }, timeoutMs);
      this.pending.set(id, entry);
      if (this.phase === 'online') this.sendPending(entry);
      else this.logger.debug('agent-protocol: request queued until online', { command, requestId: id });
    });
  }

  /**
   * Ends the session (the token stops working) and closes the link. The client can log in again.
   * Pending commands reject with `ERR_CLOSED`.
   */
  async logout(): Promise<void> {
    if (this.phase === 'closed') return;
    this.endSession('logged-out', new ProtocolError(ProtocolErrorCode.Closed, 'logged out'));
  }

  /** Ends the session and closes the client for good; streams complete. */
  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.endSession('closed', new ProtocolError(ProtocolErrorCode.Closed, 'the client was closed'));
    this.phase = 'closed';
    this.events.complete();
    this.sessions.complete();
    this.connection.complete();
  }

  // ---------------------------------------------------------------------------------------------
  // Link management

  private async openAndHello(): Promise<WelcomeFrame> {
    const serial = ++this.linkSerial;
    this.terminal = undefined; // a verdict about an earlier link (e.g. a refused hello) is spent
    const opened = this.transport({
      onMessage: (text) => {
        if (serial === this.linkSerial) this.onMessage(text);
      },
      onClose: (info) => {
        if (serial === this.linkSerial) this.onLinkClosed(info);
      },
    });
    const link = await this.withTimeout(
      opened,
      this.connectTimeoutMs,
      () => new ProtocolError(ProtocolErrorCode.Unreachable, `no connection within ${this.connectTimeoutMs} ms`),
      (late) => late.close(1000, 'connect timed out'),
    );
    if (serial !== this.linkSerial) {
      link.close(1000, 'superseded');
      throw new ProtocolError(ProtocolErrorCode.ConnectionLost, 'connection superseded');
    }
    this.link = link;
    this.lastHeard = this.scheduler.now();
    const welcome = (await this.exchange(
      {
        type: 'hello',
        protocol: this.protocolVersion,
        client: { name: this.clientInfo.name, version: this.clientInfo.version },
      },
      'welcome',
    )) as WelcomeFrame;
    if (parseVersion(welcome.protocol).major !== parseVersion(this.protocolVersion).major) {
      throw new ProtocolError(
        ProtocolErrorCode.VersionMismatch,
        `the server answered with protocol ${welcome.protocol}; this client speaks ${this.protocolVersion}`,
        {
          details: { client: this.protocolVersion, server: welcome.protocol },
        },
      );
    }
    this.welcome = welcome;
    this.startHeartbeat(welcome.heartbeatMs);
    if (this.phase === 'connecting') this.phase = 'connected';
    return welcome;
  }

  /** Sends a control frame and waits for the expected answer (or an error frame, or a close). */
  private exchange(frame: ClientFrame, expect: Control['expect']): Promise<WelcomeFrame | SessionFrame> {
    const link = this.link;
    if (!link) return Promise.reject(new ProtocolError(ProtocolErrorCode.ConnectionLost, 'not connected'));
    const waiting = new Promise<WelcomeFrame | SessionFrame>((resolve, reject) => {
      this.control = { expect, resolve, reject };
    });
    link.send(JSON.stringify(frame));
    return this.withTimeout(waiting, this.connectTimeoutMs, () => {
      this.control = undefined;
      return new ProtocolError(
        ProtocolErrorCode.Unreachable,
        `the server did not answer ${frame.type} within ${this.connectTimeoutMs} ms`,
      );
    });
  }

  private withTimeout<T>(
    promise: Promise<T>,
    ms: number,
    onTimeout: () => ProtocolError,
    onLate?: (value: T) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const timer = this.scheduler.schedule(() => {
        if (done) return;
        done = true;
        reject(onTimeout());
      }, ms);
      promise.then(
        (value) => {
          if (done) return onLate?.(value);
          done = true;
          timer.unsubscribe();
          resolve(value);
        },
        (error: unknown) => {
          if (done) return;
          done = true;
          timer.unsubscribe();
          reject(asProtocolError(error));
        },
      );
    });
  }

  private sessionEstablished(frame: SessionFrame): SessionInfo {
    this.token = frame.token;
    this.lastSeq = frame.seq;
    const info: SessionInfo = {
      sessionId: frame.sessionId,
      user: frame.user,
      protocol: this.welcome?.protocol ?? this.protocolVersion,
      server: this.welcome?.server ?? { name: '', version: '' },
      resumed: frame.resumed,
      resync: frame.resync,
      seq: frame.seq,
      ...(frame.snapshot === undefined ? {} : { snapshot: frame.snapshot }),
    };
    this.session = info;
    this.phase = 'online';
    this.attempt = 0;
    this.connection.next({ status: 'online', session: info });
    this.sessions.next(info);
    this.logger.info(frame.resumed ? 'agent-protocol: session resumed' : 'agent-protocol: logged in', {
      userId: frame.user.userId,
      role: frame.user.role,
      resync: frame.resync,
      seq: frame.seq,
    });
    for (const entry of this.pending.values()) this.sendPending(entry);
    return info;
  }

  private sendPending(entry: Pending): void {
    if (!this.link) return;
    this.link.send(entry.frame);
    entry.sent = true;
  }

  private startHeartbeat(heartbeatMs: number): void {
    this.heartbeat?.unsubscribe();
    const deadAfter = Math.round(heartbeatMs * 2.5);
    const check = Math.max(Math.round(heartbeatMs / 2), 1);
    const scheduler = this.scheduler;
    const serial = this.linkSerial;
    const tick = (): void => {
      if (serial !== this.linkSerial) return;
      if (scheduler.now() - this.lastHeard > deadAfter) {
        this.logger.warn('agent-protocol: server silent, connection presumed dead', {
          silentMs: scheduler.now() - this.lastHeard,
        });
        const info: CloseInfo = { code: 4000, reason: 'heartbeat timeout' };
        this.dropLink(info.code, info.reason);
        this.onLinkClosed(info);
      }
    };
    const alive = (): boolean => serial === this.linkSerial;
    this.heartbeat = scheduler.schedule(function (this: { schedule(state?: unknown, delay?: number): unknown }) {
      tick();
      if (alive()) this.schedule(undefined, check);
    }, check);
  }

  /** Forgets the current link (its late callbacks are ignored) and closes it. */
  private dropLink(code: number, reason: string): void {
    this.heartbeat?.unsubscribe();
    this.heartbeat = undefined;
    const link = this.link;
    this.link = undefined;
    this.linkSerial++;
    link?.close(code, reason);
    const control = this.control;
    this.control = undefined;
    control?.reject(new ProtocolError(ProtocolErrorCode.ConnectionLost, `connection closed: ${reason}`));
  }

  private onLinkClosed(info: CloseInfo): void {
    this.heartbeat?.unsubscribe();
    this.heartbeat = undefined;
    this.link = undefined;
    this.linkSerial++;
    const control = this.control;
    this.control = undefined;
    const terminal = this.terminal;
    if (control) {
      control.reject(
        terminal?.error ??
          new ProtocolError(ProtocolErrorCode.ConnectionLost, `connection closed (${info.code} ${info.reason})`),
      );
    }
    if (terminal) {
      this.terminal = undefined;
      this.endSession(terminal.reason, terminal.error);
      return;
    }
    if (this.phase === 'online') {
      this.logger.warn('agent-protocol: connection lost, reconnecting', { code: info.code, reason: info.reason });
      this.phase = 'reconnecting';
      this.scheduleReconnect(info.reason || `closed (${info.code})`);
    } else if (this.phase === 'connected') {
      this.phase = 'idle';
      this.goOffline(
        'connection-lost',
        new ProtocolError(ProtocolErrorCode.ConnectionLost, 'connection lost before login'),
      );
    }
    // connecting/authenticating/reconnecting: the pending exchange's rejection drives what follows.
  }

  private scheduleReconnect(reason: string, error?: ProtocolError): void {
    const o = this.reconnectOptions;
    this.attempt++;
    if (this.attempt > o.maxAttempts) {
      this.endSession(
        'unreachable',
        error ??
          new ProtocolError(ProtocolErrorCode.ConnectionLost, `gave up after ${o.maxAttempts} reconnect attempts`),
      );
      return;
    }
    const base = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** (this.attempt - 1));
    const delay = Math.max(0, Math.round(base * (1 + o.jitter * (2 * this.random() - 1))));
    this.connection.next({
      status: 'reconnecting',
      attempt: this.attempt,
      retryInMs: delay,
      reason,
      ...(error ? { error } : {}),
    });
    this.reconnectTimer?.unsubscribe();
    this.reconnectTimer = this.scheduler.schedule(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.phase !== 'reconnecting' || !this.token) return;
    try {
      await this.openAndHello();
      if (this.phase !== 'reconnecting') return;
      // onControl establishes the resumed session synchronously when the answer arrives.
      await this.exchange({ type: 'resume', token: this.token, lastSeq: this.lastSeq }, 'session');
    } catch (error) {
      if (this.phase !== 'reconnecting') return;
      const e = asProtocolError(error);
      this.dropLink(1000, 'resume failed');
      if (e.code === ProtocolErrorCode.SessionExpired || e.code === ProtocolErrorCode.NotAuthenticated) {
        this.endSession('session-expired', e);
      } else if (e.code === ProtocolErrorCode.VersionMismatch) {
        this.endSession('version-mismatch', e);
      } else if (e.code === ProtocolErrorCode.ForcedLogout) {
        this.endSession('forced-logout', e);
      } else {
        this.logger.info('agent-protocol: reconnect attempt failed', { attempt: this.attempt, code: e.code });
        this.scheduleReconnect(e.message, e);
      }
    }
  }

  /** Ends the session locally (and on the server when a link is up), rejects what is pending. */
  private endSession(reason: OfflineReason, error: ProtocolError): void {
    this.reconnectTimer?.unsubscribe();
    this.reconnectTimer = undefined;
    if (this.link && (reason === 'logged-out' || reason === 'closed'))
      this.link.send(JSON.stringify({ type: 'bye', endSession: true }));
    this.dropLink(1000, reason);
    this.token = undefined;
    this.session = undefined;
    this.lastSeq = 0;
    this.attempt = 0;
    this.phase = 'idle';
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) {
      entry.timer?.unsubscribe();
      entry.reject(error);
    }
    this.goOffline(reason, error);
  }

  private goOffline(reason: OfflineReason, error?: ProtocolError): void {
    if (this.connection.closed) return;
    this.connection.next({ status: 'offline', reason, ...(error ? { error } : {}) });
  }

  private assertNotClosed(): void {
    if (this.phase === 'closed') throw new ProtocolError(ProtocolErrorCode.Closed, 'the client is closed');
  }

  // ---------------------------------------------------------------------------------------------
  // Incoming frames

  private onMessage(text: string): void {
    this.lastHeard = this.scheduler.now();
    let raw: { readonly type: string } & Record<string, unknown>;
    try {
      raw = readFrame(text, Number.MAX_SAFE_INTEGER);
    } catch (error) {
      this.logger.warn('agent-protocol: unreadable frame from server', { code: asProtocolError(error).code });
      return;
    }
    switch (raw.type) {
      case 'event':
        return this.onEvent(raw);
      case 'response':
        return this.onResponse(raw);
      case 'ping': {
        const ping = PingFrame.safeParse(raw);
        this.link?.send(
          JSON.stringify(
            ping.success && ping.data.t !== undefined ? { type: 'pong', t: ping.data.t } : { type: 'pong' },
          ),
        );
        return;
      }
      case 'pong':
        return;
      case 'welcome':
      case 'session':
        return this.onControl(raw);
      case 'error': {
        const parsed = ErrorFrame.safeParse(raw);
        const error = parsed.success
          ? fromWireError(parsed.data.error)
          : new ProtocolError(ProtocolErrorCode.Malformed, 'malformed error frame');
        const control = this.control;
        if (control) {
          this.control = undefined;
          control.reject(error);
        } else {
          this.logger.warn('agent-protocol: server reported an error', { code: error.code, message: error.message });
        }
        return;
      }
      case 'bye': {
        const parsed = ByeFrame.safeParse(raw);
        const code = parsed.success ? parsed.data.code : undefined;
        const message = (parsed.success ? parsed.data.message : undefined) ?? 'the server closed the session';
        if (code === ProtocolErrorCode.ForcedLogout)
          this.terminal = { reason: 'forced-logout', error: new ProtocolError(code, message) };
        else if (code === ProtocolErrorCode.SessionExpired)
          this.terminal = { reason: 'session-expired', error: new ProtocolError(code, message) };
        else if (code === ProtocolErrorCode.VersionMismatch)
          this.terminal = { reason: 'version-mismatch', error: new ProtocolError(code, message) };
        return;
      }
      default:
        this.logger.debug('agent-protocol: ignoring unknown frame type', { type: raw.type.slice(0, 32) });
    }
  }

  private onControl(raw: Record<string, unknown>): void {
    const control = this.control;
    if (!control || control.expect !== raw.type) {
      this.logger.warn('agent-protocol: unexpected control frame', { type: String(raw.type) });
      return;
    }
    this.control = undefined;
    const parsed = control.expect === 'welcome' ? WelcomeFrame.safeParse(raw) : SessionFrame.safeParse(raw);
    if (parsed.success) {
      // Established here, synchronously: replayed events may be the very next frames.
      if (parsed.data.type === 'session') this.sessionEstablished(parsed.data);
      control.resolve(parsed.data);
    } else
      control.reject(
        new ProtocolError(ProtocolErrorCode.Malformed, `malformed ${control.expect} frame`, {
          details: { issues: issuesOf(parsed.error) },
        }),
      );
  }

  private onResponse(raw: Record<string, unknown>): void {
    const parsed = ResponseFrame.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn('agent-protocol: malformed response frame', { issues: issuesOf(parsed.error) });
      return;
    }
    const frame = parsed.data;
    const entry = this.pending.get(frame.id);
    if (!entry) return; // timed out, or a replayed duplicate
    this.pending.delete(frame.id);
    entry.timer?.unsubscribe();
    if (!frame.ok) return entry.reject(fromWireError(frame.error));
    const result = COMMANDS[entry.command].result.safeParse(frame.result);
    if (result.success) entry.resolve(result.data);
    else {
      entry.reject(
        new ProtocolError(
          ProtocolErrorCode.Malformed,
          `the server's ${entry.command} result does not match the schema`,
          {
            details: { command: entry.command, issues: issuesOf(result.error) },
          },
        ),
      );
    }
  }

  private onEvent(raw: Record<string, unknown>): void {
    if (this.phase !== 'online') return;
    const parsed = EventFrame.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn('agent-protocol: malformed event frame', { issues: issuesOf(parsed.error) });
      return;
    }
    const frame = parsed.data;
    if (frame.seq <= this.lastSeq) return; // already applied
    if (frame.seq !== this.lastSeq + 1) {
      // A gap can only mean a server bug or a lost frame: resume from what we have.
      this.logger.warn('agent-protocol: event sequence gap, resuming', { expected: this.lastSeq + 1, got: frame.seq });
      const info: CloseInfo = { code: 4001, reason: 'event sequence gap' };
      this.dropLink(info.code, info.reason);
      this.onLinkClosed(info);
      return;
    }
    this.lastSeq = frame.seq;
    if (!isEventName(frame.name)) {
      this.logger.debug('agent-protocol: ignoring unknown event (newer server)', { name: frame.name });
      return;
    }
    const data = EVENTS[frame.name].safeParse(frame.data);
    if (!data.success) {
      this.logger.warn('agent-protocol: event does not match its schema; skipped', {
        name: frame.name,
        seq: frame.seq,
        issues: issuesOf(data.error),
      });
      return;
    }
    const event = { name: frame.name, seq: frame.seq, at: frame.at, data: data.data } as ProtocolEvent;
    if (event.name === 'session.forcedLogout') {
      this.terminal = {
        reason: 'forced-logout',
        error: new ProtocolError(
          ProtocolErrorCode.ForcedLogout,
          event.data.message ?? `session ended (${event.data.reason})`,
          { details: { reason: event.data.reason } },
        ),
      };
    }
    this.events.next(event);
  }

  private buildApi(): CommandApi {
    const api: Record<string, Record<string, (params?: unknown, options?: RequestOptions) => Promise<unknown>>> = {};
    for (const name of COMMAND_NAMES) {
      const dot = name.indexOf('.');
      const ns = name.slice(0, dot);
      const method = name.slice(dot + 1);
      (api[ns] ??= {})[method] = (params?: unknown, options?: RequestOptions) =>
        (this.request as (n: CommandName, p?: unknown, o?: RequestOptions) => Promise<unknown>)(name, params, options);
    }
    return api as unknown as CommandApi;
  }
}

/** True when version `a` is newer than `b` (same major assumed: the handshake guarantees it). */
function newerThan(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x.major > y.major || (x.major === y.major && x.minor > y.minor);
}

function asProtocolError(error: unknown): ProtocolError {
  if (isProtocolError(error)) return error;
  return new ProtocolError(ProtocolErrorCode.Internal, error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
