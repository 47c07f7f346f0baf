import WebSocket from 'ws';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import type { ClientTransport, TransportLink } from '../transport.js';

/** Options of {@link wsTransport}. */
export interface WsTransportOptions {
  /** Trusted CA certificate(s) for `wss:` with a private CA (PEM). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Verify the server certificate (default true; turn off only in tests). */
  readonly rejectUnauthorized?: boolean;
  /**
   * Hard cap on a message from the server, bytes; the socket is closed (1009) above it. Default
   * 16 MiB: the frame limit binds what clients send, while server frames are bounded by the
   * schemas' maxima (a supervisor's snapshot of a large centre can pass 1 MiB).
   */
  readonly maxPayloadBytes?: number;
}

/**
 * A client transport over the `ws` WebSocket library (`ws:` on loopback, `wss:` elsewhere).
 * Resolves when the socket is open; rejects with `ERR_UNREACHABLE` (retryable) when it cannot be
 * opened (refused, DNS, TLS failure).
 */
export function wsTransport(url: string, options: WsTransportOptions = {}): ClientTransport {
  return (handlers) =>
    new Promise<TransportLink>((resolve, reject) => {
      let opened = false;
      let socket: WebSocket;
      try {
        socket = new WebSocket(url, {
          perMessageDeflate: false,
          maxPayload: options.maxPayloadBytes ?? 16 * 1024 * 1024,
          ...(options.ca === undefined ? {} : { ca: options.ca as string | Buffer | (string | Buffer)[] }),
          ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
        });
      } catch (error) {
        reject(
          new ProtocolError(ProtocolErrorCode.Unreachable, `invalid server address ${url}`, {
            cause: error,
            details: { url },
          }),
        );
        return;
      }
      const link: TransportLink = {
        send(text) {
          if (socket.readyState === WebSocket.OPEN) socket.send(text);
        },
        close(code = 1000, reason = '') {
          if (socket.readyState === WebSocket.CLOSED) return;
          // A dead peer never completes the closing handshake: abnormal codes terminate at once.
          if (code === 1006 || code === 4000) socket.terminate();
          else socket.close(code, reason);
        },
      };
      socket.on('open', () => {
        opened = true;
        resolve(link);
      });
      socket.on('message', (data, isBinary) => {
        if (isBinary) return; // the protocol is text-only; a binary frame from a server is ignored
        const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        handlers.onMessage(buffer.toString('utf8'));
      });
      socket.on('error', (error) => {
        if (!opened) {
          reject(
            new ProtocolError(ProtocolErrorCode.Unreachable, `cannot reach the server at ${url}: ${error.message}`, {
              cause: error,
              details: { url },
            }),
          );
        }
      });
      socket.on('close', (code, reason) => {
        if (opened) handlers.onClose({ code, reason: reason.toString('utf8') });
        else
          reject(
            new ProtocolError(ProtocolErrorCode.Unreachable, `the server at ${url} closed the connection (${code})`, {
              details: { url, code },
            }),
          );
      });
    });
}
