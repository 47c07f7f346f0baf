/**
 * What the application provides to the IVR: an ACD to queue callers to agents, outbound lines
 * for transfers, and control of call recording. The IVR depends on none of `@hotline/acd` or the
 * app: these interfaces are the seam.
 *
 * @module
 */
import type { Channel } from '@hotline/cti-core';

/** A request to reach an agent. */
export interface AcdRequest {
  readonly callId: string;
  /** The caller's channel; once the ACD resolves `assigned`, it owns the channel (bridges it). */
  readonly channel: Channel;
  /** Skills wanted, e.g. `['billing', 'zh']`. */
  readonly skills: readonly string[];
  /** Higher is served first (default 0). */
  readonly priority: number;
  readonly callerId?: string;
  /** Data the IVR collected (account number...) for the screen pop. Never contains secrets. */
  readonly data: Readonly<Record<string, string | number | boolean>>;
}

/** How a queue attempt ended. */
export type AcdResult =
  | { readonly status: 'assigned'; readonly agentId: string }
  | { readonly status: 'rejected' | 'closed'; readonly reason?: string };

/**
 * The application's ACD. `enqueue` resolves once an agent is assigned (the app then connects
 * the call) or the queue refuses the call. When `signal` aborts (caller hung up, maximum wait
 * reached) the ACD must drop the request; the promise may then reject or resolve, it is ignored.
 */
export interface AcdAdapter {
  enqueue(request: AcdRequest, signal: AbortSignal): Promise<AcdResult>;
}

/**
 * Outbound lines for transfers: the IVR takes one, dials on it, bridges it with the caller on
 * answer, and gives it back with `release` when the attempt failed (the app owns a bridged
 * line after a successful transfer).
 */
export interface TransferLines {
  acquire(): Channel | undefined;
  release(channel: Channel): void;
}

/**
 * Control of the call recording the application runs (M23). The IVR pauses it while a secret
 * is keyed and resumes it afterwards, so passwords never reach a recording.
 */
export interface RecordingControl {
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
}
