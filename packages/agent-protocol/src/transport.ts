/**
 * The transport seam. The protocol runs over anything that carries ordered text messages both
 * ways: a WebSocket in production, an in-memory pair in tests. Both the client and the server
 * engine see only these interfaces.
 */
import { ProtocolError, ProtocolErrorCode } from './errors.js';

/** Why a link closed. */
export interface CloseInfo {
  /** WebSocket-style close code (1000 normal, 1006 abnormal, 4xxx protocol). */
  readonly code: number;
  readonly reason: string;
}

/** The sending half of a live link. */
export interface TransportLink {
  /** Sends one text frame. Never throws; on a closed link the frame is dropped. */
  send(text: string): void;
  /** Closes the link; the peer's and this side's `onClose` run once. Idempotent. */
  close(code?: number, reason?: string): void;
}

/** The receiving half: what a link calls on its owner. Called asynchronously, never re-entrantly from `send`. */
export interface TransportHandlers {
  onMessage(text: string): void;
  onClose(info: CloseInfo): void;
}

/**
 * Opens a client link: resolves once the link is open, rejects with `ERR_UNREACHABLE` when it
 * cannot be opened.
 */
export type ClientTransport = (handlers: TransportHandlers) => Promise<TransportLink>;

/** Facts about an accepted connection, for logs, audit and lockout. */
export interface ConnectionInfo {
  /** The peer address (`127.0.0.1`, `memory`). */
  readonly remoteAddress: string;
}

/** Anything that accepts server-side links (the session engine). */
export interface LinkAcceptor {
  accept(link: TransportLink, info: ConnectionInfo): TransportHandlers;
}

/** Controls of an in-memory transport (tests): drop links, refuse connections. */
export interface MemoryTransport {
  /** The client transport to give to `AgentClient`. */
  readonly connect: ClientTransport;
  /** Simulates the network dropping every open link (close code 1006 on both sides). */
  dropAll(): void;
  /** While true, new connections fail with `ERR_UNREACHABLE`. */
  unreachable: boolean;
  /** Open links. */
  readonly openLinks: number;
}

/**
 * An in-memory transport to a server engine. Messages are delivered in order on the microtask
 * queue (never synchronously inside `send`), like a network would, so both sides see the same
 * asynchrony as over a socket.
 */
export function createMemoryTransport(
  server: LinkAcceptor,
  info: ConnectionInfo = { remoteAddress: 'memory' },
): MemoryTransport {
  const open = new Set<() => void>();
  const transport: MemoryTransport = {
    unreachable: false,
    get openLinks() {
      return open.size;
    },
    dropAll() {
      for (const drop of [...open]) drop();
    },
    connect: async (clientHandlers) => {
      await Promise.resolve();
      if (transport.unreachable) throw new ProtocolError(ProtocolErrorCode.Unreachable, 'in-memory server unreachable');
      let closed = false;
      let serverHandlers: TransportHandlers | undefined;
      const shut = (info: CloseInfo): void => {
        if (closed) return;
        closed = true;
        open.delete(drop);
        queueMicrotask(() => {
          serverHandlers?.onClose(info);
          clientHandlers.onClose(info);
        });
      };
      const drop = (): void => shut({ code: 1006, reason: 'connection dropped' });
      const serverLink: TransportLink = {
        send(text) {
          if (!closed) queueMicrotask(() => clientHandlers.onMessage(text));
        },
        close(code = 1000, reason = '') {
          shut({ code, reason });
        },
      };
      const clientLink: TransportLink = {
        send(text) {
          if (!closed) queueMicrotask(() => serverHandlers?.onMessage(text));
        },
        close(code = 1000, reason = '') {
          shut({ code, reason });
        },
      };
      open.add(drop);
      serverHandlers = server.accept(serverLink, info);
      return clientLink;
    },
  };
  return transport;
}
