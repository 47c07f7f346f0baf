/**
 * Logins, lockout and password changes for users, and the customers' account query passwords
 * (查询密码) used in the IVR.
 *
 * Lockout: after `maxFailures` consecutive wrong passwords the user (or account) is locked for
 * `lockoutMs`; attempts while locked are refused without checking the password (and do not extend
 * the lock). When the lock has passed, the next attempt is checked normally. A success resets the
 * failure count. Every login and password change is written to the audit log; passwords never are.
 * @module
 */
import { AppError, AppErrorCode, invalid, notFound } from './errors.js';
import type { Clock } from './clock.js';
import type { AccountCredential, CustomerRepository } from './customers.js';
import type { DepartmentRepository } from './departments.js';
import { DEFAULT_SCRYPT, hashSecret, verifySecret, type ScryptParams } from './passwords.js';
import { ROLES, type AuditLog, type Role, type User, type UserRepository } from './users.js';

/** Lockout policy. */
export interface LockoutPolicy {
  /** Consecutive failures that lock (default 5). */
  readonly maxFailures: number;
  /** How long a lock lasts (default 15 minutes). */
  readonly lockoutMs: number;
}

/** Dependencies and settings of {@link AuthService}. */
export interface AuthServiceOptions {
  readonly users: UserRepository;
  readonly customers: CustomerRepository;
  readonly departments: DepartmentRepository;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly lockout?: LockoutPolicy;
  readonly scrypt?: ScryptParams;
  /** Minimum user password length (default 8). */
  readonly minPasswordLength?: number;
}

/** Result of checking an account query password in the IVR. */
export type AccountPasswordCheck =
  | { readonly ok: true; readonly accountId: number }
  | {
      readonly ok: false;
      readonly reason: 'wrong' | 'locked' | 'no-password' | 'unknown-account';
      readonly lockedUntil?: number;
      readonly attemptsLeft?: number;
    };

const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockoutMs: 15 * 60_000 };
/** Unknown user names whose failed logins are counted like a real account's (the oldest are forgotten first). */
const MAX_PHANTOMS = 10_000;

/** User and account authentication. */
export class AuthService {
  private readonly lockout: LockoutPolicy;
  private readonly scryptParams: ScryptParams;
  private readonly minPasswordLength: number;
  /** Failed logins of user names that do not exist, so they are answered like real accounts. */
  private readonly phantoms = new Map<string, { failedLogins: number; lockedUntil: number | null }>();

  constructor(private readonly o: AuthServiceOptions) {
    this.lockout = o.lockout ?? DEFAULT_LOCKOUT;
    this.scryptParams = o.scrypt ?? DEFAULT_SCRYPT;
    this.minPasswordLength = o.minPasswordLength ?? 8;
  }

