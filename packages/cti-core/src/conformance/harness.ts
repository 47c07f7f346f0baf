import type { SchedulerLike } from 'rxjs';
import type { BoardDriver, HangupCause } from '../spi.js';

/** How a called number behaves, for outbound tests. */
export type OutboundBehaviour =
  'answer' | 'busy' | 'no-answer' | 'unallocated' | 'congestion' | 'answering-machine' | 'fax';

/** The far end of one call, as the harness lets a test drive it. */
export interface FarCall {
  /** Resolves when the board has answered (inbound) or the party answered (outbound). */
  whenConnected(): Promise<void>;
  /** Resolves when the call ended, telling who hung up. */
  whenReleased(): Promise<{ readonly by: 'far' | 'board'; readonly cause: HangupCause }>;
  /** Keys DTMF digits (as tones, on boards that detect tones). */
  press(digits: string): Promise<void>;
  /** Hangs up the far end. */
  hangup(): void;
  /** Sends audio (harnesses with `supports.audio`). */
  say?(samples: Int16Array): Promise<void>;
  /** Everything the far end heard (harnesses with `supports.audio`). */
  heard?(): Int16Array;
}

/** The far side of the board: the network, callers and called parties. */
export interface FarEndController {
  readonly supports: {
    /** The harness carries audio both ways (`say`, `heard`). */
    readonly audio: boolean;
    /** `fault` and `recover` work. */
    readonly faults: boolean;
    /** Outbound behaviours the harness can produce. */
    readonly outbound: readonly OutboundBehaviour[];
  };
  /** A caller dials in on some idle trunk. */
  call(options: { readonly from?: string; readonly to?: string }): FarCall;
  /** Declares how `number` behaves when the board dials it. */
  subscriber(number: string, behaviour: OutboundBehaviour, options?: { readonly afterRings?: number }): void;
  /** The party on the far end of an answered outbound call on `channel`. */
  answeredParty(channel: string): FarCall | undefined;
  fault?(channel: string): void;
  recover?(channel: string): void;
}

/** One fresh board with its far end, for one test. */
export interface ConformanceContext {
  readonly driver: BoardDriver;
  /** The scheduler the board must be opened with. */
  readonly scheduler: SchedulerLike;
  readonly far: FarEndController;
  /** Drives time until `promise` settles (virtual time) or simply awaits it (real hardware). */
  run<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
  /** Lets `ms` of time pass. */
  wait(ms: number): Promise<void>;
  /** A folder the test may write recordings into. */
  readonly tempDir: string;
  teardown?(): Promise<void>;
}

/** What a driver package gives the conformance kit. */
export interface ConformanceHarness {
  /** Shown in the suite's title. */
  readonly name: string;
  /** Creates a fresh board and far end for each test. */
  setup(): Promise<ConformanceContext>;
  /** Skip the whole suite (e.g. real hardware absent), with the reason shown. */
  readonly skip?: string | false;
}
