/**
 * Conformance tests of the session layer: handshake and versions, login and lockout, logout and
 * replacement, idempotent requests, bad frames, sequence numbers, resume and resync, heartbeats,
 * and the role table.
 */
import { expect, it } from 'vitest';
import { AgentClient } from '../client/agent-client.js';
import { DEFAULT_ROLE_TABLE } from '../commands.js';
import type { Role } from '../domain.js';
import { ProtocolErrorCode } from '../errors.js';
import { WelcomeFrame } from '../frames.js';
import { PROTOCOL_VERSION } from '../version.js';
import type { ConformanceUser, ConformanceWorld } from './harness.js';
import type { SuiteContext } from './suite.js';
import { forbiddenFor, rejection, type RawFrame } from './tools.js';

const err = (f: RawFrame): { code?: string; message?: string; details?: Record<string, unknown> } => f['error'] ?? {};

/** Logs in on a fresh client; resolves the refusal's code, message and details (or `ok`). */
async function attempt(
  world: ConformanceWorld,
  userId: string,
  password: string,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const client = new AgentClient({ transport: world.network().connect, scheduler: world.scheduler });
  try {
    await world.run(client.login({ userId, password }));
    return { code: 'ok', message: '', details: {} };
  } catch (error) {
    const e = error as { code?: string; message?: string; details?: Record<string, unknown> };
    return { code: e.code ?? String(error), message: e.message ?? '', details: { ...e.details } };
  } finally {
    await world.run(client.close()).catch(() => undefined);
  }
}

/** Wrong passwords for `user` until it is locked (at most 10); the refusals in order. */
async function lockOut(world: ConformanceWorld, user: ConformanceUser, probe?: string) {
  const known: Awaited<ReturnType<typeof attempt>>[] = [];
  const unknown: Awaited<ReturnType<typeof attempt>>[] = [];
  for (let i = 1; i <= 10; i++) {
    known.push(await attempt(world, user.userId, `wrong-password-${i}`));
    if (probe !== undefined) unknown.push(await attempt(world, probe, `wrong-password-${i}`));
    if (known.at(-1)?.code !== ProtocolErrorCode.BadCredentials) break;
  }
  return { known, unknown };
}

/** True when `wanted` occurs in `seen` in order (other items may come between). */
function isSubsequence(wanted: readonly string[], seen: readonly string[]): boolean {
  let i = 0;
  for (const s of seen) if (s === wanted[i]) i++;
  return i === wanted.length;
}

