/**
 * Synthetic data of the fake call centre: a handful of Suzhou gas customers, bills, tickets and
 * voicemails, with Chinese names and addresses so CJK layout is exercised everywhere.
 */
import type { Bill, Catalog, Customer, Interaction, IvrStep, Ticket, Voicemail } from '@hotline/agent-protocol';

/** 2026-03-02 09:00 Beijing time: where virtual clocks start. */
export const DEMO_EPOCH = Date.UTC(2026, 2, 2, 1, 0, 0);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface FakeUser {
  readonly userId: string;
  readonly password: string;
  readonly displayName: string;
  readonly role: 'agent' | 'supervisor' | 'department' | 'administrator';
  readonly departmentId?: string;
  readonly queueIds?: readonly string[];
  /** Always refused as locked out (to show the message). */
  readonly locked?: boolean;
  readonly disabled?: boolean;
}

export const USERS: readonly FakeUser[] = [
  {
    userId: '1001',
    password: 'hotline',
    displayName: '张晓梅',
    role: 'agent',
    queueIds: ['q-emergency', 'q-repair', 'q-billing'],
  },
  { userId: '1002', password: 'hotline', displayName: '李国强', role: 'agent', queueIds: ['q-repair', 'q-general'] },
  { userId: '1003', password: 'hotline', displayName: '王芳', role: 'agent', queueIds: ['q-billing', 'q-general'] },
  { userId: '1004', password: 'hotline', displayName: '赵磊', role: 'agent', queueIds: ['q-emergency', 'q-repair'] },
  {
    userId: '2001',
    password: 'hotline',
    displayName: '陈班长',
    role: 'supervisor',
    queueIds: ['q-emergency', 'q-repair', 'q-billing', 'q-general'],
  },
  { userId: '3001', password: 'hotline', displayName: '刘工', role: 'department', departmentId: 'd-pipe' },
  { userId: '1099', password: 'hotline', displayName: '锁定账户', role: 'agent', locked: true },
  { userId: '1098', password: 'hotline', displayName: '停用账户', role: 'agent', disabled: true },
];

export const CATALOG: Catalog = {
  notReadyReasons: [
    { code: 'break', label: '小休', labelEn: 'Break' },
    { code: 'lunch', label: '就餐', labelEn: 'Lunch' },
    { code: 'meeting', label: '班组会议', labelEn: 'Meeting' },
    { code: 'training', label: '培训', labelEn: 'Training' },
    { code: 'paperwork', label: '整理工单', labelEn: 'Paperwork' },
    { code: 'no-answer', label: '未接来电自动示忙', labelEn: 'Missed call (automatic)' },
  ],
  dispositions: [
    { code: 'resolved', label: '问题已解决', labelEn: 'Resolved' },
    { code: 'ticket-created', label: '已建工单', labelEn: 'Ticket created' },
    { code: 'info-given', label: '咨询已答复', labelEn: 'Information given' },
    { code: 'transferred', label: '已转接', labelEn: 'Transferred' },
    { code: 'callback-needed', label: '需回访', labelEn: 'Call back needed' },
    { code: 'wrong-number', label: '打错电话', labelEn: 'Wrong number' },
    { code: 'nuisance', label: '骚扰电话', labelEn: 'Nuisance call' },
  ],
  queues: [
    { queueId: 'q-emergency', name: '抢险专线' },
    { queueId: 'q-repair', name: '报修' },
    { queueId: 'q-billing', name: '缴费查询' },
    { queueId: 'q-general', name: '综合服务' },
  ],
  departments: [
    { departmentId: 'd-ops', name: '运行部' },
    { departmentId: 'd-pipe', name: '管网所', parentId: 'd-ops' },
    { departmentId: 'd-service', name: '客户服务部' },
    { departmentId: 'd-billing', name: '营业收费所', parentId: 'd-service' },
  ],
  wrapUpMs: 30_000,
};

