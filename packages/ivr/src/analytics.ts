/**
 * The analytics stream: one event per node entered and left, per entry the caller keyed
 * (masked where secret), per app service call, and one outcome per call. Containment and menu
 * statistics are computed from it.
 *
 * @module
 */
import type { Locale } from './locale.js';

/** Kinds of IVR node. */
export type NodeKind =
  | 'play'
  | 'say'
  | 'menu'
  | 'collect'
  | 'record'
  | 'queue'
  | 'voicemail'
  | 'fax'
  | 'survey'
  | 'transfer'
  | 'hangup'
  | 'service'
  | 'action'
  | 'sub-flow';

/** How a node ended. */
export type NodeResult =
  'ok' | 'back' | 'agent' | 'max-failures' | 'hangup' | 'timeout' | 'failed' | 'handed-off' | 'ended' | 'error';

/** How a call's IVR session ended. */
export type CallOutcomeStatus =
  /** The flow finished in self-service and the IVR released the call (containment). */
  | 'completed'
  /** The caller hung up during the flow. */
  | 'caller-hangup'
  /** The call was handed to an agent (ACD) or transferred; the IVR no longer owns it. */
  | 'handed-off'
  /** The caller failed too many times and was sent away (goodbye). */
  | 'max-failures'
  /** The flow threw an error; the caller heard the service-unavailable prompt. */
  | 'failed'
  /** The caller asked for (or was sent to) an agent and none could be reached; the IVR said goodbye. */
  | 'agent-unavailable';

/** The outcome of one call, returned by the runtime and emitted as `call-ended`. */
export interface CallOutcome {
  readonly status: CallOutcomeStatus;
  readonly callId: string;
  readonly flow: string;
  /** Version of the declarative menu the call ran (code flows: undefined). */
  readonly version?: number;
  /** The node the call was in when it ended. */
  readonly lastNode: string;
  /** Nodes entered, in order (ids). */
  readonly path: readonly string[];
  readonly durationMs: number;
  /** Where a handed-off call went. */
  readonly handedTo?:
    { readonly kind: 'agent'; readonly agentId: string } | { readonly kind: 'transfer'; readonly target: string };
  /** The error code of a failed flow. */
  readonly errorCode?: string;
}

/** Events of {@link IvrRuntime.events$}. Every event carries the call id and scheduler time. */
export type IvrEvent =
  | {
      readonly type: 'call-started';
      readonly at: number;
      readonly callId: string;
      readonly flow: string;
      readonly version?: number;
      readonly locale: Locale;
      /** Masked calling number. */
      readonly caller: string;
    }
  | {
      readonly type: 'node-entered';
      readonly at: number;
      readonly callId: string;
      readonly node: string;
      readonly kind: NodeKind;
    }
  | {
      readonly type: 'node-left';
      readonly at: number;
      readonly callId: string;
      readonly node: string;
      readonly kind: NodeKind;
      readonly result: NodeResult;
      readonly durationMs: number;
      /** Invalid entries and timeouts before the node ended. */
      readonly failures: number;
      /** The key chosen (menus) or the entry (collects), masked when secret. */
      readonly input?: string;
    }
  | {
      readonly type: 'input';
      readonly at: number;
      readonly callId: string;
      readonly node: string;
      /** The keyed digits, masked (`****`) when the entry is secret. */
      readonly digits: string;
      readonly secret: boolean;
      readonly valid: boolean;
      /** Why the entry was refused (never contains a secret). */
      readonly reason?: string;
    }
  | {
      readonly type: 'service';
      readonly at: number;
      readonly callId: string;
      readonly node: string;
      readonly service: string;
      readonly status: 'ok' | 'timeout' | 'error';
      readonly durationMs: number;
    }
  | {
      readonly type: 'recording';
      readonly at: number;
      readonly callId: string;
      readonly node: string;
      readonly state: 'paused' | 'resumed';
    }
  | { readonly type: 'call-ended'; readonly at: number; readonly callId: string; readonly outcome: CallOutcome };
