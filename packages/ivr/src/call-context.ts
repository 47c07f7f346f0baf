/**
 * The call context: what a flow does with one call. Every operation is a node of the call's
 * path (entered/left on the analytics stream), is time-bounded, and ends with an `ERR_HANGUP`
 * error (`hangup: true`) the moment the caller hangs up, so flows never run on a dead call.
 *
 * @module
 */
import { timer, type SchedulerLike, type Subscription } from 'rxjs';
import {
  ErrorCode,
  HotlineError,
  isHotlineError,
  maskDigits,
  maskPhone,
  type CallInfo,
  type Channel,
  type Logger,
  type PlayResult,
  type RecordResult,
} from '@hotline/cti-core';
import type { AcdAdapter, AcdResult, RecordingControl, TransferLines } from './adapters.js';
import type { IvrEvent, NodeKind, NodeResult } from './analytics.js';
import { IvrErrorCode, ivrError } from './errors.js';
import type { FlowDefinition } from './flow.js';
import type { Locale } from './locale.js';
import type { PromptCatalog } from './prompt-catalog.js';
import { planSay } from './say/index.js';
import type { SayValue } from './say/values.js';
import { agentSignal, backSignal, endSignal, isFlowSignal, type FlowSignal } from './signals.js';
import { StandardPrompt } from './standard-prompts.js';
import type { EntryValidator } from './validators.js';
import { runSurvey, type SurveyAnswers, type SurveyQuestion, type SurveyResult } from './survey.js';
import { runVoicemail, type VoicemailMessage, type VoicemailSpec } from './voicemail.js';

/** How long recording stays paused after a secret entry is complete (the last key's tone ends). */
const SECRET_TAIL_MS = 300;

/** A prompt to play: a catalog id, a value to speak, or a file path (e.g. a caller's recording). */
export type PromptRef = string | { readonly say: SayValue } | { readonly file: string };

/** One prompt or several played back to back. */
export type Prompts = PromptRef | readonly PromptRef[];

/** Timing and retry defaults of every node; each node spec can override its own. */
export interface StepDefaults {
  /** Time for the first key after a prompt (default 5000 ms). */
  readonly firstDigitTimeoutMs: number;
  /** Time between keys of an entry (default 3000 ms). */
  readonly interDigitTimeoutMs: number;
  /** Invalid entries plus timeouts before the max-failures exit (default 3). */
  readonly maxFailures: number;
  /** Time allowed to an app service call (default 3000 ms). */
  readonly serviceTimeoutMs: number;
  /** A service call slower than this gets the please-wait prompt (default 1000 ms). */
  readonly slowServiceMs: number;
  /** Longest wait in an ACD queue (default 300 000 ms). */
  readonly queueMaxWaitMs: number;
  /** Ring time of a transfer (default 30 000 ms). */
  readonly transferTimeoutMs: number;
  /** Longest fax session (default 600 000 ms). */
  readonly faxMaxMs: number;
  /** A play may overrun its prompts' length by this much before it is stopped (default 5000 ms). */
  readonly playMarginMs: number;
}

/** The defaults of {@link StepDefaults}. */
export const DEFAULT_STEP_DEFAULTS: StepDefaults = {
  firstDigitTimeoutMs: 5000,
  interDigitTimeoutMs: 3000,
  maxFailures: 3,
  serviceTimeoutMs: 3000,
  slowServiceMs: 1000,
  queueMaxWaitMs: 300_000,
  transferTimeoutMs: 30_000,
  faxMaxMs: 600_000,
  playMarginMs: 5000,
};

/** Options of {@link CallContext.play}. */
export interface PlayNodeOptions {
  /** Node id for analytics (default `play`). */
  readonly id?: string;
  /** Barge-in: a key stops the prompt (`true` = any key, a string = those keys; default true). The key stays buffered. */
  readonly bargeIn?: boolean | string;
  /** Discard keys typed before the prompt (default false). */
  readonly flush?: boolean;
}

/** What happens when a node's failures reach its maximum. */
export type MaxFailuresExit = 'agent' | 'goodbye';

/** A keypad menu. */
export interface MenuSpec<K extends string> {
  /** Node id (analytics, logs). */
  readonly id: string;
  readonly prompt: Prompts;
  /** The keys that are choices. */
  readonly choices: readonly K[];
  /** Time for a key after the prompt (default {@link StepDefaults.firstDigitTimeoutMs}). */
  readonly timeoutMs?: number;
  readonly maxFailures?: number;
  /** Played after an invalid key (default `ivr.invalid`). */
  readonly invalidPrompt?: Prompts;
  /** Played after no key (default `ivr.timeout`). */
  readonly timeoutPrompt?: Prompts;
  /** Exit at max failures: to an agent, goodbye, or a default choice (default: the runtime's). */
  readonly onMaxFailures?: MaxFailuresExit | { readonly choose: K };
  /** `*` returns to the previous menu (default: true inside a sub-flow, false at the top). */
  readonly back?: boolean;
  /** Key that reaches an agent (default `'0'`; `false` disables). A key listed in `choices` wins. */
  readonly agentKey?: string | false;
}

