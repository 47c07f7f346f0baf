/**
 * The IVR runtime: verifies prompts at start-up, runs a flow on each call, turns `0` and
 * max-failures into the agent exit, records every call's outcome, and publishes the analytics
 * stream and the results (voicemail, surveys) for the app to persist.
 *
 * @module
 */
import { asyncScheduler, Observable, Subject, type SchedulerLike } from 'rxjs';
import { isHotlineError, maskPhone, silentLogger, type Channel, type Logger } from '@hotline/cti-core';
import type { AcdAdapter, RecordingControl, TransferLines } from './adapters.js';
import type { CallOutcome, CallOutcomeStatus, IvrEvent } from './analytics.js';
import {
  CallContext,
  DEFAULT_STEP_DEFAULTS,
  type ContextHost,
  type MaxFailuresExit,
  type StepDefaults,
} from './call-context.js';
import { IvrErrorCode, ivrError } from './errors.js';
import type { FlowDefinition } from './flow.js';
import { DEFAULT_LOCALE, type Locale } from './locale.js';
import type { PromptCatalog, PromptCheckReport, PromptProblem } from './prompt-catalog.js';
import { fragmentIds } from './say/fragments.js';
import { isFlowSignal, type AgentReason } from './signals.js';
import { STANDARD_PROMPT_IDS, StandardPrompt } from './standard-prompts.js';
import type { SurveyQuestion, SurveyResult } from './survey.js';
import type { VoicemailMessage } from './voicemail.js';

/** Results the app persists: voicemail messages and survey answers. */
export type IvrResult =
  | { readonly type: 'voicemail'; readonly at: number; readonly message: VoicemailMessage }
  | {
      readonly type: 'survey';
      readonly at: number;
      readonly callId: string;
      readonly survey: string;
      readonly result: SurveyResult<readonly SurveyQuestion[]>;
    };

/** Options of {@link IvrRuntime}. */
export interface IvrRuntimeOptions {
  readonly catalog: PromptCatalog;
  /** Clock of every timer (default rxjs `asyncScheduler`; a `VirtualScheduler` in tests). */
  readonly scheduler?: SchedulerLike;
  readonly logger?: Logger;
  /** Locale calls start in (default zh-CN). */
  readonly locale?: Locale;
  /** The app's ACD; without it, `0` and max-failures go to goodbye. */
  readonly acd?: AcdAdapter;
  /** Where `0` and the max-failures exit queue the caller (default skills `['general']`). */
  readonly agent?: { readonly skills: readonly string[]; readonly priority?: number };
  /** Max-failures exit when a node does not say (default `agent` with an ACD, else `goodbye`). */
  readonly onMaxFailures?: MaxFailuresExit;
  /** Replaces the built-in agent exit (announce, queue, apologise and say goodbye). */
  readonly onAgentRequest?: (ctx: CallContext, reason: AgentReason) => Promise<void>;
  /** Outbound lines for transfers. */
  readonly transferLines?: TransferLines;
  /** Folder of recordings and voicemail (needed by record/voicemail nodes without a path). */
  readonly recordingsDir?: string;
  readonly defaults?: Partial<StepDefaults>;
}

/** Options of {@link IvrRuntime.run}. */
export interface RunOptions<A> {
  readonly args?: A;
  /** Locale of this call (default the runtime's). */
  readonly locale?: Locale;
  /** The app's call recording, paused while secrets are keyed. */
  readonly recording?: RecordingControl;
  /** Data for the screen pop, merged into `ctx.data`. */
  readonly data?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Runs flows on calls.
 *
 * ```ts
 * const ivr = new IvrRuntime({ catalog, scheduler, acd });
 * await ivr.start([mainFlow]);            // every prompt checked, in every locale
 * board.incoming$.subscribe(({ channel }) => void ivr.run(channel, mainFlow));
 * ```
 */
export class IvrRuntime {
  /** Analytics: nodes entered/left, inputs (masked where secret), service calls, outcomes. */
  readonly events$: Observable<IvrEvent>;
  /** Voicemail messages and survey results for the app to persist. */
  readonly results$: Observable<IvrResult>;

  private readonly options: IvrRuntimeOptions;
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly eventSubject = new Subject<IvrEvent>();
  private readonly resultSubject = new Subject<IvrResult>();
  private readonly host: ContextHost;
  private readonly active = new Set<CallContext>();
  private started = false;

