import { VirtualScheduler } from '@hotline/cti-core';
import { describe, expect, it } from 'vitest';
import { AgentClient } from '../client/agent-client.js';
import { isProtocolError } from '../errors.js';
import type { ProtocolEvent } from '../events.js';
import { createFixture, notice } from '../test-fixture.js';
import { createMemoryTransport, type CloseInfo, type TransportHandlers } from '../transport.js';

/** A hand-driven peer: sends raw text, records every frame and the close. */
function rawPeer(server: { accept: (link: never, info: never) => TransportHandlers }) {
  const frames: Record<string, unknown>[] = [];
  let closed: CloseInfo | undefined;
  const handlers = server.accept(
    {
      send: (text: string) => frames.push(JSON.parse(text) as Record<string, unknown>),
      close: (code = 1000, reason = '') => {
        closed ??= { code, reason };
      },
    } as never,
    { remoteAddress: '127.0.0.9' } as never,
  );
  return {
    frames,
    get closed() {
      return closed;
    },
    send: (frame: unknown) => handlers.onMessage(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    drop: () => handlers.onClose({ code: 1006, reason: 'gone' }),
    last: () => frames.at(-1),
  };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

async function loggedInPeer(server: Parameters<typeof rawPeer>[0], userId = '1001', password = 'agent-pass-1001') {
  const peer = rawPeer(server);
  peer.send({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } });
  peer.send({ type: 'login', userId, password });
  await settle();
  expect(peer.last()).toMatchObject({ type: 'session', resync: true });
  return peer;
}

describe('ProtocolServer: bad input never disturbs other sessions', () => {
  it('answers malformed, oversized, unknown, unauthorised and invalid frames with typed errors while another session works', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock, { maxFrameBytes: 4_096 });
    const { server } = fixture;
    const net = createMemoryTransport(server);
    const good = new AgentClient({ transport: net.connect, scheduler: clock });
    const events: ProtocolEvent[] = [];
    good.events$.subscribe((e) => events.push(e));
    await clock.run(good.login({ userId: '1002', password: 'agent-pass-1002' }));

    const bad = await loggedInPeer(server);
    const errorOf = () => {
      const f = bad.last() as { type: string; error?: { code: string }; ok?: boolean };
      return `${f.type}:${f.error?.code}`;
    };
    bad.send('{not json');
    expect(errorOf()).toBe('error:ERR_MALFORMED');
    bad.send('[1,2,3]');
    expect(errorOf()).toBe('error:ERR_MALFORMED');
    bad.send({
      type: 'request',
      id: 'big',
      command: 'customer.search',
      params: { query: { name: 'x'.repeat(5_000) } },
    });
    expect(bad.last()).toMatchObject({
      type: 'error',
      error: { code: 'ERR_FRAME_TOO_LARGE', details: { limit: 4_096 } },
    });
    bad.send({ type: 'teleport' });
    expect(errorOf()).toBe('error:ERR_UNKNOWN_TYPE');
    bad.send({ type: 'request', id: 'r1', command: 'call.levitate', params: {} });
    expect(bad.last()).toMatchObject({ type: 'response', id: 'r1', ok: false, error: { code: 'ERR_UNKNOWN_COMMAND' } });
    bad.send({
      type: 'request',
      id: 'r2',
      command: 'supervisor.forceState',
      params: { agentId: '1002', presence: 'logged-out' },
    });
    expect(bad.last()).toMatchObject({
      type: 'response',
      id: 'r2',
      ok: false,
      error: { code: 'ERR_FORBIDDEN', details: { role: 'agent' } },
    });
    bad.send({ type: 'request', id: 'r3', command: 'agent.notReady', params: { reason: 42 } });
    await settle();
    expect(bad.last()).toMatchObject({ type: 'response', id: 'r3', ok: false, error: { code: 'ERR_INVALID_PARAMS' } });
    bad.send({ type: 'request', id: 'bad id with spaces', command: 'agent.ready' });
    expect(errorOf()).toBe('error:ERR_MALFORMED');
    bad.send({ type: 'request', id: 'r4', command: 'call.answer', params: { callId: 'nope' } });
    await settle();
    expect(bad.last()).toMatchObject({
      type: 'response',
      id: 'r4',
      ok: false,
      error: { code: 'ERR_NOT_FOUND', details: { callId: 'nope' } },
    });
    bad.send({ type: 'request', id: 'r5', command: 'billing.summary', params: { customerId: 'c1' } });
    await settle();
    expect(bad.last()).toMatchObject({ type: 'response', id: 'r5', ok: false, error: { code: 'ERR_NOT_IMPLEMENTED' } });
    bad.send({ type: 'login', userId: '1001', password: 'again' });
    expect(errorOf()).toBe('error:ERR_ILLEGAL_STATE');
    expect(bad.closed).toBeUndefined();

    // The well-behaved session is untouched: commands and events work, nothing leaked to it.
    expect(await clock.run(good.api.agent.ready())).toMatchObject({ agentId: '1002', presence: 'ready' });
    server.push({ userId: '1002' }, 'notice', notice(1));
    await clock.advanceBy(0);
    expect(events.map((e) => e.name)).toEqual(['agent.state', 'notice']);
    // The audit saw the denied privileged attempt.
    expect(fixture.audit.find((a) => a.action === 'denied')).toMatchObject({
      userId: '1001',
      command: 'supervisor.forceState',
      code: 'ERR_FORBIDDEN',
    });
  });

  it('refuses commands before login and a login before hello', async () => {
    const clock = new VirtualScheduler();
    const { server } = createFixture(clock);
    const peer = rawPeer(server);
    peer.send({ type: 'login', userId: '1001', password: 'agent-pass-1001' });
    expect(peer.last()).toMatchObject({ type: 'error', error: { code: 'ERR_HANDSHAKE_REQUIRED' } });
    peer.send({ type: 'request', id: 'a', command: 'agent.ready', params: {} });
    expect(peer.last()).toMatchObject({
      type: 'response',
      id: 'a',
      ok: false,
      error: { code: 'ERR_NOT_AUTHENTICATED' },
    });
    peer.send({ type: 'hello', protocol: '3.1', client: { name: 'raw', version: '0' } });
    expect(peer.frames.at(-2)).toMatchObject({
      type: 'error',
      error: { code: 'ERR_VERSION_MISMATCH', details: { client: '3.1', server: '1.0' } },
    });
    expect(peer.closed?.code).toBe(4002);
  });

  it('never puts a password or token in the audit log or the logs', async () => {
    const clock = new VirtualScheduler();
    const lines: string[] = [];
    const log = (m: string, f?: unknown) => void lines.push(`${m} ${JSON.stringify(f)}`);
    const fixture = createFixture(clock, { logger: { debug: log, info: log, warn: log, error: log } });
    const peer = rawPeer(fixture.server);
    peer.send({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } });
    peer.send({ type: 'login', userId: '1001', password: 'wrong-secret' });
    await settle();
    expect(peer.last()).toMatchObject({ type: 'error', error: { code: 'ERR_BAD_CREDENTIALS' } });
    peer.send({ type: 'login', userId: '1001', password: 'agent-pass-1001' });
    await settle();
    const token = (peer.last() as { token: string }).token;
    peer.send({
      type: 'request',
      id: 'pw',
      command: 'user.changePassword',
      params: { oldPassword: 'agent-pass-1001', newPassword: 'new-secret-99' },
    });
    await settle();
    expect(peer.last()).toMatchObject({ type: 'response', id: 'pw', ok: true });
    const everything = JSON.stringify(fixture.audit) + lines.join('\n');
    for (const secret of ['wrong-secret', 'agent-pass-1001', 'new-secret-99', token])
      expect(everything).not.toContain(secret);
    expect(fixture.audit.map((a) => a.action)).toEqual(['login-failed', 'login', 'command']);
  });
});

