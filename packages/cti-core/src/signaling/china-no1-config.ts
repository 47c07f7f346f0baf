/**
 * China No.1 (中国1号信令) trunk-group configuration, signal tables and line-signal coding
 * (signaling-dsp.md §1).
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';

/** Error codes raised by the signalling engines (`@hotline/cti-core/signaling`). */
export const SignalingErrorCode = {
  /** The far end did not acknowledge a seizure in time (`timers.seizeAckMs`). */
  SeizeAckTimeout: 'ERR_R2_SEIZE_ACK_TIMEOUT',
  /** A compelled MFC cycle did not progress in time. */
  MfTimeout: 'ERR_R2_MF_TIMEOUT',
  /** The far end did not answer in time after accepting the call (`timers.answerMs`). */
  AnswerTimeout: 'ERR_R2_ANSWER_TIMEOUT',
  /** The far end did not return to idle after a release (`timers.releaseMs`). */
  ReleaseTimeout: 'ERR_R2_RELEASE_TIMEOUT',
  /** A line or register signal that makes no sense in the current state. */
  UnexpectedSignal: 'ERR_R2_UNEXPECTED_SIGNAL',
  /** Both ends seized the circuit at the same time. */
  DualSeizure: 'ERR_R2_DUAL_SEIZURE',
  /** The circuit is blocked by the far end. */
  Blocked: 'ERR_R2_BLOCKED',
} as const;

/** What a KB (group B) signal means to the calling side. */
export type KbOutcome = 'accepted' | 'busy' | 'unallocated' | 'congestion' | 'rejected';

/** Timers of a China No.1 trunk group, in ms (OpenR2's values where it has one). */
export interface ChinaNo1Timers {
  /** Outgoing: wait for seize-acknowledge (OpenR2 `r2_seize` 8000). */
  readonly seizeAckMs: number;
  /** Outgoing register: wait for the backward reaction to a forward signal, or for a pulsed backward signal (ITU 15 s). */
  readonly mfForwardMs: number;
  /** Incoming register: wait for the forward reaction (next signal, or signal off) (OpenR2 `mf_back_cycle` 5000). */
  readonly mfBackwardMs: number;
  /** Incoming register: with no end-of-number signal in China, the called number is complete when no digit comes for this long (at least `calledDigits.min` received). */
  readonly endOfNumberMs: number;
  /** Length of a pulsed backward signal (OpenR2 `mf_back_resume_cycle` 150). */
  readonly pulseMs: number;
  /** Incoming: time the application has to decide (accept/reject) while the forward side holds KD. */
  readonly decisionMs: number;
  /** Incoming: delay between the end of the KB cycle and the ANSWER line signal (OpenR2 `r2_answer_delay` 150). */
  readonly answerDelayMs: number;
  /** Outgoing: wait for ANSWER after an accepting KB (OpenR2 `r2_answer` 60000). */
  readonly answerMs: number;
  /** Outgoing: wait for the backward side to return to idle after clear-forward (release guard). */
  readonly releaseMs: number;
  /** Incoming: wait for clear-forward after clear-back or a rejecting signal. */
  readonly clearForwardMs: number;
  /** A line-signal change is recognised once it has persisted this long (0 = one frame; ITU Q.422 20 ± 10 ms). */
  readonly casPersistenceMs: number;
}

/** Configuration of a China No.1 trunk group (all channels of the group share it). */
export interface ChinaNo1Config {
  /** Called-number length bounds for incoming calls: complete at `max` digits, or at the end-of-number time-out once `min` arrived. */
  readonly calledDigits: { readonly min: number; readonly max: number };
  /** Numbering plan: returns true when `called` is a complete number (ends the called number early). */
  readonly numberComplete?: (called: string) => boolean;
  /** Incoming: request the calling party's category (A6 → KA). */
  readonly requestCategory: boolean;
  /**
   * Incoming: after KA, request the calling number digit by digit (A1 …) until I-15 (China
   * No.1). False with `requestCategory` true: A6 asks for KA only and the next A1 asks for a
   * called digit — only for peers that behave so (OpenR2 as the calling side, ITU R2).
   */
  readonly requestCallerNumber: boolean;
  /**
   * Incoming: send A6 after this many called digits (1 = after the first digit, as OpenR2's
   * `get_ani_first`); 0 = once the called number is complete.
   */
  readonly categoryAfterDigits: number;
  /** Incoming: stop requesting calling-number digits after this many. */
  readonly callerDigitsMax: number;
  /**
   * Outgoing: after KA (sent in reply to A6), A1 asks for the calling number (China No.1,
   * default true). False: A1 after KA asks for the next called digit (ITU/OpenR2 behaviour,
   * pair it with an incoming side configured `requestCallerNumber: false`).
   */
  readonly sendCallerAfterKa: boolean;
  /** Outgoing: default KA (calling party category) when the call gives none; 1 = ordinary subscriber. */
  readonly ka: number;
  /** Outgoing: default KD (call type); 3 = local subscriber call. */
  readonly kd: number;
  /** Outgoing: meaning of each KB value; values absent here are protocol errors (outcome `rejected`). */
  readonly kbOutcomes: Readonly<Record<number, KbOutcome>>;
  /** Meaning of A2: China's "resend from the first digit" (`restart`), or ITU/OpenR2's "send the last-but-one digit". */
  readonly a2: 'restart' | 'last-but-one';
  /** The C and D bits sent with every line signal (ITU Q.421: 0b01; OpenR2's CN variant sends 0b11). Receivers ignore them. */
  readonly cdBits: number;
  /** MF sending level per frequency, dBm0. */
  readonly mfLevelDbm0: number;
  /** Show calling-number digits in the trace (default false: masked as `maskPhone` does). */
  readonly traceCallerNumber: boolean;
  readonly timers: ChinaNo1Timers;
}