/** A validated keypad entry. */
export interface CollectSpec<T> {
  readonly id: string;
  readonly prompt: Prompts;
  readonly validator: EntryValidator<T>;
  /** Key that ends a variable-length entry (default `#`). */
  readonly terminator?: string;
  readonly firstDigitTimeoutMs?: number;
  readonly interDigitTimeoutMs?: number;
  readonly maxFailures?: number;
  readonly invalidPrompt?: Prompts;
  readonly timeoutPrompt?: Prompts;
  /** Exit at max failures: to an agent, goodbye, or a fallback value the flow handles. */
  readonly onMaxFailures?: MaxFailuresExit | { readonly fallback: T };
  /** Read the entry back and ask the caller to confirm with 1 or re-enter with 2 (never for secrets). */
  readonly confirm?: (value: T, entry: string) => Prompts;
  /** `*` with nothing keyed returns to the previous menu (default: true inside a sub-flow). */
  readonly back?: boolean;
}

/** Options of {@link CallContext.record}. */
export interface RecordSpec {
  readonly id: string;
  readonly prompt?: Prompts;
  /** Longest recording (default 120 000 ms). */
  readonly maxDurationMs?: number;
  /** Stop after this much silence once the caller has spoken (default 5000 ms; 0 disables). */
  readonly silenceMs?: number;
  /** Keys that end the recording (default `#`). */
  readonly stopKeys?: string;
  /** Beep before recording (default true). */
  readonly beep?: boolean;
  /** File to record into (default `<recordingsDir>/<callId>-<id>-<n>.wav`). */
  readonly path?: string;
}

/** A request to queue the caller to an agent. */
export interface QueueSpec {
  readonly id?: string;
  readonly skills: readonly string[];
  readonly priority?: number;
  readonly maxWaitMs?: number;
  /** Played in a loop while waiting (default `ivr.hold`). */
  readonly holdPrompt?: Prompts;
}

/** How a queue attempt that did not reach an agent ended (reaching one ends the flow). */
export type QueueOutcome =
  | { readonly status: 'timeout' }
  | { readonly status: 'rejected' | 'closed'; readonly reason?: string }
  | { readonly status: 'unavailable' };

/** Options of {@link CallContext.transfer}. */
export interface TransferSpec {
  readonly id?: string;
  readonly timeoutMs?: number;
  /** Played before dialling. */
  readonly announce?: Prompts;
}

/** How a transfer that did not connect ended (a connected transfer ends the flow). */
export type TransferOutcome =
  | { readonly status: 'busy' | 'no-answer' | 'unallocated' | 'congestion' | 'rejected' | 'no-dial-tone' | 'failed' }
  | { readonly status: 'no-line' | 'unavailable' };

/** Options of {@link CallContext.fax}. */
export interface FaxSpec {
  readonly id?: string;
  /** TIFF-F documents to send. */
  readonly documents: readonly string[];
  /** Played before the fax starts (default `fax.start`). */
  readonly prompt?: Prompts;
}

/** How a fax-on-demand attempt ended. */
export type FaxOutcome =
  | { readonly status: 'sent'; readonly pages: number }
  | { readonly status: 'failed' | 'unsupported'; readonly reason: string };

/** Options of {@link CallContext.service}. */
export interface ServiceOptions {
  readonly id?: string;
  /** Time allowed per attempt (default {@link StepDefaults.serviceTimeoutMs}). */
  readonly timeoutMs?: number;
  /** Further attempts after a failure or timeout, within the same node (default 0). */
  readonly retries?: number;
  /** Played once when the service is slower than `slowAfterMs` (default `ivr.please-wait`; false = none). */
  readonly waitPrompt?: Prompts | false;
  readonly slowAfterMs?: number;
  /** Played when the service failed (default `ivr.service-unavailable`; false = none). */
  readonly fallbackPrompt?: Prompts | false;
}

/** Result of an app service call. */
export type ServiceResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: 'timeout' | 'error'; readonly error?: unknown };

/** Result of a sub-flow: its value, or `back` when the caller pressed `*` in its first menu. */
export type SubFlowResult<R> = { readonly status: 'done'; readonly value: R } | { readonly status: 'back' };

/** @internal What a call context needs from its runtime. */
export interface ContextHost {
  readonly catalog: PromptCatalog;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly defaults: StepDefaults;
  readonly acd: AcdAdapter | undefined;
  readonly agentExit: MaxFailuresExit;
  readonly transferLines: TransferLines | undefined;
  readonly recordingsDir: string | undefined;
  emit(event: IvrEvent): void;
  voicemail(message: VoicemailMessage): void;
  survey(result: SurveyResult<readonly SurveyQuestion[]>, callId: string, id: string): void;
}

interface NodeTrack {
  failures: number;
  input?: string;
  result?: NodeResult;
}

function prompts(p: Prompts | undefined): readonly PromptRef[] {
  if (p === undefined) return [];
  return typeof p === 'string' || !Array.isArray(p) ? [p as PromptRef] : (p as readonly PromptRef[]);
}