export function seedCustomers(now: number): Customer[] {
  const c = (
    customerId: string,
    customerNo: string,
    name: string,
    phones: string[],
    address: string,
    district: string,
    districtCode: string,
    extra: Partial<Customer> = {},
  ): Customer => ({
    customerId,
    customerNo,
    name,
    phones,
    address,
    district,
    districtCode,
    accountStatus: 'active',
    version: 1,
    updatedAt: now - 40 * DAY,
    ...extra,
  });
  return [
    c(
      'c-1',
      '0100234567',
      '王建国',
      ['13812345678', '0512-65881234'],
      '姑苏区人民路1288号3幢502室',
      '姑苏区',
      '320508',
      { householdSize: 3, floor: 5, notes: '老人独居，上门需提前电话联系' },
    ),
    c('c-2', '0100345678', '李秀英', ['13911112222'], '吴中区东吴北路88号12-301', '吴中区', '320506', {
      householdSize: 2,
      floor: 3,
    }),
    c('c-3', '0100456789', '张伟', ['13700001111'], '工业园区星湖街328号创意产业园A2-1101', '工业园区', '320571', {
      householdSize: 4,
      floor: 11,
    }),
    c(
      'c-4',
      '0100567890',
      '陈静',
      ['13700001111', '18662223333'],
      '工业园区星湖街328号创意产业园A2-1102',
      '工业园区',
      '320571',
      { householdSize: 1, floor: 11 },
    ),
    c('c-5', '0100678901', '苏州市第三中学', ['0512-65223344'], '姑苏区三元坊12号', '姑苏区', '320508', {
      notes: '商业用户，食堂燃气',
    }),
    c('c-6', '0100789012', '周敏', ['15050506060'], '相城区阳澄湖中路168号5幢1单元201', '相城区', '320507', {
      householdSize: 5,
      floor: 2,
      accountStatus: 'suspended',
    }),
  ];
}

export function seedBills(): Record<string, Bill[]> {
  return {
    'c-1': [
      { period: '2026-02', usageM3: 42.5, amountFen: 12_750, dueDate: '2026-03-20', paidFen: 0, status: 'unpaid' },
      { period: '2026-01', usageM3: 55.1, amountFen: 16_530, dueDate: '2026-02-20', paidFen: 16_530, status: 'paid' },
      { period: '2025-12', usageM3: 48.0, amountFen: 14_400, dueDate: '2026-01-20', paidFen: 14_400, status: 'paid' },
    ],
    'c-2': [
      { period: '2026-02', usageM3: 30.2, amountFen: 9_060, dueDate: '2026-03-20', paidFen: 0, status: 'unpaid' },
      { period: '2026-01', usageM3: 35.7, amountFen: 10_710, dueDate: '2026-02-20', paidFen: 5_000, status: 'overdue' },
      { period: '2025-12', usageM3: 33.3, amountFen: 9_990, dueDate: '2026-01-20', paidFen: 0, status: 'overdue' },
    ],
  };
}

export function seedTickets(now: number): Ticket[] {
  const base = { escalationLevel: 0, source: 'agent' as const, createdBy: '1002', version: 1 };
  return [
    {
      ...base,
      ticketId: 't-1',
      trackingNo: '2026022700114',
      kind: 'repair',
      status: 'assigned',
      priority: 'normal',
      category: 'meter-fault',
      subject: '燃气表读数不走',
      description: '用户反映燃气表数字三天未变化，灶具可正常使用',
      customerId: 'c-1',
      contactName: '王建国',
      contactPhone: '13812345678',
      address: '姑苏区人民路1288号3幢502室',
      departmentId: 'd-pipe',
      departmentName: '管网所',
      deadline: now + 5 * HOUR,
      createdAt: now - 3 * DAY,
      updatedAt: now - 2 * DAY,
    },
    {
      ...base,
      ticketId: 't-2',
      trackingNo: '2026030100027',
      kind: 'complaint',
      status: 'in-progress',
      priority: 'high',
      subject: '维修人员未按约定时间上门',
      description: '约定上午十点上门，至十二点无人到达，也无电话通知',
      customerId: 'c-2',
      contactName: '李秀英',
      contactPhone: '13911112222',
      departmentId: 'd-pipe',
      departmentName: '管网所',
      deadline: now - 2 * HOUR,
      createdAt: now - DAY,
      updatedAt: now - 20 * HOUR,
    },
    {
      ...base,
      ticketId: 't-3',
      trackingNo: '2026030200003',
      kind: 'repair',
      status: 'assigned',
      priority: 'high',
      category: 'no-gas',
      subject: '整栋楼无气',
      description: '相城区阳澄湖中路168号5幢多户反映早上起无燃气',
      customerId: 'c-6',
      contactName: '周敏',
      contactPhone: '15050506060',
      address: '相城区阳澄湖中路168号5幢',
      departmentId: 'd-pipe',
      departmentName: '管网所',
      deadline: now + 90 * 60_000,
      createdAt: now - HOUR,
      updatedAt: now - HOUR,
    },
  ];
}

