import { isHotlineError } from '@hotline/cti-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../storage/test-support.js';
import { AppErrorCode } from './errors.js';
import { EscalationTimer } from './escalation-timer.js';
import { TicketService, type Actor } from './ticket-service.js';
import { TICKET_TRANSITIONS, TICKET_STATUSES, type TicketAction, type TicketStatus } from './tickets.js';
import { validateTrackingNumber } from './tracking-number.js';
import type { User } from './users.js';

let t: TestStore;
let svc: TicketService;
let deps: Record<'cs' | 'repair' | 'network' | 'meters' | 'complaints', number>;
const ivr: Actor = { kind: 'system', name: 'ivr' };

const userIds = new Map<string, number>();
/** An actor backed by a real user row (created on first use; see beforeEach). */
function user(role: User['role'], departmentId: number | null = null, username = `${role}-user`): Actor {
  const id = userIds.get(username);
  if (id === undefined) throw new Error(`test user ${username} not created`);
  return { kind: 'user', user: { id, username, role, departmentId } };
}

beforeEach(async () => {
  t = await openTestStore();
  const d = t.store.departments;
  const cs = await d.create({ code: 'cs', name: '客服中心', parentId: null, phone: null });
  const repair = await d.create({ code: 'repair', name: '抢修中心', parentId: cs.id, phone: null });
  const network = await d.create({ code: 'network', name: '管网所', parentId: repair.id, phone: null });
  const meters = await d.create({ code: 'meters', name: '表务所', parentId: cs.id, phone: null });
  const complaints = await d.create({ code: 'complaints', name: '稽查科', parentId: cs.id, phone: null });
  deps = { cs: cs.id, repair: repair.id, network: network.id, meters: meters.id, complaints: complaints.id };
  userIds.clear();
  for (const [username, role, dep] of [
    ['agent-user', 'agent', null],
    ['administrator-user', 'administrator', null],
    ['department_staff-user', 'department_staff', network.id],
    ['wang', 'department_staff', network.id],
    ['zhao', 'department_staff', network.id],
    ['li', 'department_staff', repair.id],
    ['sun', 'department_staff', meters.id],
  ] as const) {
    const u = await t.store.users.create(
      { username, displayName: username, role, departmentId: dep, passwordHash: 'x' },
      0,
    );
    userIds.set(username, u.id);
  }
  svc = new TicketService({
    tickets: t.store.tickets,
    departments: t.store.departments,
    audit: t.store.audit,
    clock: t.clock,
  });
});

afterEach(async () => {
  svc.dispose();
  await t.dispose();
});

const leak = {
  type: 'emergency',
  subtype: 'gas_leak',
  description: '厨房有煤气味',
  channel: 'phone',
  callerPhone: '13800138000',
} as const;