describe('ProtocolServer: idempotency', () => {
  it('executes a request id once and replays the same response, also while it is still running', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock);
    const peer = await loggedInPeer(fixture.server);
    const draft = { kind: 'emergency', subject: '闻到燃气味', description: '厨房有燃气味' };
    fixture.holdTickets = true;
    peer.send({ type: 'request', id: 'T-1', command: 'ticket.create', params: draft });
    peer.send({ type: 'request', id: 'T-1', command: 'ticket.create', params: draft }); // while running
    await settle();
    expect(fixture.calls.get('ticket.create')).toBe(1);
    fixture.held.shift()?.();
    await settle();
    peer.send({ type: 'request', id: 'T-1', command: 'ticket.create', params: draft }); // after completion
    const responses = peer.frames.filter((f) => f.type === 'response');
    expect(responses).toHaveLength(2);
    expect(responses[0]).toEqual(responses[1]);
    expect(responses[0]).toMatchObject({ ok: true, result: { trackingNo: '20261126001', kind: 'emergency' } });
    expect(fixture.calls.get('ticket.create')).toBe(1);
    peer.send({ type: 'request', id: 'T-1', command: 'agent.ready', params: {} });
    expect(peer.last()).toMatchObject({ ok: false, error: { code: 'ERR_REQUEST_ID_REUSED' } });
  });

  it('forgets the oldest completed ids beyond the cache size', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock, { idempotencyCacheSize: 2 });
    const peer = await loggedInPeer(fixture.server);
    for (const id of ['a', 'b', 'c']) peer.send({ type: 'request', id, command: 'agent.ready', params: {} });
    await settle();
    peer.send({ type: 'request', id: 'a', command: 'agent.ready', params: {} });
    await settle();
    expect(fixture.calls.get('agent.ready')).toBe(4);
    peer.send({ type: 'request', id: 'c', command: 'agent.ready', params: {} });
    await settle();
    expect(fixture.calls.get('agent.ready')).toBe(4);
  });
});

