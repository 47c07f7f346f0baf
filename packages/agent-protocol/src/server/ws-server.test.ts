import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentClient, type ConnectionState } from '../client/agent-client.js';
import { wsTransport } from '../client/ws-transport.js';
import { isProtocolError } from '../errors.js';
import type { ProtocolEvent } from '../events.js';
import { createFixture, notice } from '../test-fixture.js';
import type { TransportLink } from '../transport.js';
import { listenWebSocket } from './ws-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(
  options: Parameters<typeof createFixture>[1] = {},
  listen: Parameters<typeof listenWebSocket>[1] = {},
) {
  const fixture = createFixture(asyncScheduler, options);
  const listener = await listenWebSocket(fixture.server, listen);
  cleanups.push(
    () => listener.close(),
    () => fixture.server.close(0),
  );
  return { fixture, listener, server: fixture.server };
}

function until(predicate: () => boolean, ms = 3_000): Promise<void> {
  const deadline = performance.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) resolve();
      else if (performance.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(check, 5);
    };
    check();
  });
}

/** A raw ws socket that collects parsed frames. */
async function rawSocket(url: string) {
  const socket = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  let closeCode: number | undefined;
  socket.on('message', (data) => frames.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>));
  socket.on('close', (code) => (closeCode = code));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  cleanups.push(() => socket.terminate());
  return { socket, frames, closeCode: () => closeCode };
}

describe('listenWebSocket + AgentClient over real sockets on 127.0.0.1', () => {
  it('binds to loopback on an ephemeral port and round-trips login, commands and events', async () => {
    const { listener, server } = await start();
    expect(listener.host).toBe('127.0.0.1');
    expect(listener.port).toBeGreaterThan(0);
    const client = new AgentClient({ url: listener.url });
    cleanups.push(() => client.close());
    const events: ProtocolEvent[] = [];
    client.events$.subscribe((e) => events.push(e));
    const session = await client.login({ userId: '1001', password: 'agent-pass-1001' });
    expect(session.user.displayName).toBe('王芳');
    const found = await client.api.customer.search({ query: { name: '陈静' } });
    expect(found.customers[0]?.phones).toEqual(['13800138000']);
    await client.api.agent.ready();
    server.push({ userId: '1001' }, 'notice', notice(1));
    await until(() => events.length === 2);
    expect(events.map((e) => [e.seq, e.name])).toEqual([
      [1, 'agent.state'],
      [2, 'notice'],
    ]);
  });

  it('resumes after the socket drops: the missed events arrive once, queued commands go through once', async () => {
    const { listener, server, fixture } = await start();
    const links: TransportLink[] = [];
    const states: ConnectionState['status'][] = [];
    const client = new AgentClient({
      transport: (h) => wsTransport(listener.url)(h).then((link) => (links.push(link), link)),
      reconnect: { initialDelayMs: 50, jitter: 0 },
    });
    cleanups.push(() => client.close());
    client.connection$.subscribe((s) => states.push(s.status));
    const events: ProtocolEvent[] = [];
    client.events$.subscribe((e) => events.push(e));
    await client.login({ userId: '1001', password: 'agent-pass-1001' });
    for (let i = 1; i <= 5; i++) server.push({ userId: '1001' }, 'notice', notice(i));
    await until(() => events.length === 5);
    links[0]?.close(1006); // abrupt: terminate the TCP connection
    await until(() => states.includes('reconnecting'));
    for (let i = 6; i <= 10; i++) server.push({ userId: '1001' }, 'notice', notice(i));
    const ticket = client.api.ticket.create({ kind: 'repair', subject: '无气', description: '整栋楼没有燃气' });
    await until(() => client.state.status === 'online');
    expect((await ticket).trackingNo).toMatch(/^\d+$/);
    await until(() => events.length === 10);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(fixture.calls.get('ticket.create')).toBe(1);
    expect(links).toHaveLength(2);
  });

  it('answers binary, oversized and malformed frames with typed errors and keeps the socket', async () => {
    const { listener } = await start({ maxFrameBytes: 1_024 });
    const raw = await rawSocket(listener.url);
    raw.socket.send(Buffer.from([1, 2, 3]));
    raw.socket.send('x'.repeat(2_000));
    raw.socket.send('{"type":');
    await until(() => raw.frames.length === 3);
    expect(raw.frames.map((f) => (f.error as { code: string }).code)).toEqual([
      'ERR_MALFORMED',
      'ERR_FRAME_TOO_LARGE',
      'ERR_MALFORMED',
    ]);
    raw.socket.send(JSON.stringify({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } }));
    await until(() => raw.frames.length === 4);
    expect(raw.frames[3]).toMatchObject({ type: 'welcome', maxFrameBytes: 1_024 });
  });

  it('closes a socket that sends more than the hard payload cap (1009)', async () => {
    const { listener } = await start({}, { maxPayloadBytes: 8_192 });
    const raw = await rawSocket(listener.url);
    raw.socket.send('y'.repeat(10_000));
    await until(() => raw.closeCode() !== undefined);
    expect(raw.closeCode()).toBe(1009);
  });

  it('reports an unreachable server with a typed, retryable error', async () => {
    const { listener } = await start();
    const url = listener.url;
    await listener.close();
    const client = new AgentClient({ url, connectTimeoutMs: 2_000 });
    const error = await client.login({ userId: '1001', password: 'x' }).catch((e: unknown) => e);
    expect(isProtocolError(error, 'ERR_UNREACHABLE')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
    expect(client.state).toMatchObject({ status: 'offline', reason: 'unreachable' });
  });

  it('reports a protocol version mismatch over a real socket', async () => {
    const { listener } = await start();
    const client = new AgentClient({ url: listener.url, protocolVersion: '2.0' });
    const error = await client.login({ userId: '1001', password: 'agent-pass-1001' }).catch((e: unknown) => e);
    expect(isProtocolError(error, 'ERR_VERSION_MISMATCH')).toBe(true);
  });

  let openssl = true;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    openssl = false;
  }
  it.skipIf(!openssl)('serves wss:// when given a certificate and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-protocol-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const { listener } = await start({}, { tls: { cert, key: readFileSync(join(dir, 'key.pem')) } });
    expect(listener.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
    const untrusted = new AgentClient({ url: listener.url });
    expect(
      isProtocolError(
        await untrusted.login({ userId: '1001', password: 'agent-pass-1001' }).catch((e: unknown) => e),
        'ERR_UNREACHABLE',
      ),
    ).toBe(true);
    const client = new AgentClient({ url: listener.url, ws: { ca: cert } });
    cleanups.push(() => client.close());
    const session = await client.login({ userId: '1001', password: 'agent-pass-1001' });
    expect(session.user.role).toBe('agent');
  });
});
