/**
 * Customers, their gas accounts and meters, and the repository that stores them.
 * @module
 */

/** Status of a customer or an account. */
export type AccountStatus = 'active' | 'suspended' | 'closed';
/** Kind of a telephone number. */
export type PhoneKind = 'mobile' | 'landline';
/** Tariff category of an account. */
export type AccountCategory = 'residential' | 'commercial';
/** Kind of gas meter. */
export type MeterKind = 'diaphragm' | 'ic_card' | 'smart';
/** Condition of a meter. */
export type MeterStatus = 'normal' | 'faulty' | 'removed';

/** A telephone number of a customer. */
export interface CustomerPhone {
  readonly phone: string;
  readonly kind: PhoneKind;
}

/** What is needed to create a customer. */
export interface NewCustomer {
  /** The company's customer number (客户编号), unique. */
  readonly customerNo: string;
  readonly name: string;
  readonly phones: readonly CustomerPhone[];
  readonly address: string;
  /** District name, e.g. 鼓楼区. */
  readonly district: string;
  /** Administrative district code, e.g. 320106. */
  readonly districtCode: string;
  /** People in the household (drives tiered prices). */
  readonly householdSize: number;
  /** Floor of the dwelling (negative = basement), if known. */
  readonly floor: number | null;
  readonly status: AccountStatus;
  readonly notes: string;
}

/** A stored customer. */
export interface Customer extends NewCustomer {
  readonly id: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Fields an agent may change on a customer. */
export type CustomerPatch = Partial<Omit<NewCustomer, 'customerNo'>>;

/** A gas account (用户账户) of a customer. */
export interface Account {
  readonly id: number;
  /** Account number the customer keys in the IVR, unique. */
  readonly accountNo: string;
  readonly customerId: number;
  readonly category: AccountCategory;
  readonly status: AccountStatus;
  readonly openedAt: number;
  /** Whether a query password (查询密码) is set. */
  readonly hasQueryPassword: boolean;
}

/** What is needed to open an account. */
export interface NewAccount {
  readonly accountNo: string;
  readonly customerId: number;
  readonly category: AccountCategory;
  readonly status: AccountStatus;
  readonly openedAt: number;
  /** scrypt hash of the query password (see `passwords.ts`), or null for none. */
  readonly queryPasswordHash: string | null;
}

/** A gas meter on an account. */
export interface Meter {
  readonly id: number;
  readonly meterNo: string;
  readonly accountId: number;
  readonly model: string;
  readonly kind: MeterKind;
  readonly installedAt: number;
  /** Last reading, whole m³. */
  readonly lastReading: number;
  readonly lastReadAt: number | null;
  readonly status: MeterStatus;
}

/** Search criteria; all given criteria must match. */
export interface CustomerQuery {
  /** Substring of the name. */
  readonly name?: string;
  /** Exact phone number (any of the customer's). */
  readonly phone?: string;
  /** Exact customer or account number. */
  readonly number?: string;
  /** Substring of the address. */
  readonly address?: string;
  readonly districtCode?: string;
  /** Default 20, at most 200. */
  readonly limit?: number;
}

/** Credential state of an account's query password (for the account password service). */
export interface AccountCredential {
  readonly accountId: number;
  readonly hash: string | null;
  readonly failedAttempts: number;
  readonly lockedUntil: number | null;
}

/** Storage of customers, accounts and meters. */
export interface CustomerRepository {
  /** Creates a customer; `ERR_DUPLICATE` when the customer number is taken. */
  create(customer: NewCustomer): Promise<Customer>;
  /** Creates many customers at once (import, seeding), atomically; returns their ids in order. */
  createMany(customers: readonly NewCustomer[]): Promise<number[]>;
  /** Changes a customer; `ERR_NOT_FOUND` when absent. */
  update(id: number, patch: CustomerPatch): Promise<Customer>;
  get(id: number): Promise<Customer | undefined>;
  getByNumber(customerNo: string): Promise<Customer | undefined>;
  /** Customers one of whose phone numbers is `phone` (caller ID pre-identification). */
  findByPhone(phone: string): Promise<Customer[]>;
  search(query: CustomerQuery): Promise<Customer[]>;
  /** Which of `customerNos` already exist. */
  existingNumbers(customerNos: readonly string[]): Promise<Set<string>>;
  count(): Promise<number>;

  openAccount(account: NewAccount): Promise<Account>;
  getAccount(accountNo: string): Promise<Account | undefined>;
  accountsOf(customerId: number): Promise<Account[]>;
  /** The stored query-password state of an account (never leaves the domain layer). */
  getAccountCredential(accountNo: string): Promise<AccountCredential | undefined>;
  /** Replaces the credential state. */
  setAccountCredential(accountId: number, state: Omit<AccountCredential, 'accountId'>): Promise<void>;

  addMeter(meter: Omit<Meter, 'id'>): Promise<Meter>;
  metersOf(accountId: number): Promise<Meter[]>;
  /** Sets a meter's condition (e.g. `faulty` after a meter-fault report). */
  setMeterStatus(meterId: number, status: MeterStatus): Promise<void>;
}
