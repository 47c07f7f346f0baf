import { randomUUID } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ErrorCode,
  HotlineError,
  silentLogger,
  type FaxProgress,
  type FaxResult,
  type Logger,
  type SoftFaxEngine,
  type SoftFaxOptions,
  type SoftFaxSession,
} from '@hotline/cti-core';
import { loadBinding, NativeEvent, type BindingState, type NativeSession, type NativeStats } from './native.js';
import {
  completionName,
  encodingName,
  frameName,
  resolutionText,
  T30_FRAMES,
  T30PhaseTracker,
  type T30Phase,
} from './t30.js';
import { faxDocumentError, mergeFaxTiffs, parseFaxTiff, type FaxTiff, type FaxTiffLimits } from './tiff.js';

/** Image modems a session may use (ITU-T V.17 up to 14 400 bit/s, V.29 9 600, V.27ter 4 800). */
export type FaxModem = 'v17' | 'v29' | 'v27ter';

/** Line codings a session may use (T.4 1-D MH, T.4 2-D MR, T.6 MMR which needs ECM). */
export type FaxCoding = 't4-1d' | 't4-2d' | 't6';

/** Error code of a fax operation on a machine where the engine cannot run. */
export const FAX_UNAVAILABLE = 'ERR_FAX_UNAVAILABLE';

/** Options of {@link SpandspFaxEngine}. */
export interface SpandspFaxEngineOptions {
  /** Offer error-correction mode (T.30 Annex A) unless a session says otherwise (default true). */
  readonly ecm?: boolean;
  /** Image modems to offer (default all three: the far end and the line decide the rate). */
  readonly modems?: readonly FaxModem[];
  /** Line codings to offer (default all three). */
  readonly codings?: readonly FaxCoding[];
  /** Limits on documents to send (file size, pages, page length). */
  readonly limits?: FaxTiffLimits;
  /** Where documents made of several files are staged (default the OS temp directory). */
  readonly workDir?: string;
  readonly logger?: Logger;
  /** Told every T.30 control frame a session sends or receives (for a signalling trace). */
  readonly onFrame?: (frame: T30FrameTrace) => void;
  /** @internal Tests: a loader that pretends the addon is missing. */
  readonly loadBinding?: () => BindingState;
}

/** A T.30 control frame seen by a session. */
export interface T30FrameTrace {
  readonly direction: 'rx' | 'tx';
  /** Frame name, e.g. `DCS`, `MCF`, `PPS-EOP`. */
  readonly name: string;
  /** The session's phase after the frame. */
  readonly phase: T30Phase;
}

/** What a running session reports beyond the contract (for consoles, logs and benchmarks). */
export interface SpandspFaxStatus {
  readonly phase: T30Phase;
  /** Pages confirmed so far. */
  readonly pagesDone: number;
  /** Pages in the document being sent (undefined when receiving). */
  readonly pageCount: number | undefined;
  /** Line time so far: 20 ms per processed frame. */
  readonly lineTimeMs: number;
  readonly ended: boolean;
  /** Bytes of coded image data of the last page on the line (after the end: of the last page sent or received). */
  readonly imageBytes: number | undefined;
  /** Line coding of the last page (`T.4 1-D (MH)`, `T.4 2-D (MR)`, `T.6 (MMR)`). */
  readonly coding: string | undefined;
}

const MODEM_BITS: Readonly<Record<FaxModem, number>> = { v27ter: 1, v29: 2, v17: 4 };
const CODING_BITS: Readonly<Record<FaxCoding, number>> = { 't4-1d': 2, 't4-2d': 4, t6: 8 };

/**
 * The soft fax engine over libspandsp: T.30 fax over 8 kHz audio (V.21 control, V.17/V.29/V.27ter
 * image modems, ECM), driven frame by frame by a software board (board-sim, a SIP board).
 *
 * - `available` is false when the native binding is missing (`unavailableReason` says what to
 *   install); `start` then throws `ERR_FAX_UNAVAILABLE`.
 * - `start` validates every TIFF before any audio flows and throws `ERR_MEDIA_FORMAT` (with
 *   `details.problem`: malformed, oversized, unsupported, unreadable) for a document a fax
 *   machine cannot send. Several files are joined into one document.
 * - A session reports progress (`negotiating` with the negotiated rate, `page` n of m,
 *   `page-done`) and ends exactly once through `onEnd` with a typed result.
 *
 * Why `process` is synchronous: one 20 ms step of spandsp is a few microseconds of arithmetic on
 * the caller's thread (see `bench/fax.bench.ts`); spandsp touches the disk only to read or write
 * one page at a page boundary through libtiff. Handing 50 steps a second to a worker thread would
 * cost more than the work.
 */
