/**
 * Every text of the gas company's faxes a person reads: the documents on demand (titles, the
 * application form), the acknowledgement of a complaint fax, the result of a ticket, and the
 * ticket-history notes the fax desk writes. zh-CN and English; the centre's locale picks one.
 *
 * @module
 */
import type { Locale } from '../i18n/catalog.js';

type Params = Readonly<Record<string, string | number>>;

const ZH = {
  // Documents on demand.
  pricesTitle: '燃气价格表',
  pricesIntro: '以下为{year}年度执行的燃气价格（单位：元/立方米）。',
  pricesCategoryResidential: '居民用气（按年度阶梯计价）',
  pricesCategoryCommercial: '非居民用气',
  pricesTierBounded: '第{tier}档：{from}至{to}立方米，每立方米{price}元',
  pricesTierOpen: '第{tier}档：{from}立方米以上，每立方米{price}元',
  pricesFlat: '每立方米{price}元',
  pricesNone: '价格表暂未公布，请拨打服务热线{hotline}咨询。',
  regulationsTitle: '政策法规与业务须知',
  regulationsNone: '暂无内容，请拨打服务热线{hotline}咨询。',
  formsTitle: '燃气业务申请表',
  formsBody: [
    '申请业务（请打勾）：□开户  □过户  □报装/改装  □表具迁移  □其他______',
    '',
    '申请人姓名：______________________  身份证号：______________________________',
    '联系电话：________________________  传真号码：______________________________',
    '用气地址：________________________________________________________________',
    '燃气用户号（已开户者填写）：______________________',
    '',
    '申请说明：',
    '__________________________________________________________________________',
    '__________________________________________________________________________',
    '__________________________________________________________________________',
    '',
    '申请人签字：______________________  日期：________年____月____日',
    '',
    '填写后请传真至{faxLine}，或携带身份证原件到营业厅办理。我们将在受理后通知您。',
  ].join('\n'),
  footer: '{company}  服务热线 {hotline}  传真 {faxLine}',
  // Acknowledgement of a complaint fax.
  ackTitle: '投诉传真受理回执',
  ackBody: [
    '您于{received}发来的传真（{pages}页）已收到，我们已按投诉受理。',
    '',
    '受理流水号：{tracking}',
    '',
    '请妥善保存此流水号。您可以拨打服务热线{hotline}，按5并输入流水号查询办理进度。处理结果将通过电话或传真告知您。',
  ].join('\n'),
  // Result of a ticket.
  resultTitle: '工单处理结果通知',
  resultBody: [
    '受理流水号：{tracking}',
    '受理时间：{accepted}',
    '',
    '您反映的问题：',
    '{description}',
    '',
    '处理结果：',
    '{result}',
    '',
    '如对处理结果有疑问，请拨打服务热线{hotline}。',
  ].join('\n'),
  // Ticket descriptions and history notes (read by agents and departments).
  complaintByFax: '投诉传真（{pages}页，发送方{sender}），见所附传真。',
  complaintByFaxPartial: '投诉传真（收到{pages}页，传输中断：{reason}；发送方{sender}），见所附传真。',
  unknownSender: '未知号码',
  noteAttempt: '传真发送（{purpose}）第{attempt}次，号码{number}：{outcome}。',
  noteRetry: '{minutes}分钟后重试。',
  noteSent: '传真已送达（{pages}页，{rate} bit/s）。',
  noteGaveUp: '传真发送失败，已停止重试。',
  noteNoNumber: '无法发送回执：来电未显示号码，传真也未带本机号码。',
  purposeAck: '受理回执',
  purposeResult: '处理结果',
  purposeDocument: '资料',
} as const;