describe('ProtocolServer: heartbeats and timeouts in virtual time', () => {
  it('closes a link that stops answering pings, keeps the session resumable, then expires it', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock, { heartbeatMs: 10_000, heartbeatTimeoutMs: 25_000, resumeWindowMs: 60_000 });
    const closedReasons: string[] = [];
    fixture.server.sessionEvents$.subscribe((e) => closedReasons.push(e.type));
    const peer = await loggedInPeer(fixture.server);
    await clock.advanceBy(20_000);
    expect(peer.frames.filter((f) => f.type === 'ping')).toHaveLength(2);
    expect(peer.closed).toBeUndefined();
    await clock.advanceBy(10_000);
    expect(peer.closed).toEqual({ code: 4000, reason: 'heartbeat timeout' });
    expect(fixture.server.sessions[0]?.connected).toBe(false);
    expect(closedReasons).toEqual(['opened', 'disconnected']);
    await clock.advanceBy(60_000);
    expect(fixture.server.sessions).toHaveLength(0);
    expect(closedReasons).toEqual(['opened', 'disconnected', 'closed']);
    expect(fixture.audit.at(-1)).toMatchObject({ action: 'session-expired', userId: '1001' });
  });

  it('a peer that answers pings stays connected', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock, { heartbeatMs: 10_000 });
    const peer = await loggedInPeer(fixture.server);
    for (let i = 0; i < 10; i++) {
      await clock.advanceBy(10_000);
      peer.send({ type: 'pong' });
    }
    expect(peer.closed).toBeUndefined();
  });

  it('closes a connection that does not log in within the handshake timeout', async () => {
    const clock = new VirtualScheduler();
    const { server } = createFixture(clock, { handshakeTimeoutMs: 5_000 });
    const peer = rawPeer(server);
    peer.send({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } });
    await clock.advanceBy(5_000);
    expect(peer.frames.at(-1)).toMatchObject({ type: 'error', error: { code: 'ERR_HANDSHAKE_REQUIRED' } });
    expect(peer.closed?.code).toBe(4002);
  });
});

describe('ProtocolServer: events', () => {
  it('validates pushed events and routes them by user, role, session and predicate', async () => {
    const clock = new VirtualScheduler();
    const { server } = createFixture(clock);
    const agent = await loggedInPeer(server, '1001', 'agent-pass-1001');
    const sup = await loggedInPeer(server, '2001', 'super-pass-2001');
    expect(() => server.push('all', 'notice', { noticeId: 'x', level: 'loud', text: 'hi' } as never)).toThrow(
      /does not match/,
    );
    expect(server.push({ role: 'supervisor' }, 'notice', notice(1))).toBe(1);
    expect(server.push({ role: ['agent', 'supervisor'] }, 'notice', notice(2))).toBe(2);
    expect(server.push((s) => s.user.userId === '1001', 'notice', notice(3))).toBe(1);
    expect(server.push('all', 'notice', notice(4))).toBe(2);
    const seqs = (p: typeof agent) =>
      p.frames.filter((f) => f.type === 'event').map((f) => [f.seq, (f.data as { noticeId: string }).noticeId]);
    expect(seqs(agent)).toEqual([
      [1, 'n2'],
      [2, 'n3'],
      [3, 'n4'],
    ]);
    expect(seqs(sup)).toEqual([
      [1, 'n1'],
      [2, 'n2'],
      [3, 'n4'],
    ]);
  });

  it('says bye to everyone on graceful close and refuses new links', async () => {
    const clock = new VirtualScheduler();
    const { server } = createFixture(clock);
    const peer = await loggedInPeer(server);
    await server.close();
    expect(peer.frames.at(-1)).toMatchObject({ type: 'bye', code: 'ERR_UNAVAILABLE' });
    expect(peer.closed?.code).toBe(1001);
    const late = rawPeer(server);
    expect(late.closed?.code).toBe(1001);
    expect(isProtocolError(late.frames[0], undefined)).toBe(false);
  });
});

