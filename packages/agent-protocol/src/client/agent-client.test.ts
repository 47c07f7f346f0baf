import { VirtualScheduler } from '@hotline/cti-core';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../errors.js';
import type { ProtocolEvent } from '../events.js';
import { createFixture, notice } from '../test-fixture.js';
import { createMemoryTransport } from '../transport.js';
import { AgentClient, type ConnectionState } from './agent-client.js';

function setup(options: Parameters<typeof createFixture>[1] = {}) {
  const clock = new VirtualScheduler();
  const fixture = createFixture(clock, options);
  const net = createMemoryTransport(fixture.server);
  const client = new AgentClient({
    transport: net.connect,
    scheduler: clock,
    random: () => 0.5,
    reconnect: { initialDelayMs: 1_000 },
  });
  const events: ProtocolEvent[] = [];
  const states: ConnectionState[] = [];
  client.events$.subscribe((e) => events.push(e));
  client.connection$.subscribe((s) => states.push(s));
  return { clock, fixture, net, client, events, states, server: fixture.server };
}

describe('AgentClient over the in-memory transport', () => {
  it('logs in, runs typed commands and receives events in order', async () => {
    const { clock, client, events, server } = setup();
    const session = await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    expect(session.user.role).toBe('agent');
    expect(session.resync).toBe(true);
    expect(session.snapshot?.catalog?.notReadyReasons[0]?.code).toBe('lunch');
    const status = await clock.run(client.api.agent.ready());
    expect(status.presence).toBe('ready');
    server.push({ userId: '1001' }, 'notice', notice(1));
    await clock.advanceBy(0);
    expect(events.map((e) => [e.seq, e.name])).toEqual([
      [1, 'agent.state'],
      [2, 'notice'],
    ]);
    expect(client.state.status).toBe('online');
  });

  it('rejects a wrong password, then locks out, with typed errors', async () => {
    const { clock, client, states } = setup();
    const first = await clock.run(client.login({ userId: '1001', password: 'wrong' })).catch((e: unknown) => e);
    expect(isProtocolError(first, 'ERR_BAD_CREDENTIALS')).toBe(true);
    expect((first as { details: unknown }).details).toEqual({ remainingAttempts: 2 });
    expect(states.at(-1)).toMatchObject({ status: 'offline', reason: 'login-failed' });
    await clock.run(client.login({ userId: '1001', password: 'wrong' })).catch(() => undefined);
    const third = await clock.run(client.login({ userId: '1001', password: 'wrong' })).catch((e: unknown) => e);
    expect(isProtocolError(third, 'ERR_LOCKED_OUT')).toBe(true);
    const fourth = await clock
      .run(client.login({ userId: '1001', password: 'agent-pass-1001' }))
      .catch((e: unknown) => e);
    expect(isProtocolError(fourth, 'ERR_LOCKED_OUT')).toBe(true);
  });

  it('reports an unreachable server and a protocol version mismatch', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock);
    const net = createMemoryTransport(fixture.server);
    net.unreachable = true;
    const client = new AgentClient({ transport: net.connect, scheduler: clock });
    const e1 = await clock.run(client.login({ userId: '1001', password: 'x' })).catch((e: unknown) => e);
    expect(isProtocolError(e1, 'ERR_UNREACHABLE')).toBe(true);
    expect(client.state).toMatchObject({ status: 'offline', reason: 'unreachable' });

    net.unreachable = false;
    const future = new AgentClient({ transport: net.connect, scheduler: clock, protocolVersion: '2.0' });
    const e2 = await clock.run(future.login({ userId: '1001', password: 'agent-pass-1001' })).catch((e: unknown) => e);
    expect(isProtocolError(e2, 'ERR_VERSION_MISMATCH')).toBe(true);
    expect((e2 as { details: unknown }).details).toEqual({ client: '2.0', server: '1.0' });
    expect(future.state).toMatchObject({ status: 'offline', reason: 'version-mismatch' });

    const minor = new AgentClient({ transport: net.connect, scheduler: clock, protocolVersion: '1.7' });
    const s = await clock.run(minor.login({ userId: '1002', password: 'agent-pass-1002' }));
    expect(s.protocol).toBe('1.0');
  });
});

