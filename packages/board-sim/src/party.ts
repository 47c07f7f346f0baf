import { Observable, Subject, firstValueFrom, filter, timer, type SchedulerLike } from 'rxjs';
import {
  HotlineError,
  ErrorCode,
  type FaxResult,
  type HangupCause,
  type SoftFaxEngine,
  type SoftFaxSession,
} from '@hotline/cti-core';
import { DtmfGenerator, FRAME_SAMPLES, concatFrames, isDtmfDigit } from '@hotline/cti-core/media';

/** Options of {@link SimParty.press}. */
export interface PressOptions {
  /** Tone length per digit (default 80 ms). */
  readonly onMs?: number;
  /** Pause between digits (default 80 ms). */
  readonly offMs?: number;
  /** Level per tone in dBm0 (default -10). */
  readonly levelDbm0?: number;
  /** High-group level relative to the low group, dB (default 0). */
  readonly twistDb?: number;
}

/** Why the far end's connection ended. */
export interface PartyRelease {
  /** `far` when the simulated party hung up, `board` when the board did. */
  readonly by: 'far' | 'board';
  readonly cause: HangupCause;
  readonly at: number;
}

/** @internal What a party needs from the simulated line it is on. */
export interface PartyLink {
  /** The party hung up. */
  farHangup(cause: HangupCause): void;
  /** Media clock needs to run while the party is talking. */
  wake(): void;
}

/**
 * A simulated person or machine at the far end of a line: a caller who dialled in, a called
 * party who answered, or the user of a station phone. Everything it says or keys is real audio
 * on the line (DTMF as tones the board must detect); everything the board sends is kept in
 * {@link heard} so tests can check what the caller was played.
 */
export class SimParty {
  /** The party's telephone number. */
  readonly number: string;

  private readonly scheduler: SchedulerLike;
  private link: PartyLink | undefined;
  /** The board channel this party's call is on (undefined when the call found no line). */
  channel: string | undefined;
  private readonly frames: Int16Array[] = [];
  private heardSamples = 0;
  private readonly keepAudio: boolean;
  private dtmf = new DtmfGenerator();
  private readonly outQueue: { samples: Int16Array; pos: number; done: () => void }[] = [];
  private readonly releaseSubject = new Subject<PartyRelease>();
  private readonly connectSubject = new Subject<void>();
  private readonly heardSubject = new Subject<number>();
  private connectedFlag = false;
  private releasedWith: PartyRelease | undefined;
  private pressDone: (() => void) | undefined;
  private faxSession: SoftFaxSession | undefined;
  private readonly lastHeard = new Int16Array(FRAME_SAMPLES);

  /** @internal */
  constructor(number: string, scheduler: SchedulerLike, keepAudio = true) {
    this.number = number;
    this.scheduler = scheduler;
    this.keepAudio = keepAudio;
  }

  /** True while the call is connected (answered and not released). */
  get connected(): boolean {
    return this.connectedFlag;
  }

  /** How the call ended, once it has. */
  get release(): PartyRelease | undefined {
    return this.releasedWith;
  }

  /** Every sample the board sent to this party since it connected. */
  heard(): Int16Array {
    return concatFrames(this.frames);
  }

  /** Length of {@link heard} in ms. */
  get heardMs(): number {
    return this.heardSamples / 8;
  }

  /** Forgets what was heard so far. */
  clearHeard(): void {
    this.frames.length = 0;
  }

  /** Resolves when the call is connected (immediately if it is). */
  whenConnected(): Promise<void> {
    if (this.connectedFlag) return Promise.resolve();
    if (this.releasedWith) return Promise.reject(this.releasedError());
    return new Promise<void>((resolve, reject) => {
      const a = this.connectSubject.subscribe(() => {
        a.unsubscribe();
        b.unsubscribe();
        resolve();
      });
      const b = this.releaseSubject.subscribe(() => {
        a.unsubscribe();
        b.unsubscribe();
        reject(this.releasedError());
      });
    });
  }

  /** Resolves when the call ends, whoever hangs up. */
  whenReleased(): Promise<PartyRelease> {
    if (this.releasedWith) return Promise.resolve(this.releasedWith);
    return firstValueFrom(this.releaseSubject);
  }

  /** Emits once when the call ends. */
  get released$(): Observable<PartyRelease> {
    return this.releaseSubject.asObservable();
  }

  /** Keys digits as DTMF tones on the line; resolves once the last tone has been sent. */
  press(digits: string, options: PressOptions = {}): Promise<void> {
    if (!this.connectedFlag) return Promise.reject(this.notConnected('press'));
    for (let i = 0; i < digits.length; i++) {
      if (!isDtmfDigit(digits[i]!)) {
        return Promise.reject(
          new HotlineError(ErrorCode.InvalidArgument, `press: '${digits[i]}' at position ${i + 1} is not a DTMF digit`),
        );
      }
    }
    if (this.pressDone)
      return Promise.reject(new HotlineError(ErrorCode.Busy, 'press: still keying the previous digits'));
    this.dtmf.queue(digits, {
      onMs: options.onMs ?? 80,
      offMs: options.offMs ?? 80,
      levelDbm0: options.levelDbm0 ?? -10,
      twistDb: options.twistDb ?? 0,
    });
    this.link?.wake();
    return new Promise<void>((resolve) => {
      this.pressDone = resolve;
    });
  }

