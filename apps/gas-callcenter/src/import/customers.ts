/**
 * `import customers <file.csv>`: reads a customer list exported from the company's systems,
 * validates every row, imports the good rows in batches (one transaction per batch) and reports
 * every bad row with its line number and reasons.
 *
 * The first record is the header. Column names are matched case-insensitively, in English or
 * Chinese (see {@link CUSTOMER_COLUMNS}); column order is free, unknown columns are ignored.
 * @module
 */
import type { AccountStatus, CustomerPhone, CustomerRepository, NewCustomer } from '../domain/customers.js';
import type { Clock } from '../domain/clock.js';
import { parseCsv, type CsvOptions, type CsvProblem } from './csv.js';

/** The columns an import understands, with the header names accepted for each. */
export const CUSTOMER_COLUMNS = {
  customerNo: ['customer_no', 'customerno', '客户编号', '用户编号', '客户号'],
  name: ['name', '姓名', '户名', '客户名称'],
  phones: ['phones', 'phone', '电话', '联系电话', '手机'],
  address: ['address', '地址', '用气地址'],
  district: ['district', '区', '所属区', '区县'],
  districtCode: ['district_code', 'districtcode', '区码', '区划代码', '行政区划代码'],
  householdSize: ['household_size', 'householdsize', '人口', '家庭人口', '户人口'],
  floor: ['floor', '楼层'],
  status: ['status', '状态', '账户状态'],
  notes: ['notes', '备注'],
  accountNo: ['account_no', 'accountno', '账户号', '户号', '燃气账户号'],
} as const;

/** A column of {@link CUSTOMER_COLUMNS}. */
export type CustomerColumn = keyof typeof CUSTOMER_COLUMNS;

const REQUIRED: readonly CustomerColumn[] = ['customerNo', 'name', 'address', 'district', 'districtCode'];

/** Why a row was not imported (each has a message in the catalog: `import.reason.<code>`). */
export type RowReason =
  | CsvProblem
  | 'field-count'
  | 'required'
  | 'too-long'
  | 'phone'
  | 'district-code'
  | 'household-size'
  | 'floor'
  | 'status'
  | 'duplicate-in-file'
  | 'exists'
  | 'account-exists';

/** One problem of one row. */
export interface RowIssue {
  /** The column concerned, if any. */
  readonly column: CustomerColumn | null;
  readonly reason: RowReason;
  /** The offending value (phones masked by the caller when logged). */
  readonly value?: string;
}

/** A bad row. */
export interface BadRow {
  readonly line: number;
  readonly issues: readonly RowIssue[];
}

/** What an import did. */
export interface ImportReport {
  /** Data rows read (header excluded). */
  readonly rows: number;
  readonly imported: number;
  readonly bad: readonly BadRow[];
  /** Header problems stop the import before any row: missing required columns. */
  readonly missingColumns: readonly CustomerColumn[];
}

const STATUS_WORDS: Readonly<Record<string, AccountStatus>> = {
  active: 'active',
  正常: 'active',
  在用: 'active',
  suspended: 'suspended',
  停用: 'suspended',
  暂停: 'suspended',
  closed: 'closed',
  销户: 'closed',
  已销户: 'closed',
};