  constructor(options: IvrRuntimeOptions) {
    this.options = options;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = options.logger ?? silentLogger;
    this.events$ = this.eventSubject.asObservable();
    this.results$ = this.resultSubject.asObservable();
    const defaults: StepDefaults = { ...DEFAULT_STEP_DEFAULTS, ...(options.defaults ?? {}) };
    this.host = {
      catalog: options.catalog,
      scheduler: this.scheduler,
      logger: this.logger,
      defaults,
      acd: options.acd,
      agentExit: options.onMaxFailures ?? (options.acd || options.onAgentRequest ? 'agent' : 'goodbye'),
      transferLines: options.transferLines,
      recordingsDir: options.recordingsDir,
      emit: (e) => this.eventSubject.next(e),
      voicemail: (message) => this.resultSubject.next({ type: 'voicemail', at: this.scheduler.now(), message }),
      survey: (result, callId, survey) =>
        this.resultSubject.next({ type: 'survey', at: this.scheduler.now(), callId, survey, result }),
    };
  }

  /** Calls in progress. */
  get activeCalls(): number {
    return this.active.size;
  }

  /**
   * Checks every prompt the runtime, the `say` fragments and the given flows refer to, in every
   * locale of the catalog, then accepts calls.
   * @throws HotlineError `ERR_PROMPT_MISSING` / `ERR_PROMPT_UNREADABLE` listing every problem.
   */
  async start(
    flows: readonly FlowDefinition<never, unknown>[] = [],
    extraPrompts: readonly string[] = [],
  ): Promise<PromptCheckReport> {
    const report = await this.verifyPrompts([...flows.flatMap((f) => f.prompts ?? []), ...extraPrompts]);
    this.started = true;
    return report;
  }

  /** Verifies prompts (plus the standard prompts and fragments) without starting. */
  async verifyPrompts(ids: readonly string[]): Promise<PromptCheckReport> {
    const catalog = this.options.catalog;
    let checked = 0;
    let totalMs = 0;
    const problems: PromptProblem[] = [];
    const messages: string[] = [];
    for (const locale of catalog.locales) {
      try {
        const r = await catalog.verify([...STANDARD_PROMPT_IDS, ...fragmentIds(locale), ...ids], [locale]);
        checked += r.checked;
        totalMs += r.totalMs;
      } catch (error) {
        if (!isHotlineError(error)) throw error;
        problems.push(...((error.details as { problems?: PromptProblem[] }).problems ?? []));
        messages.push(error.message);
      }
    }
    if (problems.length > 0) {
      const missing = problems.some((p) => p.code === 'ERR_PROMPT_MISSING');
      throw ivrError(missing ? IvrErrorCode.PromptMissing : IvrErrorCode.PromptUnreadable, messages.join('\n'), {
        details: { problems },
      });
    }
    return { checked, totalMs };
  }

