/**
 * The envelope: every frame on the wire is one JSON object in one WebSocket text message, with a
 * `type` discriminator. This module holds the frame schemas and the codec (size limit, JSON,
 * schema), used by both ends.
 */
import { z } from 'zod';
import { Id, Snapshot, Text, Timestamp, UserInfo } from './domain.js';
import { ProtocolError, ProtocolErrorCode } from './errors.js';

/** The default and maximum size of one frame, bytes of UTF-8 (256 KiB). */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024;

/** A request id: chosen by the client, unique per session (idempotency key). */
export const RequestId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/);

/** An error as it travels on the wire. */
export const WireError = z.object({
  code: z.string().min(1).max(64),
  message: Text(1000),
  details: z.record(z.string(), z.unknown()).optional(),
  retryable: z.boolean().optional(),
});
/** See {@link WireError}. */
export type WireError = z.infer<typeof WireError>;

const PeerInfo = z.object({ name: Text(64), version: Text(32) });

// ---------------------------------------------------------------------------------------------
// Client → server

/** First frame of every connection. */
export const HelloFrame = z.object({
  type: z.literal('hello'),
  /** The client's protocol version, `major.minor`. */
  protocol: z.string().max(16),
  client: PeerInfo,
});
/** Log in with credentials (after `welcome`). */
export const LoginFrame = z.object({
  type: z.literal('login'),
  userId: z.string().min(1).max(64),
  password: z.string().min(1).max(128),
});
/** Resume a session after a reconnect (after `welcome`). */
export const ResumeFrame = z.object({
  type: z.literal('resume'),
  token: z.string().min(16).max(256),
  /** The last event seq the client applied (0 if none). */
  lastSeq: z.number().int().nonnegative(),
});
/** A command. */
export const RequestFrame = z.object({
  type: z.literal('request'),
  id: RequestId,
  command: z.string().min(1).max(64),
  params: z.unknown(),
});
/** Heartbeat probe, either direction. */
export const PingFrame = z.object({ type: z.literal('ping'), t: z.number().optional() });
/** Heartbeat answer, either direction (echoes `t`). */
export const PongFrame = z.object({ type: z.literal('pong'), t: z.number().optional() });
/** Orderly close. From the client, `endSession` also ends the session (the token stops working). */
export const ByeFrame = z.object({
  type: z.literal('bye'),
  endSession: z.boolean().optional(),
  /** Server side: why the connection closes (a protocol error code). */
  code: z.string().max(64).optional(),
  message: Text(500).optional(),
});

/** Any frame a client may send. */
export const ClientFrame = z.discriminatedUnion('type', [
  HelloFrame,
  LoginFrame,
  ResumeFrame,
  RequestFrame,
  PingFrame,
  PongFrame,
  ByeFrame,
]);
/** See {@link ClientFrame}. */
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---------------------------------------------------------------------------------------------
// Server → client

/** The answer to `hello`. */
export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  /** The negotiated version: the common major, the lower minor. */
  protocol: z.string().max(16),
  server: PeerInfo,
  /** The server sends `ping` this often; silence for 2.5× this means the link is dead. */
  heartbeatMs: z.number().int().positive(),
  maxFrameBytes: z.number().int().positive(),
  /** How long a disconnected session can still be resumed, ms. */
  resumeWindowMs: z.number().int().nonnegative(),
});
/** See {@link WelcomeFrame}. */
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;

/** The answer to a successful `login` or `resume`. */
export const SessionFrame = z.object({
  type: z.literal('session'),
  sessionId: Id,
  /** The resume token: keep it in memory only; it dies with the session. */
  token: z.string().min(16).max(256),
  user: UserInfo,
  /** True when an existing session was resumed. */
  resumed: z.boolean(),
  /**
   * True when the client's state must be rebuilt from `snapshot` (fresh login, or a resume the
   * replay buffer could not serve). False on a resume served from the buffer: the missed events
   * follow this frame.
   */
  resync: z.boolean(),
  /** The seq the snapshot is current at (resync) or the seq the replay starts after (resume). */
  seq: z.number().int().nonnegative(),
  snapshot: Snapshot.optional(),
});
/** See {@link SessionFrame}. */
export type SessionFrame = z.infer<typeof SessionFrame>;

