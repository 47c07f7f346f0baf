/**
 * The gas company's own prompts (beyond the IVR's standard prompts and number fragments), in
 * every locale. `npm run prompts -w @hotline/gas-callcenter` renders them with espeak-ng and sox
 * into `apps/gas-callcenter/prompts/`, together with the standard set.
 *
 * @module
 */
import type { Locale } from '@hotline/ivr';

/** Prompt ids of the gas flows. */
export const GasPrompt = {
  Welcome: 'gas.welcome',
  MainMenu: 'gas.main-menu',
  LeakAdvice: 'gas.leak-advice',
  TicketNumberIs: 'gas.ticket-number-is',
  LeakQueue: 'gas.leak-queue',
  RepairMenu: 'gas.repair-menu',
  RepairAccepted: 'gas.repair-accepted',
  EnterAccount: 'gas.enter-account',
  EnterPassword: 'gas.enter-password',
  WrongPassword: 'gas.wrong-password',
  UnknownAccount: 'gas.unknown-account',
  ArrearsAre: 'gas.arrears-are',
  NoArrears: 'gas.no-arrears',
  LastBill: 'gas.last-bill',
  Usage: 'gas.usage',
  CubicMeters: 'gas.cubic-meters',
  AmountIs: 'gas.amount-is',
  Paid: 'gas.paid',
  Unpaid: 'gas.unpaid',
  DueBy: 'gas.due-by',
  PricesIntro: 'gas.prices-intro',
  Tier: 'gas.tier',
  UpTo: 'gas.up-to',
  Above: 'gas.above',
  PerCubicMeter: 'gas.per-cubic-meter',
  Regulations: 'gas.regulations',
  EnterTracking: 'gas.enter-tracking',
  UnknownTicket: 'gas.unknown-ticket',
  StatusPrefix: 'gas.status-prefix',
  ComplaintMenu: 'gas.complaint-menu',
  ComplaintSaved: 'gas.complaint-saved',
  NewPassword: 'gas.new-password',
  NewPasswordAgain: 'gas.new-password-again',
  PasswordsDiffer: 'gas.passwords-differ',
  PasswordChanged: 'gas.password-changed',
  OldPassword: 'gas.old-password',
  FaxMenu: 'gas.fax-menu',
  FaxUnavailable: 'gas.fax-unavailable',
  FaxHow: 'gas.fax-how',
  FaxEnterNumber: 'gas.fax-enter-number',
  FaxQueued: 'gas.fax-queued',
  InfoMenu: 'gas.info-menu',
  AnythingElse: 'gas.anything-else',
} as const;

/** The status words, one prompt each. */
export const STATUS_PROMPTS = {
  accepted: 'gas.status-accepted',
  assigned: 'gas.status-assigned',
  'in-progress': 'gas.status-in-progress',
  resolved: 'gas.status-resolved',
  informed: 'gas.status-informed',
  closed: 'gas.status-closed',
  reopened: 'gas.status-reopened',
  escalated: 'gas.status-escalated',
} as const;

const ZH: Record<string, string> = {
  'gas.welcome': '您好，欢迎致电燃气服务热线。',
  'gas.main-menu':
    '报告燃气泄漏请按1；燃气报修请按2；查询账单和欠费请按3；气价和政策法规请按4；查询受理进度请按5；投诉和建议请按6；修改查询密码请按7；传真索取资料请按8；人工服务请按0。',
  'gas.leak-advice': '请立即关闭燃气总阀门，打开门窗通风，不要开关任何电器，不要使用明火，并尽快离开现场。',
  'gas.ticket-number-is': '您的受理号是',
  'gas.leak-queue': '我们已为您登记紧急抢修，正在为您优先转接抢修座席。',
  'gas.repair-menu': '家中没有燃气请按1；燃气表故障请按2；其他维修请按3；返回上一级请按星号键。',
  'gas.repair-accepted': '您的报修已受理，维修人员将尽快与您联系。',
  'gas.enter-account': '请输入您的用户号，以井号键结束。',
  'gas.enter-password': '请输入六位查询密码。',
  'gas.wrong-password': '用户号或密码不正确。',
  'gas.unknown-account': '没有找到该用户号的账户信息。',
  'gas.arrears-are': '您的账户目前欠费',
  'gas.no-arrears': '您的账户目前没有欠费。',
  'gas.last-bill': '您最近一期账单的月份是',
  'gas.usage': '用气量',
  'gas.cubic-meters': '立方米',
  'gas.amount-is': '金额',
  'gas.paid': '已缴清。',
  'gas.unpaid': '尚未缴纳，',
  'gas.due-by': '缴费截止日期是',
  'gas.prices-intro': '居民用气实行阶梯气价。',
  'gas.tier': '第',
  'gas.up-to': '档，年用气量不超过',
  'gas.above': '档，超出部分',
  'gas.per-cubic-meter': '每立方米',
  'gas.regulations': '根据城镇燃气管理条例，请勿私自改装燃气设施，请定期检查燃气软管，发现泄漏请立即拨打本热线。',
  'gas.info-menu': '收听阶梯气价请按1；收听政策法规请按2；返回上一级请按星号键。',
  'gas.enter-tracking': '请输入受理号，以井号键结束。',
  'gas.unknown-ticket': '没有找到这个受理号。',
  'gas.status-prefix': '您的受理单目前的状态是',
  'gas.status-accepted': '已受理，等待派单。',
  'gas.status-assigned': '已派往责任部门。',
  'gas.status-in-progress': '正在处理中。',
  'gas.status-resolved': '已处理完毕，处理结果已记录。',
  'gas.status-informed': '已处理完毕，并已通知您处理结果。',
  'gas.status-closed': '已办结。',
  'gas.status-reopened': '已重新受理，正在处理中。',
  'gas.status-escalated': '已提交上级部门督办。',
  'gas.complaint-menu': '转人工服务请按1；留言投诉或建议请按2；返回上一级请按星号键。',
  'gas.complaint-saved': '您的留言已保存，我们会尽快处理并回复您。',
  'gas.old-password': '请输入原来的六位查询密码。',
  'gas.new-password': '请输入新的六位查询密码。',
  'gas.new-password-again': '请再输入一次新密码。',
  'gas.passwords-differ': '两次输入的新密码不一致。',
  'gas.password-changed': '您的查询密码已修改成功。',
  'gas.fax-menu': '索取气价表请按1；索取政策法规请按2；索取业务申请表请按3。',
  'gas.fax-unavailable': '对不起，传真服务暂时不可用。',
  'gas.fax-how': '在本次通话中接收传真请按1；发送到其他传真号码请按2。',
  'gas.fax-enter-number': '请输入接收传真的号码，外地号码请加拨区号，以井号键结束。',
  'gas.fax-queued': '好的，我们将把资料传真到以下号码：',
  'gas.anything-else': '返回主菜单请按星号键，结束通话请挂机。',
};

