import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, TEST_SCRYPT, type TestStore } from '../storage/test-support.js';
import { AuthService } from './auth-service.js';
import { AppErrorCode } from './errors.js';
import { hashSecret, verifySecret } from './passwords.js';

let t: TestStore;
let auth: AuthService;

beforeEach(async () => {
  t = await openTestStore();
  auth = new AuthService({
    users: t.store.users,
    customers: t.store.customers,
    departments: t.store.departments,
    audit: t.store.audit,
    clock: t.clock,
    scrypt: TEST_SCRYPT,
    lockout: { maxFailures: 3, lockoutMs: 10 * 60_000 },
  });
  await t.store.departments.create({ code: 'repair', name: '抢修中心', parentId: null, phone: null });
  await auth.addUser('admin', { username: 'a001', displayName: '坐席一', role: 'agent', password: 'correct-horse' });
});

afterEach(() => t.dispose());

describe('passwords', () => {
  it('hash with scrypt, salted, and verify in constant time', async () => {
    const h1 = await hashSecret('secret-1', TEST_SCRYPT);
    const h2 = await hashSecret('secret-1', TEST_SCRYPT);
    expect(h1).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(h1).not.toBe(h2);
    expect(await verifySecret('secret-1', h1)).toBe(true);
    expect(await verifySecret('secret-2', h1)).toBe(false);
    expect(await verifySecret('secret-1', 'garbage')).toBe(false);
    expect(await verifySecret('secret-1', 'scrypt$1024$8$1$AAAA$AAAA')).toBe(false);
  });
});

describe('user login', () => {
  it('accepts the right password and records it', async () => {
    const u = await auth.login('a001', 'correct-horse');
    expect(u).toMatchObject({ username: 'a001', role: 'agent', lastLoginAt: t.clock.now() });
    expect(u).not.toHaveProperty('passwordHash');
    const audit = await t.store.audit.list({ actor: 'a001' });
    expect(audit[0]).toMatchObject({ action: 'login', outcome: 'ok' });
    expect(JSON.stringify(audit)).not.toContain('correct-horse');
  });

  it('answers an unknown user exactly like a wrong password, attempt after attempt, lock included', async () => {
    const answer = (name: string) =>
      auth.login(name, 'wrong').then(
        () => 'ok',
        (e: unknown) =>
          JSON.stringify({ code: (e as { code: string }).code, details: (e as { details: unknown }).details }),
      );
    for (let i = 0; i < 4; i++) expect(await answer('nobody')).toBe(await answer('a001'));
    expect(await answer('nobody')).toContain(AppErrorCode.Locked);
    await t.clock.advanceBy(10 * 60_000);
    expect(await answer('nobody')).toBe(await answer('a001'));
    expect(await answer('nobody')).toContain('"attemptsLeft":1');
  });

  it('locks after N failures, refuses even the right password while locked, unlocks after the period', async () => {
    await expect(auth.login('a001', 'wrong1')).rejects.toMatchObject({ code: AppErrorCode.AuthFailed });
    await expect(auth.login('a001', 'wrong2')).rejects.toMatchObject({ code: AppErrorCode.AuthFailed });
    const lockedUntil = t.clock.now() + 10 * 60_000;
    await expect(auth.login('a001', 'wrong3')).rejects.toMatchObject({
      code: AppErrorCode.Locked,
      details: { lockedUntil },
    });
    await t.clock.advanceBy(9 * 60_000);
    await expect(auth.login('a001', 'correct-horse')).rejects.toMatchObject({
      code: AppErrorCode.Locked,
      details: { lockedUntil },
    });
    await t.clock.advanceBy(60_000);
    await expect(auth.login('a001', 'correct-horse')).resolves.toMatchObject({ username: 'a001' });
    // The counter restarted: two failures do not lock.
    await expect(auth.login('a001', 'x')).rejects.toMatchObject({ code: AppErrorCode.AuthFailed });
    await expect(auth.login('a001', 'x')).rejects.toMatchObject({ code: AppErrorCode.AuthFailed });
    await expect(auth.login('a001', 'correct-horse')).resolves.toBeDefined();
    const outcomes = (await t.store.audit.list({ actor: 'a001' })).map((a) => a.outcome).reverse();
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'denied', 'ok', 'failed', 'failed', 'ok']);
  });

  it('a lock that has expired gives a fresh set of attempts', async () => {
    for (let i = 0; i < 3; i++) await auth.login('a001', 'bad').catch(() => undefined);
    await t.clock.advanceBy(11 * 60_000);
    await expect(auth.login('a001', 'bad')).rejects.toMatchObject({
      code: AppErrorCode.AuthFailed,
      details: { attemptsLeft: 2 },
    });
  });

  it('refuses disabled users', async () => {
    const u = (await t.store.users.getByUsername('a001'))!;
    await t.store.users.setDisabled(u.id, true);
    await expect(auth.login('a001', 'correct-horse')).rejects.toMatchObject({ code: AppErrorCode.Disabled });
    // Only the right password learns that the account exists and is disabled.
    await expect(auth.login('a001', 'guess')).rejects.toMatchObject({
      code: AppErrorCode.AuthFailed,
      details: { attemptsLeft: 2 },
    });
  });

  it('changes a password only with the old one', async () => {
    await expect(auth.changePassword('a001', 'wrong', 'new-password-1')).rejects.toMatchObject({
      code: AppErrorCode.AuthFailed,
    });
    await expect(auth.changePassword('a001', 'correct-horse', 'short')).rejects.toMatchObject({
      code: AppErrorCode.Invalid,
      details: { field: 'password', reason: 'too-short' },
    });
    await auth.changePassword('a001', 'correct-horse', 'new-password-1');
    await expect(auth.login('a001', 'correct-horse')).rejects.toMatchObject({ code: AppErrorCode.AuthFailed });
    await expect(auth.login('a001', 'new-password-1')).resolves.toBeDefined();
  });

  it('validates new users', async () => {
    await expect(
      auth.addUser('admin', { username: 'a001', displayName: 'x', role: 'agent', password: 'long-enough' }),
    ).rejects.toMatchObject({ code: AppErrorCode.Duplicate });
    await expect(
      auth.addUser('admin', { username: 'bad name', displayName: 'x', role: 'agent', password: 'long-enough' }),
    ).rejects.toMatchObject({ code: AppErrorCode.Invalid });
    await expect(
      auth.addUser('admin', { username: 's1', displayName: 'x', role: 'department_staff', password: 'long-enough' }),
    ).rejects.toMatchObject({
      code: AppErrorCode.Invalid,
      details: { field: 'department' },
    });
    await expect(
      auth.addUser('admin', {
        username: 's1',
        displayName: 'x',
        role: 'department_staff',
        departmentCode: 'nope',
        password: 'long-enough',
      }),
    ).rejects.toMatchObject({
      code: AppErrorCode.NotFound,
    });
    const staff = await auth.addUser('admin', {
      username: 's1',
      displayName: 'x',
      role: 'department_staff',
      departmentCode: 'repair',
      password: 'long-enough',
    });
    expect(staff.departmentId).not.toBeNull();
  });
});