describe('AgentClient reconnect and resume', () => {
  async function online(options: Parameters<typeof setup>[0] = {}) {
    const ctx = setup(options);
    await ctx.clock.run(ctx.client.login({ userId: '1001', password: 'agent-pass-1001' }));
    return ctx;
  }

  it('resumes after a dropped link with exactly the missed events, none twice', async () => {
    const { clock, client, events, states, server, net } = await online();
    for (let i = 1; i <= 3; i++) server.push({ userId: '1001' }, 'notice', notice(i));
    await clock.advanceBy(0);
    net.dropAll();
    await clock.advanceBy(0);
    expect(client.state).toMatchObject({ status: 'reconnecting', attempt: 1, retryInMs: 1_000 });
    for (let i = 4; i <= 6; i++) server.push({ userId: '1001' }, 'notice', notice(i));
    expect(server.sessions[0]?.connected).toBe(false);
    await clock.advanceBy(1_000);
    expect(client.state.status).toBe('online');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((e) => (e.name === 'notice' ? e.data.noticeId : ''))).toEqual([
      'n1',
      'n2',
      'n3',
      'n4',
      'n5',
      'n6',
    ]);
    const onlineStates = states.filter((s) => s.status === 'online');
    expect(onlineStates.at(-1)).toMatchObject({ session: { resumed: true, resync: false, seq: 3 } });
    server.push({ userId: '1001' }, 'notice', notice(7));
    await clock.advanceBy(0);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('backs off while the server is unreachable and resumes when it is back', async () => {
    const { clock, client, events, server, net, states } = await online();
    net.dropAll();
    net.unreachable = true;
    server.push({ userId: '1001' }, 'notice', notice(1));
    await clock.advanceBy(1_000 + 2_000 + 4_000);
    const retries = states
      .filter((s) => s.status === 'reconnecting')
      .map((s) => (s.status === 'reconnecting' ? s.retryInMs : 0));
    expect(retries).toEqual([1_000, 2_000, 4_000, 8_000]);
    net.unreachable = false;
    await clock.advanceBy(8_000);
    expect(client.state.status).toBe('online');
    expect(events.map((e) => e.seq)).toEqual([1]);
  });

  it('resyncs with a fresh snapshot when the replay buffer no longer holds the missed events', async () => {
    const { clock, client, events, server, net } = await online({ replayBufferSize: 4 });
    const sessions: boolean[] = [];
    client.session$.subscribe((s) => sessions.push(s.resync));
    server.push({ userId: '1001' }, 'notice', notice(1));
    await clock.advanceBy(0);
    net.dropAll();
    for (let i = 2; i <= 10; i++) server.push({ userId: '1001' }, 'notice', notice(i));
    await clock.advanceBy(1_000);
    expect(client.state.status).toBe('online');
    expect(sessions).toEqual([true]);
    // Events 2..10 are not applied one by one: the snapshot is current at seq 10.
    expect(client.state.status === 'online' && client.state.session.seq).toBe(10);
    expect(client.state.status === 'online' && client.state.session.snapshot?.agent?.agentId).toBe('1001');
    expect(events.map((e) => e.seq)).toEqual([1]);
    server.push({ userId: '1001' }, 'notice', notice(11));
    await clock.advanceBy(0);
    expect(events.map((e) => e.seq)).toEqual([1, 11]);
  });

  it('queues commands issued while reconnecting and sends them once online', async () => {
    const { clock, client, net, fixture } = await online();
    net.dropAll();
    await clock.advanceBy(0);
    const pending = client.api.agent.notReady({ reason: 'lunch' });
    await clock.advanceBy(500);
    expect(fixture.calls.get('agent.notReady')).toBeUndefined();
    const status = await clock.run(pending);
    expect(status).toMatchObject({ presence: 'not-ready', reason: 'lunch' });
    expect(fixture.calls.get('agent.notReady')).toBe(1);
  });

  it('re-sends a command whose response was lost, and the server applies it once', async () => {
    const { clock, client, net, fixture } = await online();
    fixture.holdTickets = true;
    const created = client.api.ticket.create({ kind: 'repair', subject: '燃气表不走字', description: '表计故障' });
    await clock.advanceBy(0);
    expect(fixture.calls.get('ticket.create')).toBe(1);
    net.dropAll();
    await clock.advanceBy(0);
    fixture.held.shift()?.(); // completes while the desktop is away
    await clock.advanceBy(1_000); // reconnect, resume, re-send the same request id
    const ticket = await clock.run(created);
    expect(ticket.trackingNo).toBe('20261126001');
    expect(fixture.calls.get('ticket.create')).toBe(1);
  });

  it('times out a command with no response and says whether it was sent', async () => {
    const { clock, client, fixture } = await online();
    fixture.holdTickets = true;
    const result = clock
      .run(client.api.ticket.create({ kind: 'complaint', subject: 's', description: 'd' }, { timeoutMs: 5_000 }))
      .catch((e: unknown) => e);
    const error = await result;
    expect(isProtocolError(error, 'ERR_TIMEOUT')).toBe(true);
    expect((error as { details: { sent: boolean } }).details.sent).toBe(true);
  });

  it('validates parameters locally before sending', async () => {
    const { clock, client, fixture } = await online();
    const error = await clock.run(client.api.agent.notReady({ reason: 'Not A Code!' })).catch((e: unknown) => e);
    expect(isProtocolError(error, 'ERR_INVALID_PARAMS')).toBe(true);
    expect(fixture.calls.get('agent.notReady')).toBeUndefined();
  });

  it('goes offline on a forced logout and rejects a later resume with the reason', async () => {
    const { clock, client, events, server } = await online();
    server.forceLogout({ userId: '1001' }, 'supervisor', { by: '2001', message: '班长强制下线' });
    await clock.advanceBy(0);
    expect(events.at(-1)).toMatchObject({ name: 'session.forcedLogout', data: { reason: 'supervisor', by: '2001' } });
    expect(client.state).toMatchObject({ status: 'offline', reason: 'forced-logout' });
    expect(server.sessions).toHaveLength(0);
    const error = await clock.run(client.api.agent.ready()).catch((e: unknown) => e);
    expect(isProtocolError(error, 'ERR_NOT_AUTHENTICATED')).toBe(true);
  });

  it('a second login of the same user replaces the first session', async () => {
    const { clock, client, net } = await online();
    const other = new AgentClient({ transport: net.connect, scheduler: clock });
    await clock.run(other.login({ userId: '1001', password: 'agent-pass-1001' }));
    await clock.advanceBy(0);
    expect(client.state).toMatchObject({ status: 'offline', reason: 'forced-logout' });
    expect(other.state.status).toBe('online');
  });

  it('goes offline with session-expired when the resume window has passed', async () => {
    const { clock, client, net, server } = await online({ resumeWindowMs: 5_000 });
    const pending = client.api.agent.ready().catch((e: unknown) => e);
    net.dropAll();
    net.unreachable = true;
    await clock.advanceBy(6_000);
    expect(server.sessions).toHaveLength(0);
    net.unreachable = false;
    await clock.advanceBy(2_000); // the attempt at t=7 s reaches the server: unknown token
    expect(client.state).toMatchObject({ status: 'offline', reason: 'session-expired' });
    expect(isProtocolError(await pending, 'ERR_SESSION_EXPIRED')).toBe(true);
  });

  it('detects a silent server by heartbeat in virtual time, reconnects and resumes', async () => {
    const clock = new VirtualScheduler();
    // The server pings every 10 s and (here) never gives up on a silent client itself, so the
    // detection below is the client's own.
    const fixture = createFixture(clock, { heartbeatTimeoutMs: 3_600_000 });
    const net = createMemoryTransport(fixture.server);
    let blackHole = false;
    const client = new AgentClient({
      scheduler: clock,
      random: () => 0.5,
      reconnect: { initialDelayMs: 1_000 },
      // Frames from the server vanish while `blackHole` is set; nothing closes (a dead NAT path).
      transport: (handlers) =>
        net.connect({
          onMessage: (text) => {
            if (!blackHole) handlers.onMessage(text);
          },
          onClose: handlers.onClose,
        }),
    });
    const states: ConnectionState[] = [];
    client.connection$.subscribe((s) => states.push(s));
    await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    const start = clock.now();
    await clock.advanceBy(60_000);
    expect(client.state.status).toBe('online'); // pings keep it alive
    blackHole = true;
    const silentFrom = clock.now();
    await clock.advanceBy(20_000);
    expect(client.state.status).toBe('online');
    await clock.advanceBy(15_000);
    const lost = states.find((s) => s.status === 'reconnecting');
    expect(lost).toMatchObject({ reason: 'heartbeat timeout' });
    expect(start).toBeLessThan(silentFrom);
    blackHole = false;
    await clock.advanceBy(30_000);
    expect(client.state).toMatchObject({ status: 'online', session: { resumed: true, resync: false } });
  });

  it('skips unknown events from a newer server but keeps the sequence', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock);
    const net = createMemoryTransport(fixture.server);
    const client = new AgentClient({
      scheduler: clock,
      transport: (h) =>
        net.connect({
          onMessage: (t) =>
            h.onMessage(
              t.replace('"name":"notice","data":{"noticeId":"n2"', '"name":"future.thing","data":{"noticeId":"n2"'),
            ),
          onClose: h.onClose,
        }),
    });
    const events: ProtocolEvent[] = [];
    client.events$.subscribe((e) => events.push(e));
    await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    for (let i = 1; i <= 3; i++) fixture.server.push('all', 'notice', notice(i));
    await clock.advanceBy(0);
    expect(events.map((e) => e.seq)).toEqual([1, 3]);
    expect(client.seq).toBe(3);
  });

  it('treats a gap in the event sequence as a lost link and resumes to fill it', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock);
    const net = createMemoryTransport(fixture.server);
    let dropped = false;
    const client = new AgentClient({
      scheduler: clock,
      random: () => 0.5,
      reconnect: { initialDelayMs: 100 },
      transport: (h) =>
        net.connect({
          onMessage: (t) => {
            if (!dropped && t.includes('"seq":2,')) {
              dropped = true; // lose exactly one frame
              return;
            }
            h.onMessage(t);
          },
          onClose: h.onClose,
        }),
    });
    const events: ProtocolEvent[] = [];
    client.events$.subscribe((e) => events.push(e));
    await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    for (let i = 1; i <= 3; i++) fixture.server.push('all', 'notice', notice(i));
    await clock.advanceBy(200);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(client.state).toMatchObject({ status: 'online', session: { resumed: true } });
  });
});