export class SpandspFaxEngine implements SoftFaxEngine {
  readonly available: boolean;
  readonly unavailableReason?: string;
  private readonly state: BindingState;
  private readonly options: SpandspFaxEngineOptions;
  private readonly logger: Logger;

  constructor(options: SpandspFaxEngineOptions = {}) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.state = (options.loadBinding ?? loadBinding)();
    this.available = this.state.available;
    if (!this.state.available) this.unavailableReason = this.state.reason;
  }

  /** spandsp's release stamp, when available. */
  get spandspRelease(): string | undefined {
    return this.state.available ? this.state.binding.spandspRelease : undefined;
  }

  /** Starts a session over audio; see the class description for what it checks first. */
  start(options: SoftFaxOptions): SpandspFaxSession {
    const { native, pageCount, staged } = this.open(options, 'audio');
    return new SpandspFaxSession(native, options, pageCount, staged, this.logger, this.options.onFrame);
  }

  /**
   * Starts a T.38 terminal session (fax over IP without audio): IFP packets it wants sent go to
   * `onPacket`; feed received packets to `receive`, and call `tick` every 20 ms to run its timers.
   * spandsp 0.0.6 has no UDPTL layer: the caller wraps packets in UDPTL/RTP itself.
   */
  startT38(options: T38FaxSessionOptions): T38FaxSession {
    const { native, pageCount, staged } = this.open(options, 't38');
    return new T38FaxSession(native, options, pageCount, staged, this.logger, this.options.onFrame);
  }

  private open(
    options: SoftFaxOptions,
    transport: 'audio' | 't38',
  ): { native: NativeSession; pageCount: number | undefined; staged: string | undefined } {
    if (!this.state.available) {
      throw new HotlineError(FAX_UNAVAILABLE, `fax: the spandsp fax engine is not available (${this.state.reason})`, {
        details: { reason: this.state.reason },
      });
    }
    const binding = this.state.binding;
    if (options.files.length === 0) throw new HotlineError(ErrorCode.InvalidArgument, 'fax: no file given');
    let file: string;
    let staged: string | undefined;
    let pageCount: number | undefined;
    if (options.direction === 'send') {
      const docs = options.files.map((f) => ({ file: f, ...readDocument(f, this.options.limits) }));
      pageCount = docs.reduce((a, d) => a + d.tiff.pages.length, 0);
      const maxPages = this.options.limits?.maxPages ?? 200;
      if (pageCount > maxPages)
        throw faxDocumentError('oversized', `the job has ${pageCount} pages, more than the ${maxPages} allowed`);
      const only = docs[0];
      if (docs.length === 1 && only) {
        file = only.file;
      } else {
        staged = join(this.options.workDir ?? tmpdir(), `hotline-fax-${randomUUID()}.tif`);
        writeFileSync(staged, mergeFaxTiffs(docs));
        file = staged;
      }
    } else {
      if (options.files.length !== 1)
        throw new HotlineError(ErrorCode.InvalidArgument, 'fax: receive takes exactly one target path');
      file = options.files[0] as string;
      checkWritable(file);
    }
    const ecm = options.ecm ?? this.options.ecm ?? true;
    const modems = (this.options.modems ?? ['v17', 'v29', 'v27ter']).reduce((a, m) => a | MODEM_BITS[m], 0);
    const codings = (this.options.codings ?? ['t4-1d', 't4-2d', 't6']).reduce((a, c) => a | CODING_BITS[c], 0);
    try {
      const native = new binding.FaxSession({
        calling: options.calling,
        send: options.direction === 'send',
        file,
        transport,
        ecm,
        modems,
        compressions: codings,
        ...(options.localId === undefined ? {} : { localId: options.localId.slice(0, 20) }),
        ...(options.headerInfo === undefined ? {} : { headerInfo: options.headerInfo.slice(0, 50) }),
      });
      this.logger.debug('fax session started', {
        direction: options.direction,
        calling: options.calling,
        transport,
        ecm,
        pages: pageCount,
      });
      return { native, pageCount, staged };
    } catch (error) {
      if (staged) removeQuietly(staged);
      throw new HotlineError(ErrorCode.Driver, `fax: spandsp refused the session (${String(error)})`, { cause: error });
    }
  }
}

/**
 * One running fax: `process` it every 20 ms with the line's audio. Ends once, through the
 * options' `onEnd`, when T.30 finishes, fails, or `stop` is called (the call went away).
 */
