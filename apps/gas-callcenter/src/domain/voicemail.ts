/**
 * Voice mail (M8): messages with a call-back number and whether a reply is wanted; agents call
 * back when free and record the outcome. The audio is a durable file committed with the row.
 * @module
 */

/** Handling status of a voicemail. */
export type VoicemailStatus = 'new' | 'in_progress' | 'called_back' | 'closed';

/** A voicemail. */
export interface Voicemail {
  readonly id: number;
  readonly callId: string | null;
  readonly caller: string | null;
  readonly callbackNumber: string | null;
  readonly wantsReply: boolean;
  /** What it is about (menu choice), e.g. `complaint`. */
  readonly topic: string;
  readonly fileId: number;
  /** Path of the audio relative to the data directory. */
  readonly relPath: string;
  readonly durationMs: number;
  readonly status: VoicemailStatus;
  readonly ticketId: number | null;
  readonly handledBy: number | null;
  readonly handledAt: number | null;
  readonly outcome: string | null;
  readonly createdAt: number;
}

/** What the IVR records. */
export interface NewVoicemail {
  readonly callId: string | null;
  readonly caller: string | null;
  readonly callbackNumber: string | null;
  readonly wantsReply: boolean;
  readonly topic: string;
  readonly durationMs: number;
  readonly ticketId?: number | null;
}

/** Storage of voicemails. */
export interface VoicemailRepository {
  /**
   * Stores the audio durably, then commits the row; resolves only when both are durable (the caller
   * may then be told the message was taken). On failure nothing refers to the file.
   */
  create(
    meta: NewVoicemail,
    audio: Uint8Array | AsyncIterable<Uint8Array>,
    format?: { readonly ext: string; readonly mime: string },
  ): Promise<Voicemail>;
  get(id: number): Promise<Voicemail | undefined>;
  /** The call-back list: wanting a reply and not yet called back, oldest first. */
  pendingCallbacks(limit?: number): Promise<Voicemail[]>;
  /** Records who handled it, when, and how. */
  setStatus(
    id: number,
    status: VoicemailStatus,
    handling: {
      readonly userId: number | null;
      readonly at: number;
      readonly outcome?: string | null;
      readonly ticketId?: number | null;
    },
  ): Promise<Voicemail>;
}
