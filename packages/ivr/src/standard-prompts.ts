/**
 * The prompts the runtime itself plays (invalid input, timeouts, goodbye, voicemail, survey...),
 * with the text each is recorded from, per locale. The prompt generator renders these texts;
 * applications may re-record any of them with a real voice under the same id.
 *
 * @module
 */
import type { Locale } from './locale.js';

/** Ids of the runtime's own prompts. */
export const StandardPrompt = {
  Invalid: 'ivr.invalid',
  Timeout: 'ivr.timeout',
  MaxFailures: 'ivr.max-failures',
  Goodbye: 'ivr.goodbye',
  ToAgent: 'ivr.to-agent',
  AgentUnavailable: 'ivr.agent-unavailable',
  Hold: 'ivr.hold',
  PleaseWait: 'ivr.please-wait',
  ServiceUnavailable: 'ivr.service-unavailable',
  YouEntered: 'ivr.you-entered',
  ConfirmEntry: 'ivr.confirm-entry',
  Beep: 'ivr.beep',
  TransferFailed: 'ivr.transfer-failed',
  VmGreeting: 'vm.greeting',
  VmReview: 'vm.review',
  VmCallbackIs: 'vm.callback-is',
  VmCallbackConfirm: 'vm.callback-confirm',
  VmCallbackEnter: 'vm.callback-enter',
  VmReplyWanted: 'vm.reply-wanted',
  VmSaved: 'vm.saved',
  VmEmpty: 'vm.empty',
  SurveyScale: 'survey.scale',
  SurveyYesNo: 'survey.yes-no',
  SurveyThanks: 'survey.thanks',
  FaxStart: 'fax.start',
  FaxSent: 'fax.sent',
  FaxFailed: 'fax.failed',
} as const;

/** Union of the standard prompt ids. */
export type StandardPromptId = (typeof StandardPrompt)[keyof typeof StandardPrompt];

/** Id of the beep, generated as a 1 kHz tone rather than speech. */
export const BEEP_PROMPT: StandardPromptId = StandardPrompt.Beep;

const TEXTS: Readonly<Record<Locale, Readonly<Record<StandardPromptId, string>>>> = {
  'zh-CN': {
    'ivr.invalid': '您的输入有误，请重新输入。',
    'ivr.timeout': '我们没有收到您的输入。',
    'ivr.max-failures': '输入错误次数过多。',
    'ivr.goodbye': '感谢您的来电，再见。',
    'ivr.to-agent': '正在为您转接人工服务，请稍候。',
    'ivr.agent-unavailable': '对不起，人工服务暂时无法接通。',
    'ivr.hold': '座席正忙，请您稍候。',
    'ivr.please-wait': '正在为您查询，请稍候。',
    'ivr.service-unavailable': '对不起，系统暂时无法查询，请稍后再拨。',
    'ivr.you-entered': '您输入的是',
    'ivr.confirm-entry': '确认请按一，重新输入请按二。',
    'ivr.beep': '',
    'ivr.transfer-failed': '对不起，转接没有成功。',
    'vm.greeting': '请在提示音后留言，留言完毕请按井号键。',
    'vm.review': '试听请按一，重新录音请按二，保存请按三。',
    'vm.callback-is': '您的回电号码是',
    'vm.callback-confirm': '确认请按一，输入其他号码请按二。',
    'vm.callback-enter': '请输入回电号码，以井号键结束。',
    'vm.reply-wanted': '需要回复请按一，不需要请按二。',
    'vm.saved': '您的留言已保存，谢谢。',
    'vm.empty': '没有听到您的留言。',
    'survey.scale': '请按一到五打分，重听请按星号键，跳过请按井号键。',
    'survey.yes-no': '是请按一，否请按二，重听请按星号键，跳过请按井号键。',
    'survey.thanks': '感谢您参与调查。',
    'fax.start': '请按传真机的开始键接收传真。',
    'fax.sent': '传真已发送。',
    'fax.failed': '对不起，传真发送没有成功。',
  },
  en: {
    'ivr.invalid': 'Sorry, that entry is not valid. Please try again.',
    'ivr.timeout': 'We did not receive your entry.',
    'ivr.max-failures': 'Too many unsuccessful attempts.',
    'ivr.goodbye': 'Thank you for calling. Goodbye.',
    'ivr.to-agent': 'Please hold while we transfer you to an agent.',
    'ivr.agent-unavailable': 'Sorry, no agent is available right now.',
    'ivr.hold': 'All our agents are busy. Please hold.',
    'ivr.please-wait': 'One moment please, while we look that up.',
    'ivr.service-unavailable': 'Sorry, this service is not available right now. Please call again later.',
    'ivr.you-entered': 'You entered',
    'ivr.confirm-entry': 'If this is correct, press one. To enter it again, press two.',
    'ivr.beep': '',
    'ivr.transfer-failed': 'Sorry, the transfer did not succeed.',
    'vm.greeting': 'Please leave your message after the tone. Press the pound key when you are done.',
    'vm.review': 'To listen to your message, press one. To record it again, press two. To keep it, press three.',
    'vm.callback-is': 'Your callback number is',
    'vm.callback-confirm': 'If this is correct, press one. To enter another number, press two.',
    'vm.callback-enter': 'Please enter your callback number, followed by the pound key.',
    'vm.reply-wanted': 'If you would like a reply, press one. If not, press two.',
    'vm.saved': 'Your message has been saved. Thank you.',
    'vm.empty': 'We did not hear a message.',
    'survey.scale': 'Please rate from one to five. To hear the question again, press star. To skip it, press pound.',
    'survey.yes-no':
      'For yes, press one. For no, press two. To hear the question again, press star. To skip it, press pound.',
    'survey.thanks': 'Thank you for taking part in our survey.',
    'fax.start': 'Please press the start key on your fax machine.',
    'fax.sent': 'Your fax has been sent.',
    'fax.failed': 'Sorry, the fax could not be sent.',
  },
};

/** The text each standard prompt is recorded from, in a locale (empty for the beep). */
export function standardPromptTexts(locale: Locale): Readonly<Record<StandardPromptId, string>> {
  return TEXTS[locale];
}

/** Every standard prompt id. */
export const STANDARD_PROMPT_IDS: readonly StandardPromptId[] = Object.values(StandardPrompt);
