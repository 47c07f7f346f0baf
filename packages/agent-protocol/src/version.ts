import { ProtocolError, ProtocolErrorCode } from './errors.js';

/**
 * The protocol version this package speaks, `major.minor`.
 *
 * Rules: a **minor** bump only adds (optional fields, commands, events, error codes); peers of the
 * same major interoperate, each ignoring fields and events it does not know and the client not
 * using commands newer than the negotiated minor. A **major** bump changes or removes something;
 * peers of different majors refuse each other at `hello` with `ERR_VERSION_MISMATCH`.
 */
export const PROTOCOL_VERSION = '1.0';

/** A parsed `major.minor` protocol version. */
export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
}

const VERSION_RE = /^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$/;

/** Parses `major.minor`; throws `ERR_MALFORMED` on anything else. */
export function parseVersion(text: string): ProtocolVersion {
  const m = VERSION_RE.exec(text);
  if (!m)
    throw new ProtocolError(
      ProtocolErrorCode.Malformed,
      `not a protocol version: ${JSON.stringify(text.slice(0, 20))}`,
    );
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/**
 * Negotiates the version two peers speak: the same major, the lower minor. Throws
 * `ERR_VERSION_MISMATCH` (details `client`, `server`) when the majors differ.
 */
export function negotiateVersion(client: string, server: string = PROTOCOL_VERSION): string {
  const c = parseVersion(client);
  const s = parseVersion(server);
  if (c.major !== s.major) {
    throw new ProtocolError(
      ProtocolErrorCode.VersionMismatch,
      `protocol version mismatch: client speaks ${client}, server speaks ${server}`,
      { details: { client, server } },
    );
  }
  return `${s.major}.${Math.min(c.minor, s.minor)}`;
}
