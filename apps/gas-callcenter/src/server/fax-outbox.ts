/**
 * Outbound fax jobs with retries: dial a fax number on a free fax-capable trunk, send the pages,
 * and on a retryable outcome try again later (busy or no answer, no fax tone, the line dropped
 * or the far end hung up mid-fax, a transmission error). Hopeless outcomes stop at once: an
 * unallocated number, a far machine that cannot receive, a bad document.
 *
 * Every attempt is reported to the job's `onAttempt` (the fax desk writes it into the ticket
 * history) before the next one is scheduled. Timers run on the injected scheduler, so jobs run
 * in virtual time in tests exactly as in production.
 *
 * @module
 */
import { firstValueFrom, timer, type SchedulerLike } from 'rxjs';
import {
  ErrorCode,
  isHotlineError,
  maskPhone,
  type Board,
  type Channel,
  type FaxResult,
  type Logger,
} from '@hotline/cti-core';
import type { FaxAttemptOutcome } from './fax-messages.js';

/** One outbound fax to deliver. */
export interface OutboundFaxJob {
  /** The number to dial (as dialled on the trunk). */
  readonly number: string;
  /** TIFF-F pages to send (checked before the first attempt). */
  readonly files: readonly string[];
  /** For logs. */
  readonly label: string;
  /** Told after every attempt, before the next one is scheduled; awaited. */
  readonly onAttempt?: (attempt: FaxAttempt) => void | Promise<void>;
}

/** How one attempt ended. */
export interface FaxAttempt {
  readonly attempt: number;
  readonly outcome: FaxAttemptOutcome;
  /** The engine's result when a fax session ran. */
  readonly result?: FaxResult;
  /** Dial outcome or error code behind `outcome`. */
  readonly detail: string;
  /** When another attempt follows: in how many ms. */
  readonly retryInMs?: number;
  /** True for the last attempt of the job. */
  readonly final: boolean;
}

/** How a job ended. */
export interface FaxDelivery {
  readonly delivered: boolean;
  readonly attempts: readonly FaxAttempt[];
  readonly pages: number;
}

/** Options of {@link FaxOutbox}. */
export interface FaxOutboxOptions {
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Attempts per job, the first included (default 3). */
  readonly maxAttempts?: number;
  /** Wait before attempt 2, 3, …; the last value repeats (default 60 s, 300 s). */
  readonly retryDelaysMs?: readonly number[];
  /** Our fax identity (TSI), up to 20 characters. */
  readonly localId?: string;
  /** Ring time before an attempt counts as no answer (default 60 s). */
  readonly noAnswerTimeoutMs?: number;
  /** Longest fax session (default 15 min): a hung session is cut and retried. */
  readonly maxSessionMs?: number;
}

const RETRYABLE: ReadonlySet<FaxAttemptOutcome> = new Set([
  'busy',
  'no-answer',
  'no-fax',
  'hung-up',
  'line-error',
  'no-line',
  'failed',
]);

/** Runs outbound fax jobs on the trunks of a board. */
export class FaxOutbox {
  private board: Board | undefined;
  private readonly inUse = new Set<string>();
  private readonly jobs = new Set<Promise<FaxDelivery>>();
  private readonly stop = new AbortController();
  private seq = 0;

  constructor(private readonly o: FaxOutboxOptions) {}

  /** The board whose trunks dial out (set once the call centre is open). */
  attach(board: Board): void {
    this.board = board;
  }

  /** Jobs not finished yet. */
  get pending(): number {
    return this.jobs.size;
  }

  /** Starts a job; the promise resolves when it is delivered or given up (never rejects). */
  send(job: OutboundFaxJob): Promise<FaxDelivery> {
    const id = ++this.seq;
    const run = this.run(id, job).catch((error: unknown): FaxDelivery => {
      this.o.logger.error('fax job failed unexpectedly', { job: id, label: job.label, error: String(error) });
      return { delivered: false, attempts: [], pages: 0 };
    });
    this.jobs.add(run);
    void run.finally(() => this.jobs.delete(run));
    return run;
  }

  /** Stops retrying (jobs end after their current attempt) and waits for them. */
  async close(): Promise<void> {
    this.stop.abort();
    await Promise.all([...this.jobs]);
  }

