import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { ProtocolErrorCode } from '../errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../frames.js';
import { silentLogger, type Logger } from '../logger.js';
import type { LinkAcceptor, TransportLink } from '../transport.js';

/** Options of {@link listenWebSocket}. */
export interface WebSocketListenOptions {
  /** Interface to bind (default `127.0.0.1`: loopback only). */
  readonly host?: string;
  /** Port (default 0: an ephemeral port, see the handle's `port`). */
  readonly port?: number;
  /** Accept upgrades on this path only (default: any path). */
  readonly path?: string;
  /** Serve `wss:` with this certificate and key (PEM). Strongly advised off loopback. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer; readonly ca?: string | Buffer };
  /**
   * Hard cap on an incoming message, bytes: above it `ws` closes the socket (1009) without
   * reading it. Default 4× the protocol's 256 KiB frame limit, so frames a little over the limit
   * are still read and get a typed `ERR_FRAME_TOO_LARGE` reply.
   */
  readonly maxPayloadBytes?: number;
  readonly logger?: Logger;
}

/** A listening WebSocket endpoint. */
export interface WebSocketListener {
  /** `ws://host:port/` or `wss://...`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Number of open sockets. */
  readonly connections: number;
  /** Stops listening and terminates every socket (close the engine first for a graceful `bye`). */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Serves a session engine (a {@link LinkAcceptor}, normally `ProtocolServer`) over WebSocket with
 * `ws`: loopback by default, TLS when `tls` is given. Text frames only; a binary frame gets an
 * `ERR_MALFORMED` error frame. Per-message compression is off (small frames, CPU and CRIME-style
 * risks outweigh it).
 */
export async function listenWebSocket(
  engine: LinkAcceptor,
  options: WebSocketListenOptions = {},
): Promise<WebSocketListener> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const http: HttpServer = options.tls
    ? createHttpsServer({
        cert: options.tls.cert,
        key: options.tls.key,
        ...(options.tls.ca ? { ca: options.tls.ca } : {}),
      })
    : createHttpServer();
  if (!options.tls && !LOOPBACK.has(host)) {
    logger.warn(
      'agent-protocol: serving without TLS on a non-loopback interface; passwords cross the network in clear',
      { host },
    );
  }
  http.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
  });
  const wss = new WebSocketServer({
    server: http,
    perMessageDeflate: false,
    maxPayload: options.maxPayloadBytes ?? 4 * DEFAULT_MAX_FRAME_BYTES,
    ...(options.path ? { path: options.path } : {}),
  });
  wss.on('connection', (socket: WebSocket, request) => {
    const remoteAddress = request.socket.remoteAddress ?? 'unknown';
    const link: TransportLink = {
      send(text) {
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
      },
      close(code = 1000, reason = '') {
        if (socket.readyState === WebSocket.CLOSED) return;
        // A dead peer never finishes the closing handshake: heartbeat failures terminate at once.
        if (code === 4000 || code === 1006) socket.terminate();
        else socket.close(code, reason);
      },
    };
    const handlers = engine.accept(link, { remoteAddress });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        link.send(
          JSON.stringify({
            type: 'error',
            error: { code: ProtocolErrorCode.Malformed, message: 'binary frames are not accepted; send JSON text' },
          }),
        );
        return;
      }
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      handlers.onMessage(buffer.toString('utf8'));
    });
    socket.on('close', (code, reason) => handlers.onClose({ code, reason: reason.toString('utf8') }));
    socket.on('error', (error) => logger.info('agent-protocol: socket error', { remoteAddress, error: error.message }));
  });
  wss.on('error', (error) => logger.error('agent-protocol: WebSocket server error', { error: error.message }));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info('agent-protocol: listening', { host: address.address, port: address.port, tls: Boolean(options.tls) });
  return {
    url: `${options.tls ? 'wss' : 'ws'}://${shownHost}:${address.port}${options.path ?? '/'}`,
    host: address.address,
    port: address.port,
    get connections() {
      return wss.clients.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => http.close(() => resolve()));
      }),
  };
}