  /** Sends audio (speech, a greeting, a fax tone) on the line; resolves when it has all been sent. */
  say(samples: Int16Array): Promise<void> {
    if (!this.connectedFlag) return Promise.reject(this.notConnected('say'));
    this.link?.wake();
    return new Promise<void>((resolve) => this.outQueue.push({ samples, pos: 0, done: resolve }));
  }

  /** Waits `ms` of (scheduler) time and returns what was heard meanwhile. */
  async listen(ms: number): Promise<Int16Array> {
    const from = this.heardSamples;
    await firstValueFrom(timer(ms, this.scheduler));
    const all = this.heard();
    return all.subarray(Math.max(0, all.length - (this.heardSamples - from)));
  }

  /** Waits until at least `ms` of audio has been heard in total, or the call ends. */
  async waitHeard(ms: number): Promise<void> {
    if (this.heardMs >= ms || this.releasedWith) return;
    await Promise.race([firstValueFrom(this.heardSubject.pipe(filter(() => this.heardMs >= ms))), this.whenReleased()]);
  }

  /**
   * Makes this party a fax machine for the rest of the call: its own soft fax engine sends or
   * receives through the line's audio. `calling` is true for a fax machine that placed the call
   * (it sends CNG). Resolves with the engine's result.
   */
  fax(
    engine: SoftFaxEngine,
    job: {
      readonly direction: 'send' | 'receive';
      readonly files: readonly string[];
      readonly calling: boolean;
      readonly localId?: string;
      readonly ecm?: boolean;
    },
  ): Promise<FaxResult> {
    if (!this.connectedFlag) return Promise.reject(this.notConnected('fax'));
    if (this.faxSession)
      return Promise.reject(new HotlineError(ErrorCode.Busy, 'fax: the simulated party is already faxing'));
    return new Promise<FaxResult>((resolve, reject) => {
      try {
        this.faxSession = engine.start({
          direction: job.direction,
          files: job.files,
          calling: job.calling,
          ...(job.localId === undefined ? {} : { localId: job.localId }),
          ...(job.ecm === undefined ? {} : { ecm: job.ecm }),
          onProgress: () => undefined,
          onEnd: (result) => {
            this.faxSession = undefined;
            resolve(result);
          },
        });
        this.link?.wake();
      } catch (error) {
        reject(error);
      }
    });
  }

  /** Hangs up. */
  hangup(cause: HangupCause = 'normal'): void {
    if (this.releasedWith || !this.link) return;
    this.link.farHangup(cause);
  }

  // ------------------------------------------------------------------ line side (internal)

  /** @internal The line connected this party. */
  attach(link: PartyLink): void {
    this.link = link;
  }

  /** @internal */
  markConnected(): void {
    if (this.connectedFlag || this.releasedWith) return;
    this.connectedFlag = true;
    this.connectSubject.next();
  }

  /** @internal */
  markReleased(by: 'far' | 'board', cause: HangupCause): void {
    if (this.releasedWith) return;
    this.connectedFlag = false;
    this.releasedWith = { by, cause, at: this.scheduler.now() };
    this.outQueue.splice(0).forEach((o) => o.done());
    const fax = this.faxSession;
    this.faxSession = undefined;
    fax?.stop();
    this.dtmf = new DtmfGenerator();
    const done = this.pressDone;
    this.pressDone = undefined;
    done?.();
    this.releaseSubject.next(this.releasedWith);
    this.releaseSubject.complete();
  }

  /** @internal True while the party has audio to send. */
  get talking(): boolean {
    return this.dtmf.busy || this.outQueue.length > 0 || this.faxSession !== undefined;
  }

  /** @internal Writes the party's next 20 ms of audio into `frame`. */
  produce(frame: Int16Array): void {
    if (this.faxSession) {
      // The modem answers what it heard on the previous frame (a line has delay anyway).
      this.faxSession.process(this.lastHeard, frame);
      return;
    }
    if (this.dtmf.busy) {
      this.dtmf.fill(frame);
      if (!this.dtmf.busy && this.pressDone) {
        const done = this.pressDone;
        this.pressDone = undefined;
        done();
      }
      return;
    }
    const out = this.outQueue[0];
    if (!out) {
      frame.fill(0);
      return;
    }
    const n = Math.min(FRAME_SAMPLES, out.samples.length - out.pos);
    frame.set(out.samples.subarray(out.pos, out.pos + n));
    if (n < FRAME_SAMPLES) frame.fill(0, n);
    out.pos += n;
    if (out.pos >= out.samples.length) {
      this.outQueue.shift();
      out.done();
    }
  }

  /** @internal The board's next 20 ms reached this party. */
  hear(frame: Int16Array): void {
    if (this.faxSession) this.lastHeard.set(frame);
    this.heardSamples += frame.length;
    if (this.keepAudio) this.frames.push(frame.slice());
    if (this.heardSubject.observed) this.heardSubject.next(this.heardSamples);
  }

  private notConnected(what: string): HotlineError {
    return new HotlineError(
      ErrorCode.IllegalState,
      `${what}: the simulated party ${this.number || '(anonymous)'} is not connected`,
    );
  }

  private releasedError(): HotlineError {
    return new HotlineError(
      ErrorCode.Hangup,
      `the call of ${this.number} ended (${this.releasedWith?.cause ?? 'unknown'})`,
      {
        hangup: true,
      },
    );
  }
}
