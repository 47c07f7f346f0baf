/**
 * The console's model of the server: it subscribes to an `AgentClient`'s streams and folds them
 * into one {@link ServerState} with the pure functions of `server-state.ts`. Views read it
 * through `useObservable(store.state$)`.
 */
import type { AgentClient, ConnectionState, ProtocolEvent, SessionInfo } from '@hotline/agent-protocol';
import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import { applyEvent, applySession, EMPTY_SERVER_STATE, type ServerState } from './server-state.js';

/** Something worth telling the user that the store noticed (the UI turns it into a message). */
export type StoreSignal =
  | { readonly kind: 'event'; readonly event: ProtocolEvent }
  | { readonly kind: 'session'; readonly session: SessionInfo };

/** See the module comment. */
export class ConsoleStore {
  /** The current server state; replays to new subscribers. */
  readonly state$: Observable<ServerState>;
  /** Connection state; replays. */
  readonly connection$: Observable<ConnectionState>;
  /** Events and sessions as they are applied (for messages and reloads). */
  readonly signals$: Observable<StoreSignal>;

  private readonly state = new BehaviorSubject<ServerState>(EMPTY_SERVER_STATE);
  private readonly connection: BehaviorSubject<ConnectionState>;
  private readonly signals = new Subject<StoreSignal>();
  private readonly subs: Subscription[] = [];

  constructor(readonly client: AgentClient) {
    this.connection = new BehaviorSubject<ConnectionState>(client.state);
    this.state$ = this.state.asObservable();
    this.connection$ = this.connection.asObservable();
    this.signals$ = this.signals.asObservable();
    this.subs.push(
      client.session$.subscribe((session) => {
        const previous = this.state.value.user;
        // A different user starts from nothing; the same user keeps pops of calls still going.
        const base = previous && previous.userId !== session.user.userId ? EMPTY_SERVER_STATE : this.state.value;
        this.state.next(applySession(base, session));
        this.signals.next({ kind: 'session', session });
      }),
      client.events$.subscribe((event) => {
        this.state.next(applyEvent(this.state.value, event));
        this.signals.next({ kind: 'event', event });
      }),
      client.connection$.subscribe((c) => this.connection.next(c)),
    );
  }

  /** The current server state. */
  get value(): ServerState {
    return this.state.value;
  }

  /** Replaces the wallboard with a fresh `supervisor.snapshot` (events keep it current after). */
  replaceWallboard(wallboard: NonNullable<ServerState['wallboard']>): void {
    this.state.next({
      ...this.state.value,
      wallboard,
      queues: this.state.value.queues.length ? this.state.value.queues : wallboard.queues,
    });
  }

  /** Stops listening to the client. */
  dispose(): void {
    for (const s of this.subs) s.unsubscribe();
    this.signals.complete();
  }
}
