import { beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { VirtualScheduler } from '@hotline/cti-core';
import { type SimParty } from '@hotline/board-sim';
import { planSay } from '@hotline/ivr';
import { AgentClient, isProtocolError, type MemoryTransport, type ProtocolEvent } from '@hotline/agent-protocol';
import { DEMO_USER_PASSWORD } from '../src/seed/seed.js';
import { type SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { CallCenter } from '../src/server/call-center.js';
import { CtiLink } from '../src/server/cti/cti-link.js';
import { audioOf, codeOf, contains, useCtiWorld } from './cti-harness.js';

describe('the CTI link of the gas call centre', () => {
  const world = useCtiWorld();
  let scheduler!: VirtualScheduler;
  let store!: SqliteStore;
  let center!: CallCenter;
  let link!: CtiLink;
  let transport!: MemoryTransport;
  let clients!: AgentClient[];
  beforeEach(() => {
    ({ scheduler, store, center, link, transport, clients } = world.current);
  });
  const run = <T>(p: Promise<T>, ms?: number): Promise<T> => world.current.run(p, ms);
  const wait = (ms: number): Promise<void> => world.current.wait(ms);
  const until = (check: () => boolean, ms?: number): Promise<void> => world.current.until(check, ms);
  const client = (): { client: AgentClient; events: ProtocolEvent[] } => world.current.client();
  const atNode = (node: string): Promise<void> => world.current.atNode(node);
  const caller = (from: string): Promise<SimParty> => world.current.caller(from);

  it('logs a person in, refuses a wrong password with the attempts left, locks out, and audits', async () => {
    const { client: a } = client();
    const session = await run(a.login({ userId: 'a001', password: DEMO_USER_PASSWORD }));
    expect(session.user).toMatchObject({ userId: 'a001', role: 'agent' });
    expect(session.snapshot?.agent).toMatchObject({ agentId: 'a001', presence: 'not-ready', reason: 'login' });
    expect(session.snapshot?.catalog?.dispositions.length).toBeGreaterThan(0);

    const { client: b } = client();
    const wrong = await run(b.login({ userId: 'a002', password: 'guess-one-1' }).catch((e: unknown) => e));
    expect(isProtocolError(wrong, 'ERR_BAD_CREDENTIALS') && wrong.details).toMatchObject({ remainingAttempts: 2 });
    await run(b.login({ userId: 'a002', password: 'guess-two-2' }).catch(() => undefined));
    const locked = await run(b.login({ userId: 'a002', password: 'guess-three-3' }).catch((e: unknown) => e));
    expect(isProtocolError(locked, 'ERR_LOCKED_OUT')).toBe(true);
    expect(isProtocolError(locked) && (locked.details['retryAfterMs'] as number)).toBe(900_000);
    // Locked: even the right password is refused until the lock passes.
    expect(await codeOf(run(b.login({ userId: 'a002', password: DEMO_USER_PASSWORD })))).toBe('ERR_LOCKED_OUT');
    const unknown = await run(b.login({ userId: 'nobody', password: 'whatever1' }).catch((e: unknown) => e));
    expect(isProtocolError(unknown, 'ERR_BAD_CREDENTIALS')).toBe(true);
    await wait(100);
    const audit = await store.audit.list({ actor: 'a002', limit: 50 });
    expect(audit.filter((e) => e.action === 'login' && e.outcome === 'failed').length).toBe(3);
    expect(audit.some((e) => e.action === 'cti.login-failed')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('guess-');
    expect(
      (await store.audit.list({ actor: 'a001' })).some((e) => e.action === 'cti.login' && e.outcome === 'ok'),
    ).toBe(true);
  });

  it('an agent gets the screen pop before answering, answers, hangs up, wraps up with a disposition', async () => {
    const [customer] = await store.customers.search({ limit: 1 });
    const phone = customer!.phones[0]!.phone;
    const { client: a, events } = client();
    await run(a.login({ userId: 'a001', password: DEMO_USER_PASSWORD }));
    const ready = await run(a.api.agent.ready());
    expect(ready).toMatchObject({ presence: 'ready', activity: 'idle' });

    const party = await caller(phone);
    await run(party.press('0'));
    await until(() => events.some((e) => e.name === 'call.offered'));
    const offered = events.find((e) => e.name === 'call.offered');
    if (offered?.name !== 'call.offered') throw new Error('no offer');
    const pop = offered.data;
    expect(pop.call.state).toBe('offered');
    expect(pop.callerId).toBe(phone);
    expect(pop.customer?.customerId).toBe(String(customer!.id));
    expect(pop.ivrPath.length).toBeGreaterThan(0);
    expect(pop.queueId).toBe('general');
    expect(events.some((e) => e.name === 'call.state' && e.data.state === 'connected')).toBe(false);

    const answered = await run(a.api.call.answer({ callId: pop.call.callId }));
    expect(answered.state).toBe('connected');
    expect(center.telephony.calls).toHaveLength(1);
    await until(() => events.some((e) => e.name === 'agent.state' && e.data.activity === 'connected'));

    const held = await run(a.api.call.hold({ callId: pop.call.callId }));
    expect(held.state).toBe('held');
    await wait(3000);
    expect((await run(a.api.call.retrieve({ callId: pop.call.callId }))).state).toBe('connected');

    const ended = await run(a.api.call.hangup({ callId: pop.call.callId }));
    expect(ended).toMatchObject({ state: 'ended', cause: 'agent-hangup' });
    await run(party.whenReleased());
    await until(() => events.some((e) => e.name === 'agent.state' && e.data.activity === 'wrap-up'));

    const after = await run(a.api.call.wrapUp({ callId: pop.call.callId, disposition: 'info-given', note: '已告知' }));
    expect(after).toMatchObject({ presence: 'ready', activity: 'idle' });
    await wait(100);
    const cdr = await store.interactions.get(pop.call.callId);
    expect(cdr).toMatchObject({ disposition: 'info-given', customerId: customer!.id });
    expect(cdr?.answeredAt).not.toBeNull();
    expect(cdr?.endedAt).not.toBeNull();
    // An unknown disposition is a typed error.
    expect(await codeOf(run(a.api.call.wrapUp({ callId: pop.call.callId, disposition: 'made-up' })))).toBe(
      'ERR_VALIDATION',
    );
  });

  it('a desktop that drops mid-call resumes without losing or repeating events; the call stays up', async () => {
    const { client: a, events } = client();
    await run(a.login({ userId: 'a001', password: DEMO_USER_PASSWORD }));
    await run(a.api.agent.ready());
    const party = await caller('13800000077');
    await run(party.press('0'));
    await until(() => events.some((e) => e.name === 'call.offered'));
    const offered = events.find((e) => e.name === 'call.offered');
    if (offered?.name !== 'call.offered') throw new Error('no offer');
    const callId = offered.data.call.callId;
    await run(a.api.call.answer({ callId }));

    transport.unreachable = true;
    transport.dropAll();
    await wait(1000);
    expect(center.acd.agentSnapshot('a001').desktop).toBe('offline');
    await wait(10_000); // queue figures keep coming while the desktop is away
    transport.unreachable = false;
    await until(() => a.state.status === 'online');
    await wait(6_000);
    expect(center.acd.agentSnapshot('a001').desktop).toBe('online');
    expect(party.connected).toBe(true);
    expect(center.telephony.calls).toHaveLength(1);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 1) + i));
    expect(events.filter((e) => e.name === 'queue.stats').length).toBeGreaterThan(2);
    const ended = await run(a.api.call.hangup({ callId }));
    expect(ended.state).toBe('ended');
  });

  it('a desktop that logs in mid-call gets the call with its screen pop in the snapshot; the IVR path is labelled', async () => {
    const { client: a, events } = client();
    await run(a.login({ userId: 'a001', password: DEMO_USER_PASSWORD }));
    await run(a.api.agent.ready());
    const party = await caller('13800000078');
    await run(party.press('0'));
    await until(() => events.some((e) => e.name === 'call.offered'));
    const offered = events.find((e) => e.name === 'call.offered');
    if (offered?.name !== 'call.offered') throw new Error('no offer');
    const callId = offered.data.call.callId;
    expect(offered.data.ivrPath.map((s) => s.node)).not.toContain('play');
    expect(offered.data.ivrPath.find((s) => s.node === 'main-menu')).toMatchObject({ label: '主菜单', input: '0' });
    await run(a.api.call.answer({ callId }));

    // The same agent on another desktop (or after a restart of the console): the answered call comes with its pop.
    const { client: b } = client();
    const session = await run(b.login({ userId: 'a001', password: DEMO_USER_PASSWORD }));
    expect(session.snapshot?.calls).toEqual([expect.objectContaining({ callId, state: 'connected' })]);
    expect(session.snapshot?.offers).toEqual([
      expect.objectContaining({
        call: expect.objectContaining({ callId, state: 'connected' }),
        callerId: '13800000078',
      }),
    ]);
    expect(session.snapshot?.offers?.[0]?.ivrPath.length).toBeGreaterThan(0);
    expect((await run(b.api.call.hangup({ callId }))).state).toBe('ended');
    await run(party.whenReleased());
  });

  it('malformed and unauthorised commands get typed errors and another session keeps working', async () => {
    const listener = await link.listen({ host: '127.0.0.1', port: 0 });
    const agent = new AgentClient({ url: listener.url });
    clients.push(agent);
    await scheduler.track(agent.login({ userId: 'a003', password: DEMO_USER_PASSWORD }));

    const ws = new WebSocket(listener.url);
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d) => frames.push(JSON.parse((d as Buffer).toString('utf8')) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    const next = async (pred: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      for (let i = 0; i < 500; i++) {
        const f = frames.find(pred);
        if (f) {
          frames.splice(frames.indexOf(f), 1);
          return f;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no frame');
    };
    ws.send('this is not json');
    expect(await next((f) => f['type'] === 'error')).toMatchObject({ error: { code: 'ERR_MALFORMED' } });
    ws.send(JSON.stringify({ type: 'hello', protocol: '1.0', client: { name: 'raw', version: '0' } }));
    await next((f) => f['type'] === 'welcome');
    ws.send(JSON.stringify({ type: 'request', id: 'r0', command: 'customer.search', params: {} }));
    expect(await next((f) => f['id'] === 'r0')).toMatchObject({ ok: false, error: { code: 'ERR_NOT_AUTHENTICATED' } });
    ws.send(JSON.stringify({ type: 'login', userId: 'repair01', password: DEMO_USER_PASSWORD }));
    await next((f) => f['type'] === 'session');
    ws.send(JSON.stringify({ type: 'request', id: 'r1', command: 'call.answer', params: { callId: 'x' } }));
    expect(await next((f) => f['id'] === 'r1')).toMatchObject({ ok: false, error: { code: 'ERR_FORBIDDEN' } });
    ws.send(JSON.stringify({ type: 'request', id: 'r2', command: 'call.explode', params: {} }));
    expect(await next((f) => f['id'] === 'r2')).toMatchObject({ ok: false, error: { code: 'ERR_UNKNOWN_COMMAND' } });
    ws.send(JSON.stringify({ type: 'request', id: 'r3', command: 'department.recordResult', params: { ticketId: 5 } }));
    expect(await next((f) => f['id'] === 'r3')).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_PARAMS' } });
    ws.send(JSON.stringify({ type: 'request', id: 'r4', command: 'ticket.get', params: { ticketId: 'not-a-number' } }));
    expect(await next((f) => f['id'] === 'r4')).toMatchObject({ ok: false, error: { code: 'ERR_NOT_FOUND' } });
    ws.send(JSON.stringify({ type: 'request', id: 'r5', command: 'department.inbox', params: {} }));
    expect(await next((f) => f['id'] === 'r5')).toMatchObject({ ok: true });

    // The agent's session was not disturbed.
    const found = await scheduler.track(agent.api.customer.search({ query: { name: '王' }, limit: 5 }));
    expect(found.total).toBeGreaterThanOrEqual(0);
    expect(await codeOf(scheduler.track(agent.api.supervisor.snapshot()))).toBe('ERR_FORBIDDEN');
    expect(await codeOf(scheduler.track(agent.api.call.answer({ callId: 'no-such-call' })))).toBe('ERR_NOT_FOUND');
    ws.close();
  });

  it("department staff see only their department's tickets; a recorded result is what the caller hears by tracking number", async () => {
    const { client: agent } = client();
    await run(agent.login({ userId: 'a001', password: DEMO_USER_PASSWORD }));
    const ticket = await run(
      agent.api.ticket.create({
        kind: 'repair',
        category: 'no-gas',
        subject: '家中无气',
        description: '今早开始灶具点不着',
        contactPhone: '13800000088',
      }),
    );
    expect(ticket).toMatchObject({ status: 'assigned', kind: 'repair', trackingNo: expect.stringMatching(/^\d+$/) });

    const { client: repair, events: repairEvents } = client();
    await run(repair.login({ userId: 'repair01', password: DEMO_USER_PASSWORD }));
    const { client: meters } = client();
    const metersSession = await run(meters.login({ userId: 'meters01', password: DEMO_USER_PASSWORD }));
    expect(metersSession.snapshot?.inboxCount).toBe(0);

    const inbox = await run(repair.api.department.inbox({}));
    expect(inbox.tickets.map((t) => t.ticketId)).toContain(ticket.ticketId);
    expect((await run(meters.api.department.inbox({}))).tickets).toHaveLength(0);
    expect(await codeOf(run(meters.api.ticket.get({ ticketId: ticket.ticketId })))).toBe('ERR_FORBIDDEN');
    expect(
      await codeOf(
        run(
          repair.api.department.recordResult({ ticketId: ticket.ticketId, version: ticket.version + 5, result: 'x' }),
        ),
      ),
    ).toBe('ERR_CONFLICT');

    const resolved = await run(
      repair.api.department.recordResult({
        ticketId: ticket.ticketId,
        version: ticket.version,
        result: '已派员修复，恢复供气',
      }),
    );
    expect(resolved).toMatchObject({ status: 'resolved', result: '已派员修复，恢复供气' });
    await until(() => repairEvents.some((e) => e.name === 'ticket.changed' && e.data.ticket.status === 'resolved'));
    const got = await run(agent.api.ticket.get({ trackingNo: ticket.trackingNo }));
    expect(got.history.map((h) => h.action)).toEqual(
      expect.arrayContaining(['created', 'assigned', 'status', 'result']),
    );

    const party = await caller('13800000088');
    await run(atNode('main-menu'));
    await wait(500);
    await run(party.press('5'));
    await run(atNode('tracking-number'));
    await wait(500);
    await run(party.press(`${ticket.trackingNo}#`));
    await wait(30_000);
    expect(contains(party.heard(), audioOf(['gas.status-prefix', 'gas.status-resolved']))).toBe(true);
    expect(planSay({ type: 'digits', value: '1' }).length).toBe(1);
    party.hangup();
  });
});
