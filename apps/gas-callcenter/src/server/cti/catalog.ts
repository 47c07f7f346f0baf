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
