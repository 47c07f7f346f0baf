/**
 * What the conformance tests drive the server with: a raw link that sends and reads frames as they
 * are on the wire ({@link Wire}), and a desktop built on `AgentClient` that records its events
 * ({@link Desk}). Every wait is bounded in the world's time and fails with what was seen.
 */
import { timer } from 'rxjs';
import { AgentClient, type SessionInfo } from '../client/agent-client.js';
import { COMMANDS, type CommandName } from '../commands.js';
import { isProtocolError, type ProtocolError } from '../errors.js';
import { EVENTS, isEventName, type EventData, type EventName, type ProtocolEvent } from '../events.js';
import { ServerFrame } from '../frames.js';
import type { Logger } from '../logger.js';
import type { CloseInfo, TransportLink } from '../transport.js';
import { PROTOCOL_VERSION } from '../version.js';
import type { ConformanceNetwork, ConformanceUser, ConformanceWorld } from './harness.js';

/** A frame as received: parsed JSON. */
export type RawFrame = Readonly<Record<string, unknown>> & { readonly type: string };

/** Resolves with `promise`, or fails after `ms` of the world's time with `what()`. */
export function within<T>(world: ConformanceWorld, promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  const bounded = new Promise<T>((resolve, reject) => {
    const deadline = timer(ms, world.scheduler).subscribe(() => reject(new Error(`${what()} (waited ${ms} ms)`)));
    promise.then(
      (value) => {
        deadline.unsubscribe();
        resolve(value);
      },
      (error: unknown) => {
        deadline.unsubscribe();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
  return world.run(bounded, ms + 60_000);
}

/** The typed error a promise rejects with (fails the test when it resolves or throws something else). */
export async function rejection(world: ConformanceWorld, promise: Promise<unknown>): Promise<ProtocolError> {
  const outcome = await world.run(
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );
  if (outcome.ok) throw new Error(`expected a typed error, got ${JSON.stringify(outcome.value)?.slice(0, 300)}`);
  if (!isProtocolError(outcome.error)) throw new Error(`expected a ProtocolError, got ${String(outcome.error)}`);
  return outcome.error;
}

/** A raw link: frames exactly as the server sends them, nothing answered on the test's behalf. */
export class Wire {
  /** Every frame received, in order. */
  readonly frames: RawFrame[] = [];
  /** Set once the link closed. */
  closed: CloseInfo | undefined;
  private readonly taken = new Set<RawFrame>();
  private readonly waiters = new Set<() => void>();
  private link!: TransportLink;

  private constructor(private readonly world: ConformanceWorld) {}

  /** Opens a link on `network` (a new path when none is given). */
  static async open(world: ConformanceWorld, network: ConformanceNetwork = world.network()): Promise<Wire> {
    const wire = new Wire(world);
    wire.link = await world.run(
      network.connect({
        onMessage: (text) => {
          wire.frames.push(JSON.parse(text) as RawFrame);
          wire.wake();
        },
        onClose: (info) => {
          wire.closed = info;
          wire.wake();
        },
      }),
    );
    return wire;
  }

  /** Sends a frame (an object is sent as JSON, a string as it is). */
  send(frame: string | Readonly<Record<string, unknown>>): void {
    this.link.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  close(): void {
    this.link.close(1000, 'test done');
  }

  /** The next frame matching `match` not taken before; takes it. */
  take(match: (f: RawFrame) => boolean, what: string, ms = 30_000): Promise<RawFrame> {
    return within(
      this.world,
      new Promise<RawFrame>((resolve) => {
        const look = (): boolean => {
          const found = this.frames.find((f) => !this.taken.has(f) && match(f));
          if (!found) return false;
          this.taken.add(found);
          this.waiters.delete(check);
          resolve(found);
          return true;
        };
        const check = (): void => void look();
        if (!look()) this.waiters.add(check);
      }),
      ms,
      () => `no ${what} frame; received ${this.summary()}`,
    );
  }

  /** The next frame of `type` (`error`, `welcome`...). */
  next(type: string, ms?: number): Promise<RawFrame> {
    return this.take((f) => f.type === type, type, ms);
  }

  /** Resolves when the link closed. */
  whenClosed(ms = 30_000): Promise<CloseInfo> {
    return within(
      this.world,
      new Promise<CloseInfo>((resolve) => {
        const check = (): void => {
          if (!this.closed) return;
          this.waiters.delete(check);
          resolve(this.closed);
        };
        this.waiters.add(check);
        check();
      }),
      ms,
      () => `the link did not close; received ${this.summary()}`,
    );
  }

  /** `hello` → `welcome`. */
  async hello(protocol = PROTOCOL_VERSION): Promise<RawFrame> {
    this.send({ type: 'hello', protocol, client: { name: 'protocol-conformance', version: PROTOCOL_VERSION } });
    return this.take((f) => f.type === 'welcome' || f.type === 'error', 'welcome or error');
  }

  /** `hello`, `login` → the `session` frame (fails on an error frame). */
  async login(user: ConformanceUser): Promise<RawFrame> {
    await this.hello();
    this.send({ type: 'login', userId: user.userId, password: user.password });
    return this.expectSession();
  }

  /** `hello`, `resume` → the `session` or `error` frame. */
  async resume(token: string, lastSeq: number): Promise<RawFrame> {
    await this.hello();
    this.send({ type: 'resume', token, lastSeq });
    return this.take((f) => f.type === 'session' || f.type === 'error', 'session or error');
  }

  /** A request → its response frame. */
  request(id: string, command: string, params: unknown): Promise<RawFrame> {
    this.send({ type: 'request', id, command, params });
    return this.take((f) => f.type === 'response' && f['id'] === id, `response ${id}`);
  }

  /** Event frames received so far, in arrival order. */
  get events(): readonly RawFrame[] {
    return this.frames.filter((f) => f.type === 'event');
  }

  /** The next event (not taken before) matching `match`. */
  event(match: (name: string, data: unknown) => boolean, what: string, ms?: number): Promise<RawFrame> {
    return this.take((f) => f.type === 'event' && match(String(f['name']), f['data']), `event ${what}`, ms);
  }

  private async expectSession(): Promise<RawFrame> {
    const f = await this.take((x) => x.type === 'session' || x.type === 'error', 'session or error');
    if (f.type !== 'session') throw new Error(`login refused: ${JSON.stringify(f)}`);
    return f;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private summary(): string {
    const tail = this.frames.slice(-12).map((f) => {
      const detail =
        f.type === 'event'
          ? String(f['name'])
          : f.type === 'error'
            ? String((f['error'] as { code?: unknown } | undefined)?.code)
            : f.type === 'response'
              ? `${String(f['id'])}:${f['ok'] === true ? 'ok' : String((f['error'] as { code?: unknown })?.code)}`
              : '';
      return detail ? `${f.type}(${detail})` : f.type;
    });
    return `${this.frames.length} frames [… ${tail.join(', ')}]${this.closed ? `, closed ${this.closed.code}` : ''}`;
  }
}

/** A desktop: an `AgentClient` on its own network path, with every event it applied. */
export class Desk {
  readonly client: AgentClient;
  readonly network: ConformanceNetwork;
  readonly events: ProtocolEvent[] = [];
  /** What the client logged about frames it had to skip (schema failures): must stay empty. */
  readonly rejected: string[] = [];
  session: SessionInfo | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly world: ConformanceWorld,
    network: ConformanceNetwork = world.network(),
  ) {
    this.network = network;
    const rejected = this.rejected;
    const logger: Logger = {
      debug() {},
      info() {},
      warn(message, fields) {
        if (/schema|malformed|unreadable/.test(message)) rejected.push(`${message} ${JSON.stringify(fields ?? {})}`);
      },
      error(message, fields) {
        rejected.push(`${message} ${JSON.stringify(fields ?? {})}`);
      },
    };
    this.client = new AgentClient({
      transport: network.connect,
      scheduler: world.scheduler,
      logger,
      clientInfo: { name: 'protocol-conformance', version: PROTOCOL_VERSION },
      reconnect: { initialDelayMs: 500, maxDelayMs: 2_000, jitter: 0 },
      requestTimeoutMs: 60_000,
    });
    this.client.events$.subscribe((e) => {
      this.events.push(e);
      for (const w of [...this.waiters]) w();
    });
  }

  /** Logs in (fails the test if refused). */
  async login(user: ConformanceUser): Promise<SessionInfo> {
    this.session = await this.world.run(this.client.login(user));
    return this.session;
  }

  /** The commands, as this desk's typed methods. */
  get api(): AgentClient['api'] {
    return this.client.api;
  }

  /** Drives the world's time until `promise` settles. */
  run<T>(promise: Promise<T>): Promise<T> {
    return this.world.run(promise);
  }

  /** How many events were received so far (a mark for {@link Desk.expectEvent}'s `after`). */
  mark(): number {
    return this.events.length;
  }

  /**
   * The first event `name` received after `after` (an index from {@link Desk.mark}; default the
   * start) whose data satisfies `match`; waits for it.
   */
  expectEvent<N extends EventName>(
    name: N,
    match: (data: EventData<N>) => boolean = () => true,
    options: { readonly after?: number; readonly ms?: number } = {},
  ): Promise<EventData<N>> {
    const from = options.after ?? 0;
    const ms = options.ms ?? 60_000;
    return within(
      this.world,
      new Promise<EventData<N>>((resolve) => {
        const look = (): boolean => {
          for (let i = from; i < this.events.length; i++) {
            const e = this.events[i] as ProtocolEvent;
            if (e.name === name && match(e.data as EventData<N>)) {
              this.waiters.delete(check);
              resolve(e.data as EventData<N>);
              return true;
            }
          }
          return false;
        };
        const check = (): void => void look();
        if (!look()) this.waiters.add(check);
      }),
      ms,
      () =>
        `${this.session?.user.userId ?? 'desk'} got no matching ${name}; events: ${this.events
          .slice(from)
          .slice(-15)
          .map((e) => `${e.seq}:${e.name}${describeData(e)}`)
          .join(', ')}`,
    );
  }

  async close(): Promise<void> {
    await this.world.run(this.client.close()).catch(() => undefined);
  }
}

function describeData(e: ProtocolEvent): string {
  if (e.name === 'agent.state')
    return `(${e.data.presence}/${e.data.activity}${e.data.reason ? `/${e.data.reason}` : ''})`;
  if (e.name === 'call.state') return `(${e.data.callId} ${e.data.state}${e.data.cause ? `/${e.data.cause}` : ''})`;
  return '';
}

/** Checks an event frame received raw: known name, data valid against the event's schema. */
export function eventProblem(frame: RawFrame): string | undefined {
  const name = String(frame['name']);
  if (!isEventName(name)) return `unknown event ${name}`;
  const parsed = EVENTS[name].safeParse(frame['data']);
  return parsed.success ? undefined : `event ${name} does not match its schema: ${parsed.error.message.slice(0, 300)}`;
}

/** Checks any frame received raw against the server frame schema. */
export function frameProblem(frame: RawFrame): string | undefined {
  const parsed = ServerFrame.safeParse(frame);
  if (!parsed.success) return `frame ${frame.type} does not match the server frame schema`;
  return frame.type === 'event' ? eventProblem(frame) : undefined;
}

/** Commands a role may not use, by the default role table. */
export function forbiddenFor(role: string): CommandName[] {
  return (Object.keys(COMMANDS) as CommandName[]).filter(
    (c) => !(COMMANDS[c].roles as readonly string[]).includes(role),
  );
}