export function seedInteractions(now: number): Interaction[] {
  return [
    {
      interactionId: 'i-1',
      media: 'voice',
      direction: 'inbound',
      startedAt: now - 3 * DAY,
      endedAt: now - 3 * DAY + 260_000,
      remoteNumber: '13812345678',
      customerId: 'c-1',
      agentId: '1002',
      agentName: '李国强',
      queueId: 'q-repair',
      outcome: 'answered',
      disposition: 'ticket-created',
      ticketIds: ['t-1'],
    },
    {
      interactionId: 'i-2',
      media: 'voice',
      direction: 'inbound',
      startedAt: now - 20 * DAY,
      endedAt: now - 20 * DAY + 95_000,
      remoteNumber: '13812345678',
      customerId: 'c-1',
      agentId: '1003',
      agentName: '王芳',
      queueId: 'q-billing',
      outcome: 'answered',
      disposition: 'info-given',
    },
    {
      interactionId: 'i-3',
      media: 'voice',
      direction: 'inbound',
      startedAt: now - 26 * HOUR,
      endedAt: now - 26 * HOUR + 40_000,
      remoteNumber: '13911112222',
      customerId: 'c-2',
      outcome: 'self-service',
    },
  ];
}

export function seedVoicemails(now: number): Voicemail[] {
  return [
    {
      voicemailId: 'vm-1',
      receivedAt: now - 14 * HOUR,
      callerId: '13605126789',
      callbackNumber: '13605126789',
      wantsReply: true,
      topic: '投诉',
      durationMs: 48_000,
      status: 'new',
      played: false,
      attempts: 0,
    },
    {
      voicemailId: 'vm-2',
      receivedAt: now - 11 * HOUR,
      callerId: '',
      callbackNumber: '051265001122',
      wantsReply: true,
      topic: '建议',
      durationMs: 75_000,
      status: 'new',
      played: true,
      attempts: 1,
    },
    {
      voicemailId: 'vm-3',
      receivedAt: now - 9 * HOUR,
      callerId: '13911112222',
      callbackNumber: '13911112222',
      wantsReply: true,
      customerId: 'c-2',
      topic: '报修',
      durationMs: 32_000,
      status: 'in-progress',
      played: true,
      attempts: 1,
    },
  ];
}

/** IVR paths callers take in the demo. */
export const IVR_PATHS: Readonly<Record<string, readonly IvrStep[]>> = {
  leak: [
    { node: 'main', label: '主菜单', input: '1' },
    { node: 'emergency', label: '燃气泄漏抢险' },
  ],
  repair: [
    { node: 'main', label: '主菜单', input: '2' },
    { node: 'repair', label: '报修', input: '1' },
    { node: 'repair-meter', label: '燃气表故障' },
  ],
  billing: [
    { node: 'main', label: '主菜单', input: '3' },
    { node: 'bill-query', label: '账单查询', input: '0' },
    { node: 'to-agent', label: '转人工' },
  ],
};
