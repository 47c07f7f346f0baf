import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_NAMES, DEFAULT_ROLE_TABLE, isCommandName } from './commands.js';
import { BillSummary, Customer, ScreenPop, Ticket } from './domain.js';
import { ProtocolError, isProtocolError } from './errors.js';
import { EVENT_NAMES } from './events.js';
import { ClientFrame, ServerFrame, readFrame, toWireError, utf8Length } from './frames.js';
import { maskPhone } from './logger.js';
import { negotiateVersion, parseVersion } from './version.js';

const customer = {
  customerId: 'c1',
  customerNo: '100001',
  name: '陈静',
  phones: ['13800138000', '0571-88886666'],
  address: '杭州市西湖区文三路1号3单元502',
  district: '西湖区',
  districtCode: '330106',
  householdSize: 3,
  floor: 5,
  accountStatus: 'active',
  version: 4,
  updatedAt: 1_767_196_800_000,
};

describe('versioning', () => {
  it('negotiates the lower minor of the same major and refuses another major', () => {
    expect(negotiateVersion('1.3', '1.1')).toBe('1.1');
    expect(negotiateVersion('1.0', '1.4')).toBe('1.0');
    expect(() => negotiateVersion('2.0', '1.0')).toThrow(expect.objectContaining({ code: 'ERR_VERSION_MISMATCH' }));
    expect(() => parseVersion('1')).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED' }));
    expect(() => parseVersion('01.0')).toThrow();
  });
});

describe('frame codec', () => {
  it('counts UTF-8 bytes and enforces the size limit before parsing', () => {
    expect(utf8Length('a')).toBe(1);
    expect(utf8Length('燃气')).toBe(6);
    expect(utf8Length('😀')).toBe(4);
    expect(readFrame('{"type":"ping"}', 15)).toEqual({ type: 'ping' });
    expect(() => readFrame('{"type":"x","t":"燃"}', 20)).toThrow(
      expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }),
    );
    for (const bad of ['', 'null', '"s"', '[]', '{"type":1}', '{"kind":"x"}']) {
      expect(() => readFrame(bad)).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED' }));
    }
  });

  it('parses every client and server frame shape', () => {
    expect(ClientFrame.safeParse({ type: 'resume', token: 'x'.repeat(43), lastSeq: 7 }).success).toBe(true);
    expect(ClientFrame.safeParse({ type: 'resume', token: 'short', lastSeq: 7 }).success).toBe(false);
    expect(
      ServerFrame.safeParse({ type: 'response', id: 'a-1', ok: false, error: { code: 'ERR_X', message: 'm' } }).success,
    ).toBe(true);
    expect(ServerFrame.safeParse({ type: 'event', seq: 0, at: 1, name: 'notice', data: {} }).success).toBe(false);
  });

  it('hides unknown errors behind ERR_INTERNAL and keeps typed ones', () => {
    expect(toWireError(new Error('SQLITE_BUSY at /var/lib/x.db'))).toEqual({
      code: 'ERR_INTERNAL',
      message: 'internal server error',
    });
    expect(toWireError(new ProtocolError('ERR_CONFLICT', 'stale', { details: { currentVersion: 5 } }))).toEqual({
      code: 'ERR_CONFLICT',
      message: 'stale',
      details: { currentVersion: 5 },
    });
    // Any Hotline error (e.g. from cti-core) is recognised by its marker, not by instanceof.
    const foreign = {
      [Symbol.for('hotline.error')]: true,
      code: 'ERR_HANGUP',
      message: 'far end hung up',
      retryable: false,
    };
    expect(isProtocolError(foreign, 'ERR_HANGUP')).toBe(true);
    expect(toWireError(foreign)).toEqual({ code: 'ERR_HANGUP', message: 'far end hung up' });
  });
});

describe('domain schemas', () => {
  it('accept a realistic customer and reject bad phones, floats of money and unknown statuses', () => {
    expect(Customer.parse(customer)).toMatchObject({ name: '陈静' });
    expect(Customer.safeParse({ ...customer, phones: ['138 0013 8000'] }).success).toBe(false);
    expect(Customer.safeParse({ ...customer, accountStatus: 'vip' }).success).toBe(false);
    const bill = {
      period: '2026-10',
      usageM3: 21.5,
      amountFen: 6_364,
      dueDate: '2026-11-25',
      paidFen: 0,
      status: 'unpaid',
    };
    expect(
      BillSummary.safeParse({ customerId: 'c1', accountNo: 'A1', arrearsFen: 6_364, bills: [bill], asOf: 1 }).success,
    ).toBe(true);
    expect(
      BillSummary.safeParse({ customerId: 'c1', accountNo: 'A1', arrearsFen: 63.64, bills: [], asOf: 1 }).success,
    ).toBe(false);
  });

  it('strip unknown fields (forward compatibility within a major)', () => {
    const parsed = Customer.parse({ ...customer, loyaltyTier: 'gold' });
    expect(parsed).not.toHaveProperty('loyaltyTier');
  });

  it('a screen pop for an unknown caller', () => {
    const pop = {
      call: { callId: 'k1', direction: 'inbound', state: 'offered', remoteNumber: '13900139000', since: 1 },
      callerId: '13900139000',
      customer: null,
      ivrPath: [{ node: 'main', label: '主菜单', input: '2' }, { node: 'repair' }],
      openTickets: [],
      recentInteractions: [],
      priority: 'normal',
      waitedMs: 12_000,
    };
    expect(ScreenPop.safeParse(pop).success).toBe(true);
    expect(Ticket.safeParse({}).success).toBe(false);
  });
});

describe('command and event tables', () => {
  it('every command is namespaced, has roles, and privileged ones are audited', () => {
    for (const name of COMMAND_NAMES) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(COMMANDS[name].roles.length).toBeGreaterThan(0);
      expect(isCommandName(name)).toBe(true);
    }
    expect(isCommandName('toString')).toBe(false);
    for (const name of COMMAND_NAMES.filter((n) => n.startsWith('supervisor.'))) {
      expect(DEFAULT_ROLE_TABLE[name]).not.toContain('agent');
      expect(COMMANDS[name].audit || name === 'supervisor.snapshot').toBe(true);
    }
    expect(DEFAULT_ROLE_TABLE['department.inbox']).toContain('department');
    expect(DEFAULT_ROLE_TABLE['call.answer']).not.toContain('department');
    expect(COMMANDS['user.changePassword'].audit).toBe(true);
    expect(EVENT_NAMES).toContain('call.offered');
  });

  it('apply parameter defaults', () => {
    expect(COMMANDS['customer.search'].params.parse({ query: { phone: '8000' } })).toEqual({
      query: { phone: '8000' },
      limit: 20,
    });
    expect(COMMANDS['customer.search'].params.safeParse({ query: {} }).success).toBe(false);
  });
});

describe('maskPhone', () => {
  it('keeps only enough digits to tell numbers apart', () => {
    expect(maskPhone('13800138000')).toBe('138******00');
    expect(maskPhone('88886')).toBe('***86');
    expect(maskPhone(undefined)).toBe('');
  });
});