/** Normalises a phone number to digits and classifies it; `undefined` when it is not one. */
export function normalizePhone(raw: string): CustomerPhone | undefined {
  const digits = raw.replace(/[\s\-()（）]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
  if (/^1[3-9]\d{9}$/.test(digits)) return { phone: digits, kind: 'mobile' };
  if (/^0\d{2,3}[2-9]\d{6,7}$/.test(digits) || /^[2-9]\d{6,7}$/.test(digits))
    return { phone: digits, kind: 'landline' };
  return undefined;
}

interface ParsedRow {
  readonly line: number;
  readonly customer: NewCustomer;
  readonly accountNo: string | null;
}

function parseRow(line: number, get: (c: CustomerColumn) => string): { row?: ParsedRow; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  for (const c of REQUIRED) if (get(c) === '') issues.push({ column: c, reason: 'required' });
  for (const c of ['name', 'address', 'notes'] as const)
    if (get(c).length > 500) issues.push({ column: c, reason: 'too-long' });
  const phones: CustomerPhone[] = [];
  for (const raw of get('phones')
    .split(/[;；,，、/\s]+/)
    .filter((p) => p !== '')) {
    const p = normalizePhone(raw);
    if (p) phones.push(p);
    else issues.push({ column: 'phones', reason: 'phone', value: raw });
  }
  const code = get('districtCode');
  if (code !== '' && !/^\d{6}$/.test(code))
    issues.push({ column: 'districtCode', reason: 'district-code', value: code });
  let householdSize = 1;
  if (get('householdSize') !== '') {
    householdSize = Number(get('householdSize'));
    if (!Number.isInteger(householdSize) || householdSize < 1 || householdSize > 99)
      issues.push({ column: 'householdSize', reason: 'household-size', value: get('householdSize') });
  }
  let floor: number | null = null;
  if (get('floor') !== '') {
    floor = Number(get('floor'));
    if (!Number.isInteger(floor) || floor < -10 || floor > 200)
      issues.push({ column: 'floor', reason: 'floor', value: get('floor') });
  }
  let status: AccountStatus = 'active';
  if (get('status') !== '') {
    const s = STATUS_WORDS[get('status').toLowerCase()];
    if (s) status = s;
    else issues.push({ column: 'status', reason: 'status', value: get('status') });
  }
  if (issues.length > 0) return { issues };
  return {
    issues,
    row: {
      line,
      accountNo: get('accountNo') || null,
      customer: {
        customerNo: get('customerNo'),
        name: get('name'),
        phones,
        address: get('address'),
        district: get('district'),
        districtCode: code,
        householdSize,
        floor,
        status,
        notes: get('notes'),
      },
    },
  };
}

/** Options of {@link importCustomers}. */
export interface ImportOptions extends CsvOptions {
  readonly customers: CustomerRepository;
  readonly clock: Clock;
  /** Runs a batch's writes in one transaction (pass `store.transaction`). */
  readonly transaction?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Rows per transaction (default 500). */
  readonly batchSize?: number;
  /** Called after each committed batch (progress display). */
  readonly onBatch?: (importedSoFar: number) => void;
}

/** Imports customers from CSV bytes; never throws for bad rows (they are in the report). */
export async function importCustomers(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: ImportOptions,
): Promise<ImportReport> {
  const batchSize = options.batchSize ?? 500;
  const bad: BadRow[] = [];
  let header: Map<CustomerColumn, number> | undefined;
  let headerWidth = 0;
  let rows = 0;
  let imported = 0;
  const seen = new Map<string, number>();
  const seenAccounts = new Set<string>();
  let batch: ParsedRow[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    const existing = await options.customers.existingNumbers(current.map((r) => r.customer.customerNo));
    const fresh: ParsedRow[] = [];
    for (const r of current) {
      if (existing.has(r.customer.customerNo))
        bad.push({ line: r.line, issues: [{ column: 'customerNo', reason: 'exists', value: r.customer.customerNo }] });
      else fresh.push(r);
    }
    const withAccounts: ParsedRow[] = [];
    for (const r of fresh) {
      if (r.accountNo !== null && (await options.customers.getAccount(r.accountNo))) {
        bad.push({ line: r.line, issues: [{ column: 'accountNo', reason: 'account-exists', value: r.accountNo }] });
      } else {
        withAccounts.push(r);
      }
    }
    if (withAccounts.length === 0) return;
    const transaction = options.transaction ?? (<T>(fn: () => Promise<T>) => fn());
    await transaction(async () => {
      const ids = await options.customers.createMany(withAccounts.map((r) => r.customer));
      const now = options.clock.now();
      for (let i = 0; i < withAccounts.length; i++) {
        const r = withAccounts[i]!;
        if (r.accountNo !== null) {
          await options.customers.openAccount({
            accountNo: r.accountNo,
            customerId: ids[i]!,
            category: 'residential',
            status: r.customer.status,
            openedAt: now,
            queryPasswordHash: null,
          });
        }
      }
    });
    imported += withAccounts.length;
    options.onBatch?.(imported);
  };

  for await (const record of parseCsv(source, options)) {
    if (!header) {
      header = new Map();
      headerWidth = record.fields.length;
      record.fields.forEach((name, i) => {
        const n = name.trim().toLowerCase();
        for (const [column, names] of Object.entries(CUSTOMER_COLUMNS) as [CustomerColumn, readonly string[]][]) {
          if (names.includes(n) && !header!.has(column)) header!.set(column, i);
        }
      });
      const missing = REQUIRED.filter((c) => !header!.has(c));
      if (missing.length > 0) return { rows: 0, imported: 0, bad: [], missingColumns: missing };
      continue;
    }
    rows++;
    if (record.problem) {
      bad.push({ line: record.line, issues: [{ column: null, reason: record.problem }] });
      continue;
    }
    if (record.fields.length !== headerWidth) {
      bad.push({
        line: record.line,
        issues: [{ column: null, reason: 'field-count', value: `${record.fields.length}/${headerWidth}` }],
      });
      continue;
    }
    const get = (c: CustomerColumn): string => {
      const i = header!.get(c);
      return i === undefined ? '' : (record.fields[i] ?? '').trim();
    };
    const { row, issues } = parseRow(record.line, get);
    if (!row) {
      bad.push({ line: record.line, issues });
      continue;
    }
    const firstLine = seen.get(row.customer.customerNo);
    if (firstLine !== undefined) {
      bad.push({
        line: record.line,
        issues: [
          { column: 'customerNo', reason: 'duplicate-in-file', value: `${row.customer.customerNo}@${firstLine}` },
        ],
      });
      continue;
    }
    if (row.accountNo !== null && seenAccounts.has(row.accountNo)) {
      bad.push({
        line: record.line,
        issues: [{ column: 'accountNo', reason: 'duplicate-in-file', value: row.accountNo }],
      });
      continue;
    }
    seen.set(row.customer.customerNo, record.line);
    if (row.accountNo !== null) seenAccounts.add(row.accountNo);
    batch.push(row);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  bad.sort((a, b) => a.line - b.line);
  return { rows, imported, bad, missingColumns: header ? [] : REQUIRED };
}
