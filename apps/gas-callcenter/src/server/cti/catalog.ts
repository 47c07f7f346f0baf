/**
 * The server's catalogues for agent desktops: not-ready reasons and wrap-up dispositions with
 * their zh-CN labels (and English), as the protocol's `Catalog` carries them.
 *
 * @module
 */
import type { CodeLabel } from '@hotline/agent-protocol';

/** Not-ready reasons an agent may choose (the ACD sets `login`, `no-answer`, `disconnected`, `line-failure` itself). */
export const NOT_READY_REASONS: readonly CodeLabel[] = [
  { code: 'break', label: '小休', labelEn: 'Break' },
  { code: 'lunch', label: '就餐', labelEn: 'Lunch' },
  { code: 'meeting', label: '班组会议', labelEn: 'Meeting' },
  { code: 'training', label: '培训', labelEn: 'Training' },
  { code: 'paperwork', label: '整理工单', labelEn: 'Paperwork' },
  { code: 'outbound', label: '外呼', labelEn: 'Outbound call' },
  { code: 'login', label: '刚登录', labelEn: 'Just logged in' },
  { code: 'no-answer', label: '未接来电自动示忙', labelEn: 'Missed calls (automatic)' },
  { code: 'disconnected', label: '坐席端断开', labelEn: 'Desktop disconnected' },
  { code: 'line-failure', label: '话机线路故障', labelEn: 'Phone line failure' },
  { code: 'supervisor', label: '班长设置', labelEn: 'Set by supervisor' },
];

/** Wrap-up dispositions. */
export const DISPOSITIONS: readonly CodeLabel[] = [
  { code: 'resolved', label: '问题已解决', labelEn: 'Resolved' },
  { code: 'ticket-created', label: '已建工单', labelEn: 'Ticket created' },
  { code: 'info-given', label: '咨询已答复', labelEn: 'Information given' },
  { code: 'bill-explained', label: '账单已解释', labelEn: 'Bill explained' },
  { code: 'transferred', label: '已转接', labelEn: 'Transferred' },
  { code: 'callback-needed', label: '需回访', labelEn: 'Call back needed' },
  { code: 'wrong-number', label: '打错电话', labelEn: 'Wrong number' },
  { code: 'nuisance', label: '骚扰电话', labelEn: 'Nuisance call' },
];

/**
 * Labels of the gas flows' IVR nodes for the screen pop's IVR path (`IvrStep.label`); sub-nodes
 * (`complaint-voicemail.record`) take their parent's label. Generic `play` steps carry nothing an
 * agent needs and are left out of the path, and so are sub-flow markers (`flow:complaint`).
 */
export const IVR_NODE_LABELS: Readonly<Record<string, string>> = {
  'identify-caller': '来电识别',
  'main-menu': '主菜单',
  'anything-else': '其他服务',
  'ticket-emergency': '燃气泄漏登记',
  'ticket-repair': '报修登记',
  'ticket-complaint': '投诉登记',
  'emergency-queue': '抢险排队',
  'emergency-fallback': '抢险转综合',
  'repair-menu': '报修菜单',
  account: '输入用户编号',
  password: '查询密码',
  'verify-password': '密码校验',
  'bill-summary': '账单查询',
  'info-menu': '信息菜单',
  'price-tiers': '阶梯气价',
  'tracking-number': '输入受理号',
  'ticket-status': '进度查询',
  'complaint-menu': '投诉菜单',
  'complaint-voicemail': '投诉留言',
  'old-password': '原密码',
  'new-password': '新密码',
  'new-password-again': '确认新密码',
  'change-password': '修改密码',
  'fax-menu': '传真菜单',
  'fax-documents': '传真文档',
  'fax-how': '传真方式',
  'fax-number': '传真号码',
  'fax-queue': '传真排队',
  'fax-send': '发送传真',
  'fax-record': '接收传真',
  agent: '转人工',
  'agent-queue': '人工排队',
};

/** The label of an IVR node, or `undefined` for one without (the desktop shows the node id). */
export function ivrNodeLabel(node: string): string | undefined {
  return IVR_NODE_LABELS[node] ?? IVR_NODE_LABELS[node.split('.')[0] ?? ''];
}