/**
 * One call in the IVR. Flows receive it; the runtime creates it. Operations reject with a
 * `HotlineError` whose `hangup` flag is set once the caller has hung up; `*`, `0` and
 * max-failures exits travel as {@link FlowSignal}s, which flows must not swallow.
 */
export class CallContext {
  /** The caller's channel. */
  readonly channel: Channel;
  /** The call. */
  readonly call: CallInfo;
  /** The call's id. */
  readonly callId: string;
  /**
   * Data for the agent's screen pop, handed to the ACD with a queue request. Never put secrets
   * here.
   */
  readonly data: Record<string, string | number | boolean> = {};
  /** Variables of declarative menus (`store:` targets) and scratch space of code flows. */
  readonly vars: Record<string, unknown> = {};
  /** Aborted when the caller hangs up or the flow ends; give it to app services. */
  readonly signal: AbortSignal;

  private localeValue: Locale;
  private readonly host: ContextHost;
  private readonly recording: RecordingControl | undefined;
  private readonly abort = new AbortController();
  private readonly stateSub: Subscription;
  private readonly cleanups: (() => void | Promise<void>)[] = [];
  private readonly visited: string[] = [];
  private readonly hangupWaiters = new Set<(error: HotlineError) => void>();
  private depth = 0;
  private recordSeq = 0;
  private current = 'start';
  private hungUpFlag = false;
  private localRelease = false;

  /** @internal Created by the runtime for a connected call. */
  constructor(host: ContextHost, channel: Channel, locale: Locale, recording: RecordingControl | undefined) {
    this.host = host;
    this.channel = channel;
    const call = channel.call;
    if (!call) throw ivrError(IvrErrorCode.InvalidArgument, `channel ${channel.id} has no call`);
    this.call = call;
    this.callId = call.id;
    this.localeValue = locale;
    this.recording = recording;
    this.signal = this.abort.signal;
    this.stateSub = channel.state$.subscribe((s) => {
      if (s.state !== 'connected' && !this.hungUpFlag) {
        this.hungUpFlag = true;
        const error = this.hangupError();
        for (const w of this.hangupWaiters) w(error);
        this.hangupWaiters.clear();
        this.abort.abort(error);
      }
    });
  }

  /** The locale prompts and speech are played in (zh-CN unless the flow switched). */
  get locale(): Locale {
    return this.localeValue;
  }

  /** Switches the language of everything played from now on (e.g. "for English press 9"). */
  setLocale(locale: Locale): void {
    if (!this.host.catalog.locales.includes(locale)) {
      throw ivrError(IvrErrorCode.InvalidArgument, `locale ${locale} is not served by the prompt catalog`);
    }
    this.localeValue = locale;
  }

  /** True once the caller has hung up (or the call was released). */
  get hungUp(): boolean {
    return this.hungUpFlag;
  }

  /** True when the IVR itself released the call. */
  get releasedByIvr(): boolean {
    return this.localRelease;
  }

  /** The node the call is in. */
  get currentNode(): string {
    return this.current;
  }

  /** Ids of the nodes entered so far, in order. */
  get path(): readonly string[] {
    return this.visited;
  }

  /** Current scheduler time, ms. */
  now(): number {
    return this.host.scheduler.now();
  }