const EN: Record<string, string> = {
  'gas.welcome': 'Welcome to the gas service hotline.',
  'gas.main-menu':
    'To report a gas leak, press 1. For repairs, press 2. For bills and arrears, press 3. For prices and regulations, press 4. To check a case by its tracking number, press 5. For complaints and suggestions, press 6. To change your query password, press 7. For documents by fax, press 8. For an agent, press 0.',
  'gas.leak-advice':
    'Close the main gas valve now, open doors and windows, do not switch any electrical device on or off, do not use any flame, and leave the premises.',
  'gas.ticket-number-is': 'Your tracking number is',
  'gas.leak-queue': 'An emergency repair has been registered. We are connecting you to the emergency desk first.',
  'gas.repair-menu':
    'If you have no gas, press 1. For a faulty meter, press 2. For other repairs, press 3. To go back, press star.',
  'gas.repair-accepted': 'Your repair request has been registered. A technician will contact you soon.',
  'gas.enter-account': 'Please enter your customer number, followed by the hash key.',
  'gas.enter-password': 'Please enter your six digit query password.',
  'gas.wrong-password': 'The customer number or password is not correct.',
  'gas.unknown-account': 'No account was found for this customer number.',
  'gas.arrears-are': 'Your account is in arrears by',
  'gas.no-arrears': 'Your account has no arrears.',
  'gas.last-bill': 'Your latest bill is for',
  'gas.usage': 'usage',
  'gas.cubic-meters': 'cubic metres',
  'gas.amount-is': 'amount',
  'gas.paid': 'It is paid.',
  'gas.unpaid': 'It is not paid yet.',
  'gas.due-by': 'Payment is due by',
  'gas.prices-intro': 'Household gas is priced in tiers.',
  'gas.tier': 'Tier',
  'gas.up-to': 'up to a yearly use of',
  'gas.above': 'beyond that',
  'gas.per-cubic-meter': 'per cubic metre',
  'gas.regulations':
    'Under the city gas regulations, do not alter gas installations yourself, check your gas hose regularly, and call this hotline at once if you smell gas.',
  'gas.info-menu': 'For gas prices, press 1. For regulations, press 2. To go back, press star.',
  'gas.enter-tracking': 'Please enter the tracking number, followed by the hash key.',
  'gas.unknown-ticket': 'This tracking number was not found.',
  'gas.status-prefix': 'The status of your case is:',
  'gas.status-accepted': 'registered, waiting to be assigned.',
  'gas.status-assigned': 'assigned to the responsible department.',
  'gas.status-in-progress': 'being handled.',
  'gas.status-resolved': 'resolved; the result has been recorded.',
  'gas.status-informed': 'resolved, and you have been informed of the result.',
  'gas.status-closed': 'closed.',
  'gas.status-reopened': 'reopened and being handled.',
  'gas.status-escalated': 'escalated to the supervising department.',
  'gas.complaint-menu':
    'To speak to an agent, press 1. To leave a complaint or suggestion as a message, press 2. To go back, press star.',
  'gas.complaint-saved': 'Your message has been saved. We will handle it and reply to you soon.',
  'gas.old-password': 'Please enter your current six digit query password.',
  'gas.new-password': 'Please enter your new six digit query password.',
  'gas.new-password-again': 'Please enter the new password again.',
  'gas.passwords-differ': 'The two new passwords do not match.',
  'gas.password-changed': 'Your query password has been changed.',
  'gas.fax-menu': 'For the price list, press 1. For regulations, press 2. For application forms, press 3.',
  'gas.fax-unavailable': 'Sorry, the fax service is not available now.',
  'gas.fax-how': 'To receive the fax on this call, press 1. To have it sent to another fax number, press 2.',
  'gas.fax-enter-number':
    'Please key the fax number, with the area code for another city, and finish with the hash key.',
  'gas.fax-queued': 'We will fax the document to this number:',
  'gas.anything-else': 'To return to the main menu, press star. To end the call, hang up.',
};

/** The texts of every gas prompt, per locale, for the prompt generator. */
export function gasPromptTexts(): Readonly<Record<string, Partial<Record<Locale, string>>>> {
  const out: Record<string, Partial<Record<Locale, string>>> = {};
  for (const id of Object.keys(ZH)) out[id] = { 'zh-CN': ZH[id]!, en: EN[id]! };
  return out;
}

/** Every gas prompt id (checked at start-up). */
export const GAS_PROMPT_IDS: readonly string[] = Object.keys(ZH);
