import { Observable, Subject, asyncScheduler, filter, map, type SchedulerLike } from 'rxjs';
import { Channel, type ChannelHost, type OpDriverEvent } from './channel.js';
import { ErrorCode, HotlineError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { ChannelStateName, ChannelTrigger } from './channel-state.js';
import type { BoardDriver, BoardInfo, DriverEvents } from './spi.js';
import type { CallInfo } from './types.js';

/** Options of {@link openBoard}. */
export interface OpenBoardOptions {
  /** Every timer of the board's channels runs on this scheduler (default: rxjs `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
  readonly logger?: Logger;
  /** Name used in call ids and logs (default: the driver's name). */
  readonly name?: string;
}

/** An incoming call offered on a channel. Answer it with `channel.answer()`. */
export interface IncomingCall {
  readonly channel: Channel;
  readonly call: CallInfo;
}

/** Board-level events (`Board.events$`). */
export type BoardEvent =
  | {
      readonly type: 'alarm';
      readonly at: number;
      readonly span: number;
      readonly alarm: string;
      readonly active: boolean;
    }
  | {
      readonly type: 'fault';
      readonly at: number;
      readonly channel: string;
      readonly code: string;
      readonly message: string;
    }
  | { readonly type: 'recovered'; readonly at: number; readonly channel: string }
  | {
      readonly type: 'illegal-transition';
      readonly at: number;
      readonly channel: string;
      readonly from: ChannelStateName;
      readonly trigger: ChannelTrigger;
      readonly error: HotlineError;
    }
  | { readonly type: 'driver-error'; readonly at: number; readonly message: string; readonly error?: HotlineError }
  | { readonly type: 'closed'; readonly at: number };

/**
 * An open board: its channels, the calls offered on them, and board events. Created by
 * {@link openBoard}; every board behaves the same whatever its driver.
 */
export class Board {
  readonly info: BoardInfo;
  readonly name: string;
  readonly channels: readonly Channel[];
  /** Every call offered on any channel, as it arrives. */
  readonly incoming$: Observable<IncomingCall>;
  /** Alarms, faults, illegal transitions reported, driver errors, close. */
  readonly events$: Observable<BoardEvent>;

  private readonly driver: BoardDriver;
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly byId = new Map<string, Channel>();
  private readonly eventSubject = new Subject<BoardEvent>();
  private readonly incomingSubject = new Subject<IncomingCall>();
  private readonly detach: () => void;
  private callSeq = 0;
  private opSeq = 0;
  private isClosed = false;

  /** @internal Use {@link openBoard}. */
  constructor(driver: BoardDriver, info: BoardInfo, options: OpenBoardOptions) {
    this.driver = driver;
    this.info = info;
    this.name = options.name ?? driver.name;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = options.logger ?? silentLogger;
    const board = this;
    const host: ChannelHost = {
      driver,
      scheduler: this.scheduler,
      logger: this.logger,
      nextCallId: () => `${this.name}-${++this.callSeq}`,
      nextOpId: () => `op${++this.opSeq}`,
      reportIllegal: (channel, from, trigger, error) =>
        this.eventSubject.next({
          type: 'illegal-transition',
          at: this.scheduler.now(),
          channel: channel.id,
          from,
          trigger,
          error,
        }),
      reportFault: (channel, code, message) => {
        this.logger.error('channel fault', { channel: channel.id, code, message });
        channel.handleFault(code, message);
        this.eventSubject.next({ type: 'fault', at: this.scheduler.now(), channel: channel.id, code, message });
      },
      get closed() {
        return board.isClosed;
      },
    };
    const seen = new Set<string>();
    this.channels = info.channels.map((ci) => {
      if (seen.has(ci.id)) {
        throw new HotlineError(ErrorCode.Driver, `driver ${driver.name} declared channel id '${ci.id}' twice`);
      }
      seen.add(ci.id);
      const ch = new Channel(host, ci);
      this.byId.set(ci.id, ch);
      return ch;
    });
    this.incoming$ = this.incomingSubject.asObservable();
    this.events$ = this.eventSubject.asObservable();
    this.detach = this.attach(host);
  }

  /** The channel with this id (or index), or throws `ERR_UNKNOWN_CHANNEL`. */
  channel(idOrIndex: string | number): Channel {
    const ch = typeof idOrIndex === 'number' ? this.channels[idOrIndex] : this.byId.get(idOrIndex);
    if (!ch) throw new HotlineError(ErrorCode.UnknownChannel, `no channel ${String(idOrIndex)} on board ${this.name}`);
    return ch;
  }

  /** True once {@link close} has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Channels of one kind, e.g. all stations. */
  channelsOf(kind: Channel['info']['kind']): readonly Channel[] {
    return this.channels.filter((c) => c.info.kind === kind);
  }

  /** Incoming calls on one channel. */
  incomingOn(channel: Channel): Observable<IncomingCall> {
    return this.incoming$.pipe(filter((i) => i.channel === channel));
  }

  /** Board events of one type. */
  eventsOf<T extends BoardEvent['type']>(type: T): Observable<Extract<BoardEvent, { type: T }>> {
    return this.events$.pipe(
      filter((e): e is Extract<BoardEvent, { type: T }> => e.type === type),
      map((e) => e),
    );
  }

  /** Ends every operation, closes the driver and completes every stream. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const ch of this.channels) ch.shutdown();
    this.detach();
    try {
      await this.driver.close();
    } finally {
      this.eventSubject.next({ type: 'closed', at: this.scheduler.now() });
      this.eventSubject.complete();
      this.incomingSubject.complete();
    }
  }

  private attach(host: ChannelHost): () => void {
    const ev = this.driver.events;
    const lookup = (id: string, what: string): Channel | undefined => {
      const ch = this.byId.get(id);
      if (!ch) {
        const message = `driver ${this.driver.name} sent ${what} for unknown channel '${id}'`;
        this.logger.warn(message);
        this.eventSubject.next({ type: 'driver-error', at: this.scheduler.now(), message });
      }
      return ch;
    };
    const op = (type: OpDriverEvent['type']) => (e: Omit<OpDriverEvent, 'type'>) => {
      lookup(e.channel, type)?.handleOpEvent({ type, ...e } as OpDriverEvent);
    };
    const handlers: { [K in keyof DriverEvents]: DriverEvents[K] } = {
      offered: (e) => {
        const ch = lookup(e.channel, 'offered');
        if (!ch) return;
        const { channel: _ignored, ...offer } = e;
        ch.handleOffered(offer);
        const call = ch.call;
        if (ch.isOffered() && call) this.incomingSubject.next({ channel: ch, call });
      },
      answered: (e) => lookup(e.channel, 'answered')?.handleAnswered(),
      hangup: (e) => lookup(e.channel, 'hangup')?.handleRemoteHangup(e.cause),
      digit: (e) => {
        if (e.digit.length !== 1 || !'0123456789*#ABCD'.includes(e.digit)) {
          const message = `driver ${this.driver.name} reported an invalid digit '${e.digit}' on channel ${e.channel}`;
          this.eventSubject.next({ type: 'driver-error', at: this.scheduler.now(), message });
          return;
        }
        lookup(e.channel, 'digit')?.handleDigit(e.digit);
      },
      vad: (e) => lookup(e.channel, 'vad')?.handleVad(e.voice),
      flash: (e) => lookup(e.channel, 'flash')?.handleFlash(),
      dialProgress: op('dialProgress'),
      dialResult: op('dialResult'),
      playEnded: op('playEnded'),
      recordEnded: op('recordEnded'),
      digitsSent: op('digitsSent'),
      faxProgress: op('faxProgress'),
      faxEnded: op('faxEnded'),
      signaling: (e) => lookup(e.channel, 'signaling')?.handleSignaling({ at: this.scheduler.now(), ...e }),
      alarm: (e) => {
        this.logger.warn('span alarm', { span: e.span, alarm: e.alarm, active: e.active });
        this.eventSubject.next({ type: 'alarm', at: this.scheduler.now(), ...e });
      },
      fault: (e) => {
        const ch = lookup(e.channel, 'fault');
        if (!ch) return;
        host.reportFault(ch, e.code, e.message);
      },
      recovered: (e) => {
        const ch = lookup(e.channel, 'recovered');
        if (!ch) return;
        ch.handleRecovered();
        this.eventSubject.next({ type: 'recovered', at: this.scheduler.now(), channel: e.channel });
      },
    };
    for (const [name, handler] of Object.entries(handlers)) {
      ev.on(name as keyof DriverEvents, handler);
    }
    return () => {
      for (const [name, handler] of Object.entries(handlers)) {
        ev.off(name as keyof DriverEvents, handler);
      }
    };
  }
}

/**
 * Opens a board through its driver and wraps it in the SDK surface. Fails with the driver's typed
 * error (e.g. the vendor library is missing) when the board cannot be opened.
 */
export async function openBoard(driver: BoardDriver, options: OpenBoardOptions = {}): Promise<Board> {
  let info: BoardInfo;
  try {
    info = await driver.open();
  } catch (error) {
    if (error && typeof error === 'object' && (error as Record<symbol, unknown>)[Symbol.for('hotline.error')])
      throw error;
    throw new HotlineError(ErrorCode.Driver, `could not open board with driver ${driver.name}: ${String(error)}`, {
      cause: error,
    });
  }
  return new Board(driver, info, options);
}