describe('ticket workflow', () => {
  it('walks accepted → assigned → in progress → resolved → informed → closed with full history', async () => {
    const created = await svc.open(ivr, { ...leak });
    expect(created.status).toBe('accepted');
    expect(validateTrackingNumber(created.trackingNo).valid).toBe(true);
    expect(created.trackingNo.slice(0, 6)).toBe('260101');
    const agent = user('agent');
    const staff = user('department_staff', deps.network, 'wang');
    await svc.assign(agent, created.id, 'network');
    await t.clock.advanceBy(60_000);
    await svc.start(staff, created.id);
    await svc.resolve(staff, created.id, '已关闭阀门并更换软管');
    await svc.inform(agent, created.id, '已电话告知');
    const closed = await svc.close(agent, created.id);
    expect(closed).toMatchObject({ status: 'closed', result: '已关闭阀门并更换软管', deadlineAt: null, version: 6 });
    const history = await svc.history(agent, created.id);
    expect(history.map((h) => [h.action, h.fromStatus, h.toStatus, h.actor])).toEqual([
      ['accept', null, 'accepted', 'ivr'],
      ['assign', 'accepted', 'assigned', 'agent-user'],
      ['start', 'assigned', 'in_progress', 'wang'],
      ['resolve', 'in_progress', 'resolved', 'wang'],
      ['inform', 'resolved', 'informed', 'agent-user'],
      ['close', 'informed', 'closed', 'agent-user'],
    ]);
    expect(history[2]!.at - history[1]!.at).toBe(60_000);
  });

  it('numbers tickets of one day in sequence and restarts the next day', async () => {
    const a = await svc.open(ivr, { ...leak });
    const b = await svc.open(ivr, { ...leak });
    await t.clock.advanceBy(24 * 3_600_000);
    const c = await svc.open(ivr, { ...leak });
    expect([a.trackingNo.slice(0, 11), b.trackingNo.slice(0, 11), c.trackingNo.slice(0, 11)]).toEqual([
      '26010100001',
      '26010100002',
      '26010200001',
    ]);
    expect(await svc.getByTrackingNo(agentActor(), b.trackingNo)).toMatchObject({ id: b.id });
    await expect(
      svc.getByTrackingNo(agentActor(), b.trackingNo.slice(0, 11) + ((Number(b.trackingNo[11]) + 1) % 10)),
    ).rejects.toMatchObject({
      code: AppErrorCode.InvalidTrackingNumber,
    });
  });

  it('refuses every move the transition table does not allow, with a typed error', async () => {
    const actions: TicketAction[] = ['assign', 'start', 'resolve', 'inform', 'close', 'reopen', 'escalate'];
    const admin = user('administrator');
    // Bring one ticket into each state, then try every action on it.
    const into = async (status: TicketStatus): Promise<number> => {
      const tk = await svc.open(ivr, { ...leak, departmentCode: null });
      const path: Record<TicketStatus, (() => Promise<unknown>)[]> = {
        accepted: [],
        assigned: [() => svc.assign(admin, tk.id, 'network')],
        in_progress: [() => svc.assign(admin, tk.id, 'network'), () => svc.start(admin, tk.id)],
        resolved: [
          () => svc.assign(admin, tk.id, 'network'),
          () => svc.start(admin, tk.id),
          () => svc.resolve(admin, tk.id, 'ok'),
        ],
        informed: [
          () => svc.assign(admin, tk.id, 'network'),
          () => svc.start(admin, tk.id),
          () => svc.resolve(admin, tk.id, 'ok'),
          () => svc.inform(admin, tk.id),
        ],
        closed: [
          () => svc.assign(admin, tk.id, 'network'),
          () => svc.start(admin, tk.id),
          () => svc.resolve(admin, tk.id, 'ok'),
          () => svc.inform(admin, tk.id),
          () => svc.close(admin, tk.id),
        ],
      };
      for (const step of path[status]) await step();
      return tk.id;
    };
    let illegal = 0;
    for (const status of TICKET_STATUSES) {
      for (const action of actions) {
        const id = await into(status);
        const run = (): Promise<unknown> => {
          switch (action) {
            case 'assign':
              return svc.assign(admin, id, 'meters');
            case 'start':
              return svc.start(admin, id);
            case 'resolve':
              return svc.resolve(admin, id, 'done');
            case 'inform':
              return svc.inform(admin, id);
            case 'close':
              return svc.close(admin, id);
            case 'reopen':
              return svc.reopen(admin, id, 'customer not satisfied');
            default:
              return svc.escalate(admin, id, 'by hand');
          }
        };
        const expected = TICKET_TRANSITIONS[status][action];
        const before = await t.store.tickets.get(id);
        const outcome = await run().then(
          (r) => r as { status: TicketStatus },
          (e: unknown) => e,
        );
        if (expected === undefined) {
          illegal++;
          expect(isHotlineError(outcome, AppErrorCode.IllegalTicketTransition), `${action} from ${status}`).toBe(true);
          expect(outcome).toMatchObject({ details: { from: status, action } });
          expect(await t.store.tickets.get(id)).toEqual(before);
        } else if (status === 'accepted' && action === 'escalate') {
          // Legal move, but an unassigned ticket has no department to escalate from.
          expect(isHotlineError(outcome, AppErrorCode.CannotEscalate)).toBe(true);
        } else {
          expect((outcome as { status: TicketStatus }).status, `${action} from ${status}`).toBe(expected);
        }
      }
    }
    expect(illegal).toBeGreaterThan(20);
  });

  it('reopens with a fresh deadline and counts reopenings', async () => {
    const admin = user('administrator');
    const tk = await svc.open(ivr, {
      type: 'repair',
      subtype: 'no_gas',
      description: '没有气',
      channel: 'phone',
      departmentCode: 'network',
    });
    await svc.start(admin, tk.id);
    await svc.resolve(admin, tk.id, '阀门已开');
    await t.clock.advanceBy(3_600_000);
    const reopened = await svc.reopen(admin, tk.id, '仍然没有气');
    expect(reopened).toMatchObject({
      status: 'assigned',
      reopenCount: 1,
      result: null,
      deadlineAt: t.clock.now() + 24 * 3_600_000,
    });
    await expect(svc.reopen(admin, tk.id, '')).rejects.toMatchObject({ code: AppErrorCode.Invalid });
  });

  it('detects a concurrent change (optimistic version check)', async () => {
    const tk = await svc.open(ivr, { ...leak, departmentCode: 'network' });
    await t.store.tickets.update(
      tk.id,
      tk.version,
      { status: 'in_progress' },
      {
        at: 0,
        actor: 'x',
        action: 'start',
        fromStatus: 'assigned',
        toStatus: 'in_progress',
        departmentId: null,
        note: null,
      },
      0,
    );
    await expect(
      t.store.tickets.update(
        tk.id,
        tk.version,
        { status: 'in_progress' },
        {
          at: 0,
          actor: 'y',
          action: 'start',
          fromStatus: 'assigned',
          toStatus: 'in_progress',
          departmentId: null,
          note: null,
        },
        0,
      ),
    ).rejects.toMatchObject({ code: AppErrorCode.Conflict, retryable: true });
  });
});