describe('account query passwords', () => {
  beforeEach(async () => {
    const [cid] = await t.store.customers.createMany([
      {
        customerNo: 'C0001',
        name: '李娜',
        phones: [{ phone: '13912345678', kind: 'mobile' }],
        address: '中山路1号',
        district: '鼓楼区',
        districtCode: '320106',
        householdSize: 3,
        floor: 5,
        status: 'active',
        notes: '',
      },
    ]);
    await t.store.customers.openAccount({
      accountNo: '1000001',
      customerId: cid!,
      category: 'residential',
      status: 'active',
      openedAt: 0,
      queryPasswordHash: await hashSecret('123456', TEST_SCRYPT),
    });
    await t.store.customers.openAccount({
      accountNo: '1000002',
      customerId: cid!,
      category: 'residential',
      status: 'active',
      openedAt: 0,
      queryPasswordHash: null,
    });
  });

  it('checks, locks and unlocks', async () => {
    expect(await auth.checkAccountPassword('1000001', '123456')).toMatchObject({ ok: true });
    expect(await auth.checkAccountPassword('1000001', '000000')).toEqual({
      ok: false,
      reason: 'wrong',
      attemptsLeft: 2,
    });
    expect(await auth.checkAccountPassword('1000001', '000000')).toEqual({
      ok: false,
      reason: 'wrong',
      attemptsLeft: 1,
    });
    expect(await auth.checkAccountPassword('1000001', '000000')).toMatchObject({ ok: false, reason: 'locked' });
    expect(await auth.checkAccountPassword('1000001', '123456')).toMatchObject({ ok: false, reason: 'locked' });
    await t.clock.advanceBy(10 * 60_000);
    expect(await auth.checkAccountPassword('1000001', '123456')).toMatchObject({ ok: true });
    expect(await auth.checkAccountPassword('9999999', '123456')).toEqual({ ok: false, reason: 'unknown-account' });
    expect(await auth.checkAccountPassword('1000002', '123456')).toEqual({ ok: false, reason: 'no-password' });
  });

  it('changes the password only with the old one, six digits', async () => {
    await expect(auth.changeAccountPassword('1000001', '123456', '12ab56')).rejects.toMatchObject({
      code: AppErrorCode.Invalid,
    });
    expect(await auth.changeAccountPassword('1000001', '111111', '654321')).toMatchObject({
      ok: false,
      reason: 'wrong',
    });
    expect(await auth.changeAccountPassword('1000001', '123456', '654321')).toMatchObject({ ok: true });
    expect(await auth.checkAccountPassword('1000001', '123456')).toMatchObject({ ok: false });
    expect(await auth.checkAccountPassword('1000001', '654321')).toMatchObject({ ok: true });
    const audit = await t.store.audit.list();
    expect(JSON.stringify(audit)).not.toMatch(/654321|123456/);
  });
});
