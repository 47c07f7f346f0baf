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
  const client = new AgentClient({ transport: net.connect, scheduler: clock, random: () => 0.5, reconnect: { initialDelayMs: 1_000 } });
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
    const fourth = await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' })).catch((e: unknown) => e);
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
