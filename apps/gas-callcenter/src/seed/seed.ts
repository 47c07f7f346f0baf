/**
 * Deterministic synthetic data for the demo and benchmarks: departments, users, price tables,
 * information articles, and N customers with accounts, meters, twelve months of bills and
 * payments (some in arrears). The same seed gives the same data.
 *
 * Demo credentials (documented in the README and the operator's guide):
 * - every seeded user (`a001`…`a020`, `s001`…`s003`, department staff, `admin`) has the password
 *   {@link DEMO_USER_PASSWORD};
 * - every seeded account has the query password {@link DEMO_QUERY_PASSWORD}.
 *
 * It writes in large multi-row batches inside one transaction per 1,000 customers, so 10,000
 * customers (about 300,000 rows) take a few seconds.
 * @module
 */
import { localDate, type Clock } from '../domain/clock.js';
import { AppError, AppErrorCode } from '../domain/errors.js';
import { DEFAULT_SCRYPT, hashSecret, type ScryptParams } from '../domain/passwords.js';
import { chargeAcross, effectiveTiers, type EffectiveTier, type PriceTier } from '../domain/tariff.js';
import type { Role } from '../domain/users.js';
import type { CustomerPhone } from '../domain/customers.js';
import type { SqliteStore } from '../storage/sqlite/sqlite-store.js';
import type { SqlValue } from '../storage/database.js';
import { address, chineseName, landline, mobile } from './names.js';
import { createRandom } from './prng.js';

/** Password of every seeded user (demo only). */
export const DEMO_USER_PASSWORD = 'hotline123';
/** Query password of every seeded account (demo only). */
export const DEMO_QUERY_PASSWORD = '123456';

/** The demo company's departments: `[code, name, parent code]`, parents first. */
export const DEMO_DEPARTMENTS: readonly (readonly [string, string, string | null])[] = [
  ['hq', '总经理办公室', null],
  ['cs', '客服中心', 'hq'],
  ['hall', '营业厅', 'cs'],
  ['repair', '抢修中心', 'hq'],
  ['network', '管网所', 'repair'],
  ['meters', '表务所', 'repair'],
  ['inspection', '稽查科', 'hq'],
  ['engineering', '工程安装部', 'hq'],
];

/** Residential tiers used by the demo (illustrative figures, fen per m³). */
export const DEMO_RESIDENTIAL_TIERS: readonly PriceTier[] = [
  { tier: 1, upperM3: 300, priceFen: 250, extraM3PerPerson: 60 },
  { tier: 2, upperM3: 600, priceFen: 300, extraM3PerPerson: 90 },
  { tier: 3, upperM3: null, priceFen: 375, extraM3PerPerson: 0 },
];
/** Commercial price: one tier. */
export const DEMO_COMMERCIAL_TIERS: readonly PriceTier[] = [
  { tier: 1, upperM3: null, priceFen: 340, extraM3PerPerson: 0 },
];

/** Options of {@link seedDemoData}. */
export interface SeedOptions {
  readonly customers: number;
  readonly seed: number;
  readonly clock: Clock;
  readonly timeZone?: string;
  /** Household size over which tier bounds grow (default 4). */
  readonly baseHouseholdSize?: number;
  /** scrypt cost for the demo passwords (tests pass a cheap one). */
  readonly scrypt?: ScryptParams;
  /** Called after each committed batch with the customers written so far. */
  readonly onProgress?: (done: number) => void;
}

/** What was seeded. */
export interface SeedReport {
  readonly customers: number;
  readonly accounts: number;
  readonly bills: number;
  readonly payments: number;
  readonly accountsInArrears: number;
  readonly users: number;
  readonly departments: number;
}

const HOUSEHOLD_SIZES = [
  [1, 10],
  [2, 25],
  [3, 30],
  [4, 18],
  [5, 9],
  [6, 5],
  [7, 2],
  [8, 1],
] as const;
const METER_KINDS = [
  ['diaphragm', 60],
  ['ic_card', 25],
  ['smart', 15],
] as const;
const PAYMENT_CHANNELS = [
  ['wechat', 35],
  ['alipay', 25],
  ['bank', 25],
  ['counter', 10],
  ['card', 5],
] as const;
const NOTES = ['家中有老人，上门请提前电话联系', '白天无人，请晚上联系', '燃气表在楼道', '已安装报警器'];
const METER_MODELS = ['G2.5', 'G4', 'G1.6'];