function agentActor(): Actor {
  return user('agent');
}

/** Advances virtual time minute by minute, letting each escalation check finish its database work. */
async function advance(timer: EscalationTimer, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 60_000) {
    await t.clock.advanceBy(Math.min(60_000, left));
    await timer.idle();
  }
}

describe('escalation', () => {
  it('escalates by hand to the parent department and refuses at the top', async () => {
    const admin = user('administrator');
    const tk = await svc.open(ivr, { ...leak, departmentCode: 'network' });
    const up1 = await svc.escalate(admin, tk.id, '需要抢修中心协调');
    expect(up1).toMatchObject({ departmentId: deps.repair, escalationLevel: 1, status: 'assigned' });
    const up2 = await svc.escalate(admin, tk.id, '升级到客服中心');
    expect(up2.departmentId).toBe(deps.cs);
    await expect(svc.escalate(admin, tk.id, 'again')).rejects.toMatchObject({ code: AppErrorCode.CannotEscalate });
    const audit = await t.store.audit.list({ actor: 'administrator-user' });
    expect(audit.filter((a) => a.action === 'ticket.escalate')).toHaveLength(2);
  });

  it('escalates automatically when the deadline passes, in virtual time', async () => {
    const timer = new EscalationTimer({ service: svc, scheduler: t.clock, maxIntervalMs: 3_600_000 });
    timer.start();
    const emergency = await svc.open(ivr, { ...leak, departmentCode: 'network' });
    const repair = await svc.open(ivr, {
      type: 'repair',
      subtype: 'meter_fault',
      description: '表不走',
      channel: 'phone',
      departmentCode: 'meters',
    });
    const escalated: string[] = [];
    const sub = svc.changes$.subscribe(
      (c) =>
        c.action === 'escalate' &&
        escalated.push(`${c.ticket.trackingNo}@${(t.clock.now() - emergency.createdAt) / 60_000}`),
    );

    await advance(timer, 29 * 60_000);
    expect((await t.store.tickets.get(emergency.id))!.escalationLevel).toBe(0);
    await advance(timer, 60_000);
    expect(await t.store.tickets.get(emergency.id)).toMatchObject({ escalationLevel: 1, departmentId: deps.repair });
    // 30 minutes later it is still open: up again, to the top.
    await advance(timer, 30 * 60_000);
    expect(await t.store.tickets.get(emergency.id)).toMatchObject({ escalationLevel: 2, departmentId: deps.cs });
    // At the top it is marked overdue once and its deadline stops.
    await advance(timer, 30 * 60_000);
    const top = (await t.store.tickets.get(emergency.id))!;
    expect(top).toMatchObject({ escalationLevel: 2, deadlineAt: null });
    expect((await svc.history(ivr, emergency.id)).filter((h) => h.action === 'overdue')).toHaveLength(1);
    expect(escalated).toEqual([`${emergency.trackingNo}@30`, `${emergency.trackingNo}@60`]);

    // The repair (24 h) escalates from 表务所 to 客服中心 after a day, unless resolved first.
    expect((await t.store.tickets.get(repair.id))!.escalationLevel).toBe(0);
    await advance(timer, 24 * 3_600_000);
    expect(await t.store.tickets.get(repair.id)).toMatchObject({ escalationLevel: 1, departmentId: deps.cs });
    const history = await svc.history(ivr, repair.id);
    expect(history.at(-1)).toMatchObject({ action: 'escalate', actor: 'system', note: 'deadline passed' });
    sub.unsubscribe();
    timer.stop();
  });

  it('does not escalate a ticket resolved before its deadline', async () => {
    const timer = new EscalationTimer({ service: svc, scheduler: t.clock });
    timer.start();
    const admin = user('administrator');
    const tk = await svc.open(ivr, { ...leak, departmentCode: 'network' });
    await advance(timer, 10 * 60_000);
    await svc.start(admin, tk.id);
    await svc.resolve(admin, tk.id, '已处理');
    await advance(timer, 3 * 3_600_000);
    expect((await t.store.tickets.get(tk.id))!.escalationLevel).toBe(0);
    timer.stop();
  });
});