  private async run(id: number, job: OutboundFaxJob): Promise<FaxDelivery> {
    const max = Math.max(1, this.o.maxAttempts ?? 3);
    const delays = this.o.retryDelaysMs && this.o.retryDelaysMs.length > 0 ? this.o.retryDelaysMs : [60_000, 300_000];
    const attempts: FaxAttempt[] = [];
    for (let n = 1; ; n++) {
      const a = await this.attempt(job);
      const retryable = RETRYABLE.has(a.outcome) && n < max && !this.stop.signal.aborted;
      const retryInMs = retryable ? (delays[Math.min(n - 1, delays.length - 1)] ?? 60_000) : undefined;
      const attempt: FaxAttempt = {
        attempt: n,
        ...a,
        ...(retryInMs === undefined ? {} : { retryInMs }),
        final: retryInMs === undefined,
      };
      attempts.push(attempt);
      this.o.logger.info('fax attempt', {
        job: id,
        label: job.label,
        number: maskPhone(job.number),
        attempt: n,
        outcome: a.outcome,
        detail: a.detail,
        retryInMs,
      });
      try {
        await job.onAttempt?.(attempt);
      } catch (error) {
        this.o.logger.error('recording a fax attempt failed', { job: id, label: job.label, error: String(error) });
      }
      if (a.outcome === 'sent') return { delivered: true, attempts, pages: a.result?.pages ?? 0 };
      if (retryInMs === undefined) return { delivered: false, attempts, pages: 0 };
      await this.sleep(retryInMs);
      if (this.stop.signal.aborted) return { delivered: false, attempts, pages: 0 };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const sub = timer(ms, this.o.scheduler).subscribe(() => {
        this.stop.signal.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = (): void => {
        sub.unsubscribe();
        resolve();
      };
      this.stop.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A free trunk that can fax; the highest-numbered first, as inbound calls take the lowest. */
  private pickLine(): Channel | undefined {
    const board = this.board;
    if (!board) return undefined;
    for (let i = board.channels.length - 1; i >= 0; i--) {
      const ch = board.channels[i]!;
      if (ch.info.kind === 'station' || !ch.capabilities.fax || ch.state.state !== 'idle' || this.inUse.has(ch.id))
        continue;
      return ch;
    }
    return undefined;
  }

  private async attempt(job: OutboundFaxJob): Promise<Omit<FaxAttempt, 'attempt' | 'final' | 'retryInMs'>> {
    const ch = this.pickLine();
    if (!ch) return { outcome: 'no-line', detail: this.board ? 'no idle fax-capable trunk' : 'no board' };
    this.inUse.add(ch.id);
    try {
      let dialed;
      try {
        dialed = await ch.dial(job.number, { noAnswerTimeoutMs: this.o.noAnswerTimeoutMs ?? 60_000 });
      } catch (error) {
        return { outcome: 'no-line', detail: isHotlineError(error) ? error.code : String(error) };
      }
      if (!dialed.connected) {
        const o = dialed.outcome;
        const outcome: FaxAttemptOutcome =
          o === 'busy'
            ? 'busy'
            : o === 'no-answer'
              ? 'no-answer'
              : o === 'unallocated'
                ? 'bad-number'
                : o === 'no-dial-tone'
                  ? 'no-line'
                  : 'failed';
        return { outcome, detail: o };
      }
      const limit = new AbortController();
      const watchdog = timer(this.o.maxSessionMs ?? 900_000, this.o.scheduler).subscribe(() => limit.abort());
      try {
        const result = await ch.fax({
          direction: 'send',
          files: [...job.files],
          ...(this.o.localId ? { localId: this.o.localId } : {}),
          signal: limit.signal,
        });
        return { outcome: classify(result), detail: result.result, result };
      } catch (error) {
        if (isHotlineError(error) && error.hangup) return { outcome: 'hung-up', detail: error.code };
        if (isHotlineError(error, ErrorCode.MediaFormat)) return { outcome: 'bad-document', detail: error.message };
        return { outcome: 'failed', detail: isHotlineError(error) ? error.code : String(error) };
      } finally {
        watchdog.unsubscribe();
      }
    } finally {
      if (ch.state.state !== 'idle') await ch.hangup().catch(() => undefined);
      this.inUse.delete(ch.id);
    }
  }
}

/** The attempt outcome of a finished fax session. */
export function classify(r: FaxResult): FaxAttemptOutcome {
  if (r.success) return 'sent';
  const code = r.result;
  if (/T0_EXPIRED|T1_EXPIRED|TX_NODIS|CEDTONE/.test(code)) return 'no-fax';
  if (/RX_INCAPABLE|TX_INCAPABLE|INCOMPATIBLE|NORESSUPPORT|NOSIZESUPPORT|_UNACCEPTABLE/.test(code))
    return 'not-capable';
  if (/CALLDROPPED|TX_GOTDCN/.test(code)) return 'hung-up';
  if (/FILEERROR|NOPAGE|BADTIFF|BADPAGE|BADTAG|BADTIFFHDR/.test(code)) return 'bad-document';
  return 'line-error';
}

/** Waits `ms` on a scheduler (helper for callers that pace their own work). */
export function pause(ms: number, scheduler: SchedulerLike): Promise<void> {
  return firstValueFrom(timer(ms, scheduler)).then(() => undefined);
}