const SEASON = [1.8, 1.7, 1.35, 1.05, 0.8, 0.6, 0.5, 0.5, 0.6, 0.8, 1.2, 1.6];

const INFO: readonly (readonly [string, 'regulation' | 'service' | 'price' | 'safety', string, string])[] = [
  [
    '101',
    'safety',
    '燃气泄漏应急处理',
    '闻到燃气异味时，请立即关闭燃气表前阀门，打开门窗通风，不要开关任何电器、不要使用明火和手机，迅速撤离到室外安全地点后拨打燃气服务热线报修。',
  ],
  [
    '102',
    'safety',
    '安全用气常识',
    '使用燃气时人不离火；定期检查软管是否老化、松动，软管使用不超过两年；外出或睡前关闭灶具开关和表前阀门；燃气热水器须安装在通风良好的位置。',
  ],
  [
    '201',
    'price',
    '居民阶梯气价',
    '居民用气按年度实行阶梯气价：第一档每户每年0至300立方米，每立方米2.50元；第二档300至600立方米，每立方米3.00元；第三档600立方米以上，每立方米3.75元。家庭人口超过4人的，每增加1人，第一档上限增加60立方米，第二档上限增加90立方米，凭户口簿到营业厅办理。',
  ],
  ['202', 'price', '非居民用气价格', '商业及其他非居民用气不实行阶梯气价，每立方米3.40元。'],
  [
    '301',
    'service',
    '开户办理',
    '新用户开户请携带房产证明、身份证原件到营业厅办理，工作人员将在受理后5个工作日内上门安装燃气表并通气点火。',
  ],
  [
    '302',
    'service',
    '过户办理',
    '房屋产权变更后请新旧户主携带身份证、房产证明及最近一期缴费凭证到营业厅办理过户，结清欠费后即可办理。',
  ],
  [
    '303',
    'service',
    '缴费方式',
    '可通过营业厅柜台、合作银行代扣、微信、支付宝及燃气卡充值缴费。账单出具后30日内为缴费期，逾期将按规定收取滞纳金。',
  ],
  [
    '304',
    'service',
    '报装与改装',
    '燃气设施的安装、改装、迁移须由本公司专业人员施工，请勿私自改动燃气管道和表具。拨打热线或到营业厅预约。',
  ],
  [
    '401',
    'regulation',
    '城镇燃气管理条例要点',
    '用户应当遵守安全用气规则，不得擅自安装、改装、拆除户内燃气设施和燃气计量装置，不得盗用燃气，不得在燃气设施保护范围内从事危害燃气设施安全的活动。',
  ],
  [
    '402',
    'regulation',
    '入户安全检查',
    '本公司每年至少对居民用户进行一次入户安全检查，检查人员持证上岗，不收取任何费用。请用户配合并核验工作证件。',
  ],
];

/**
 * Seeds an empty store. Refuses (`ERR_INVALID`) a store that already has customers, so a real
 * database is never mixed with demo data.
 */