  /** Registers a release action run when the call's flow ends, however it ends (last in, first out). */
  defer(cleanup: () => void | Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  // ------------------------------------------------------------------------------ nodes

  /** Plays prompts (barge-in by default); resolves with why the play ended. */
  play(prompt: Prompts, options: PlayNodeOptions = {}): Promise<PlayResult> {
    return this.node('play', options.id ?? 'play', () =>
      this.playRefs(prompts(prompt), options.bargeIn ?? true, options.flush ?? false),
    );
  }

  /** Speaks a value (money, a date, digits...) in the call's locale. */
  say(value: SayValue, options: PlayNodeOptions = {}): Promise<PlayResult> {
    return this.node('say', options.id ?? 'say', () =>
      this.playRefs([{ say: value }], options.bargeIn ?? true, options.flush ?? false),
    );
  }

  /**
   * A keypad menu: plays the prompt (barge-in), waits for one key, and resolves with a choice.
   * Invalid keys and timeouts play their prompts and retry up to `maxFailures`, then take the
   * max-failures exit. `0` reaches an agent and `*` returns to the previous menu (see
   * {@link MenuSpec}).
   */
  menu<K extends string>(spec: MenuSpec<K>): Promise<K> {
    return this.node('menu', spec.id, async (track) => {
      const d = this.host.defaults;
      const max = spec.maxFailures ?? d.maxFailures;
      const agentKey = spec.agentKey === undefined ? '0' : spec.agentKey;
      const back = spec.back ?? this.depth > 0;
      const choices = new Set<string>(spec.choices);
      let first = true;
      for (;;) {
        await this.playRefs(prompts(spec.prompt), true, !first);
        first = false;
        const r = await this.collectKeys({
          maxDigits: 1,
          firstDigitTimeoutMs: spec.timeoutMs ?? d.firstDigitTimeoutMs,
        });
        const key = r.digits;
        if (key === '') {
          track.failures++;
          this.emitInput(spec.id, '', false, false, 'timeout');
          if (track.failures >= max) return this.exitMaxFailures(spec.id, track, spec.onMaxFailures);
          await this.playRefs(prompts(spec.timeoutPrompt ?? StandardPrompt.Timeout), true, true);
          continue;
        }
        if (choices.has(key)) {
          track.input = key;
          this.emitInput(spec.id, key, false, true);
          return key as K;
        }
        if (agentKey !== false && key === agentKey) {
          track.input = key;
          this.emitInput(spec.id, key, false, true);
          throw agentSignal(spec.id, 'caller-request');
        }
        if (key === '*') {
          track.input = key;
          this.emitInput(spec.id, key, false, true);
          if (back) throw backSignal(spec.id);
          continue; // no previous menu: `*` repeats this one
        }
        track.failures++;
        this.emitInput(spec.id, key, false, false, 'not-a-choice');
        if (track.failures >= max) return this.exitMaxFailures(spec.id, track, spec.onMaxFailures);
        await this.playRefs(prompts(spec.invalidPrompt ?? StandardPrompt.Invalid), true, true);
      }
    });
  }

  /**
   * A validated keypad entry. Fixed-length entries end by themselves; variable ones end with the
   * terminator (`#`) or a pause. Secret entries (PINs) are masked everywhere and the call
   * recording is paused while they are keyed.
   */
  collect<T>(spec: CollectSpec<T>): Promise<T> {
    return this.node('collect', spec.id, async (track) => {
      const d = this.host.defaults;
      const v = spec.validator;
      const secret = v.secret ?? false;
      if (secret && spec.confirm) {
        throw ivrError(
          IvrErrorCode.InvalidArgument,
          `collect ${spec.id}: a secret entry is never read back (remove confirm)`,
        );
      }
      const max = spec.maxFailures ?? d.maxFailures;
      const back = spec.back ?? this.depth > 0;
      const extra = v.extraKeys ?? '';
      const terminator = spec.terminator ?? '#';
      // `*` ends the entry (to go back, or to start again) unless it is part of it (amounts).
      const terminators = terminator + (extra.includes('*') ? '' : '*');
      if (secret) await this.pauseRecording(spec.id);
      try {
        let first = true;
        // A caller who starts the new entry during the invalid/timeout prompt keeps those keys:
        // the entry prompt is not played again over them.
        let typingAhead = false;
        for (;;) {
          if (!typingAhead) await this.playRefs(prompts(spec.prompt), true, !first);
          first = false;
          typingAhead = false;
          const r = await this.collectKeys({
            maxDigits: v.maxDigits,
            terminators,
            firstDigitTimeoutMs: spec.firstDigitTimeoutMs ?? d.firstDigitTimeoutMs,
            interDigitTimeoutMs: spec.interDigitTimeoutMs ?? d.interDigitTimeoutMs,
          });
          const shown = secret ? maskDigits(r.digits) : r.digits;
          if (r.reason === 'terminator' && r.terminator === '*' && !extra.includes('*')) {
            if (r.digits === '' && back) {
              track.input = '*';
              throw backSignal(spec.id);
            }
            continue; // `*` while keying: start the entry again
          }
          if (r.digits === '') {
            track.failures++;
            this.emitInput(spec.id, '', secret, false, 'timeout');
            if (track.failures >= max) return this.exitMaxFailures(spec.id, track, spec.onMaxFailures);
            typingAhead =
              (await this.playRefs(prompts(spec.timeoutPrompt ?? StandardPrompt.Timeout), true, true)).reason ===
              'digit';
            continue;
          }
          const result = v.validate(r.digits);
          if (!result.ok) {
            track.failures++;
            this.emitInput(spec.id, shown, secret, false, result.reason);
            this.host.logger.debug('entry refused', {
              callId: this.callId,
              node: spec.id,
              digits: shown,
              reason: result.reason,
            });
            if (track.failures >= max) return this.exitMaxFailures(spec.id, track, spec.onMaxFailures);
            typingAhead =
              (await this.playRefs(prompts(spec.invalidPrompt ?? StandardPrompt.Invalid), true, true)).reason ===
              'digit';
            continue;
          }
          this.emitInput(spec.id, shown, secret, true);
          track.input = shown;
          if (spec.confirm) {
            const answer = await this.menu({
              id: `${spec.id}.confirm`,
              prompt: [
                StandardPrompt.YouEntered,
                ...prompts(spec.confirm(result.value, r.digits)),
                StandardPrompt.ConfirmEntry,
              ],
              choices: ['1', '2'] as const,
              back: false,
              agentKey: false,
              maxFailures: max,
              onMaxFailures: { choose: '2' },
            });
            if (answer === '2') {
              track.failures++;
              if (track.failures >= max) return this.exitMaxFailures(spec.id, track, spec.onMaxFailures);
              continue;
            }
          }
          return result.value;
        }
      } finally {
        if (secret) await this.resumeRecording(spec.id);
      }
    });
  }

  /** Records the caller (voicemail, a complaint...); a hangup ends the recording and keeps it. */
  record(spec: RecordSpec): Promise<RecordResult> {
    return this.node('record', spec.id, async (track) => {
      const path = spec.path ?? this.recordingPath(spec.id);
      if (spec.prompt !== undefined) await this.playRefs(prompts(spec.prompt), spec.stopKeys ?? '#', true);
      this.channel.flushDigits();
      const result = await this.op(() =>
        this.channel.record(path, {
          maxDurationMs: spec.maxDurationMs ?? 120_000,
          silenceMs: spec.silenceMs ?? 5000,
          stopOnDigits: spec.stopKeys ?? '#',
          beep: spec.beep ?? true,
        }),
      );
      if (result.reason === 'hangup') track.result = 'hangup';
      return result;
    });
  }

  /**
   * Queues the caller to an agent through the app's ACD, playing the hold prompt meanwhile.
   * Reaching an agent ends the flow (the call is handed off); otherwise resolves with why not.
   */
  queue(spec: QueueSpec): Promise<QueueOutcome> {
    const id = spec.id ?? 'queue';
    return this.node('queue', id, async (track) => {
      const acd = this.host.acd;
      if (!acd) return { status: 'unavailable' } as const;
      this.guard();
      const request = new AbortController();
      this.defer(() => request.abort());
      const pending = acd.enqueue(
        {
          callId: this.callId,
          channel: this.channel,
          skills: [...spec.skills],
          priority: spec.priority ?? 0,
          ...(this.call.callerId === undefined ? {} : { callerId: this.call.callerId }),
          data: { ...this.data },
        },
        request.signal,
      );
      const hold = new AbortController();
      const holdRefs = prompts(spec.holdPrompt ?? StandardPrompt.Hold);
      const holdLoop = (async () => {
        while (!hold.signal.aborted) await this.playRefs(holdRefs, false, false, hold.signal);
      })();
      let timeout: Subscription | undefined;
      let outcome: AcdResult | 'timeout';
      try {
        outcome = await new Promise<AcdResult | 'timeout'>((resolve, reject) => {
          pending.then(resolve, (error: unknown) => resolve({ status: 'rejected', reason: String(error) }));
          timeout = timer(spec.maxWaitMs ?? this.host.defaults.queueMaxWaitMs, this.host.scheduler).subscribe(() =>
            resolve('timeout'),
          );
          holdLoop.catch((error: unknown) => {
            if (!(isHotlineError(error) && error.canceled)) reject(error);
          });
        });
      } catch (error) {
        request.abort();
        throw error;
      } finally {
        timeout?.unsubscribe();
        hold.abort();
        await holdLoop.catch(() => undefined);
      }
      if (outcome === 'timeout') {
        request.abort();
        track.result = 'timeout';
        return { status: 'timeout' } as const;
      }
      if (outcome.status === 'assigned') {
        throw endSignal(id, 'handed-off', { kind: 'agent', agentId: outcome.agentId });
      }
      track.result = 'failed';
      return outcome.reason === undefined
        ? { status: outcome.status }
        : { status: outcome.status, reason: outcome.reason };
    });
  }

  /**
   * Transfers the caller to a number on one of the app's outbound lines: dials, and on answer
   * bridges the two and ends the flow (handed off). A failed attempt plays `ivr.transfer-failed`
   * and resolves with why.
   */
  transfer(target: string, spec: TransferSpec = {}): Promise<TransferOutcome> {
    const id = spec.id ?? 'transfer';
    return this.node('transfer', id, async (track) => {
      const lines = this.host.transferLines;
      if (!lines) return { status: 'unavailable' } as const;
      if (spec.announce !== undefined) await this.playRefs(prompts(spec.announce), false, false);
      this.guard();
      const line = lines.acquire();
      if (!line) {
        track.result = 'failed';
        await this.playRefs([StandardPrompt.TransferFailed], false, false);
        return { status: 'no-line' } as const;
      }
      let bridged = false;
      try {
        const result = await this.op(() =>
          line.dial(target, {
            noAnswerTimeoutMs: spec.timeoutMs ?? this.host.defaults.transferTimeoutMs,
            signal: this.signal,
          }),
        );
        if (result.connected) {
          await this.op(() => this.channel.bridge(line));
          bridged = true;
          throw endSignal(id, 'handed-off', { kind: 'transfer', target: maskPhone(target) });
        }
        track.result = 'failed';
        await this.playRefs([StandardPrompt.TransferFailed], false, false);
        return { status: result.outcome };
      } finally {
        if (!bridged) {
          await line.hangup().catch(() => undefined);
          lines.release(line);
        }
      }
    });
  }

  /** Fax on demand: sends documents to the caller's fax machine on this call. */
  fax(spec: FaxSpec): Promise<FaxOutcome> {
    const id = spec.id ?? 'fax';
    return this.node('fax', id, async (track) => {
      if (spec.documents.length === 0) throw ivrError(IvrErrorCode.InvalidArgument, `fax ${id}: no documents to send`);
      await this.playRefs(prompts(spec.prompt ?? StandardPrompt.FaxStart), false, true);
      let outcome: FaxOutcome;
      const limit = new AbortController();
      const watchdog = timer(this.host.defaults.faxMaxMs, this.host.scheduler).subscribe(() => limit.abort());
      try {
        const r = await this.op(() =>
          this.channel.fax({ direction: 'send', files: [...spec.documents], signal: limit.signal }),
        );
        outcome = r.success ? { status: 'sent', pages: r.pages } : { status: 'failed', reason: r.result };
      } catch (error) {
        if (this.hungUpFlag || (isHotlineError(error) && error.hangup)) throw this.hangupError(error);
        if (isHotlineError(error, ErrorCode.Unsupported)) outcome = { status: 'unsupported', reason: error.message };
        else outcome = { status: 'failed', reason: isHotlineError(error) ? error.code : String(error) };
      } finally {
        watchdog.unsubscribe();
      }
      if (outcome.status === 'sent') {
        await this.playRefs([StandardPrompt.FaxSent], false, false);
      } else {
        track.result = 'failed';
        this.host.logger.warn('fax on demand failed', { callId: this.callId, node: id, reason: outcome.reason });
        await this.playRefs([StandardPrompt.FaxFailed], false, false);
      }
      return outcome;
    });
  }

  /** Voicemail: greeting, recording, review, callback number and reply wish (see {@link VoicemailSpec}). */
  voicemail(spec: VoicemailSpec = {}): Promise<VoicemailMessage | undefined> {
    const id = spec.id ?? 'voicemail';
    return this.node('voicemail', id, () => runVoicemail(this, { ...spec, id }, (m) => this.host.voicemail(m)));
  }

  /** A keypad survey; the typed result is returned and also published on `results$` (partial on hangup). */
  survey<const Q extends readonly SurveyQuestion[]>(id: string, questions: Q): Promise<SurveyResult<Q>> {
    return this.node('survey', id, () =>
      runSurvey(this, id, questions, (r) =>
        this.host.survey(r as SurveyResult<readonly SurveyQuestion[]>, this.callId, id),
      ),
    );
  }

  /**
   * Calls an app service (bill lookup...) with a timeout and retries. A slow service gets the
   * please-wait prompt; a failed one the spoken fallback. Never throws for the service's own
   * failures (a hangup still ends the flow).
   */
  service<T>(
    name: string,
    fn: (signal: AbortSignal) => Promise<T>,
    options: ServiceOptions = {},
  ): Promise<ServiceResult<T>> {
    const id = options.id ?? `service:${name}`;
    return this.node('service', id, async (track) => {
      const d = this.host.defaults;
      const attempts = 1 + Math.max(0, options.retries ?? 0);
      let last: ServiceResult<T> = { ok: false, reason: 'error' };
      const waitRefs = options.waitPrompt === false ? [] : prompts(options.waitPrompt ?? StandardPrompt.PleaseWait);
      let waited = false;
      for (let attempt = 0; attempt < attempts; attempt++) {
        this.guard();
        const started = this.now();
        const ac = new AbortController();
        const onEnd = (): void => ac.abort();
        this.signal.addEventListener('abort', onEnd, { once: true });
        const wait = new AbortController();
        let waitPlay: Promise<unknown> = Promise.resolve();
        const slow =
          waited || waitRefs.length === 0
            ? undefined
            : timer(options.slowAfterMs ?? d.slowServiceMs, this.host.scheduler).subscribe(() => {
                waited = true;
                waitPlay = this.playRefs(waitRefs, false, false, wait.signal).catch(() => undefined);
              });
        let timeoutSub: Subscription | undefined;
        try {
          last = await new Promise<ServiceResult<T>>((resolve, reject) => {
            timeoutSub = timer(options.timeoutMs ?? d.serviceTimeoutMs, this.host.scheduler).subscribe(() =>
              resolve({ ok: false, reason: 'timeout' }),
            );
            this.onHangup(reject);
            fn(ac.signal).then(
              (value) => resolve({ ok: true, value }),
              (error: unknown) => resolve({ ok: false, reason: 'error', error }),
            );
          });
        } finally {
          timeoutSub?.unsubscribe();
          slow?.unsubscribe();
          ac.abort();
          this.signal.removeEventListener('abort', onEnd);
          wait.abort();
          await waitPlay;
        }
        this.host.emit({
          type: 'service',
          at: this.now(),
          callId: this.callId,
          node: id,
          service: name,
          status: last.ok ? 'ok' : last.reason,
          durationMs: this.now() - started,
        });
        if (last.ok) return last;
        track.failures++;
        this.host.logger.warn('service call failed', {
          callId: this.callId,
          service: name,
          reason: last.reason,
          attempt: attempt + 1,
          ...(last.reason === 'error' ? { error: String(last.error) } : {}),
        });
      }
      track.result = last.ok ? 'ok' : last.reason === 'timeout' ? 'timeout' : 'failed';
      if (options.fallbackPrompt !== false) {
        await this.playRefs(prompts(options.fallbackPrompt ?? StandardPrompt.ServiceUnavailable), false, false);
      }
      return last;
    });
  }

  /**
   * Runs a sub-flow (a sub-menu). A `*` pressed in the sub-flow's menus unwinds to here and
   * resolves `{ status: 'back' }`, so the caller's menu plays again.
   */
  sub<A, R>(flow: FlowDefinition<A, R>, args: A): Promise<SubFlowResult<R>> {
    return this.node('sub-flow', `flow:${flow.name}`, async (track) => {
      this.depth++;
      try {
        return { status: 'done', value: await flow.run(this, args) } as const;
      } catch (error) {
        if (isFlowSignal(error) && error.kind === 'back') {
          track.result = 'back';
          return { status: 'back' } as const;
        }
        throw error;
      } finally {
        this.depth--;
      }
    });
  }

  /** Plays goodbye (unless `goodbye: false`), hangs up, and ends the flow. */
  hangup(options: { readonly goodbye?: Prompts | false; readonly id?: string } = {}): Promise<never> {
    const id = options.id ?? 'hangup';
    return this.node('hangup', id, async () => {
      if (options.goodbye !== false)
        await this.playRefs(prompts(options.goodbye ?? StandardPrompt.Goodbye), false, false);
      await this.releaseCall();
      throw endSignal(id, 'hangup-by-flow');
    });
  }

  /** Asks for an agent from code (same exit as the caller's `0`). */
  toAgent(): Promise<never> {
    return Promise.reject(agentSignal(this.current, 'flow'));
  }

  // ------------------------------------------------------------------------------ internals

  /** @internal Runs a node: analytics around it, hangup normalised. */
  async node<T>(kind: NodeKind, id: string, body: (track: NodeTrack) => Promise<T>): Promise<T> {
    this.guard();
    const previous = this.current;
    this.current = id;
    this.visited.push(id);
    const started = this.now();
    this.host.emit({ type: 'node-entered', at: started, callId: this.callId, node: id, kind });
    const track: NodeTrack = { failures: 0 };
    let result: NodeResult = 'ok';
    try {
      const value = await body(track);
      result = track.result ?? 'ok';
      return value;
    } catch (error) {
      result = this.classify(error);
      if (!isFlowSignal(error) && (this.hungUpFlag || (isHotlineError(error) && error.hangup)))
        throw this.hangupError(error);
      throw error;
    } finally {
      this.host.emit({
        type: 'node-left',
        at: this.now(),
        callId: this.callId,
        node: id,
        kind,
        result,
        durationMs: this.now() - started,
        failures: track.failures,
        ...(track.input === undefined ? {} : { input: track.input }),
      });
      this.current = previous;
    }
  }

  /** @internal Resolves prompt refs to files in the call's locale. */
  resolve(refs: readonly PromptRef[]): { files: string[]; ms: number | undefined } {
    const files: string[] = [];
    let ms: number | undefined = 0;
    const add = (id: string): void => {
      files.push(this.host.catalog.path(id, this.localeValue));
      const d = this.host.catalog.durationMs(id, this.localeValue);
      ms = d === undefined || ms === undefined ? undefined : ms + d;
    };
    for (const ref of refs) {
      if (typeof ref === 'string') add(ref);
      else if ('say' in ref) planSay(ref.say, this.localeValue).forEach(add);
      else {
        files.push(ref.file);
        ms = undefined;
      }
    }
    return { files, ms };
  }

  /** @internal Plays refs with barge-in and a watchdog; aborting `stop` ends the play quietly. */
  async playRefs(
    refs: readonly PromptRef[],
    bargeIn: boolean | string,
    flush: boolean,
    stop?: AbortSignal,
  ): Promise<PlayResult> {
    this.guard();
    if (refs.length === 0) return { reason: 'completed' };
    const { files, ms } = this.resolve(refs);
    const limit = new AbortController();
    const onStop = (): void => limit.abort();
    stop?.addEventListener('abort', onStop, { once: true });
    let overrun = false;
    // Unknown lengths (caller recordings) get 10 minutes; known ones their length plus a margin.
    const watchdog = timer((ms ?? 600_000) + this.host.defaults.playMarginMs, this.host.scheduler).subscribe(() => {
      overrun = true;
      limit.abort();
    });
    try {
      return await this.op(() =>
        this.channel.play(files, { stopOnDigits: bargeIn, flushDigits: flush, signal: limit.signal }),
      );
    } catch (error) {
      if (isHotlineError(error, ErrorCode.Canceled) && !this.hungUpFlag) {
        if (overrun)
          this.host.logger.warn('prompt overran its length; stopped', { callId: this.callId, node: this.current });
        if (stop?.aborted) throw error;
        return { reason: 'completed' };
      }
      throw error;
    } finally {
      watchdog.unsubscribe();
      stop?.removeEventListener('abort', onStop);
    }
  }

  /** @internal Collects keys (no prompt), hangup-normalised. */
  collectKeys(options: {
    readonly maxDigits: number;
    readonly terminators?: string;
    readonly firstDigitTimeoutMs: number;
    readonly interDigitTimeoutMs?: number;
  }): Promise<{ digits: string; reason: string; terminator?: string }> {
    return this.op(() =>
      this.channel.collectDigits({
        ...options,
        interDigitTimeoutMs: options.interDigitTimeoutMs ?? this.host.defaults.interDigitTimeoutMs,
      }),
    );
  }

  /** @internal */
  emitInput(node: string, digits: string, secret: boolean, valid: boolean, reason?: string): void {
    this.host.emit({
      type: 'input',
      at: this.now(),
      callId: this.callId,
      node,
      digits: secret ? maskDigits(digits) : digits,
      secret,
      valid,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /** @internal The runtime ends the call: runs cleanups (LIFO), never throwing. */
  async finish(): Promise<void> {
    this.stateSub.unsubscribe();
    if (!this.abort.signal.aborted) {
      this.abort.abort(
        new HotlineError(ErrorCode.Canceled, `the flow of call ${this.callId} ended`, { canceled: true }),
      );
    }
    this.hangupWaiters.clear();
    while (this.cleanups.length > 0) {
      const cleanup = this.cleanups.pop()!;
      try {
        await cleanup();
      } catch (error) {
        this.host.logger.warn('cleanup failed', { callId: this.callId, error: String(error) });
      }
    }
  }

  /** @internal Releases the call from the IVR side. */
  async releaseCall(): Promise<void> {
    if (this.channel.state.state === 'idle') return;
    this.localRelease = true;
    await this.channel
      .hangup()
      .catch((error: unknown) => this.host.logger.warn('hangup failed', { callId: this.callId, error: String(error) }));
  }

  /** @internal */
  hangupError(cause?: unknown): HotlineError {
    if (isHotlineError(cause) && cause.hangup) return cause;
    return new HotlineError(ErrorCode.Hangup, `the call ${this.callId} has ended`, {
      hangup: true,
      ...(cause === undefined ? {} : { cause }),
    });
  }

  private guard(): void {
    if (this.hungUpFlag) throw this.hangupError();
  }

  private onHangup(reject: (error: HotlineError) => void): void {
    if (this.hungUpFlag) reject(this.hangupError());
    else this.hangupWaiters.add(reject);
  }

  private async op<T>(fn: () => Promise<T>): Promise<T> {
    this.guard();
    try {
      return await fn();
    } catch (error) {
      if (this.hungUpFlag && !isHotlineError(error, ErrorCode.Canceled)) throw this.hangupError(error);
      if (this.hungUpFlag) throw this.hangupError(error);
      throw error;
    }
  }

  private classify(error: unknown): NodeResult {
    if (isFlowSignal(error)) {
      const s: FlowSignal = error;
      if (s.kind === 'back') return 'back';
      if (s.kind === 'agent') return 'agent';
      return s.end === 'max-failures' ? 'max-failures' : s.end === 'handed-off' ? 'handed-off' : 'ended';
    }
    if (this.hungUpFlag || (isHotlineError(error) && error.hangup)) return 'hangup';
    return 'error';
  }

  private async exitMaxFailures<V>(
    node: string,
    track: NodeTrack,
    exit: MaxFailuresExit | { readonly choose: V } | { readonly fallback: V } | undefined,
  ): Promise<V> {
    if (exit !== undefined && typeof exit === 'object') {
      track.result = 'max-failures';
      return 'choose' in exit ? exit.choose : exit.fallback;
    }
    await this.playRefs([StandardPrompt.MaxFailures], false, true);
    const to = exit ?? this.host.agentExit;
    if (to === 'agent') throw agentSignal(node, 'max-failures');
    await this.playRefs([StandardPrompt.Goodbye], false, false);
    await this.releaseCall();
    throw endSignal(node, 'max-failures');
  }

  private recordingPath(id: string): string {
    const dir = this.host.recordingsDir;
    if (!dir)
      throw ivrError(
        IvrErrorCode.NotConfigured,
        `record ${id}: the runtime has no recordingsDir and the node gave no path`,
      );
    const safe = id.replace(/[^A-Za-z0-9._-]/g, '_');
    return `${dir}/${this.callId}-${safe}-${++this.recordSeq}.wav`;
  }

  private async pauseRecording(node: string): Promise<void> {
    if (!this.recording) return;
    await this.recording.pause();
    this.host.emit({ type: 'recording', at: this.now(), callId: this.callId, node, state: 'paused' });
  }

  private async resumeRecording(node: string): Promise<void> {
    if (!this.recording || this.hungUpFlag) return;
    // A key is recognised while its tone still sounds: wait for the last tone of the secret to
    // end (DTMF tones last at most ~100 ms in practice) so no digit leaks into the recording.
    await new Promise<void>((resolve) => timer(SECRET_TAIL_MS, this.host.scheduler).subscribe(() => resolve()));
    if (this.hungUpFlag) return;
    try {
      await this.recording.resume();
      this.host.emit({ type: 'recording', at: this.now(), callId: this.callId, node, state: 'resumed' });
    } catch (error) {
      this.host.logger.warn('recording resume failed', { callId: this.callId, error: String(error) });
    }
  }
}

export type { SurveyAnswers, SurveyQuestion, SurveyResult, VoicemailMessage, VoicemailSpec };