export function sessionTests(ctx: SuiteContext): void {
  it('welcome announces the negotiated version (same major, lower minor), heartbeat, frame limit and resume window', async () => {
    const wire = await ctx.wire();
    const welcome = await wire.hello(`${PROTOCOL_VERSION.split('.')[0]}.99`);
    expect(WelcomeFrame.safeParse(welcome).success, JSON.stringify(welcome)).toBe(true);
    expect(welcome['protocol']).toBe(PROTOCOL_VERSION);
    expect(welcome['heartbeatMs']).toBeGreaterThan(0);
    expect(welcome['maxFrameBytes']).toBeGreaterThan(0);
  });

  it('a client of another major version is refused with ERR_VERSION_MISMATCH, bye and close 4002', async () => {
    const wire = await ctx.wire();
    const refused = await wire.hello('99.0');
    expect(refused['type']).toBe('error');
    expect(err(refused)).toMatchObject({
      code: ProtocolErrorCode.VersionMismatch,
      details: { client: '99.0', server: PROTOCOL_VERSION },
    });
    expect(await wire.next('bye')).toMatchObject({ code: ProtocolErrorCode.VersionMismatch });
    expect((await wire.whenClosed()).code).toBe(4002);
    // The client says so, without a session.
    const old = new AgentClient({
      transport: ctx.world.network().connect,
      scheduler: ctx.world.scheduler,
      protocolVersion: '99.0',
    });
    const e = await rejection(ctx.world, old.login(ctx.world.users.agent));
    expect(e.code).toBe(ProtocolErrorCode.VersionMismatch);
    await ctx.world.run(old.close());
  });

  it('login before hello is refused; a link that never logs in is closed at the handshake deadline (4002)', async () => {
    const wire = await ctx.wire();
    wire.send({ type: 'login', userId: ctx.world.users.agent.userId, password: ctx.world.users.agent.password });
    expect(err(await wire.next('error')).code).toBe(ProtocolErrorCode.HandshakeRequired);
    await wire.hello();
    const closed = await wire.whenClosed(180_000);
    expect(closed.code).toBe(4002);
    expect(wire.frames.some((f) => f.type === 'error' && err(f).code === ProtocolErrorCode.HandshakeRequired)).toBe(
      true,
    );
  });

  it('each role logs in: the session names the user and role and starts from a snapshot', async () => {
    const { users } = ctx.world;
    const roles: [ConformanceUser, Role][] = [
      [users.agent, 'agent'],
      [users.supervisor, 'supervisor'],
      [users.department, 'department'],
      [users.administrator, 'administrator'],
    ];
    for (const [user, role] of roles) {
      const wire = await ctx.wire();
      const session = await wire.login(user);
      expect(session).toMatchObject({ resumed: false, resync: true, user: { userId: user.userId, role } });
      expect(session['snapshot'], `${role} snapshot`).toBeDefined();
      expect(String(session['token']).length).toBeGreaterThanOrEqual(16);
    }
  });

  it('an unknown user id is answered exactly like a wrong password, attempt after attempt, up to the lockout', async () => {
    const { users } = ctx.world;
    const { known, unknown } = await lockOut(ctx.world, users.agent, users.unknownUserId);
    expect(known[0]?.code).toBe(ProtocolErrorCode.BadCredentials);
    expect(known.at(-1)?.code, 'repeated wrong passwords lock the account').toBe(ProtocolErrorCode.LockedOut);
    const shape = (r: Awaited<ReturnType<typeof attempt>>) => ({
      code: r.code,
      message: r.message,
      details: Object.keys(r.details).sort(),
      remainingAttempts: r.details['remainingAttempts'],
    });
    expect(unknown.map(shape), 'user ids must not be told apart by the answers').toEqual(known.map(shape));
  });

  it('a locked account refuses even the right password until the lock passes, then logs in', async () => {
    const { users } = ctx.world;
    await lockOut(ctx.world, users.agent);
    const locked = await attempt(ctx.world, users.agent.userId, users.agent.password);
    expect(locked.code).toBe(ProtocolErrorCode.LockedOut);
    const retryAfterMs = locked.details['retryAfterMs'];
    expect(typeof retryAfterMs === 'number' && retryAfterMs > 0, 'retryAfterMs says when').toBe(true);
    await ctx.world.wait((retryAfterMs as number) + 1_000);
    expect((await attempt(ctx.world, users.agent.userId, users.agent.password)).code).toBe('ok');
  });

  it('a disabled account is refused with ERR_ACCOUNT_DISABLED, which only its right password learns', async (t) => {
    const disabled = ctx.world.users.disabled;
    if (!disabled) return t.skip('the server has no disabled account');
    expect((await attempt(ctx.world, disabled.userId, disabled.password)).code).toBe(ProtocolErrorCode.AccountDisabled);
    const guess = await attempt(ctx.world, disabled.userId, 'a-wrong-guess');
    const unknown = await attempt(ctx.world, ctx.world.users.unknownUserId, 'a-wrong-guess');
    expect(guess.code).toBe(ProtocolErrorCode.BadCredentials);
    expect(Object.keys(guess.details).sort()).toEqual(Object.keys(unknown.details).sort());
  });

  it('a new login of the same user replaces the old session (session.forcedLogout replaced); a logout ends the token', async () => {
    const { users } = ctx.world;
    const first = await ctx.wire();
    const firstSession = await first.login(users.supervisor);
    const second = await ctx.wire();
    const secondSession = await second.login(users.supervisor);
    expect(
      await first.event(
        (n, d) => n === 'session.forcedLogout' && (d as { reason?: string }).reason === 'replaced',
        'forcedLogout',
      ),
    ).toBeDefined();
    expect(await first.next('bye')).toMatchObject({ code: ProtocolErrorCode.ForcedLogout });
    await first.whenClosed();
    const late = await ctx.wire();
    const stale = await late.resume(String(firstSession['token']), 0);
    expect(err(stale).code).toBe(ProtocolErrorCode.ForcedLogout);

    second.send({ type: 'bye', endSession: true });
    await second.whenClosed();
    const again = await ctx.wire();
    const gone = await again.resume(String(secondSession['token']), 0);
    expect(err(gone).code).toBe(ProtocolErrorCode.SessionExpired);
  });

  it('a repeated request id gets the first response and runs once; the id reused for another command is refused', async () => {
    const { users, departmentTicket } = ctx.world;
    const wire = await ctx.wire();
    await wire.login(users.agent);
    const subject = `idempotency check ${ctx.world.scheduler.now()}`;
    const draft = { ...departmentTicket, subject };
    const first = await wire.request('conformance-dup-1', 'ticket.create', draft);
    expect(first['ok'], JSON.stringify(first)).toBe(true);
    const again = await wire.request('conformance-dup-1', 'ticket.create', draft);
    expect(again).toEqual(first);
    const list = await wire.request('conformance-list-1', 'ticket.list', { limit: 200 });
    const tickets = ((list['result'] as { tickets?: { subject: string }[] } | undefined)?.tickets ?? []).filter(
      (t) => t.subject === subject,
    );
    expect(tickets, 'the ticket was created once').toHaveLength(1);
    const reused = await wire.request('conformance-dup-1', 'ticket.list', {});
    expect(reused).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.RequestIdReused } });
  });

  it('bad frames get typed errors and the link, and every other session, keep working', async () => {
    const { users } = ctx.world;
    const other = ctx.desk();
    await other.login(users.otherAgent);
    const wire = await ctx.wire();
    wire.send('this is not json');
    expect(err(await wire.next('error')).code).toBe(ProtocolErrorCode.Malformed);
    wire.send('[1,2,3]');
    expect(err(await wire.next('error')).code).toBe(ProtocolErrorCode.Malformed);
    wire.send({ type: 'teleport' });
    expect(err(await wire.next('error')).code).toBe(ProtocolErrorCode.UnknownType);
    const welcome = await wire.hello();
    wire.send({ type: 'ping', t: 1, pad: 'x'.repeat(Number(welcome['maxFrameBytes'])) });
    expect(err(await wire.next('error')).code).toBe(ProtocolErrorCode.FrameTooLarge);
    const early = await wire.request('conformance-early', 'customer.search', { query: { name: '王' } });
    expect(early).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.NotAuthenticated } });
    wire.send({ type: 'login', userId: users.agent.userId, password: users.agent.password });
    await wire.next('session');
    wire.send({ type: 'request', id: '', command: 'agent.ready', params: {} });
    expect(err(await wire.next('error')).code).toBe(ProtocolErrorCode.Malformed);
    const unknown = await wire.request('conformance-unknown', 'call.teleport', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.UnknownCommand } });
    const invalid = await wire.request('conformance-invalid', 'agent.notReady', { reason: 42 });
    expect(invalid).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.InvalidParams } });
    expect(Array.isArray(err(invalid).details?.['issues'])).toBe(true);
    const fine = await wire.request('conformance-fine', 'ticket.list', { limit: 1 });
    expect(fine['ok']).toBe(true);
    expect(wire.closed).toBeUndefined();
    await other.run(other.api.ticket.list({ limit: 1 }));
  });

  it('events carry seq 1, 2, 3… without gaps; a resume gets exactly the missed events, then live ones', async () => {
    const { users } = ctx.world;
    const boss = ctx.desk();
    await boss.login(users.supervisor);
    const reasons = boss.session?.snapshot?.catalog?.notReadyReasons.map((r) => r.code) ?? [];
    expect(reasons.length, 'the catalogue has not-ready reasons').toBeGreaterThan(0);
    const reason = (i: number): string => reasons[i % reasons.length] as string;
    const force = (i: number) =>
      boss.run(
        boss.api.supervisor.forceState({ agentId: users.agent.userId, presence: 'not-ready', reason: reason(i) }),
      );

    const net = ctx.world.network();
    const wire = await ctx.wire(net);
    const session = await wire.login(users.agent);
    const seq0 = Number(session['seq']);
    await force(0);
    const seen = await wire.event(
      (n, d) => n === 'agent.state' && (d as { reason?: string }).reason === reason(0),
      'agent.state',
    );
    const lastSeq = Number(seen['seq']);

    net.dropAll();
    await wire.whenClosed();
    for (let i = 1; i <= 3; i++) await force(i);
    await ctx.world.wait(1_000);

    const back = await ctx.wire(net);
    const resumed = await back.resume(String(session['token']), lastSeq);
    expect(resumed).toMatchObject({ type: 'session', resumed: true, resync: false, seq: lastSeq });
    await force(4);
    const live = await back.event(
      (n, d) => n === 'agent.state' && (d as { reason?: string }).reason === reason(4),
      'live agent.state',
    );
    const after = back.events.slice(0, back.events.indexOf(live) + 1);
    const seqs = after.map((f) => Number(f['seq']));
    expect(seqs, 'replayed then live, each once, in order').toEqual(seqs.map((_, i) => lastSeq + 1 + i));
    const forced = after
      .filter((f) => f['name'] === 'agent.state')
      .map((f) => (f['data'] as { reason?: string }).reason ?? '');
    expect(isSubsequence([1, 2, 3, 4].map(reason), forced), `forced states in order, got ${forced.join(',')}`).toBe(
      true,
    );
    const first = wire.events.map((f) => Number(f['seq']));
    expect(first, 'the first link saw 1, 2, 3…').toEqual(first.map((_, i) => seq0 + 1 + i));
  });

  it('a resume the replay buffer cannot serve gets resync with a snapshot; after the resume window the token is gone', async () => {
    const { users } = ctx.world;
    const net = ctx.world.network();
    const wire = await ctx.wire(net);
    const session = await wire.login(users.agent);
    const token = String(session['token']);
    net.dropAll();
    await wire.whenClosed();
    const back = await ctx.wire(net);
    const resync = await back.resume(token, Number(session['seq']) + 1_000);
    expect(resync).toMatchObject({ type: 'session', resumed: true, resync: true });
    expect(resync['snapshot']).toBeDefined();
    const welcome = back.frames.find((f) => f.type === 'welcome');
    const windowMs = Number(welcome?.['resumeWindowMs']);
    net.dropAll();
    await back.whenClosed();
    await ctx.world.wait(windowMs + 5_000);
    const late = await ctx.wire(net);
    expect(err(await late.resume(token, Number(resync['seq']))).code).toBe(ProtocolErrorCode.SessionExpired);
  });

  it('the server pings every heartbeatMs and answers pings; a silent link is closed (4000) and its session resumes', async () => {
    const { users } = ctx.world;
    const wire = await ctx.wire();
    const welcome = await wire.hello();
    const heartbeatMs = Number(welcome['heartbeatMs']);
    wire.send({ type: 'login', userId: users.agent.userId, password: users.agent.password });
    const session = await wire.next('session');
    wire.send({ type: 'ping', t: 4242 });
    expect(await wire.next('pong')).toMatchObject({ t: 4242 });
    await wire.next('ping', heartbeatMs * 2);
    const closed = await wire.whenClosed(heartbeatMs * 4);
    expect(closed.code).toBe(4000);
    const back = await ctx.wire();
    expect(await back.resume(String(session['token']), Number(session['seq']))).toMatchObject({
      type: 'session',
      resumed: true,
    });
  });

  it('a desktop whose link drops reconnects by itself; a command issued meanwhile takes effect once', async () => {
    const { users } = ctx.world;
    const desk = ctx.desk();
    await desk.login(users.agent);
    const reason = desk.session?.snapshot?.catalog?.notReadyReasons[0]?.code ?? 'break';
    desk.network.unreachable = true;
    desk.network.dropAll();
    await ctx.world.wait(1_000);
    const pending = desk.client.api.agent.notReady({ reason });
    await ctx.world.wait(3_000);
    desk.network.unreachable = false;
    const status = await desk.run(pending);
    expect(status).toMatchObject({ presence: 'not-ready', reason });
    await desk.expectEvent('agent.state', (s) => s.presence === 'not-ready' && s.reason === reason);
    const seqs = desk.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 1) + i));
  });

  it('every command outside a role is refused with ERR_FORBIDDEN before its parameters are looked at', async () => {
    const { users } = ctx.world;
    const roles: [ConformanceUser, Role][] = [
      [users.agent, 'agent'],
      [users.supervisor, 'supervisor'],
      [users.department, 'department'],
      [users.administrator, 'administrator'],
    ];
    for (const [user, role] of roles) {
      const wire = await ctx.wire();
      await wire.login(user);
      for (const command of forbiddenFor(role)) {
        const r = await wire.request(`forbidden-${command}`, command, {});
        expect(r, `${role} ${command}`).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.Forbidden } });
      }
      expect(forbiddenFor(role).every((c) => !DEFAULT_ROLE_TABLE[c].includes(role))).toBe(true);
    }
  });
}
