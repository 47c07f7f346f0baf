/**
 * Users of the system (agents, supervisors, department staff, administrators) and the audit log.
 * @module
 */

/** A user's role. */
export type Role = 'agent' | 'supervisor' | 'department_staff' | 'administrator';

/** Every role, for validation and listings. */
export const ROLES: readonly Role[] = ['agent', 'supervisor', 'department_staff', 'administrator'];

/** A user as the rest of the program sees it (no password hash). */
export interface User {
  readonly id: number;
  /** Login name, e.g. `a001`. */
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  /** Required for department staff; optional for others. */
  readonly departmentId: number | null;
  readonly disabled: boolean;
  readonly lockedUntil: number | null;
  readonly lastLoginAt: number | null;
  readonly createdAt: number;
}

/** A user with its credential state (inside the domain layer only). */
export interface UserCredential extends User {
  readonly passwordHash: string;
  readonly failedLogins: number;
}

/** What is needed to create a user. */
export interface NewUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly departmentId: number | null;
  readonly passwordHash: string;
}

/** Storage of users. */
export interface UserRepository {
  /** `ERR_DUPLICATE` when the user name is taken. */
  create(user: NewUser, now: number): Promise<User>;
  get(id: number): Promise<User | undefined>;
  getByUsername(username: string): Promise<User | undefined>;
  getCredential(username: string): Promise<UserCredential | undefined>;
  list(): Promise<User[]>;
  /** Records the outcome of a login attempt. */
  setLoginState(
    id: number,
    state: { readonly failedLogins: number; readonly lockedUntil: number | null; readonly lastLoginAt?: number },
  ): Promise<void>;
  setPassword(id: number, passwordHash: string, now: number): Promise<void>;
  setDisabled(id: number, disabled: boolean): Promise<void>;
}

/** One audit record: who did what to what, when, and whether it was allowed. */
export interface AuditEntry {
  readonly at: number;
  /** User name, or `system`, or `ivr:<call id>`. */
  readonly actor: string;
  /** e.g. `login`, `user.add`, `password.change`, `ticket.escalate`. */
  readonly action: string;
  readonly target: string | null;
  readonly outcome: 'ok' | 'denied' | 'failed';
  /** Extra facts; never personal data in clear. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The append-only audit log. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(options?: {
    readonly since?: number;
    readonly actor?: string;
    readonly limit?: number;
  }): Promise<(AuditEntry & { readonly id: number })[]>;
}