const EN: Record<keyof typeof ZH, string> = {
  pricesTitle: 'Gas price list',
  pricesIntro: 'Gas prices in force in {year} (yuan per cubic metre).',
  pricesCategoryResidential: 'Residential (tiered per year)',
  pricesCategoryCommercial: 'Non-residential',
  pricesTierBounded: 'Tier {tier}: {from} to {to} m³, {price} yuan per m³',
  pricesTierOpen: 'Tier {tier}: above {from} m³, {price} yuan per m³',
  pricesFlat: '{price} yuan per m³',
  pricesNone: 'The price list is not published yet; please call the hotline {hotline}.',
  regulationsTitle: 'Regulations and service information',
  regulationsNone: 'Nothing published yet; please call the hotline {hotline}.',
  formsTitle: 'Gas service application form',
  formsBody: [
    'Service (tick one): [ ] new account  [ ] change of owner  [ ] installation/alteration  [ ] meter move  [ ] other ______',
    '',
    'Name: ______________________________  ID card no.: ______________________________',
    'Phone: _____________________________  Fax: ______________________________________',
    'Address: _________________________________________________________________________',
    'Customer number (if any): ______________________',
    '',
    'Details:',
    '__________________________________________________________________________',
    '__________________________________________________________________________',
    '__________________________________________________________________________',
    '',
    'Signature: _________________________  Date: ____________',
    '',
    'Fax the completed form to {faxLine}, or bring it with your ID card to a service hall.',
  ].join('\n'),
  footer: '{company}  hotline {hotline}  fax {faxLine}',
  ackTitle: 'Complaint fax received',
  ackBody: [
    'Your fax sent at {received} ({pages} pages) has been received and registered as a complaint.',
    '',
    'Tracking number: {tracking}',
    '',
    'Please keep this number. Call the hotline {hotline}, press 5 and key the tracking number to check progress. We will tell you the result by phone or fax.',
  ].join('\n'),
  resultTitle: 'Result of your case',
  resultBody: [
    'Tracking number: {tracking}',
    'Accepted: {accepted}',
    '',
    'What you reported:',
    '{description}',
    '',
    'Result:',
    '{result}',
    '',
    'If you have questions about the result, call the hotline {hotline}.',
  ].join('\n'),
  complaintByFax: 'Complaint by fax ({pages} pages, from {sender}); see the attached fax.',
  complaintByFaxPartial:
    'Complaint by fax ({pages} pages received, transfer broken off: {reason}; from {sender}); see the attached fax.',
  unknownSender: 'unknown number',
  noteAttempt: 'Fax ({purpose}) attempt {attempt} to {number}: {outcome}.',
  noteRetry: 'Retrying in {minutes} min.',
  noteSent: 'Fax delivered ({pages} pages, {rate} bit/s).',
  noteGaveUp: 'Fax could not be delivered; no more attempts.',
  noteNoNumber: 'No acknowledgement sent: the call had no caller ID and the fax no sender number.',
  purposeAck: 'acknowledgement',
  purposeResult: 'result',
  purposeDocument: 'document',
};

/** Outcomes of a fax attempt as written into ticket history. */
const OUTCOME_ZH = {
  sent: '成功',
  busy: '占线',
  'no-answer': '无人接听',
  'no-fax': '对方不是传真机（无传真信号）',
  'hung-up': '对方中途挂机',
  'line-error': '传输出错',
  'not-capable': '对方传真机无法接收',
  'no-line': '无空闲外线',
  'bad-number': '号码无效',
  'bad-document': '文件无效',
  failed: '失败',
} as const;

/** Outcome words in English. */
const OUTCOME_EN: Record<keyof typeof OUTCOME_ZH, string> = {
  sent: 'delivered',
  busy: 'busy',
  'no-answer': 'no answer',
  'no-fax': 'no fax machine answered (no fax tone)',
  'hung-up': 'the far end hung up mid-fax',
  'line-error': 'transmission error',
  'not-capable': 'the far machine cannot receive',
  'no-line': 'no free outside line',
  'bad-number': 'invalid number',
  'bad-document': 'invalid document',
  failed: 'failed',
};

/** Keys of the fax texts. */
export type FaxMessage = keyof typeof ZH;
/** How one attempt to deliver a fax ended. */
export type FaxAttemptOutcome = keyof typeof OUTCOME_ZH;

/** Formats a fax text in a locale. */
export function faxMessage(locale: Locale, key: FaxMessage, params: Params = {}): string {
  const text: string = (locale === 'en' ? EN : ZH)[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

/** An attempt outcome in words. */
export function faxOutcomeText(locale: Locale, outcome: FaxAttemptOutcome): string {
  return (locale === 'en' ? OUTCOME_EN : OUTCOME_ZH)[outcome];
}
