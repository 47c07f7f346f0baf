/**
 * The voicemail node: greeting, recording with a maximum length and silence end, review (listen,
 * re-record, keep), callback number (caller ID confirmed by keypad, or keyed) and whether a
 * reply is wanted. The message is published for the app to persist as soon as there is audio,
 * also when the caller hangs up half-way (nothing is lost; `complete` tells).
 *
 * @module
 */
import type { RecordResult } from '@hotline/cti-core';
import type { CallContext, Prompts } from './call-context.js';
import { StandardPrompt } from './standard-prompts.js';
import { phoneEntry } from './validators.js';

/** Options of the voicemail node. */
export interface VoicemailSpec {
  readonly id?: string;
  /** Mailbox (department, purpose) the message is for (default `general`). */
  readonly mailbox?: string;
  /** Greeting before the beep (default `vm.greeting`); `#` skips it. */
  readonly greeting?: Prompts;
  /** Longest message (default 120 000 ms). */
  readonly maxDurationMs?: number;
  /** Silence that ends the message once the caller spoke (default 5000 ms). */
  readonly silenceMs?: number;
  /** Shorter messages count as empty (default 1000 ms). */
  readonly minDurationMs?: number;
  /** Offer listen / re-record / keep (default true). */
  readonly review?: boolean;
  /** Ask for the callback number (default true). */
  readonly askCallback?: boolean;
  /** Ask whether a reply is wanted (default true). */
  readonly askReply?: boolean;
  /**
   * Stores a complete message durably before the caller is told it was saved (the saved prompt
   * plays only once this resolves). A message given to `persist` is not published on
   * `results$`; an incomplete one (the caller hung up half-way) is published as usual. When
   * `persist` fails, the caller hears the service-unavailable prompt and the message is published
   * instead, so nothing is lost.
   */
  readonly persist?: (message: VoicemailMessage) => Promise<void>;
}

/** A voicemail message, for the app to persist (audio file and metadata). */
export interface VoicemailMessage {
  readonly callId: string;
  readonly mailbox: string;
  /** The recorded WAV file. */
  readonly path: string;
  readonly durationMs: number;
  /** The caller's number as the line delivered it. */
  readonly callerId?: string;
  /** The number to call back: confirmed caller ID, a keyed number, or the unconfirmed caller ID. */
  readonly callbackNumber?: string;
  /** True when the caller confirmed or keyed the callback number. */
  readonly callbackConfirmed: boolean;
  /** Whether the caller wants a reply (undefined if not asked or not answered). */
  readonly replyWanted?: boolean;
  /** Scheduler time the recording ended. */
  readonly recordedAt: number;
  /** The caller went through every step (false when they hung up after recording). */
  readonly complete: boolean;
}

/** @internal */
export async function runVoicemail(
  ctx: CallContext,
  spec: VoicemailSpec & { readonly id: string },
  publish: (message: VoicemailMessage) => void,
): Promise<VoicemailMessage | undefined> {
  const id = spec.id;
  const minMs = spec.minDurationMs ?? 1000;
  const callerId = ctx.call.callerId;
  let rec: RecordResult | undefined;
  let callbackNumber = callerId;
  let callbackConfirmed = false;
  let replyWanted: boolean | undefined;
  let complete = false;
  let persisted = false;
  const message = (): VoicemailMessage | undefined =>
    rec && rec.durationMs >= minMs
      ? {
          callId: ctx.callId,
          mailbox: spec.mailbox ?? 'general',
          path: rec.path,
          durationMs: rec.durationMs,
          ...(callerId === undefined ? {} : { callerId }),
          ...(callbackNumber === undefined ? {} : { callbackNumber }),
          callbackConfirmed,
          ...(replyWanted === undefined ? {} : { replyWanted }),
          recordedAt: ctx.now(),
          complete,
        }
      : undefined;
  try {
    let empties = 0;
    for (;;) {
      rec = await ctx.record({
        id: `${id}.record`,
        prompt: spec.greeting ?? StandardPrompt.VmGreeting,
        maxDurationMs: spec.maxDurationMs ?? 120_000,
        silenceMs: spec.silenceMs ?? 5000,
        stopKeys: '#',
        beep: true,
      });
      if (rec.reason === 'hangup') throw ctx.hangupError(); // the finally block publishes what was recorded
      if (rec.durationMs < minMs) {
        empties++;
        await ctx.play(StandardPrompt.VmEmpty, { id: `${id}.empty`, bargeIn: false });
        if (empties >= 2) return undefined;
        continue;
      }
      if (spec.review === false) break;
      let keep = false;
      let again = false;
      while (!keep && !again) {
        const key = await ctx.menu({
          id: `${id}.review`,
          prompt: StandardPrompt.VmReview,
          choices: ['1', '2', '3'] as const,
          back: false,
          agentKey: false,
          onMaxFailures: { choose: '3' },
        });
        if (key === '1') await ctx.play({ file: rec.path }, { id: `${id}.listen`, bargeIn: true, flush: true });
        else if (key === '2') again = true;
        else keep = true;
      }
      if (keep) break;
    }
    if (spec.askCallback ?? true) {
      let confirmed = false;
      if (callerId) {
        const key = await ctx.menu({
          id: `${id}.callback`,
          prompt: [
            StandardPrompt.VmCallbackIs,
            { say: { type: 'digits', value: callerId } },
            StandardPrompt.VmCallbackConfirm,
          ],
          choices: ['1', '2'] as const,
          back: false,
          agentKey: false,
          onMaxFailures: { choose: '2' },
        });
        confirmed = key === '1';
      }
      if (confirmed) {
        callbackConfirmed = true;
      } else {
        const keyed = await ctx.collect({
          id: `${id}.callback-number`,
          prompt: StandardPrompt.VmCallbackEnter,
          validator: phoneEntry(),
          back: false,
          onMaxFailures: { fallback: '' },
        });
        if (keyed) {
          callbackNumber = keyed;
          callbackConfirmed = true;
        }
      }
    }
    if (spec.askReply ?? true) {
      const key = await ctx.menu({
        id: `${id}.reply`,
        prompt: StandardPrompt.VmReplyWanted,
        choices: ['1', '2'] as const,
        back: false,
        agentKey: false,
        onMaxFailures: { choose: '1' },
      });
      replyWanted = key === '1';
    }
    complete = true;
    const done = message();
    if (done && spec.persist) {
      try {
        await spec.persist(done);
        persisted = true;
      } catch (error) {
        await ctx.play(StandardPrompt.ServiceUnavailable, { id: `${id}.persist-failed`, bargeIn: false });
        throw error;
      }
    }
    await ctx.play(StandardPrompt.VmSaved, { id: `${id}.saved`, bargeIn: false });
    return done;
  } finally {
    const m = message();
    if (m && !persisted) publish(m);
  }
}
