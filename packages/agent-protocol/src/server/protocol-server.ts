import { randomBytes } from 'node:crypto';
import {
  asyncScheduler,
  Subject,
  type Observable,
  type SchedulerAction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { z } from 'zod';
import {
  COMMANDS,
  DEFAULT_ROLE_TABLE,
  isCommandName,
  type CommandName,
  type ParsedCommandParams,
  type RoleTable,
} from '../commands.js';
import { Snapshot, UserInfo, type Role } from '../domain.js';
import { ProtocolError, ProtocolErrorCode, isProtocolError } from '../errors.js';
import { EVENTS, type EventData, type EventName } from '../events.js';
import {
  ByeFrame,
  DEFAULT_MAX_FRAME_BYTES,
  HelloFrame,
  LoginFrame,
  RequestFrame,
  RequestId,
  ResumeFrame,
  issuesOf,
  readFrame,
  toWireError,
  type SessionFrame,
  type WelcomeFrame,
} from '../frames.js';
import { silentLogger, type Logger } from '../logger.js';
import type { CloseInfo, ConnectionInfo, LinkAcceptor, TransportHandlers, TransportLink } from '../transport.js';
import { PROTOCOL_VERSION, negotiateVersion } from '../version.js';

/** What the server asks the application's authenticator. */
export interface LoginRequest {
  readonly userId: string;
  /** Compare with a slow hash (scrypt); never log or keep it. */
  readonly password: string;
  readonly remoteAddress: string;
}

/**
 * The authenticator's answer. Unknown users must get `bad-credentials` too (never reveal which
 * user ids exist). The application owns users, password hashes, failed-attempt counting and
 * lockout; it reports them here and the server turns them into typed errors.
 */
export type LoginOutcome =
  | { readonly ok: true; readonly user: UserInfo }
  | { readonly ok: false; readonly reason: 'bad-credentials'; readonly remainingAttempts?: number }
  | { readonly ok: false; readonly reason: 'locked-out'; readonly retryAfterMs?: number }
  | { readonly ok: false; readonly reason: 'disabled' };

/** The application's user store, as the server sees it. */
export interface Authenticator {
  login(request: LoginRequest): Promise<LoginOutcome> | LoginOutcome;
}

/** One line of the audit log: logins and privileged actions. Never contains a password or token. */
export interface AuditEntry {
  readonly at: number;
  readonly action:
    'login' | 'login-failed' | 'resume' | 'logout' | 'session-expired' | 'forced-logout' | 'command' | 'denied';
  readonly remoteAddress: string;
  readonly userId?: string;
  readonly role?: Role;
  readonly sessionId?: string;
  readonly command?: CommandName;
  readonly requestId?: string;
  readonly ok?: boolean;
  /** Error code of a failure (`ERR_BAD_CREDENTIALS`, `ERR_FORBIDDEN`...). */
  readonly code?: string;
  /** Extra facts (`reason` of a forced logout, `remainingAttempts`...). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A session as handlers and the application see it. */
export interface SessionView {
  readonly sessionId: string;
  readonly user: UserInfo;
  /** Whether a desktop is attached now (false while it reconnects). */
  readonly connected: boolean;
  readonly remoteAddress: string;
  /** Last event seq emitted to this session. */
  readonly seq: number;
}

/** Lifecycle of sessions, for the application (the ACD marks desktops online/offline from it). */
export type SessionEvent =
  | { readonly type: 'opened'; readonly session: SessionView }
  | { readonly type: 'resumed'; readonly session: SessionView; readonly resync: boolean }
  | { readonly type: 'disconnected'; readonly session: SessionView }
  | {
      readonly type: 'closed';
      readonly session: SessionView;
      readonly reason: 'logout' | 'expired' | 'forced' | 'replaced' | 'shutdown';
    };

/** What a command handler gets besides its parameters. */
export interface HandlerContext {
  readonly session: SessionView;
  readonly requestId: string;
  readonly command: CommandName;
  readonly logger: Logger;
}

/**
 * A command handler: returns the result (validated against the command's result schema before it
 * is sent) or throws a {@link ProtocolError} whose code, message and details go to the client.
 * Any other thrown value becomes `ERR_INTERNAL` with a generic message (logged, not sent).
 */
export type CommandHandler<N extends CommandName> = (
  params: ParsedCommandParams<N>,
  context: HandlerContext,
) => Promise<z.input<(typeof COMMANDS)[N]['result']>> | z.input<(typeof COMMANDS)[N]['result']>;

/** Handlers for many commands at once. */
export type CommandHandlers = { readonly [N in CommandName]?: CommandHandler<N> };

/** Who an event goes to. */
export type PushTarget =
  | 'all'
  | { readonly sessionId: string }
  | { readonly userId: string }
  | { readonly role: Role | readonly Role[] }
  | ((session: SessionView) => boolean);

/** Options of {@link ProtocolServer}. */
export interface ProtocolServerOptions {
  readonly authenticator: Authenticator;
  /** The state a session starts from (login, and resumes past the replay buffer). */
  readonly snapshot?: (session: SessionView) => Promise<Snapshot> | Snapshot;
  /** Receives every login, logout, failure and privileged command. */
  readonly audit?: (entry: AuditEntry) => void;
  readonly scheduler?: SchedulerLike;
  readonly logger?: Logger;
  readonly serverInfo?: { readonly name: string; readonly version: string };
  /** Overrides the roles allowed per command (default {@link DEFAULT_ROLE_TABLE}). */
  readonly roles?: Partial<RoleTable>;
  /** Ping interval, ms (default 15 000). */
  readonly heartbeatMs?: number;
  /** A link silent this long is dead, ms (default 2.5 × heartbeatMs). */
  readonly heartbeatTimeoutMs?: number;
  /** Time allowed from connect to a logged-in session, ms (default 30 000). */
  readonly handshakeTimeoutMs?: number;
  /** How long a disconnected session can be resumed, ms (default 120 000). */
  readonly resumeWindowMs?: number;
  /** Events kept per session for resume (default 1 000). */
  readonly replayBufferSize?: number;
  /** Approximate size of the events kept per session, in UTF-16 code units (default 4 Mi); whichever bound is hit first evicts. */
  readonly replayBufferBytes?: number;
  /** Failed logins allowed on one connection before it is closed (default 5); per-user lockout is the authenticator's. */
  readonly maxLoginAttemptsPerConnection?: number;
  /** Completed request ids remembered per session for idempotent replay (default 500). */
  readonly idempotencyCacheSize?: number;
  /** Requests running at once per session (default 32); more get `ERR_UNAVAILABLE`. */
  readonly maxInFlight?: number;
  /** Frame size limit, bytes (default 256 KiB). */
  readonly maxFrameBytes?: number;
  /** A new login ends the user's other sessions (reason `replaced`); default true. */
  readonly singleSessionPerUser?: boolean;
}

interface IdempotencyEntry {
  readonly command: string;
  /** The response frame, once done. */
  text: string | undefined;
}

interface Session {
  readonly id: string;
  readonly token: string;
  readonly user: UserInfo;
  readonly remoteAddress: string;
  seq: number;
  /** Replay buffer: frames with seq `firstSeq`..`seq`, oldest first. */
  readonly buffer: string[];
  bufferBytes: number;
  firstSeq: number;
  conn: Conn | undefined;
  expiry: Subscription | undefined;
  readonly requests: Map<string, IdempotencyEntry>;
  inFlight: number;
  ended: boolean;
}

type ConnPhase = 'hello' | 'auth' | 'authenticating' | 'open' | 'closed';

interface Conn {
  readonly link: TransportLink;
  readonly info: ConnectionInfo;
  phase: ConnPhase;
  session: Session | undefined;
  lastHeard: number;
  timer: Subscription | undefined;
  readonly openedAt: number;
  failedLogins: number;
}

/**
 * The transport-independent session engine of the agent protocol: handshake, authentication,
 * role checks, idempotent commands, sequence-numbered events with a replay buffer, resume,
 * heartbeats. Give it links with {@link ProtocolServer.accept} (the `ws` adapter
 * `listenWebSocket` does), register handlers with {@link ProtocolServer.handle}, push events with
 * {@link ProtocolServer.push}.
 *
 * Contracts:
 * - Nothing a peer sends can throw out of the engine or affect another session: every bad frame
 *   gets a typed error reply (a failed `response` when the request id is readable, else an
 *   `error` frame) and the connection stays usable.
 * - A request id is executed at most once per session; a repeat gets the same response (the
 *   first one's, even if the repeat arrives while it is still running, once it completes).
 * - Events get seq 1, 2, 3... per session. A session outlives its connection for
 *   `resumeWindowMs`; a resume with `lastSeq` gets exactly the later events, or — when the
 *   buffer no longer has them — a fresh snapshot with `resync: true`.
 */
export class ProtocolServer implements LinkAcceptor {
  /** Session lifecycle (opened, resumed, disconnected, closed). */
  readonly sessionEvents$: Observable<SessionEvent>;

  private readonly options: ProtocolServerOptions;
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly roles: RoleTable;
  private readonly heartbeatMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly resumeWindowMs: number;
  private readonly replayBufferSize: number;
  private readonly replayBufferBytes: number;
  private readonly maxLoginAttempts: number;
  private readonly idempotencyCacheSize: number;
  private readonly maxInFlight: number;
  private readonly maxFrameBytes: number;
  private readonly serverInfo: { readonly name: string; readonly version: string };
  private readonly handlers = new Map<CommandName, CommandHandler<CommandName>>();
  private readonly byToken = new Map<string, Session>();
  private readonly byId = new Map<string, Session>();
  /** Tokens of sessions ended by the server, so a late resume learns why (kept for the resume window). */
  private readonly tombstones = new Map<string, ProtocolError>();
  private readonly conns = new Set<Conn>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly lifecycle = new Subject<SessionEvent>();
  private closing = false;

  constructor(options: ProtocolServerOptions) {
    this.options = options;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = options.logger ?? silentLogger;
    this.roles = { ...DEFAULT_ROLE_TABLE, ...options.roles };
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? Math.round(this.heartbeatMs * 2.5);
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 30_000;
    this.resumeWindowMs = options.resumeWindowMs ?? 120_000;
    this.replayBufferSize = options.replayBufferSize ?? 1_000;
    this.replayBufferBytes = options.replayBufferBytes ?? 4 * 1024 * 1024;
    this.maxLoginAttempts = options.maxLoginAttemptsPerConnection ?? 5;
    this.idempotencyCacheSize = options.idempotencyCacheSize ?? 500;
    this.maxInFlight = options.maxInFlight ?? 32;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.serverInfo = options.serverInfo ?? { name: '@hotline/agent-protocol', version: PROTOCOL_VERSION };
    this.sessionEvents$ = this.lifecycle.asObservable();
  }

  /** Registers the handler of one command (replacing any earlier one). */
  handle<N extends CommandName>(command: N, handler: CommandHandler<N>): this {
    this.handlers.set(command, handler);
    return this;
  }

  /** Registers many handlers. */
  handleAll(handlers: CommandHandlers): this {
    for (const [name, handler] of Object.entries(handlers)) {
      if (handler && isCommandName(name)) this.handle(name, handler);
    }
    return this;
  }

  /** Sessions now (connected or waiting for a resume). */
  get sessions(): readonly SessionView[] {
    return [...this.byId.values()].map((s) => this.view(s));
  }

  /**
   * Sends an event to every session matching `target` (buffered for sessions that are
   * reconnecting). The data is validated against the event's schema first; invalid data throws
   * `ERR_VALIDATION` (an application bug) and nothing is sent. Returns how many sessions got it.
   */
  push<N extends EventName>(target: PushTarget, name: N, data: EventData<N>): number {
    const parsed = EVENTS[name].safeParse(data);
    if (!parsed.success) {
      throw new ProtocolError(ProtocolErrorCode.Validation, `event ${name} does not match its schema`, {
        details: { name, issues: issuesOf(parsed.error) },
      });
    }
    const tail = `,"name":${JSON.stringify(name)},"data":${JSON.stringify(parsed.data)}}`;
    const at = this.scheduler.now();
    let count = 0;
    for (const session of this.byId.values()) {
      if (!this.matches(session, target)) continue;
      this.emit(session, at, tail);
      count++;
    }
    return count;
  }

  /**
   * Ends sessions matching `target`: they get a `session.forcedLogout` event and a `bye`, their
   * links close and their tokens stop working. Returns how many ended.
   */
  forceLogout(
    target: PushTarget,
    reason: EventData<'session.forcedLogout'>['reason'],
    options: { by?: string; message?: string } = {},
  ): number {
    let count = 0;
    for (const session of [...this.byId.values()]) {
      if (!this.matches(session, target)) continue;
      this.forceEnd(session, reason, options);
      count++;
    }
    return count;
  }

  /**
   * Accepts a new link (called by a transport adapter). Returns the handlers the adapter calls
   * with incoming text and the close.
   */
  accept(link: TransportLink, info: ConnectionInfo): TransportHandlers {
    const now = this.scheduler.now();
    const conn: Conn = {
      link,
      info,
      phase: 'hello',
      session: undefined,
      lastHeard: now,
      timer: undefined,
      openedAt: now,
      failedLogins: 0,
    };
    if (this.closing) {
      link.send(JSON.stringify({ type: 'bye', code: ProtocolErrorCode.Unavailable, message: 'server shutting down' }));
      link.close(1001, 'server shutting down');
      conn.phase = 'closed';
      return { onMessage() {}, onClose() {} };
    }
    this.conns.add(conn);
    this.startTimer(conn);
    return {
      onMessage: (text) => {
        try {
          this.onMessage(conn, text);
        } catch (error) {
          // Defensive: a bug here must never take the server down or touch another session.
          this.logger.error('agent-protocol: frame handling failed', {
            error: String(error),
            remoteAddress: conn.info.remoteAddress,
          });
          this.sendError(conn, new ProtocolError(ProtocolErrorCode.Internal, 'internal server error'));
        }
      },
      onClose: (close) => this.onClose(conn, close),
    };
  }

  /**
   * Graceful shutdown: refuses new links, waits for running commands (at most `graceMs`, default
   * 5 s), then says `bye` (`ERR_UNAVAILABLE`: clients retry) and closes every link. Sessions are
   * dropped; a restarted server does not know their tokens, so desktops log in again.
   */
  async close(graceMs = 5_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.scheduler.schedule(() => resolve(), graceMs);
        void Promise.allSettled([...this.inFlight]).then(() => {
          timer.unsubscribe();
          resolve();
        });
      });
    }
    for (const conn of [...this.conns]) {
      conn.link.send(
        JSON.stringify({ type: 'bye', code: ProtocolErrorCode.Unavailable, message: 'server shutting down' }),
      );
      this.closeConn(conn, 1001, 'server shutting down');
    }
    for (const session of [...this.byId.values()]) this.removeSession(session, 'shutdown');
    for (const timer of this.tombstoneTimers) timer.unsubscribe();
    this.tombstoneTimers.clear();
    this.tombstones.clear();
    this.lifecycle.complete();
  }

  // ---------------------------------------------------------------------------------------------
  // Frames

  private onMessage(conn: Conn, text: string): void {
    if (conn.phase === 'closed') return;
    conn.lastHeard = this.scheduler.now();
    let raw: { readonly type: string } & Record<string, unknown>;
    try {
      raw = readFrame(text, this.maxFrameBytes);
    } catch (error) {
      this.logger.info('agent-protocol: unreadable frame', {
        remoteAddress: conn.info.remoteAddress,
        code: isProtocolError(error) ? error.code : 'unknown',
      });
      this.sendError(conn, error);
      return;
    }
    switch (raw.type) {
      case 'hello':
        return this.onHello(conn, raw);
      case 'login':
        return void this.onLogin(conn, raw);
      case 'resume':
        return void this.onResume(conn, raw);
      case 'request':
        return this.onRequest(conn, raw);
      case 'ping':
        conn.link.send(typeof raw.t === 'number' ? `{"type":"pong","t":${raw.t}}` : '{"type":"pong"}');
        return;
      case 'pong':
        return;
      case 'bye':
        return this.onBye(conn, raw);
      default:
        this.sendError(
          conn,
          new ProtocolError(
            ProtocolErrorCode.UnknownType,
            `unknown frame type ${JSON.stringify(raw.type.slice(0, 32))}`,
            { details: { type: raw.type.slice(0, 32) } },
          ),
        );
    }
  }

  private onHello(conn: Conn, raw: unknown): void {
    if (conn.phase !== 'hello') {
      this.sendError(conn, new ProtocolError(ProtocolErrorCode.HandshakeRequired, 'hello was already received'));
      return;
    }
    const parsed = HelloFrame.safeParse(raw);
    if (!parsed.success) {
      this.sendError(
        conn,
        new ProtocolError(ProtocolErrorCode.Malformed, 'malformed hello', {
          details: { issues: issuesOf(parsed.error) },
        }),
      );
      return;
    }
    let protocol: string;
    try {
      protocol = negotiateVersion(parsed.data.protocol, PROTOCOL_VERSION);
    } catch (error) {
      this.logger.info('agent-protocol: refused client version', {
        remoteAddress: conn.info.remoteAddress,
        client: parsed.data.protocol.slice(0, 16),
      });
      this.sendError(conn, error);
      conn.link.send(
        JSON.stringify({ type: 'bye', code: isProtocolError(error) ? error.code : ProtocolErrorCode.Malformed }),
      );
      this.closeConn(conn, 4002, 'protocol version mismatch');
      return;
    }
    conn.phase = 'auth';
    const welcome: WelcomeFrame = {
      type: 'welcome',
      protocol,
      server: this.serverInfo,
      heartbeatMs: this.heartbeatMs,
      maxFrameBytes: this.maxFrameBytes,
      resumeWindowMs: this.resumeWindowMs,
    };
    conn.link.send(JSON.stringify(welcome));
  }

  private async onLogin(conn: Conn, raw: unknown): Promise<void> {
    if (conn.phase !== 'auth') {
      this.sendError(conn, this.phaseError(conn));
      return;
    }
    const parsed = LoginFrame.safeParse(raw);
    if (!parsed.success) {
      this.sendError(
        conn,
        new ProtocolError(ProtocolErrorCode.Malformed, 'malformed login', {
          details: { issues: issuesOf(parsed.error).filter((i) => i.path !== 'password') },
        }),
      );
      return;
    }
    const { userId, password } = parsed.data;
    const remoteAddress = conn.info.remoteAddress;
    conn.phase = 'authenticating';
    let outcome: LoginOutcome;
    try {
      outcome = await this.options.authenticator.login({ userId, password, remoteAddress });
    } catch (error) {
      this.logger.error('agent-protocol: authenticator failed', { userId, error: String(error) });
      if (conn.phase !== 'authenticating') return;
      conn.phase = 'auth';
      this.sendError(conn, new ProtocolError(ProtocolErrorCode.Unavailable, 'login is unavailable, try again'));
      return;
    }
    if (conn.phase !== 'authenticating') return; // the link closed meanwhile
    if (!outcome.ok) {
      conn.phase = 'auth';
      const error =
        outcome.reason === 'locked-out'
          ? new ProtocolError(ProtocolErrorCode.LockedOut, 'account locked after repeated failed logins', {
              details: outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs },
            })
          : outcome.reason === 'disabled'
            ? new ProtocolError(ProtocolErrorCode.AccountDisabled, 'account disabled')
            : new ProtocolError(ProtocolErrorCode.BadCredentials, 'wrong user id or password', {
                details:
                  outcome.remainingAttempts === undefined ? {} : { remainingAttempts: outcome.remainingAttempts },
              });
      this.auditLog({
        action: 'login-failed',
        remoteAddress,
        userId,
        ok: false,
        code: error.code,
        details: error.details,
      });
      this.logger.info('agent-protocol: login refused', { userId, remoteAddress, code: error.code });
      this.sendError(conn, error);
      if (++conn.failedLogins >= this.maxLoginAttempts) {
        conn.link.send(
          JSON.stringify({ type: 'bye', code: error.code, message: 'too many failed logins on this connection' }),
        );
        this.closeConn(conn, 4004, 'too many failed logins');
      }
      return;
    }
    const user = UserInfo.safeParse(outcome.user);
    if (!user.success) {
      this.logger.error('agent-protocol: authenticator returned an invalid user', {
        userId,
        issues: issuesOf(user.error),
      });
      conn.phase = 'auth';
      this.sendError(conn, new ProtocolError(ProtocolErrorCode.Internal, 'internal server error'));
      return;
    }
    if (this.options.singleSessionPerUser ?? true) {
      for (const other of [...this.byId.values()]) {
        if (other.user.userId === user.data.userId)
          this.forceEnd(other, 'replaced', { message: 'logged in elsewhere' });
      }
    }
    const session: Session = {
      id: randomBytes(9).toString('base64url'),
      token: randomBytes(32).toString('base64url'),
      user: user.data,
      remoteAddress,
      seq: 0,
      buffer: [],
      bufferBytes: 0,
      firstSeq: 1,
      conn: undefined,
      expiry: undefined,
      requests: new Map(),
      inFlight: 0,
      ended: false,
    };
    this.byId.set(session.id, session);
    this.byToken.set(session.token, session);
    conn.session = session;
    this.auditLog({
      action: 'login',
      remoteAddress,
      userId: session.user.userId,
      role: session.user.role,
      sessionId: session.id,
      ok: true,
    });
    this.logger.info('agent-protocol: logged in', {
      userId: session.user.userId,
      role: session.user.role,
      sessionId: session.id,
      remoteAddress,
    });
    await this.attachWithSnapshot(conn, session, false);
    if (!session.ended) this.lifecycle.next({ type: 'opened', session: this.view(session) });
  }

  private async onResume(conn: Conn, raw: unknown): Promise<void> {
    if (conn.phase !== 'auth') {
      this.sendError(conn, this.phaseError(conn));
      return;
    }
    const parsed = ResumeFrame.safeParse(raw);
    if (!parsed.success) {
      this.sendError(conn, new ProtocolError(ProtocolErrorCode.Malformed, 'malformed resume'));
      return;
    }
    const { token, lastSeq } = parsed.data;
    const session = this.byToken.get(token);
    if (!session) {
      const why = this.tombstones.get(token);
      this.sendError(conn, why ?? new ProtocolError(ProtocolErrorCode.SessionExpired, 'session expired; log in again'));
      return;
    }
    session.expiry?.unsubscribe();
    session.expiry = undefined;
    const old = session.conn;
    if (old && old !== conn) {
      old.session = undefined;
      old.link.send(
        JSON.stringify({
          type: 'bye',
          code: ProtocolErrorCode.ForcedLogout,
          message: 'session resumed on another connection',
        }),
      );
      this.closeConn(old, 4003, 'session taken over');
    }
    session.conn = undefined;
    conn.session = session;
    this.auditLog({
      action: 'resume',
      remoteAddress: conn.info.remoteAddress,
      userId: session.user.userId,
      role: session.user.role,
      sessionId: session.id,
      ok: true,
    });
    const canReplay = lastSeq <= session.seq && lastSeq >= session.firstSeq - 1;
    if (canReplay) {
      this.attach(conn, session, { resumed: true, resync: false, seq: lastSeq });
      this.logger.info('agent-protocol: session resumed', {
        userId: session.user.userId,
        sessionId: session.id,
        replayed: session.seq - lastSeq,
      });
      this.lifecycle.next({ type: 'resumed', session: this.view(session), resync: false });
      return;
    }
    this.logger.info('agent-protocol: session resumed with resync', {
      userId: session.user.userId,
      sessionId: session.id,
      lastSeq,
      seq: session.seq,
    });
    conn.phase = 'authenticating';
    await this.attachWithSnapshot(conn, session, true);
    if (!session.ended) this.lifecycle.next({ type: 'resumed', session: this.view(session), resync: true });
  }

  /**
   * Takes a snapshot, then attaches: the events emitted while it was taken follow it (they may
   * restate what the snapshot already shows, which is harmless: events state values). Should the
   * replay buffer overflow meanwhile, the snapshot is taken again.
   */
  private async attachWithSnapshot(conn: Conn, session: Session, resumed: boolean): Promise<void> {
    conn.phase = 'authenticating';
    for (let attempt = 1; ; attempt++) {
      const seq = session.seq;
      let snapshot: Snapshot | undefined;
      if (this.options.snapshot) {
        try {
          const parsed = Snapshot.safeParse(await this.options.snapshot(this.view(session)));
          if (!parsed.success)
            throw new ProtocolError(ProtocolErrorCode.Internal, 'invalid snapshot', {
              details: { issues: issuesOf(parsed.error) },
            });
          snapshot = parsed.data;
        } catch (error) {
          this.logger.error('agent-protocol: snapshot failed', {
            sessionId: session.id,
            error: isProtocolError(error) ? error.details : String(error),
          });
          if (conn.phase === 'authenticating') {
            conn.phase = 'auth';
            conn.session = undefined;
            if (!resumed) this.removeSession(session, 'logout');
            else this.detach(session);
            this.sendError(
              conn,
              new ProtocolError(ProtocolErrorCode.Unavailable, 'could not load the session state, try again'),
            );
          }
          return;
        }
      }
      if (conn.phase !== 'authenticating' || session.ended) return; // closed meanwhile
      if (seq < session.firstSeq - 1 && attempt < 3) continue; // events after the snapshot were evicted meanwhile
      this.attach(conn, session, {
        resumed,
        resync: true,
        seq: Math.max(seq, session.firstSeq - 1),
        ...(snapshot === undefined ? {} : { snapshot }),
      });
      return;
    }
  }

  /** Sends the session frame and the buffered events after `seq`, then routes live events to `conn`. Synchronous. */
  private attach(
    conn: Conn,
    session: Session,
    frame: Pick<SessionFrame, 'resumed' | 'resync' | 'seq' | 'snapshot'>,
  ): void {
    const out: SessionFrame = {
      type: 'session',
      sessionId: session.id,
      token: session.token,
      user: session.user,
      ...frame,
    };
    conn.link.send(JSON.stringify(out));
    for (let i = Math.max(0, frame.seq - session.firstSeq + 1); i < session.buffer.length; i++)
      conn.link.send(session.buffer[i] as string);
    conn.phase = 'open';
    session.conn = conn;
    // Responses that completed while no desktop was attached are replayed on the client's re-send.
  }

  private onRequest(conn: Conn, raw: Record<string, unknown>): void {
    const idParse = RequestId.safeParse(raw.id);
    const id = idParse.success ? idParse.data : undefined;
    const session = conn.session;
    if (conn.phase !== 'open' || !session) {
      this.reply(conn, id, new ProtocolError(ProtocolErrorCode.NotAuthenticated, 'log in first'));
      return;
    }
    const parsed = RequestFrame.safeParse(raw);
    if (!parsed.success || id === undefined) {
      this.reply(
        conn,
        id,
        new ProtocolError(
          ProtocolErrorCode.Malformed,
          'malformed request',
          parsed.success ? {} : { details: { issues: issuesOf(parsed.error) } },
        ),
      );
      return;
    }
    const { command } = parsed.data;
    const cached = session.requests.get(id);
    if (cached) {
      if (cached.command !== command) {
        this.reply(
          conn,
          id,
          new ProtocolError(ProtocolErrorCode.RequestIdReused, `request id ${id} was used for ${cached.command}`),
        );
      } else if (cached.text !== undefined) {
        this.logger.debug('agent-protocol: replaying response', { sessionId: session.id, requestId: id, command });
        conn.link.send(cached.text);
      }
      // Still running: its response goes to the session's link when it completes.
      return;
    }
    if (!isCommandName(command)) {
      this.reply(
        conn,
        id,
        new ProtocolError(ProtocolErrorCode.UnknownCommand, `unknown command ${JSON.stringify(command)}`, {
          details: { command },
        }),
      );
      return;
    }
    const def = COMMANDS[command];
    const role = session.user.role;
    if (!(this.roles[command] ?? []).includes(role)) {
      this.auditLog({
        action: 'denied',
        remoteAddress: conn.info.remoteAddress,
        userId: session.user.userId,
        role,
        sessionId: session.id,
        command,
        requestId: id,
        ok: false,
        code: ProtocolErrorCode.Forbidden,
      });
      this.reply(
        conn,
        id,
        new ProtocolError(ProtocolErrorCode.Forbidden, `role ${role} may not use ${command}`, {
          details: { command, role },
        }),
      );
      return;
    }
    if (session.inFlight >= this.maxInFlight) {
      this.reply(
        conn,
        id,
        new ProtocolError(ProtocolErrorCode.Unavailable, 'too many requests in flight', {
          details: { limit: this.maxInFlight },
        }),
      );
      return;
    }
    const entry: IdempotencyEntry = { command, text: undefined };
    session.requests.set(id, entry);
    this.trimRequests(session);
    session.inFlight++;
    const run = this.execute(session, conn, id, command, def, parsed.data.params)
      .catch((error: unknown) => {
        this.logger.error('agent-protocol: command failed outside its handler', {
          command,
          requestId: id,
          error: String(error),
        });
        return JSON.stringify({ type: 'response', id, ok: false, error: toWireError(undefined) });
      })
      .then((text) => {
        entry.text = text;
        session.inFlight--;
        this.trimRequests(session);
        session.conn?.link.send(text);
      });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async execute(
    session: Session,
    conn: Conn,
    id: string,
    command: CommandName,
    def: (typeof COMMANDS)[CommandName],
    params: unknown,
  ): Promise<string> {
    const started = this.scheduler.now();
    let error: unknown;
    let text: string | undefined;
    const input = def.params.safeParse(params ?? {});
    if (!input.success) {
      error = new ProtocolError(ProtocolErrorCode.InvalidParams, `invalid parameters for ${command}`, {
        details: { command, issues: issuesOf(input.error) },
      });
    } else {
      const handler = this.handlers.get(command);
      if (!handler) {
        error = new ProtocolError(ProtocolErrorCode.NotImplemented, `${command} is not available on this server`, {
          details: { command },
        });
      } else {
        try {
          const result = await handler(input.data, {
            session: this.view(session),
            requestId: id,
            command,
            logger: this.logger,
          });
          const output = def.result.safeParse(result);
          if (output.success) text = JSON.stringify({ type: 'response', id, ok: true, result: output.data });
          else {
            this.logger.error('agent-protocol: handler returned an invalid result', {
              command,
              issues: issuesOf(output.error),
            });
            error = new ProtocolError(ProtocolErrorCode.Internal, 'internal server error');
          }
        } catch (thrown) {
          error = thrown;
          if (!isProtocolError(thrown))
            this.logger.error('agent-protocol: handler failed', { command, requestId: id, error: String(thrown) });
        }
      }
    }
    const wire = error === undefined ? undefined : toWireError(error);
    if (def.audit) {
      this.auditLog({
        action: 'command',
        remoteAddress: conn.info.remoteAddress,
        userId: session.user.userId,
        role: session.user.role,
        sessionId: session.id,
        command,
        requestId: id,
        ok: wire === undefined,
        ...(wire ? { code: wire.code } : {}),
      });
    }
    this.logger.debug('agent-protocol: command', {
      command,
      requestId: id,
      sessionId: session.id,
      ok: wire === undefined,
      code: wire?.code,
      ms: this.scheduler.now() - started,
    });
    return text ?? JSON.stringify({ type: 'response', id, ok: false, error: wire });
  }

  private onBye(conn: Conn, raw: unknown): void {
    const parsed = ByeFrame.safeParse(raw);
    const session = conn.session;
    if (parsed.success && parsed.data.endSession && session && conn.phase === 'open') {
      this.auditLog({
        action: 'logout',
        remoteAddress: conn.info.remoteAddress,
        userId: session.user.userId,
        role: session.user.role,
        sessionId: session.id,
        ok: true,
      });
      conn.session = undefined;
      this.removeSession(session, 'logout');
    }
    this.closeConn(conn, 1000, 'bye');
  }

  private onClose(conn: Conn, close: CloseInfo): void {
    if (conn.phase === 'closed') return;
    this.logger.debug('agent-protocol: link closed', { remoteAddress: conn.info.remoteAddress, code: close.code });
    this.finishConn(conn);
  }

  // ---------------------------------------------------------------------------------------------
  // Sessions

  private emit(session: Session, at: number, tail: string): void {
    const seq = ++session.seq;
    const text = `{"type":"event","seq":${seq},"at":${at}${tail}`;
    session.buffer.push(text);
    session.bufferBytes += text.length;
    while (
      session.buffer.length > 1 &&
      (session.buffer.length > this.replayBufferSize || session.bufferBytes > this.replayBufferBytes)
    ) {
      session.bufferBytes -= (session.buffer.shift() as string).length;
      session.firstSeq++;
    }
    if (session.conn?.phase === 'open') session.conn.link.send(text);
  }

  private forceEnd(
    session: Session,
    reason: EventData<'session.forcedLogout'>['reason'],
    options: { by?: string; message?: string },
  ): void {
    const data: EventData<'session.forcedLogout'> = {
      reason,
      ...(options.by ? { by: options.by } : {}),
      ...(options.message ? { message: options.message } : {}),
    };
    this.emit(session, this.scheduler.now(), `,"name":"session.forcedLogout","data":${JSON.stringify(data)}}`);
    const error = new ProtocolError(ProtocolErrorCode.ForcedLogout, options.message ?? `session ended (${reason})`, {
      details: { reason },
    });
    this.tombstone(session.token, error);
    this.auditLog({
      action: 'forced-logout',
      remoteAddress: session.remoteAddress,
      userId: session.user.userId,
      role: session.user.role,
      sessionId: session.id,
      ok: true,
      details: { reason, ...(options.by ? { by: options.by } : {}) },
    });
    const conn = session.conn;
    if (conn) {
      conn.session = undefined;
      conn.link.send(JSON.stringify({ type: 'bye', code: ProtocolErrorCode.ForcedLogout, message: error.message }));
      this.closeConn(conn, 4001, 'forced logout');
    }
    this.removeSession(session, reason === 'replaced' ? 'replaced' : reason === 'shutdown' ? 'shutdown' : 'forced');
  }

  private readonly tombstoneTimers = new Set<Subscription>();

  private tombstone(token: string, error: ProtocolError): void {
    this.tombstones.set(token, error);
    const timer = this.scheduler.schedule(() => {
      this.tombstones.delete(token);
      this.tombstoneTimers.delete(timer);
    }, this.resumeWindowMs);
    this.tombstoneTimers.add(timer);
  }

  private detach(session: Session): void {
    session.conn = undefined;
    if (session.ended) return;
    this.lifecycle.next({ type: 'disconnected', session: this.view(session) });
    session.expiry?.unsubscribe();
    session.expiry = this.scheduler.schedule(() => {
      session.expiry = undefined;
      if (session.conn || session.ended) return;
      this.auditLog({
        action: 'session-expired',
        remoteAddress: session.remoteAddress,
        userId: session.user.userId,
        role: session.user.role,
        sessionId: session.id,
      });
      this.logger.info('agent-protocol: session expired', { userId: session.user.userId, sessionId: session.id });
      this.removeSession(session, 'expired');
    }, this.resumeWindowMs);
  }

  private removeSession(session: Session, reason: Extract<SessionEvent, { type: 'closed' }>['reason']): void {
    if (session.ended) return;
    session.ended = true;
    session.expiry?.unsubscribe();
    session.expiry = undefined;
    this.byId.delete(session.id);
    this.byToken.delete(session.token);
    session.requests.clear();
    session.buffer.length = 0;
    session.bufferBytes = 0;
    if (!this.lifecycle.closed) this.lifecycle.next({ type: 'closed', session: this.view(session), reason });
  }

  private trimRequests(session: Session): void {
    if (session.requests.size <= this.idempotencyCacheSize) return;
    for (const [id, entry] of session.requests) {
      if (session.requests.size <= this.idempotencyCacheSize) break;
      if (entry.text !== undefined) session.requests.delete(id);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Connections

  private startTimer(conn: Conn): void {
    const scheduler = this.scheduler;
    const tick = (): boolean => {
      if (conn.phase === 'closed') return false;
      const now = scheduler.now();
      if (conn.phase !== 'open' && now - conn.openedAt >= this.handshakeTimeoutMs) {
        this.sendError(
          conn,
          new ProtocolError(ProtocolErrorCode.HandshakeRequired, 'handshake and login not completed in time'),
        );
        this.closeConn(conn, 4002, 'handshake timeout');
        return false;
      }
      if (now - conn.lastHeard >= this.heartbeatTimeoutMs) {
        this.logger.info('agent-protocol: peer silent, closing', {
          remoteAddress: conn.info.remoteAddress,
          silentMs: now - conn.lastHeard,
        });
        this.closeConn(conn, 4000, 'heartbeat timeout');
        return false;
      }
      conn.link.send(`{"type":"ping","t":${now}}`);
      return true;
    };
    const period = Math.max(1, Math.min(this.heartbeatMs, this.handshakeTimeoutMs));
    conn.timer = scheduler.schedule(function (this: SchedulerAction<unknown>) {
      if (tick()) this.schedule(undefined, period);
    }, period);
  }

  private closeConn(conn: Conn, code: number, reason: string): void {
    if (conn.phase === 'closed') return;
    conn.link.close(code, reason);
    this.finishConn(conn);
  }

  private finishConn(conn: Conn): void {
    conn.phase = 'closed';
    conn.timer?.unsubscribe();
    conn.timer = undefined;
    this.conns.delete(conn);
    const session = conn.session;
    conn.session = undefined;
    if (session && session.conn === conn) this.detach(session);
    else if (session && !session.conn && !session.ended && !session.expiry) this.detach(session);
  }

  private reply(conn: Conn, id: string | undefined, error: ProtocolError): void {
    if (id === undefined) this.sendError(conn, error);
    else conn.link.send(JSON.stringify({ type: 'response', id, ok: false, error: toWireError(error) }));
  }

  private sendError(conn: Conn, error: unknown): void {
    if (conn.phase === 'closed') return;
    conn.link.send(JSON.stringify({ type: 'error', error: toWireError(error) }));
  }

  private phaseError(conn: Conn): ProtocolError {
    if (conn.phase === 'hello') return new ProtocolError(ProtocolErrorCode.HandshakeRequired, 'send hello first');
    if (conn.phase === 'authenticating')
      return new ProtocolError(ProtocolErrorCode.IllegalState, 'a login is already in progress');
    return new ProtocolError(ProtocolErrorCode.IllegalState, 'already logged in');
  }

  private matches(session: Session, target: PushTarget): boolean {
    if (target === 'all') return true;
    if (typeof target === 'function') return target(this.view(session));
    if ('sessionId' in target) return session.id === target.sessionId;
    if ('userId' in target) return session.user.userId === target.userId;
    const roles = target.role;
    return typeof roles === 'string' ? session.user.role === roles : roles.includes(session.user.role);
  }

  private view(session: Session): SessionView {
    return {
      sessionId: session.id,
      user: session.user,
      connected: session.conn !== undefined,
      remoteAddress: session.remoteAddress,
      seq: session.seq,
    };
  }

  private auditLog(entry: Omit<AuditEntry, 'at'>): void {
    if (!this.options.audit) return;
    try {
      this.options.audit({ at: this.scheduler.now(), ...entry });
    } catch (error) {
      this.logger.error('agent-protocol: audit callback failed', { error: String(error) });
    }
  }
}
