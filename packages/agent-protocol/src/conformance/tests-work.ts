/**
 * Conformance tests of the work around calls: tickets and the departments' inboxes, voicemail
 * call-backs, and the supervisor's wallboard, queue figures and forced states.
 */
import { expect, it } from 'vitest';
import { ProtocolErrorCode } from '../errors.js';
import type { SuiteContext } from './suite.js';
import { rejection } from './tools.js';

export function workTests(ctx: SuiteContext): void {
  it('a ticket gets a tracking number, the kind, urgency and department asked; found by tracking number with its history', async () => {
    const { users, departmentTicket } = ctx.world;
    const staff = ctx.desk();
    const staffSession = await staff.login(users.department);
    const agent = ctx.desk();
    await agent.login(users.agent);
    const subject = `conformance ticket ${ctx.world.scheduler.now()}`;
    const ticket = await agent.run(agent.api.ticket.create({ ...departmentTicket, subject, priority: 'high' }));
    expect(ticket).toMatchObject({
      kind: departmentTicket.kind,
      subject,
      priority: 'high',
      departmentId: staffSession.user.departmentId,
      createdBy: users.agent.userId,
    });
    expect(ticket.description).toContain(departmentTicket.description);
    expect(ticket.trackingNo).toMatch(/^[0-9A-Za-z-]+$/);
    expect(['accepted', 'assigned']).toContain(ticket.status);
    for (const priority of ['urgent', 'low'] as const) {
      const asked = await agent.run(
        agent.api.ticket.create({ ...departmentTicket, subject: `${subject} ${priority}`, priority }),
      );
      expect(asked.priority, 'the urgency asked for is kept').toBe(priority);
    }

    const got = await agent.run(agent.api.ticket.get({ trackingNo: ticket.trackingNo }));
    expect(got.ticket.ticketId).toBe(ticket.ticketId);
    expect(got.history.map((h) => h.action)).toContain('created');
    const listed = await agent.run(agent.api.ticket.list({ kind: [ticket.kind], status: [ticket.status], limit: 200 }));
    expect(listed.tickets.map((t) => t.ticketId)).toContain(ticket.ticketId);
    await staff.expectEvent('ticket.changed', (c) => c.ticket.ticketId === ticket.ticketId);
  });

  it('an update with a stale version is refused (ERR_CONFLICT); a note moves the version on and shows in the history', async () => {
    const { users, departmentTicket } = ctx.world;
    const agent = ctx.desk();
    await agent.login(users.agent);
    const ticket = await agent.run(
      agent.api.ticket.create({ ...departmentTicket, subject: `conformance update ${ctx.world.scheduler.now()}` }),
    );
    const stale = await rejection(
      ctx.world,
      agent.api.ticket.update({ ticketId: ticket.ticketId, version: ticket.version + 7, note: '过期版本' }),
    );
    expect(stale.code).toBe(ProtocolErrorCode.Conflict);
    const updated = await agent.run(
      agent.api.ticket.update({ ticketId: ticket.ticketId, version: ticket.version, note: '已联系用户' }),
    );
    expect(updated.version).toBeGreaterThan(ticket.version);
    const got = await agent.run(agent.api.ticket.get({ ticketId: ticket.ticketId }));
    expect(got.history.some((h) => h.action === 'note' && h.note === '已联系用户')).toBe(true);
    const missing = await rejection(ctx.world, agent.api.ticket.get({ ticketId: 'no-such-ticket' }));
    expect(missing.code).toBe(ProtocolErrorCode.NotFound);
  });

  it("department staff find the ticket in their inbox and record the result; another department's staff cannot see it", async () => {
    const { users, departmentTicket } = ctx.world;
    const agent = ctx.desk();
    await agent.login(users.agent);
    const staff = ctx.desk();
    await staff.login(users.department);
    const others = ctx.desk();
    await others.login(users.otherDepartment);
    const ticket = await agent.run(
      agent.api.ticket.create({ ...departmentTicket, subject: `conformance inbox ${ctx.world.scheduler.now()}` }),
    );
    const inbox = await staff.run(staff.api.department.inbox({}));
    expect(inbox.tickets.map((t) => t.ticketId)).toContain(ticket.ticketId);
    const theirs = await others.run(others.api.department.inbox({}));
    expect(theirs.tickets.map((t) => t.ticketId)).not.toContain(ticket.ticketId);
    expect((await rejection(ctx.world, others.api.ticket.get({ ticketId: ticket.ticketId }))).code).toBe(
      ProtocolErrorCode.Forbidden,
    );

    const stale = await rejection(
      ctx.world,
      staff.api.department.recordResult({ ticketId: ticket.ticketId, version: ticket.version + 3, result: '修好了' }),
    );
    expect(stale.code).toBe(ProtocolErrorCode.Conflict);
    const mark = agent.mark();
    const current = (await staff.run(staff.api.ticket.get({ ticketId: ticket.ticketId }))).ticket;
    const resolved = await staff.run(
      staff.api.department.recordResult({
        ticketId: ticket.ticketId,
        version: current.version,
        result: '已派员修复，恢复供气',
      }),
    );
    expect(resolved).toMatchObject({ status: 'resolved', result: '已派员修复，恢复供气' });
    await agent.expectEvent(
      'ticket.changed',
      (c) => c.ticket.ticketId === ticket.ticketId && c.ticket.status === 'resolved',
      { after: mark },
    );
    expect(
      others.events.some((e) => e.name === 'ticket.changed' && e.data.ticket.ticketId === ticket.ticketId),
      "another department's desk hears nothing of it",
    ).toBe(false);
  });

  it('a voicemail asking for a call back reaches the agents, is listed, claimed and marked called back', async () => {
    const { users } = ctx.world;
    const agent = ctx.desk();
    await agent.login(users.agent);
    const other = ctx.desk();
    await other.login(users.otherAgent);
    const from = ctx.world.unknownCaller;
    await ctx.world.leaveVoicemail(from);
    const added = await agent.expectEvent('voicemail.added', (v) => v.callerId === from, { ms: 120_000 });
    expect(added).toMatchObject({ wantsReply: true, status: 'new', callbackNumber: from });
    await other.expectEvent('voicemail.added', (v) => v.voicemailId === added.voicemailId);

    const listed = await agent.run(agent.api.voicemail.list({}));
    expect(listed.voicemails.find((v) => v.voicemailId === added.voicemailId)).toMatchObject({ status: 'new' });
    const receivedAt = listed.voicemails.map((v) => v.receivedAt);
    expect(receivedAt, 'oldest first').toEqual([...receivedAt].sort((a, b) => a - b));

    const mark = other.mark();
    const claimed = await agent.run(
      agent.api.voicemail.mark({ voicemailId: added.voicemailId, status: 'in-progress' }),
    );
    expect(claimed.status).toBe('in-progress');
    await other.expectEvent(
      'voicemail.added',
      (v) => v.voicemailId === added.voicemailId && v.status === 'in-progress',
      {
        after: mark,
      },
    );
    const working = await agent.run(agent.api.voicemail.list({ status: ['in-progress'] }));
    expect(working.voicemails.map((v) => v.voicemailId)).toContain(added.voicemailId);

    const done = await agent.run(
      agent.api.voicemail.mark({ voicemailId: added.voicemailId, status: 'called-back', note: '已回电说明情况' }),
    );
    expect(done.status).toBe('called-back');
    const pending = await agent.run(agent.api.voicemail.list({}));
    expect(
      pending.voicemails.map((v) => v.voicemailId),
      'the call-back list drops what was called back',
    ).not.toContain(added.voicemailId);
    expect((await rejection(ctx.world, agent.api.voicemail.mark({ voicemailId: 'no-such-voicemail' }))).code).toBe(
      ProtocolErrorCode.NotFound,
    );
  });

  it('the wallboard lists queues and agents, and its queue figures count an answered call', async () => {
    const { users, knownCaller } = ctx.world;
    const boss = ctx.desk();
    await boss.login(users.supervisor);
    const before = await boss.run(boss.api.supervisor.snapshot());
    expect(before.queues.length).toBeGreaterThan(0);
    expect(before.agents.map((a) => a.agentId)).toContain(users.agent.userId);

    const agent = ctx.desk();
    await agent.login(users.agent);
    await agent.run(agent.api.agent.ready());
    const after = agent.mark();
    const caller = await ctx.world.offerCall(users.agent.userId, knownCaller.number);
    const pop = await agent.expectEvent('call.offered', (p) => p.callerId === knownCaller.number, {
      after,
      ms: 120_000,
    });
    await agent.run(agent.api.call.answer({ callId: pop.call.callId }));
    const queueId = pop.queueId ?? pop.call.queueId;
    expect(queueId, 'the pop names the queue').toBeDefined();
    const then = before.queues.find((q) => q.queueId === queueId);
    const now = (await boss.run(boss.api.supervisor.snapshot())).queues.find((q) => q.queueId === queueId);
    expect(now?.answeredToday, `answered in ${queueId}`).toBe((then?.answeredToday ?? 0) + 1);
    await boss.expectEvent('wallboard.agents', (w) =>
      w.agents.some((a) => a.agentId === users.agent.userId && a.activity === 'connected'),
    );
    await caller.hangup();
  });

  it("a supervisor forces an agent's state and the agent's desk follows; an unknown agent is ERR_NOT_FOUND", async () => {
    const { users } = ctx.world;
    const agent = ctx.desk();
    const session = await agent.login(users.agent);
    const boss = ctx.desk();
    await boss.login(users.supervisor);
    const reason = session.snapshot?.catalog?.notReadyReasons[1]?.code ?? 'lunch';
    let mark = agent.mark();
    const forced = await boss.run(
      boss.api.supervisor.forceState({ agentId: users.agent.userId, presence: 'not-ready', reason }),
    );
    expect(forced).toMatchObject({ agentId: users.agent.userId, presence: 'not-ready', reason });
    await agent.expectEvent('agent.state', (s) => s.presence === 'not-ready' && s.reason === reason, { after: mark });
    mark = agent.mark();
    await boss.run(boss.api.supervisor.forceState({ agentId: users.agent.userId, presence: 'ready' }));
    await agent.expectEvent('agent.state', (s) => s.presence === 'ready', { after: mark });
    mark = agent.mark();
    await boss.run(boss.api.supervisor.forceState({ agentId: users.agent.userId, presence: 'logged-out' }));
    await agent.expectEvent('agent.state', (s) => s.presence === 'logged-out', { after: mark });
    const nobody = await rejection(
      ctx.world,
      boss.api.supervisor.forceState({ agentId: 'no-such-agent', presence: 'ready' }),
    );
    expect(nobody.code).toBe(ProtocolErrorCode.NotFound);
  });
}