describe('AgentClient edge cases', () => {
  it('connect() then login() separately, and refuses a second login while online', async () => {
    const { clock, client, states } = setup();
    const welcome = await clock.run(client.connect());
    expect(welcome).toMatchObject({ protocol: '1.0', heartbeatMs: 10_000, maxFrameBytes: 256 * 1024 });
    expect(client.state.status).toBe('connecting');
    await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    expect(states.map((s) => s.status)).toEqual(['offline', 'connecting', 'online']);
    const again = await clock
      .run(client.login({ userId: '1001', password: 'agent-pass-1001' }))
      .catch((e: unknown) => e);
    expect(isProtocolError(again, 'ERR_ILLEGAL_STATE')).toBe(true);
  });

  it('refuses commands before login and after close', async () => {
    const { clock, client } = setup();
    expect(isProtocolError(await client.api.agent.ready().catch((e: unknown) => e), 'ERR_NOT_AUTHENTICATED')).toBe(
      true,
    );
    await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    const pending = client.api.ticket.create({ kind: 'suggestion', subject: '建议', description: '增加夜间服务' });
    await client.close();
    expect(isProtocolError(await pending.catch((e: unknown) => e), 'ERR_CLOSED')).toBe(true);
    expect(isProtocolError(await client.api.agent.ready().catch((e: unknown) => e), 'ERR_CLOSED')).toBe(true);
  });

  it('logout ends the session on the server and the client can log in again', async () => {
    const { clock, client, server, fixture } = setup();
    await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    await client.logout();
    await clock.advanceBy(0);
    expect(client.state).toMatchObject({ status: 'offline', reason: 'logged-out' });
    expect(server.sessions).toHaveLength(0);
    expect(fixture.audit.map((a) => a.action)).toContain('logout');
    const again = await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    expect(again.resumed).toBe(false);
  });
});
