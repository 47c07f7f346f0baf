import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../storage/test-support.js';
import { importCustomers, normalizePhone } from './customers.js';

let t: TestStore;
beforeEach(async () => {
  t = await openTestStore();
});
afterEach(() => t.dispose());

const CSV = [
  '客户编号,姓名,电话,地址,所属区,区划代码,家庭人口,楼层,状态,备注,账户号',
  '10000001,王芳,13912345678;025-84561234,南京市鼓楼区中山北路1号,鼓楼区,320106,3,5,正常,,600000001',
  '10000002,李强,12345,南京市玄武区珠江路2号,玄武区,32010,0,5,正常,,600000002',
  '10000003,,13800138000,南京市秦淮区中华路3号,秦淮区,320104,2,,,,',
  '10000001,张伟,13800138001,南京市建邺区江东中路4号,建邺区,320105,4,,,,',
  '10000005,赵敏,13800138002,"南京市江宁区双龙大道5号,7栋",江宁区,320115,5,12,停用,"备注含""引号""",600000005',
  '10000006,孙丽,13800138003,南京市栖霞区仙林大道6号,栖霞区,320113,2,,,,',
  '10000007,周杰,13800138004,南京市雨花台区软件大道7号,雨花台区,320114,2,3',
  '10000008,吴静,13800138005,"南京市浦口区浦珠路8号,栖霞区,320113,2,,,,',
].join('\r\n');

describe('customer import', () => {
  it('imports the good rows and reports each bad row with its line and reasons', async () => {
    await t.store.customers.createMany([
      {
        customerNo: '10000006',
        name: '已有',
        phones: [],
        address: 'x',
        district: '栖霞区',
        districtCode: '320113',
        householdSize: 1,
        floor: null,
        status: 'active',
        notes: '',
      },
    ]);
    const report = await importCustomers([CSV], {
      customers: t.store.customers,
      clock: t.clock,
      transaction: (fn) => t.store.transaction(fn),
      batchSize: 2,
    });
    expect(report.rows).toBe(8);
    expect(report.imported).toBe(2);
    expect(report.bad.map((b) => [b.line, b.issues.map((i) => `${i.column ?? '-'}:${i.reason}`)])).toEqual([
      [3, ['phones:phone', 'districtCode:district-code', 'householdSize:household-size']],
      [4, ['name:required']],
      [5, ['customerNo:duplicate-in-file']],
      [7, ['customerNo:exists']],
      [8, ['-:field-count']],
      [9, ['-:unterminated-quote']],
    ]);
    const wang = await t.store.customers.getByNumber('10000001');
    expect(wang).toMatchObject({
      name: '王芳',
      householdSize: 3,
      floor: 5,
      districtCode: '320106',
      phones: [
        { phone: '13912345678', kind: 'mobile' },
        { phone: '02584561234', kind: 'landline' },
      ],
    });
    expect(await t.store.customers.getAccount('600000001')).toMatchObject({
      customerId: wang!.id,
      hasQueryPassword: false,
    });
    expect(await t.store.customers.getByNumber('10000005')).toMatchObject({
      address: '南京市江宁区双龙大道5号,7栋',
      status: 'suspended',
      notes: '备注含"引号"',
    });
    expect(await t.store.customers.count()).toBe(3);
    // Found again by caller ID.
    expect((await t.store.customers.findByPhone('02584561234')).map((c) => c.customerNo)).toEqual(['10000001']);
  });

  it('refuses a header without the required columns and imports nothing', async () => {
    const report = await importCustomers(['name,phone\n王芳,13912345678\n'], {
      customers: t.store.customers,
      clock: t.clock,
    });
    expect(report.missingColumns).toEqual(['customerNo', 'address', 'district', 'districtCode']);
    expect(await t.store.customers.count()).toBe(0);
  });

  it('normalises phone numbers', () => {
    expect(normalizePhone('+86 139-1234-5678')).toEqual({ phone: '13912345678', kind: 'mobile' });
    expect(normalizePhone('(025) 8456 1234')).toEqual({ phone: '02584561234', kind: 'landline' });
    expect(normalizePhone('84561234')).toEqual({ phone: '84561234', kind: 'landline' });
    expect(normalizePhone('1234')).toBeUndefined();
    expect(normalizePhone('23912345678')).toBeUndefined();
  });
});