export class SpandspFaxSession implements SoftFaxSession {
  protected native: NativeSession | undefined;
  private readonly tracker = new T30PhaseTracker();
  protected frames = 0;
  private pagesDone = 0;
  private negotiated = false;
  private announced = 0;
  private final: NativeStats | undefined;
  private ended = false;

  /** @internal Made by {@link SpandspFaxEngine.start}. */
  constructor(
    native: NativeSession,
    protected readonly options: SoftFaxOptions,
    private readonly pageCount: number | undefined,
    private readonly staged: string | undefined,
    protected readonly logger: Logger,
    private readonly onTrace?: (frame: T30FrameTrace) => void,
  ) {
    this.native = native;
  }

  /** Where the session is (phase, pages, line time). */
  get status(): SpandspFaxStatus {
    return {
      phase: this.tracker.phase,
      pagesDone: this.pagesDone,
      pageCount: this.pageCount,
      lineTimeMs: this.frames * 20,
      ended: this.ended,
      imageBytes: this.final?.imageSize,
      coding: this.final ? encodingName(this.final.encoding) : undefined,
    };
  }

  /** Consumes 20 ms received from the line and writes the next 20 ms to send. After the end, sends silence. */
  process(rx: Int16Array, tx: Int16Array): void {
    const native = this.native;
    if (!native) {
      tx.fill(0);
      return;
    }
    this.frames++;
    if (native.process(rx, tx) > 0) this.drain(native);
  }

  /** @internal Hook for transports with output besides audio (T.38 packets). */
  protected afterStep(_native: NativeSession): void {}

  /** The call went away or the job was cancelled: T.30 is terminated and the result reported. */
  stop(): void {
    const native = this.native;
    if (!native || this.ended) return;
    native.terminate();
    this.afterStep(native);
    this.drain(native);
    if (!this.ended) this.finish(native, 49 /* T30_ERR_CALLDROPPED */);
  }

  protected drain(native: NativeSession): void {
    const events = native.takeEvents();
    let frames = false;
    for (let i = 0; i + 1 < events.length && !this.ended; i += 2) {
      const kind = events[i] as number;
      const code = events[i + 1] as number;
      if (kind === NativeEvent.FrameRx || kind === NativeEvent.FrameTx) {
        frames = true;
        this.tracker.frame(code);
        if ((code & 0xfe) === T30_FRAMES.DCS && !this.negotiated) {
          this.negotiated = true;
          this.progress({ phase: 'negotiating', page: 1, ...this.rate(native), ...this.total() });
        }
        if (this.onTrace) {
          const fcf2 = (code >> 8) & 0xfe;
          const name =
            (code & 0xfe) === T30_FRAMES.PPS ? `PPS-${fcf2 === 0 ? 'NULL' : frameName(fcf2)}` : frameName(code);
          this.onTrace({ direction: kind === NativeEvent.FrameRx ? 'rx' : 'tx', name, phase: this.tracker.phase });
        }
      } else if (kind === NativeEvent.PhaseE) {
        this.pages(native);
        this.finish(native, code);
      }
    }
    if (frames && !this.ended) this.pages(native);
  }

  /**
   * Page progress from spandsp's own page counters (they move when a page is confirmed), and
   * a `page` event when image data of a page not yet announced starts.
   */
  private pages(native: NativeSession): void {
    const stats = native.stats();
    const done = this.options.direction === 'send' ? stats.pagesTx : stats.pagesRx;
    while (this.pagesDone < done) {
      this.pagesDone++;
      this.progress({ phase: 'page-done', page: this.pagesDone, ...this.rate(native), ...this.total() });
    }
    const next = this.pagesDone + 1;
    const more = this.pageCount === undefined || next <= this.pageCount;
    if (this.tracker.phase === 'C' && this.negotiated && this.announced < next && more) {
      this.announced = next;
      this.progress({ phase: 'page', page: next, ...this.rate(native), ...this.total() });
    }
  }

  private rate(native: NativeSession): { bitRate?: number } {
    const r = native.stats().bitRate;
    return r > 0 ? { bitRate: r } : {};
  }

  private total(): { pageCount?: number } {
    return this.pageCount === undefined ? {} : { pageCount: this.pageCount };
  }

  private progress(p: FaxProgress): void {
    try {
      this.options.onProgress(p);
    } catch (error) {
      this.logger.warn('fax onProgress threw', { error: String(error) });
    }
  }