describe('ProtocolServer: bounds', () => {
  it('closes a connection after too many failed logins on it', async () => {
    const clock = new VirtualScheduler();
    const { server } = createFixture(clock, { maxLoginAttemptsPerConnection: 2 });
    const peer = rawPeer(server);
    peer.send({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } });
    peer.send({ type: 'login', userId: '1001', password: 'a' });
    await settle();
    expect(peer.closed).toBeUndefined();
    peer.send({ type: 'login', userId: '1002', password: 'b' });
    await settle();
    expect(peer.closed?.code).toBe(4004);
  });

  it('bounds the replay buffer by size as well as by count', async () => {
    const clock = new VirtualScheduler();
    const { server } = createFixture(clock, { replayBufferBytes: 1_000 });
    const peer = await loggedInPeer(server);
    const token = (peer.frames.find((f) => f.type === 'session') as { token: string }).token;
    peer.drop();
    for (let i = 1; i <= 20; i++)
      server.push('all', 'notice', { noticeId: `n${i}`, level: 'info', text: 'x'.repeat(100) });
    const again = rawPeer(server);
    again.send({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } });
    again.send({ type: 'resume', token, lastSeq: 0 });
    await settle();
    expect(again.frames.find((f) => f.type === 'session')).toMatchObject({ resumed: true, resync: true, seq: 20 });
    expect(again.frames.filter((f) => f.type === 'event')).toHaveLength(0);
  });
});

describe('ProtocolServer: snapshots', () => {
  it('delivers events pushed while an async snapshot is taken right after the session frame', async () => {
    const clock = new VirtualScheduler();
    let release: () => void = () => undefined;
    const fixture = createFixture(clock, {
      snapshot: () => new Promise((resolve) => (release = () => resolve({ calls: [], queues: [] }))),
    });
    const peer = rawPeer(fixture.server);
    peer.send({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } });
    peer.send({ type: 'login', userId: '1001', password: 'agent-pass-1001' });
    await settle();
    fixture.server.push({ userId: '1001' }, 'notice', notice(1));
    expect(peer.frames.map((f) => f.type)).toEqual(['welcome']);
    release();
    await settle();
    expect(peer.frames.map((f) => f.type)).toEqual(['welcome', 'session', 'event']);
    expect(peer.frames[1]).toMatchObject({ seq: 0, resync: true });
    expect(peer.frames[2]).toMatchObject({ seq: 1 });
  });

  it('takes the snapshot again when the replay buffer overflowed while it was taken', async () => {
    const clock = new VirtualScheduler();
    let taken = 0;
    const fixture = createFixture(clock, {
      replayBufferSize: 3,
      snapshot: async () => {
        taken++;
        if (taken === 1) for (let i = 1; i <= 5; i++) fixture.server.push({ userId: '1001' }, 'notice', notice(i));
        return { calls: [], queues: [] };
      },
    });
    const peer = rawPeer(fixture.server);
    peer.send({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } });
    peer.send({ type: 'login', userId: '1001', password: 'agent-pass-1001' });
    await settle();
    expect(taken).toBe(2);
    expect(peer.frames.find((f) => f.type === 'session')).toMatchObject({ seq: 5 });
  });

  it('refuses the login with ERR_UNAVAILABLE when the snapshot fails, and the session is gone', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock, {
      snapshot: () => {
        throw new Error('database is locked');
      },
    });
    const peer = rawPeer(fixture.server);
    peer.send({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } });
    peer.send({ type: 'login', userId: '1001', password: 'agent-pass-1001' });
    await settle();
    expect(peer.last()).toMatchObject({ type: 'error', error: { code: 'ERR_UNAVAILABLE', retryable: true } });
    expect(JSON.stringify(peer.frames)).not.toContain('database');
    expect(fixture.server.sessions).toHaveLength(0);
  });
});