/** The answer to a `request`. */
export const ResponseFrame = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: WireError }),
]);
/** See {@link ResponseFrame}. */
export type ResponseFrame = z.infer<typeof ResponseFrame>;

/** An event, sequence-numbered per session. */
export const EventFrame = z.object({
  type: z.literal('event'),
  seq: z.number().int().positive(),
  at: Timestamp,
  name: z.string().min(1).max(64),
  data: z.unknown(),
});
/** See {@link EventFrame}. */
export type EventFrame = z.infer<typeof EventFrame>;

/**
 * An error not tied to a request: handshake and authentication failures, and frames that could
 * not be read at all (malformed JSON, oversized, unknown type). The connection stays open unless
 * a `bye` follows.
 */
export const ErrorFrame = z.object({ type: z.literal('error'), error: WireError });
/** See {@link ErrorFrame}. */
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/** Any frame a server may send. */
export const ServerFrame = z.union([
  WelcomeFrame,
  SessionFrame,
  ResponseFrame,
  EventFrame,
  ErrorFrame,
  PingFrame,
  PongFrame,
  ByeFrame,
]);
/** See {@link ServerFrame}. */
export type ServerFrame = z.infer<typeof ServerFrame>;

// ---------------------------------------------------------------------------------------------
// Codec

/** UTF-8 byte length of a string without allocating a buffer. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Reads a raw frame: checks the size, parses JSON, checks it is an object with a string `type`.
 * Throws `ERR_FRAME_TOO_LARGE` or `ERR_MALFORMED`. The shape of the specific frame is checked by
 * the caller, which knows which types it accepts.
 */
export function readFrame(
  text: string,
  maxBytes: number = DEFAULT_MAX_FRAME_BYTES,
): { readonly type: string } & Record<string, unknown> {
  // A UTF-8 byte is at most one UTF-16 unit and at least a third of one: skip the count when safe.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8Length(text) > maxBytes)) {
    throw new ProtocolError(
      ProtocolErrorCode.FrameTooLarge,
      `frame of ${utf8Length(text)} bytes exceeds the ${maxBytes}-byte limit`,
      {
        details: { bytes: utf8Length(text), limit: maxBytes },
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(ProtocolErrorCode.Malformed, 'frame is not valid JSON');
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    typeof (value as { type?: unknown }).type !== 'string'
  ) {
    throw new ProtocolError(ProtocolErrorCode.Malformed, 'frame is not a JSON object with a string "type"');
  }
  return value as { readonly type: string } & Record<string, unknown>;
}

/** Turns zod issues into a short JSON-safe list for `details.issues` (at most 10). */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Converts any thrown value to a wire error. Unknown errors become `ERR_INTERNAL` without their message. */
export function toWireError(error: unknown): WireError {
  if (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[Symbol.for('hotline.error')] === true
  ) {
    const e = error as { code?: unknown; message?: unknown; details?: unknown; retryable?: unknown };
    if (typeof e.code === 'string') {
      const wire: WireError = {
        code: e.code.slice(0, 64),
        message: (typeof e.message === 'string' ? e.message : '').slice(0, 1000),
      };
      if (typeof e.details === 'object' && e.details !== null && Object.keys(e.details).length > 0) {
        wire.details = e.details as Record<string, unknown>;
      }
      if (e.retryable === true) wire.retryable = true;
      return wire;
    }
  }
  return { code: ProtocolErrorCode.Internal, message: 'internal server error' };
}

/** Rebuilds a {@link ProtocolError} from a wire error. */
export function fromWireError(wire: WireError): ProtocolError {
  return new ProtocolError(wire.code, wire.message, {
    details: wire.details ?? {},
    ...(wire.retryable === undefined ? {} : { retryable: wire.retryable }),
  });
}
