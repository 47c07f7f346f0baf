/**
 * What the running server prints for a person (the live status line and start/stop notices), in
 * zh-CN and English.
 *
 * @module
 */
import type { Locale } from '../i18n/catalog.js';

type Params = Readonly<Record<string, string | number>>;

const ZH = {
  seeding: '正在生成演示数据：{customers} 个用户……',
  seeded:
    '演示数据已生成：{customers} 个用户，{accounts} 个账户，{bills} 张账单，{users} 个系统用户（演示密码 {password}）。',
  ready: '{name} 已启动：热线 {hotline}，{trunks} 条中继，{seats} 个座席；坐席连接地址 {url}',
  demoHint: '演示模式：模拟来电约每小时 {rate} 个；未登录的座席由模拟座席接听。按 Ctrl-C 停止。',
  status:
    '{clock} | 通话 {calls} IVR {ivr} 排队 {waiting}(最长 {longest}s) | 座席 就绪 {ready} 通话 {talking} 整理 {wrap} 未就绪 {notReady} | 今日 呼入 {offered} 接通 {answered} 放弃 {abandoned} 服务水平 {sl} | 工单 {tickets}',
  stopping: '正在停止：不再接入新来电，等待通话结束……',
  stopped: '已停止。',
  unsupportedDriver: '板卡驱动 {driver} 在此版本中不可用；请使用 sim（模拟板卡）。',
} as const;

const EN: Record<keyof typeof ZH, string> = {
  seeding: 'Generating demo data: {customers} customers…',
  seeded:
    'Demo data ready: {customers} customers, {accounts} accounts, {bills} bills, {users} users (demo password {password}).',
  ready: '{name} is up: hotline {hotline}, {trunks} trunks, {seats} seats; agent desktops connect to {url}',
  demoHint:
    'Demo mode: about {rate} simulated calls an hour; seats nobody logged into are worked by simulated agents. Ctrl-C stops.',
  status:
    '{clock} | calls {calls} IVR {ivr} waiting {waiting} (longest {longest}s) | agents ready {ready} talking {talking} wrap {wrap} not-ready {notReady} | today offered {offered} answered {answered} abandoned {abandoned} SL {sl} | tickets {tickets}',
  stopping: 'Stopping: no new calls, letting calls in progress finish…',
  stopped: 'Stopped.',
  unsupportedDriver: 'Board driver {driver} is not available in this build; use sim (the simulated board).',
};

/** Message keys of the server. */
export type ServerMessage = keyof typeof ZH;

/** Formats a server message in a locale. */
export function serverMessage(locale: Locale, key: ServerMessage, params: Params = {}): string {
  const text: string = (locale === 'en' ? EN : ZH)[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}
