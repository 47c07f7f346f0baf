import { frameLevelDbm0 } from '@hotline/cti-core/media';

/** What answered an outbound call, as told from the first seconds of its audio. */
export type AnswerType = 'person' | 'machine' | 'fax';

/** Options of {@link AnswerTypeDetector}. */
export interface AnswerTypeOptions {
  /** Frames louder than this are voice (default -40 dBm0). */
  readonly voiceThresholdDbm0?: number;
  /** Speech longer than this without a long pause is a machine's greeting (default 2000 ms). */
  readonly machineSpeechMs?: number;
  /** A pause this long after short speech means a person waiting for an answer (default 700 ms). */
  readonly personPauseMs?: number;
  /** Gaps shorter than this are within one utterance (default 400 ms). */
  readonly gapMs?: number;
  /** Decide `person` if nothing decisive happens within this time (default 4000 ms). */
  readonly maxMs?: number;
}

/**
 * Tells a person from an answering machine by the shape of the first utterance: a person says a
 * short "喂？" and waits; a machine talks on. Fed 20 ms frames; `push` returns the decision once.
 * Fax answer tones are recognised by the call-progress detector before this runs.
 */
export class AnswerTypeDetector {
  private readonly threshold: number;
  private readonly machineMs: number;
  private readonly pauseMs: number;
  private readonly gapMs: number;
  private readonly maxMs: number;
  private elapsed = 0;
  private speechMs = 0;
  private silenceMs = 0;
  private decided: AnswerType | undefined;

  constructor(options: AnswerTypeOptions = {}) {
    this.threshold = options.voiceThresholdDbm0 ?? -40;
    this.machineMs = options.machineSpeechMs ?? 2000;
    this.pauseMs = options.personPauseMs ?? 700;
    this.gapMs = options.gapMs ?? 400;
    this.maxMs = options.maxMs ?? 4000;
  }

  /** Feeds one frame; returns the decision the first time it is made, else undefined. */
  push(frame: Int16Array): AnswerType | undefined {
    if (this.decided) return undefined;
    const ms = frame.length / 8;
    this.elapsed += ms;
    if (frameLevelDbm0(frame) > this.threshold) {
      // A short gap inside an utterance counts as speech.
      if (this.silenceMs > 0 && this.silenceMs < this.gapMs) this.speechMs += this.silenceMs;
      this.silenceMs = 0;
      this.speechMs += ms;
      if (this.speechMs >= this.machineMs) return (this.decided = 'machine');
    } else {
      this.silenceMs += ms;
      if (this.speechMs > 0 && this.silenceMs >= this.pauseMs) return (this.decided = 'person');
    }
    if (this.elapsed >= this.maxMs) return (this.decided = 'person');
    return undefined;
  }
}