describe('permissions and visibility', () => {
  it('shows department staff only their department and its sub-departments', async () => {
    const a = await svc.open(ivr, { ...leak, departmentCode: 'network' });
    const b = await svc.open(ivr, {
      type: 'repair',
      subtype: 'meter_fault',
      description: 'x',
      channel: 'phone',
      departmentCode: 'meters',
    });
    const c = await svc.open(ivr, { type: 'complaint', subtype: 'service', description: 'y', channel: 'voicemail' });
    const repairStaff = user('department_staff', deps.repair, 'li');
    const networkStaff = user('department_staff', deps.network, 'zhao');
    const meterStaff = user('department_staff', deps.meters, 'sun');
    expect((await svc.list(repairStaff)).map((x) => x.id)).toEqual([a.id]);
    expect((await svc.list(networkStaff)).map((x) => x.id)).toEqual([a.id]);
    expect((await svc.list(meterStaff)).map((x) => x.id)).toEqual([b.id]);
    expect((await svc.list(agentActor())).map((x) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
    // An explicit filter cannot widen the view.
    expect(await svc.list(meterStaff, { departmentIds: [deps.network] })).toEqual([]);
    await expect(svc.getByTrackingNo(meterStaff, a.trackingNo)).rejects.toMatchObject({ code: AppErrorCode.Forbidden });
    await expect(svc.start(meterStaff, a.id)).rejects.toMatchObject({ code: AppErrorCode.Forbidden });
    await expect(svc.history(meterStaff, a.id)).rejects.toMatchObject({ code: AppErrorCode.Forbidden });
    // After escalation to 抢修中心, 管网所 staff no longer see it; 抢修中心 staff still do.
    await svc.escalate(repairStaff, a.id, '需协调');
    expect(await svc.list(networkStaff)).toEqual([]);
    expect((await svc.list(repairStaff)).map((x) => x.id)).toEqual([a.id]);
  });

  it('refuses actions outside a role', async () => {
    const tk = await svc.open(ivr, { ...leak, departmentCode: 'network' });
    await expect(svc.open(user('department_staff', deps.network), { ...leak })).rejects.toMatchObject({
      code: AppErrorCode.Forbidden,
    });
    await expect(svc.close(user('department_staff', deps.network), tk.id)).rejects.toMatchObject({
      code: AppErrorCode.Forbidden,
    });
    await expect(svc.start(user('agent'), tk.id)).rejects.toMatchObject({ code: AppErrorCode.Forbidden });
  });

  it('validates input', async () => {
    await expect(svc.open(ivr, { ...leak, subtype: 'meter_fault' })).rejects.toMatchObject({
      code: AppErrorCode.Invalid,
      details: { field: 'subtype' },
    });
    await expect(svc.open(ivr, { ...leak, description: '  ' })).rejects.toMatchObject({
      code: AppErrorCode.Invalid,
      details: { field: 'description' },
    });
    await expect(svc.open(ivr, { ...leak, departmentCode: 'nope' })).rejects.toMatchObject({
      code: AppErrorCode.NotFound,
    });
  });
});