/** A partial configuration, as given by applications (timers may be partial too). */
export type ChinaNo1ConfigInput = Partial<Omit<ChinaNo1Config, 'timers'>> & {
  readonly timers?: Partial<ChinaNo1Timers>;
};

/** Default timers. */
export const CHINA_NO1_DEFAULT_TIMERS: ChinaNo1Timers = Object.freeze({
  seizeAckMs: 8000,
  mfForwardMs: 15_000,
  mfBackwardMs: 5000,
  endOfNumberMs: 3000,
  pulseMs: 150,
  decisionMs: 15_000,
  answerDelayMs: 150,
  answerMs: 60_000,
  releaseMs: 10_000,
  clearForwardMs: 30_000,
  casPersistenceMs: 0,
});

/** Default KB meanings (China No.1; KB3 is toll busy, KB6 is taken as free-no-charge). */
export const CHINA_NO1_KB_OUTCOMES: Readonly<Record<number, KbOutcome>> = Object.freeze({
  1: 'accepted',
  2: 'busy',
  3: 'busy',
  4: 'congestion',
  5: 'unallocated',
  6: 'accepted',
});

/**
 * Validates a trunk-group configuration and fills in the defaults.
 * @throws HotlineError `ERR_INVALID_ARGUMENT` naming the offending key.
 */
export function chinaNo1Config(input: ChinaNo1ConfigInput = {}): ChinaNo1Config {
  const timers: ChinaNo1Timers = { ...CHINA_NO1_DEFAULT_TIMERS, ...(input.timers ?? {}) };
  const config: ChinaNo1Config = {
    calledDigits: input.calledDigits ?? { min: 1, max: 20 },
    ...(input.numberComplete ? { numberComplete: input.numberComplete } : {}),
    requestCategory: input.requestCategory ?? true,
    requestCallerNumber: input.requestCallerNumber ?? true,
    categoryAfterDigits: input.categoryAfterDigits ?? 1,
    callerDigitsMax: input.callerDigitsMax ?? 20,
    sendCallerAfterKa: input.sendCallerAfterKa ?? true,
    ka: input.ka ?? 1,
    kd: input.kd ?? 3,
    kbOutcomes: input.kbOutcomes ?? CHINA_NO1_KB_OUTCOMES,
    a2: input.a2 ?? 'restart',
    cdBits: input.cdBits ?? 0b01,
    mfLevelDbm0: input.mfLevelDbm0 ?? -11,
    traceCallerNumber: input.traceCallerNumber ?? false,
    timers,
  };
  const bad = (key: string, what: string, value: unknown): never => {
    throw new HotlineError(
      ErrorCode.InvalidArgument,
      `China No.1 config: ${key} ${what} (got ${JSON.stringify(value)})`,
      {
        details: { key },
      },
    );
  };
  const int = (key: string, v: number, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) bad(key, `must be an integer ${lo}..${hi}`, v);
  };
  int('calledDigits.min', config.calledDigits.min, 1, 30);
  int('calledDigits.max', config.calledDigits.max, config.calledDigits.min, 30);
  int('categoryAfterDigits', config.categoryAfterDigits, 0, 30);
  int('callerDigitsMax', config.callerDigitsMax, 1, 30);
  int('ka', config.ka, 1, 15);
  int('kd', config.kd, 1, 15);
  int('cdBits', config.cdBits, 0, 3);
  if (config.requestCallerNumber && !config.requestCategory)
    bad('requestCallerNumber', 'needs requestCategory (A6 asks for KA, then the number)', true);
  if (!(config.mfLevelDbm0 >= -30 && config.mfLevelDbm0 <= -3))
    bad('mfLevelDbm0', 'must be −30..−3 dBm0', config.mfLevelDbm0);
  if (config.a2 !== 'restart' && config.a2 !== 'last-but-one')
    bad('a2', "must be 'restart' or 'last-but-one'", config.a2);
  for (const [k, v] of Object.entries(config.kbOutcomes)) {
    int(`kbOutcomes key`, Number(k), 1, 15);
    if (!['accepted', 'busy', 'unallocated', 'congestion', 'rejected'].includes(v))
      bad(`kbOutcomes.${k}`, 'is not an outcome', v);
  }
  for (const [k, v] of Object.entries(timers)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 600_000)
      bad(`timers.${k}`, 'must be 0..600000 ms', v);
  }
  for (const k of [
    'seizeAckMs',
    'mfForwardMs',
    'mfBackwardMs',
    'endOfNumberMs',
    'pulseMs',
    'releaseMs',
    'clearForwardMs',
    'decisionMs',
    'answerMs',
  ] as const) {
    if (timers[k] < 20) bad(`timers.${k}`, 'must be at least one frame (20 ms)', timers[k]);
  }
  return Object.freeze(config);
}