  /**
   * Checks a user's password. Resolves the user on success; rejects with `ERR_AUTH_FAILED`
   * (`details.attemptsLeft`), `ERR_LOCKED` (`details.lockedUntil`) or `ERR_USER_DISABLED` (only
   * with the right password).
   *
   * User names cannot be probed: an unknown name is answered exactly as a known one with a wrong
   * password — the same attempts left, the same lock after `maxFailures` — and takes as long; a
   * disabled account says so only to its right password.
   */
  async login(username: string, password: string): Promise<User> {
    const now = this.o.clock.now();
    const cred = await this.o.users.getCredential(username);
    const state = cred ?? this.phantomOf(username);
    const audit = (outcome: 'ok' | 'failed' | 'denied', details?: Readonly<Record<string, unknown>>) =>
      this.o.audit.append({
        at: now,
        actor: username,
        action: 'login',
        target: null,
        outcome,
        ...(details ? { details: cred ? details : { ...details, reason: 'unknown-user' } } : {}),
      });
    if (state.lockedUntil !== null && state.lockedUntil > now) {
      await audit('denied', { reason: 'locked' });
      throw new AppError(AppErrorCode.Locked, 'account locked after repeated failures', {
        details: { lockedUntil: state.lockedUntil },
      });
    }
    // An unknown name spends the same time on a real check, so it cannot be probed by timing.
    const ok = await verifySecret(password, cred?.passwordHash ?? (await this.dummyHash()));
    if (ok && cred?.disabled) {
      await audit('denied', { reason: 'disabled' });
      throw new AppError(AppErrorCode.Disabled, `user ${username} is disabled`);
    }
    if (ok && cred) {
      await this.o.users.setLoginState(cred.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now });
      await audit('ok');
      const { passwordHash: _h, failedLogins: _f, ...user } = cred;
      return { ...user, lockedUntil: null, lastLoginAt: now };
    }
    const failures = (state.lockedUntil !== null ? 0 : state.failedLogins) + 1;
    const locks = failures >= this.lockout.maxFailures;
    const lockedUntil = locks ? now + this.lockout.lockoutMs : null;
    if (cred) await this.o.users.setLoginState(cred.id, { failedLogins: locks ? 0 : failures, lockedUntil });
    else this.phantoms.set(username, { failedLogins: locks ? 0 : failures, lockedUntil });
    await audit('failed', { reason: 'wrong-password', failures, locked: locks });
    if (locks)
      throw new AppError(AppErrorCode.Locked, 'account locked after repeated failures', { details: { lockedUntil } });
    throw new AppError(AppErrorCode.AuthFailed, 'wrong user name or password', {
      details: { attemptsLeft: this.lockout.maxFailures - failures },
    });
  }

  /** The failure count of an unknown user name (kept in memory for the most recent names). */
  private phantomOf(username: string): { readonly failedLogins: number; readonly lockedUntil: number | null } {
    const known = this.phantoms.get(username);
    if (known) return known;
    if (this.phantoms.size >= MAX_PHANTOMS) this.phantoms.delete(this.phantoms.keys().next().value as string);
    return { failedLogins: 0, lockedUntil: null };
  }

  /** Creates a user (administrators' action, audited as `actor`). */
  async addUser(
    actor: string,
    input: {
      readonly username: string;
      readonly displayName: string;
      readonly role: Role;
      readonly departmentCode?: string | null;
      readonly password: string;
    },
  ): Promise<User> {
    if (!/^[A-Za-z0-9_.-]{2,32}$/.test(input.username)) throw invalid('username', 'format');
    if (!ROLES.includes(input.role)) throw invalid('role', 'unknown');
    this.checkPasswordStrength(input.password);
    let departmentId: number | null = null;
    if (input.departmentCode) {
      const dep = await this.o.departments.getByCode(input.departmentCode);
      if (!dep) throw notFound('department', input.departmentCode);
      departmentId = dep.id;
    }
    if (input.role === 'department_staff' && departmentId === null) throw invalid('department', 'required');
    const user = await this.o.users.create(
      {
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        departmentId,
        passwordHash: await hashSecret(input.password, this.scryptParams),
      },
      this.o.clock.now(),
    );
    await this.o.audit.append({
      at: this.o.clock.now(),
      actor,
      action: 'user.add',
      target: input.username,
      outcome: 'ok',
      details: { role: input.role },
    });
    return user;
  }

  /**
   * Changes a user's own password after checking the old one (counts as a login attempt for
   * lockout purposes).
   */
  async changePassword(username: string, oldPassword: string, newPassword: string): Promise<void> {
    this.checkPasswordStrength(newPassword);
    const user = await this.login(username, oldPassword);
    await this.o.users.setPassword(user.id, await hashSecret(newPassword, this.scryptParams), this.o.clock.now());
    await this.o.audit.append({
      at: this.o.clock.now(),
      actor: username,
      action: 'password.change',
      target: username,
      outcome: 'ok',
    });
  }

  /** Sets a user's password without the old one and unlocks it (administrators). */
  async resetPassword(actor: string, username: string, newPassword: string): Promise<void> {
    this.checkPasswordStrength(newPassword);
    const user = await this.o.users.getByUsername(username);
    if (!user) throw notFound('user', username);
    await this.o.users.setPassword(user.id, await hashSecret(newPassword, this.scryptParams), this.o.clock.now());
    await this.o.users.setLoginState(user.id, { failedLogins: 0, lockedUntil: null });
    await this.o.audit.append({
      at: this.o.clock.now(),
      actor,
      action: 'password.reset',
      target: username,
      outcome: 'ok',
    });
  }

  /** Checks an account's query password (IVR bill query). Never throws for a wrong password. */
  async checkAccountPassword(accountNo: string, password: string, actor = 'ivr'): Promise<AccountPasswordCheck> {
    const now = this.o.clock.now();
    const cred = await this.o.customers.getAccountCredential(accountNo);
    if (!cred) {
      await verifySecret(password, await this.dummyHash());
      return { ok: false, reason: 'unknown-account' };
    }
    const result = await this.checkCredential(cred, password, now);
    await this.o.audit.append({
      at: now,
      actor,
      action: 'account.password.check',
      target: accountNo,
      outcome: result.ok ? 'ok' : 'failed',
      details: result.ok ? undefined : { reason: result.reason },
    });
    return result;
  }

  /**
   * Changes an account's query password after checking the old one. The new password is 6 digits
   * (keyable on a phone). Resolves the check result; the password is changed only when `ok`.
   */
  async changeAccountPassword(
    accountNo: string,
    oldPassword: string,
    newPassword: string,
    actor = 'ivr',
  ): Promise<AccountPasswordCheck> {
    if (!/^\d{6}$/.test(newPassword)) throw invalid('newPassword', 'six-digits');
    const now = this.o.clock.now();
    const cred = await this.o.customers.getAccountCredential(accountNo);
    if (!cred) return { ok: false, reason: 'unknown-account' };
    const result = await this.checkCredential(cred, oldPassword, now);
    if (result.ok) {
      await this.o.customers.setAccountCredential(cred.accountId, {
        hash: await hashSecret(newPassword, this.scryptParams),
        failedAttempts: 0,
        lockedUntil: null,
      });
    }
    await this.o.audit.append({
      at: now,
      actor,
      action: 'account.password.change',
      target: accountNo,
      outcome: result.ok ? 'ok' : 'failed',
      details: result.ok ? undefined : { reason: result.reason },
    });
    return result;
  }

  /** Sets an account's query password without the old one (agent at the counter, import). */
  async setAccountPassword(actor: string, accountNo: string, newPassword: string): Promise<void> {
    if (!/^\d{6}$/.test(newPassword)) throw invalid('newPassword', 'six-digits');
    const cred = await this.o.customers.getAccountCredential(accountNo);
    if (!cred) throw notFound('account', accountNo);
    await this.o.customers.setAccountCredential(cred.accountId, {
      hash: await hashSecret(newPassword, this.scryptParams),
      failedAttempts: 0,
      lockedUntil: null,
    });
    await this.o.audit.append({
      at: this.o.clock.now(),
      actor,
      action: 'account.password.set',
      target: accountNo,
      outcome: 'ok',
    });
  }

  private async checkCredential(cred: AccountCredential, password: string, now: number): Promise<AccountPasswordCheck> {
    if (cred.hash === null) return { ok: false, reason: 'no-password' };
    if (cred.lockedUntil !== null && cred.lockedUntil > now)
      return { ok: false, reason: 'locked', lockedUntil: cred.lockedUntil };
    if (await verifySecret(password, cred.hash)) {
      if (cred.failedAttempts !== 0 || cred.lockedUntil !== null)
        await this.o.customers.setAccountCredential(cred.accountId, {
          hash: cred.hash,
          failedAttempts: 0,
          lockedUntil: null,
        });
      return { ok: true, accountId: cred.accountId };
    }
    const failures = (cred.lockedUntil !== null ? 0 : cred.failedAttempts) + 1;
    const locks = failures >= this.lockout.maxFailures;
    const lockedUntil = locks ? now + this.lockout.lockoutMs : null;
    await this.o.customers.setAccountCredential(cred.accountId, {
      hash: cred.hash,
      failedAttempts: locks ? 0 : failures,
      lockedUntil,
    });
    return locks
      ? { ok: false, reason: 'locked', lockedUntil: lockedUntil ?? undefined }
      : { ok: false, reason: 'wrong', attemptsLeft: this.lockout.maxFailures - failures };
  }

  private checkPasswordStrength(password: string): void {
    if (password.length < this.minPasswordLength) throw invalid('password', 'too-short');
  }

  private dummy: Promise<string> | undefined;
  private dummyHash(): Promise<string> {
    this.dummy ??= hashSecret('not-a-password', this.scryptParams);
    return this.dummy;
  }
}