  private finish(native: NativeSession, code: number): void {
    if (this.ended) return;
    this.ended = true;
    const stats: NativeStats = native.stats();
    this.final = stats;
    // A failure is charged to the phase the call was in when it went wrong, not to the DCN after it.
    const failurePhase = this.tracker.failurePhase;
    // Release spandsp (closes and flushes the received TIFF) before anyone looks at the file.
    native.close();
    this.native = undefined;
    if (this.staged) removeQuietly(this.staged);
    const pages = this.options.direction === 'send' ? stats.pagesTx : stats.pagesRx;
    const success = code === 0;
    const resolution = resolutionText(stats.xResolution, stats.yResolution);
    const result: FaxResult = {
      success,
      pages,
      result: success ? 'OK' : completionName(code),
      ...(stats.remoteId ? { remoteId: stats.remoteId.trim() } : {}),
      ...(stats.bitRate > 0 && this.negotiated ? { bitRate: stats.bitRate } : {}),
      ...(resolution && pages > 0 ? { resolution } : {}),
      ...(this.negotiated ? { ecm: stats.ecm } : {}),
      ...(success ? {} : { failurePhase }),
    };
    this.logger.debug('fax session ended', { result: result.result, pages, lineTimeMs: this.frames * 20 });
    try {
      this.options.onEnd(result);
    } catch (error) {
      this.logger.warn('fax onEnd threw', { error: String(error) });
    }
  }
}

function readDocument(file: string, limits: FaxTiffLimits | undefined): { data: Uint8Array; tiff: FaxTiff } {
  const maxBytes = limits?.maxBytes ?? 20 * 1024 * 1024;
  let data: Uint8Array;
  try {
    // Bounded synchronous read: the check must finish before the first audio frame, and the
    // file is at most `maxBytes` (a fax page is typically 20–100 kB).
    const size = statSync(file).size;
    if (size > maxBytes)
      throw faxDocumentError('oversized', `file is ${size} bytes, more than the ${maxBytes} allowed`, file);
    data = readFileSync(file);
  } catch (error) {
    if (error instanceof HotlineError) throw error;
    throw faxDocumentError(
      'unreadable',
      `cannot read (${error instanceof Error ? error.message : String(error)})`,
      file,
      error,
    );
  }
  return { data, tiff: parseFaxTiff(data, limits, file) };
}

function checkWritable(file: string): void {
  try {
    if (!statSync(dirname(file)).isDirectory()) throw new Error('not a directory');
    accessSync(dirname(file), constants.W_OK);
  } catch (error) {
    throw new HotlineError(
      ErrorCode.InvalidArgument,
      `fax: cannot write the received fax to ${file} (${error instanceof Error ? error.message : String(error)})`,
      {
        cause: error,
      },
    );
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone; nothing to clean.
  }
}

/** Options of a T.38 terminal session. */
export interface T38FaxSessionOptions extends SoftFaxOptions {
  /** An IFP packet to send; `count` is how many copies spandsp asks for (redundancy). */
  readonly onPacket: (packet: T38Packet) => void;
}

/** An IFP packet of a T.38 session, with the sequence number this session gave it. */
export interface T38Packet {
  readonly data: Uint8Array;
  readonly seq: number;
  readonly count: number;
}

/**
 * A T.38 terminal (ITU-T T.38 over IP, no audio): the same T.30 engine and the same progress and
 * result as an audio session, fed with IFP packets instead of samples.
 */
export class T38FaxSession extends SpandspFaxSession {
  private seq = 0;

  /** Not used by T.38 (there is no audio): sends silence. */
  override process(_rx: Int16Array, tx: Int16Array): void {
    tx.fill(0);
  }

  /** Advances the session's clock by `samples` (160 = 20 ms); call it every 20 ms. */
  tick(samples = 160): void {
    const native = this.native;
    if (!native) return;
    this.frames += samples / 160;
    const n = native.tick(samples);
    this.afterStep(native);
    if (n > 0) this.drain(native);
  }

  /** A packet arrived from the far end. */
  receive(packet: Uint8Array, seq: number): void {
    const native = this.native;
    if (!native) return;
    const n = native.rxIfp(packet, seq);
    this.afterStep(native);
    if (n > 0) this.drain(native);
  }

  protected override afterStep(native: NativeSession): void {
    for (const p of native.takePackets()) {
      const packet: T38Packet = { data: p.data, seq: this.seq, count: p.count };
      this.seq = (this.seq + 1) & 0xffff;
      try {
        (this.options as T38FaxSessionOptions).onPacket(packet);
      } catch (error) {
        this.logger.warn('fax onPacket threw', { error: String(error) });
      }
    }
  }
}