// ----------------------------------------------------------------------------- line signals

/** AB bits of the forward direction (af bf). */
export const FORWARD_AB = Object.freeze({ idle: 0b10, seize: 0b00, clearForward: 0b10 });
/** AB bits of the backward direction (ab bb). */
export const BACKWARD_AB = Object.freeze({ idle: 0b10, seizeAck: 0b11, answer: 0b01, clearBack: 0b11, blocked: 0b11 });

/** The AB bits of an ABCD nibble. */
export function abOf(abcd: number): number {
  return (abcd >> 2) & 0b11;
}

/** Formats an ABCD nibble as four binary digits (`0b1001` → `"1001"`). */
export function formatAbcd(abcd: number): string {
  return (abcd & 0xf).toString(2).padStart(4, '0');
}

// ----------------------------------------------------------------------------- register signals

/** Meanings of the group A backward signals (China No.1). */
export const GROUP_A_MEANINGS: Readonly<Record<number, string>> = Object.freeze({
  1: 'send next digit',
  2: 'resend from the first digit',
  3: 'address complete, change to group B',
  4: 'congestion',
  5: 'vacant number',
  6: 'send KA and calling number',
});

/** Meanings of the KB (group B) signals, as shown in traces. */
export const KB_MEANINGS: Readonly<Record<number, string>> = Object.freeze({
  1: 'subscriber idle',
  2: 'subscriber busy (local)',
  3: 'subscriber busy',
  4: 'congestion',
  5: 'unallocated number',
  6: 'subscriber idle, no charge',
});

/** Meanings of KA (calling-party category; values from textbook knowledge, see the facts file). */
export const KA_MEANINGS: Readonly<Record<number, string>> = Object.freeze({
  1: 'ordinary subscriber, periodic billing',
  2: 'ordinary subscriber, immediate billing (meter)',
  3: 'ordinary subscriber, immediate billing (printer)',
  4: 'priority subscriber, periodic billing',
  5: 'free of charge',
});

/** Meanings of KD (call type). */
export const KD_MEANINGS: Readonly<Record<number, string>> = Object.freeze({
  1: 'toll operator, semi-automatic',
  2: 'toll automatic call',
  3: 'local subscriber call',
  4: 'local fax / data call',
  5: 'calling-number verification',
  6: 'test call',
});

/** The digit a group-I signal 1..10 carries (`10` → `'0'`), or `undefined`. */
export function digitOfSignal(signal: number): string | undefined {
  return signal >= 1 && signal <= 9 ? String(signal) : signal === 10 ? '0' : undefined;
}

/** The group-I signal (1..10) that carries `digit`. */
export function signalOfDigit(digit: string): number {
  const n = digit === '0' ? 10 : Number(digit);
  if (!/^[0-9]$/.test(digit)) throw new HotlineError(ErrorCode.InvalidArgument, `'${digit}' is not a digit 0-9`);
  return n;
}

/** Group-I signal: end of the calling number (I-15). */
export const SIGNAL_END_OF_CALLER = 15;
/** Group-I signal: calling number restricted (I-12, as OpenR2 CN). */
export const SIGNAL_CALLER_RESTRICTED = 12;