  /**
   * Runs `flow` on a call (answering it if it is offered) and resolves with the outcome once the
   * flow has ended and released what it held. Never rejects for anything the caller does.
   * Unless the call was handed off (agent, transfer), the IVR releases it at the end.
   */
  async run<A>(channel: Channel, flow: FlowDefinition<A, unknown>, options: RunOptions<A> = {}): Promise<CallOutcome> {
    if (!this.started)
      throw ivrError(IvrErrorCode.NotStarted, 'IvrRuntime.run: call start() first (it checks the prompts)');
    const call = channel.call;
    if (channel.state.state === 'offered') {
      try {
        await channel.answer();
      } catch (error) {
        if (!this.gone(channel)) throw error;
      }
    }
    if (this.gone(channel)) {
      // The caller gave up before the call was answered: an outcome, not an error.
      const outcome: CallOutcome = {
        status: 'caller-hangup',
        callId: call?.id ?? channel.id,
        flow: flow.name,
        ...(flow.version === undefined ? {} : { version: flow.version }),
        lastNode: 'answer',
        path: [],
        durationMs: 0,
      };
      this.eventSubject.next({ type: 'call-ended', at: this.scheduler.now(), callId: outcome.callId, outcome });
      return outcome;
    }
    const ctx = new CallContext(
      this.host,
      channel,
      options.locale ?? this.options.locale ?? DEFAULT_LOCALE,
      options.recording,
    );
    Object.assign(ctx.data, options.data ?? {});
    this.active.add(ctx);
    const started = this.scheduler.now();
    this.eventSubject.next({
      type: 'call-started',
      at: started,
      callId: ctx.callId,
      flow: flow.name,
      ...(flow.version === undefined ? {} : { version: flow.version }),
      locale: ctx.locale,
      caller: maskPhone(ctx.call.callerId),
    });
    this.logger.info('ivr call started', { callId: ctx.callId, flow: flow.name, caller: maskPhone(ctx.call.callerId) });
    let status = 'completed' as CallOutcomeStatus;
    let handedTo: CallOutcome['handedTo'];
    let errorCode: string | undefined;
    let lastNode = 'start';
    const settle = (error: unknown): boolean => {
      // Returns true when the error was an agent request still to be served.
      if (isFlowSignal(error)) {
        lastNode = error.node;
        if (error.kind === 'agent') return true;
        if (error.kind === 'end') {
          if (error.end === 'handed-off') {
            status = 'handed-off';
            if (error.to) handedTo = error.to;
          } else status = error.end === 'max-failures' ? 'max-failures' : 'completed';
        }
        return false;
      }
      if (ctx.hungUp && !ctx.releasedByIvr) {
        status = 'caller-hangup';
        lastNode = ctx.path[ctx.path.length - 1] ?? lastNode;
        return false;
      }
      if (isHotlineError(error) && error.hangup && ctx.releasedByIvr) return false;
      status = 'failed';
      errorCode = isHotlineError(error) ? error.code : 'ERR_UNEXPECTED';
      lastNode = ctx.path[ctx.path.length - 1] ?? lastNode;
      this.logger.error('ivr flow failed', {
        callId: ctx.callId,
        flow: flow.name,
        node: lastNode,
        code: errorCode,
        error: String(error),
      });
      return false;
    };
    try {
      await flow.run(ctx, options.args as A);
      lastNode = ctx.path[ctx.path.length - 1] ?? lastNode;
    } catch (error) {
      let agent = settle(error);
      if (agent && isFlowSignal(error) && error.kind === 'agent') {
        try {
          await this.agentExit(ctx, error.reason);
          status = error.reason === 'max-failures' ? 'max-failures' : 'agent-unavailable';
          lastNode = 'agent';
        } catch (inner) {
          agent = settle(inner);
          if (agent) status = 'agent-unavailable';
        }
      }
      if (status === 'failed' && !ctx.hungUp) {
        await ctx
          .playRefs([StandardPrompt.ServiceUnavailable, StandardPrompt.Goodbye], false, false)
          .catch(() => undefined);
      }
    } finally {
      await ctx.finish();
      if (status !== 'handed-off' && !ctx.hungUp) await ctx.releaseCall();
      this.active.delete(ctx);
    }
    const outcome: CallOutcome = {
      status,
      callId: ctx.callId,
      flow: flow.name,
      ...(flow.version === undefined ? {} : { version: flow.version }),
      lastNode,
      path: [...ctx.path],
      durationMs: this.scheduler.now() - started,
      ...(handedTo ? { handedTo } : {}),
      ...(errorCode ? { errorCode } : {}),
    };
    this.eventSubject.next({ type: 'call-ended', at: this.scheduler.now(), callId: ctx.callId, outcome });
    this.logger.info('ivr call ended', { callId: ctx.callId, status, lastNode });
    return outcome;
  }

  /** Completes the streams. Calls in progress keep running to their end. */
  close(): void {
    this.started = false;
    this.eventSubject.complete();
    this.resultSubject.complete();
  }

  private gone(channel: Channel): boolean {
    return channel.state.state !== 'connected' && channel.state.state !== 'offered';
  }

  private async agentExit(ctx: CallContext, reason: AgentReason): Promise<void> {
    if (this.options.onAgentRequest) {
      await this.options.onAgentRequest(ctx, reason);
      return;
    }
    if (this.options.acd) {
      await ctx.play(StandardPrompt.ToAgent, { id: 'agent', bargeIn: false });
      const agent = this.options.agent ?? { skills: ['general'] };
      await ctx.queue({ id: 'agent-queue', skills: agent.skills, priority: agent.priority ?? 0 });
    }
    await ctx.play([StandardPrompt.AgentUnavailable, StandardPrompt.Goodbye], {
      id: 'agent-unavailable',
      bargeIn: false,
    });
  }
}