export async function seedDemoData(store: SqliteStore, o: SeedOptions): Promise<SeedReport> {
  const db = store.db;
  if ((await store.customers.count()) > 0)
    throw new AppError(AppErrorCode.Invalid, 'the database already has customers; seed only an empty one', {
      details: { field: 'database', reason: 'not-empty' },
    });
  const r = createRandom(o.seed);
  const timeZone = o.timeZone ?? 'Asia/Shanghai';
  const now = o.clock.now();
  const today = localDate(now, timeZone);
  const scrypt = o.scrypt ?? DEFAULT_SCRYPT;

  // Departments, users, prices and articles.
  const depIds = new Map<string, number>();
  await store.transaction(async () => {
    for (const [code, name, parent] of DEMO_DEPARTMENTS) {
      const d = await store.departments.create({
        code,
        name,
        parentId: parent === null ? null : depIds.get(parent)!,
        phone: null,
      });
      depIds.set(code, d.id);
    }
  });
  const users: (readonly [string, string, Role, string | null])[] = [];
  for (let i = 1; i <= 20; i++) users.push([`a${String(i).padStart(3, '0')}`, `坐席${i}号`, 'agent', 'cs']);
  for (let i = 1; i <= 3; i++) users.push([`s${String(i).padStart(3, '0')}`, `值班长${i}`, 'supervisor', 'cs']);
  users.push(
    ['repair01', '抢修调度', 'department_staff', 'repair'],
    ['network01', '管网所值班', 'department_staff', 'network'],
    ['meters01', '表务所值班', 'department_staff', 'meters'],
  );
  users.push(
    ['inspect01', '稽查科专员', 'department_staff', 'inspection'],
    ['hall01', '营业厅主管', 'department_staff', 'hall'],
    ['eng01', '工程安装部专员', 'department_staff', 'engineering'],
  );
  users.push(['admin', '系统管理员', 'administrator', null]);
  const hashes = await Promise.all(users.map(() => hashSecret(DEMO_USER_PASSWORD, scrypt)));
  await store.transaction(async () => {
    for (const [i, [username, displayName, role, dep]] of users.entries()) {
      await store.users.create(
        { username, displayName, role, departmentId: dep === null ? null : depIds.get(dep)!, passwordHash: hashes[i]! },
        now,
      );
    }
  });
  for (const year of [today.year - 1, today.year]) {
    await store.billing.setPriceTable({ category: 'residential', year, tiers: DEMO_RESIDENTIAL_TIERS });
    await store.billing.setPriceTable({ category: 'commercial', year, tiers: DEMO_COMMERCIAL_TIERS });
  }
  await store.transaction(async () => {
    for (const [code, category, title, body] of INFO)
      await store.info.upsert({ code, category, title, body, updatedAt: now });
  });

  // The twelve billing months before the current one.
  const months: { year: number; month: number; period: string }[] = [];
  for (let k = 12; k >= 1; k--) {
    const m0 = today.year * 12 + (today.month - 1) - k;
    const year = Math.floor(m0 / 12);
    const month = (m0 % 12) + 1;
    months.push({ year, month, period: `${year}-${String(month).padStart(2, '0')}` });
  }
  const utcNoon = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d, 2, 0, 0); // 10:00 in China

  const tierCache = new Map<string, EffectiveTier[]>();
  const effective = (category: 'residential' | 'commercial', people: number): EffectiveTier[] => {
    const key = `${category}/${people}`;
    let tiers = tierCache.get(key);
    if (!tiers) {
      tiers = effectiveTiers(category === 'commercial' ? DEMO_COMMERCIAL_TIERS : DEMO_RESIDENTIAL_TIERS, people, {
        baseHouseholdSize: o.baseHouseholdSize ?? 4,
      });
      tierCache.set(key, tiers);
    }
    return tiers;
  };
  const queryHash = await hashSecret(DEMO_QUERY_PASSWORD, scrypt);
  const base = await db.get<{ a: number | null; m: number | null; b: number | null }>(
    'SELECT (SELECT max(id) FROM accounts) AS a, (SELECT max(id) FROM meters) AS m, (SELECT max(id) FROM bills) AS b',
  );
  let accountId = base?.a ?? 0;
  let meterId = base?.m ?? 0;
  let billId = base?.b ?? 0;
  let bills = 0;
  let payments = 0;
  let arrearsAccounts = 0;
  const BATCH = 1000;
  for (let start = 0; start < o.customers; start += BATCH) {
    const n = Math.min(BATCH, o.customers - start);
    await store.transaction(async () => {
      const customers = [];
      for (let i = 0; i < n; i++) {
        const seq = start + i + 1;
        const home = address(r);
        const phones: CustomerPhone[] = [{ phone: mobile(r), kind: 'mobile' }];
        if (r.chance(0.3)) phones.push({ phone: landline(r), kind: 'landline' as const });
        if (r.chance(0.1)) phones.push({ phone: mobile(r), kind: 'mobile' as const });
        customers.push({
          customerNo: `1${String(seq).padStart(7, '0')}`,
          name: chineseName(r),
          phones,
          address: home.address,
          district: home.district.name,
          districtCode: home.district.code,
          householdSize: r.weighted(HOUSEHOLD_SIZES),
          floor: home.floor,
          status: r.chance(0.02) ? ('suspended' as const) : ('active' as const),
          notes: r.chance(0.03) ? r.pick(NOTES) : '',
        });
      }
      const ids = await store.customers.createMany(customers);
      const accountRows: SqlValue[][] = [];
      const meterRows: SqlValue[][] = [];
      const billRows: SqlValue[][] = [];
      const paymentRows: SqlValue[][] = [];
      customers.forEach((c, i) => {
        const commercial = r.chance(0.02);
        accountId++;
        const accountNo = `6${String(start + i + 1).padStart(8, '0')}`;
        const openedAt = utcNoon(today.year - r.int(2, 20), r.int(1, 12), r.int(1, 28));
        accountRows.push([
          accountId,
          accountNo,
          ids[i]!,
          commercial ? 'commercial' : 'residential',
          c.status,
          queryHash,
          openedAt,
        ]);
        meterId++;
        let reading = r.int(200, 6000);
        const kind = r.weighted(METER_KINDS);
        const tiers = effective(commercial ? 'commercial' : 'residential', c.householdSize);
        const baseUse = commercial ? r.int(150, 600) : 4 + c.householdSize * 3.2;
        const arrearsMonths = r.chance(0.06) ? r.int(1, 3) : 0;
        if (arrearsMonths > 0) arrearsAccounts++;
        let yearUse = 0;
        let tierYear = months[0]!.year;
        months.forEach((m, k) => {
          if (m.year !== tierYear) {
            tierYear = m.year;
            yearUse = 0;
          }
          const usage = Math.max(0, Math.round(baseUse * SEASON[m.month - 1]! * (0.7 + r.next() * 0.6)));
          const charge = chargeAcross(tiers, { usageM3: usage, priorM3: yearUse });
          yearUse += usage;
          const issue = new Date(Date.UTC(m.year, m.month, 1));
          const issuedAt = utcNoon(issue.getUTCFullYear(), issue.getUTCMonth() + 1, r.int(1, 5));
          const dueAt = issuedAt + 30 * 86_400_000;
          const unpaid = k >= months.length - arrearsMonths;
          const partial = !unpaid && charge.amountFen > 0 && r.chance(0.01);
          const paid =
            unpaid || charge.amountFen === 0 ? 0 : partial ? Math.floor(charge.amountFen / 2) : charge.amountFen;
          billId++;
          billRows.push([
            billId,
            accountId,
            m.period,
            reading,
            reading + usage,
            usage,
            charge.amountFen,
            JSON.stringify(charge.lines),
            issuedAt,
            dueAt,
            paid,
          ]);
          reading += usage;
          if (paid > 0) {
            const paidAt = Math.min(issuedAt + r.int(1, 28) * 86_400_000 + r.int(0, 36_000_000), now);
            paymentRows.push([accountId, billId, paid, paidAt, r.weighted(PAYMENT_CHANNELS), `P${r.digits(12)}`]);
          }
        });
        meterRows.push([
          meterId,
          `M${String(meterId).padStart(10, '0')}`,
          accountId,
          r.pick(METER_MODELS),
          kind,
          openedAt,
          reading,
          now - r.int(1, 30) * 86_400_000,
        ]);
      });
      await db.insertMany(
        'accounts',
        ['id', 'account_no', 'customer_id', 'category', 'status', 'query_password_hash', 'opened_at'],
        accountRows,
      );
      await db.insertMany(
        'meters',
        ['id', 'meter_no', 'account_id', 'model', 'kind', 'installed_at', 'last_reading', 'last_read_at'],
        meterRows,
      );
      await db.insertMany(
        'bills',
        [
          'id',
          'account_id',
          'period',
          'previous_reading',
          'current_reading',
          'usage_m3',
          'amount_fen',
          'breakdown',
          'issued_at',
          'due_at',
          'paid_fen',
        ],
        billRows,
      );
      await db.insertMany(
        'payments',
        ['account_id', 'bill_id', 'amount_fen', 'paid_at', 'channel', 'reference'],
        paymentRows,
      );
      bills += billRows.length;
      payments += paymentRows.length;
    });
    o.onProgress?.(start + n);
  }
  return {
    customers: o.customers,
    accounts: o.customers,
    bills,
    payments,
    accountsInArrears: arrearsAccounts,
    users: users.length,
    departments: DEMO_DEPARTMENTS.length,
  };
}
