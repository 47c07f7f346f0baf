import { afterEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../src/text/width.js';
import { KEY, renderConsole } from './render-console.js';

type Rendered = ReturnType<typeof renderConsole>;
let r: Rendered | undefined;
afterEach(async () => {
  await r?.cleanup();
  r = undefined;
});

/** Every line fits the terminal width, counting wide characters as two columns. */
function expectFits(frame: string, columns: number): void {
  for (const line of frame.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
}

/** Display column where `token` ends in `line`. */
function endColumn(line: string, token: string): number {
  const at = line.indexOf(token);
  expect(at, `${token} in ${line}`).toBeGreaterThanOrEqual(0);
  return displayWidth(line.slice(0, at + token.length));
}

describe('login', () => {
  it('says how many attempts are left after a wrong password', async () => {
    r = renderConsole();
    await r.login('wrong');
    await r.waitFor('工号或密码错误，还可尝试 4 次');
  });

  it('says the account is locked and for how long', async () => {
    r = renderConsole({ user: '1099' });
    await r.login();
    const frame = await r.waitFor('账户已锁定');
    expect(frame.replace(/[\s│]/g, '')).toContain('账户已锁定（多次密码错误），请15分钟后再试或联系管理员');
  });

  it('says when the server cannot be reached', async () => {
    r = renderConsole();
    r.transport.unreachable = true;
    await r.login();
    const frame = await r.waitFor('无法连接服务器');
    expect(frame.replace(/[\s│]/g, '')).toContain('无法连接服务器ws://fake-center:7070/，请检查地址和网络');
  });

  it('says when the protocol versions do not match', async () => {
    r = renderConsole({ protocolVersion: '2.0' });
    await r.login();
    await r.waitFor('协议版本不兼容：本终端 2.0，服务器 1.0。请升级坐席终端');
  });

  it('speaks English with --lang en', async () => {
    r = renderConsole({ lang: 'en' });
    await r.waitFor('Log in');
    await r.login('wrong');
    await r.waitFor('Wrong user id or password; 4 attempts left');
    await r.login();
    await r.waitFor('Not logged in to the queues; press F8 to become ready');
    expect(r.frame()).toContain('Waiting 3');
  });
});

describe('agent', () => {
  it('pops the screen before answering, aligned at 80 columns', async () => {
    r = renderConsole();
    await r.login();
    await r.waitFor('尚未签入队列');
    await r.press(KEY.F8);
    await r.waitFor('示闲');
    r.center.offerCall('1001', 'known');
    const frame = await r.waitFor('欠费 ¥127.50');
    expect(frame).toContain('☎ 来电振铃');
    expect(frame).toContain('王建国');
    expect(frame).toContain('主菜单[2] › 报修[1] › 燃气表故障');
    expect(frame).toContain('2026022700114');
    expect(frame).toContain('问题已解决'.length > 0 ? '李国强' : '');
    expectFits(frame, 80);
    const lines = frame.split('\n');
    // The label column: values start at the same display column on CJK and ASCII lines.
    const name = lines.find((l) => l.includes('王建国')) as string;
    const ivr = lines.find((l) => l.includes('主菜单')) as string;
    expect(endColumn(name, '姓名') + (name.indexOf('王建国') - name.indexOf('姓名') - 2)).toBe(
      endColumn(ivr, 'IVR 路径') + (ivr.indexOf('主菜单') - ivr.indexOf('IVR 路径') - 6),
    );
    expect(displayWidth(name.slice(0, name.indexOf('王建国')))).toBe(displayWidth(ivr.slice(0, ivr.indexOf('主菜单'))));
  });

  it('shows an unknown caller with the way to search', async () => {
    r = renderConsole();
    await r.login();
    await r.press(KEY.F8);
    r.center.offerCall('1001', 'unknown');
    const frame = await r.waitFor('未知来电：未匹配到客户');
    expect(frame).toContain('按 F9 搜索客户');
  });

  it('aligns the queue table with CJK names', async () => {
    r = renderConsole();
    await r.login();
    const frame = await r.waitFor('缴费查询');
    const lines = frame.split('\n');
    const header = lines.find((l) => l.includes('服务水平') && l.includes('队列')) as string;
    const row = lines.find((l) => l.includes('缴费查询')) as string;
    const row2 = lines.find((l) => l.includes('抢险专线')) as string;
    expect(endColumn(row, '87%')).toBe(endColumn(header, '服务水平'));
    expect(endColumn(row2, '100%')).toBe(endColumn(header, '服务水平'));
  });

  it('answers, holds, retrieves and transfers blind to a queue with the keys', async () => {
    r = renderConsole();
    await r.login();
    await r.press(KEY.F8);
    const callId = r.center.offerCall('1001', 'known');
    await r.waitFor('☎ 来电振铃');
    await r.press(KEY.F2);
    await r.waitFor('通话中');
    await r.press(KEY.F4);
    await r.waitFor('保持中');
    await r.press(KEY.F4);
    await r.waitFor('通话中');
    await r.press(KEY.F5);
    await r.waitFor('转接');
    // mode blind, type queue, target: next queue (报修), note, Enter.
    await r.press(KEY.tab, KEY.tab, KEY.right, KEY.tab, '燃气泄漏请抢险组处理', KEY.enter);
    await r.waitFor('✓ 已转出');
    await r.waitFor('话后处理');
    expect(r.center.agentStatus('1001')?.activity).toBe('wrap-up');
    expect(callId).toBe('call-1');
  });

  it('counts wrap-up down in virtual time and submits the chosen disposition when it runs out', async () => {
    r = renderConsole();
    await r.login();
    await r.press(KEY.F8);
    r.center.offerCall('1001', 'known');
    await r.waitFor('☎ 来电振铃');
    await r.press(KEY.F2);
    await r.waitFor('通话中');
    await r.press(KEY.F3);
    await r.waitFor('剩余 0:30');
    await r.press(KEY.down, KEY.down);
    await r.clock.advance(10_000);
    await r.waitFor('剩余 0:20');
    expect(r.center.agentStatus('1001')?.activity).toBe('wrap-up');
    await r.clock.advance(19_500);
    await r.waitFor('话后时间到，已按「咨询已答复」提交');
    expect(r.center.agentStatus('1001')?.activity).toBe('idle');
  });

  it('validates the ticket form and shows the tracking number to read out', async () => {
    r = renderConsole();
    await r.login();
    await r.press(KEY.F8);
    r.center.offerCall('1001', 'known');
    await r.waitFor('☎ 来电振铃');
    await r.press(KEY.F2);
    await r.press(KEY.F10);
    await r.waitFor('新建工单');
    await r.press(KEY.ctrlS);
    let frame = await r.waitFor('✗ 标题不能为空');
    expect(frame).toContain('✗ 请填写内容');
    // Address is required for repairs: clear it and see the message.
    await r.press('燃气表不走字', KEY.tab, '用户反映燃气表三天未走字', KEY.tab, KEY.tab, KEY.tab);
    for (let i = 0; i < 20; i++) await r.press(KEY.backspace);
    await r.press(KEY.ctrlS);
    frame = await r.waitFor('抢险和报修必须填写地址');
    await r.press('姑苏区人民路1288号3幢502室', KEY.enter);
    frame = await r.waitFor(/受理流水号 {2}2026 0302 0100 \d/);
    expect(frame).toContain('请向来电人宣读受理流水号');
    expectFits(frame, 80);
    expect(r.center.allTickets()[0]?.subject).toBe('燃气表不走字');
  });

  it('starts the ticket of a gas-leak call as an urgent emergency, and wrap-up then proposes "ticket created"', async () => {
    r = renderConsole();
    await r.login();
    await r.press(KEY.F8);
    r.center.offerCall('1001', 'leak');
    await r.waitFor('☎ 来电振铃');
    await r.press(KEY.F2);
    await r.waitFor('通话中');
    await r.press(KEY.F10);
    let frame = await r.waitFor('新建工单');
    expect(frame).toMatch(/类型\s+抢险/);
    expect(frame).toMatch(/紧急程度\s+特急/);
    await r.press('厨房有燃气味', KEY.tab, '用户已关阀开窗', KEY.ctrlS);
    await r.waitFor(/受理流水号 {2}\d{4} /);
    expect(r.center.allTickets()[0]).toMatchObject({ kind: 'emergency', priority: 'urgent' });
    await r.press(KEY.F3);
    frame = await r.waitFor('话后处理');
    expect(frame).toContain('◉ 已建工单');
  });

  it('keeps a half-typed form through a dropped connection and submits it after the reconnect', async () => {
    r = renderConsole();
    await r.login();
    await r.press(KEY.F8);
    await r.press(KEY.F10);
    await r.waitFor('新建工单');
    await r.press('燃气灶打不着火');
    r.transport.dropAll();
    await r.waitFor('重连中');
    await r.waitFor('与服务器的连接中断');
    await r.press(KEY.tab, '点火针可能损坏', KEY.tab, KEY.tab, KEY.tab, '吴中区东吴北路88号12-301');
    expect(r.frame()).toContain('燃气灶打不着火');
    await r.clock.advance(1_000, 100);
    await r.waitFor('连接已恢复');
    expect(r.frame()).toContain('● 在线');
    expect(r.frame()).toContain('点火针可能损坏');
    await r.press(KEY.ctrlS);
    await r.waitFor('受理流水号');
    expect(r.center.allTickets()[0]?.description).toBe('点火针可能损坏');
  });

  it('keeps drafts when the session expires and the agent logs in again', async () => {
    r = renderConsole({ center: { resumeWindowMs: 1_000 } });
    await r.login();
    await r.press(KEY.F10);
    await r.press('燃气味道很重');
    r.transport.unreachable = true;
    r.transport.dropAll();
    await r.waitFor('重连中');
    await r.clock.advance(3_000, 200);
    r.transport.unreachable = false;
    await r.clock.advance(10_000, 200);
    await r.waitFor('会话已过期');
    await r.login();
    await r.waitFor('新建工单');
    expect(r.frame()).toContain('燃气味道很重');
  });

  it('lists the key commands in the help overlay', async () => {
    r = renderConsole();
    await r.login();
    await r.press('?');
    const frame = await r.waitFor('快捷键');
    expect(frame).toContain('F2              接听 （当前不可用）');
    expect(frame).toContain('F8              示闲/示忙');
    expect(frame).not.toContain('监控页');
    await r.press(KEY.escape);
    await r.waitFor('尚未签入队列');
  });

  it('searches customers and opens the record with bills and arrears', async () => {
    r = renderConsole();
    await r.login();
    await r.press(KEY.F9);
    await r.waitFor('客户查询');
    await r.press(KEY.tab, '1111', KEY.enter);
    await r.waitFor('共 2 条结果');
    await r.press(KEY.down, KEY.down, KEY.enter);
    const frame = await r.waitFor('陈静');
    await r.waitFor('工业园区星湖街328号');
    expectFits(frame, 80);
    await r.press('e');
    await r.waitFor('编辑客户资料');
    await r.press(KEY.down, KEY.down, KEY.down, KEY.down, KEY.down, 'x', KEY.ctrlS);
    await r.waitFor('应为 0 到 99 之间的整数');
  });
});

describe('supervisor', () => {
  it('shows the live wallboard, forces a state and listens to a call', async () => {
    r = renderConsole({ user: '2001' });
    await r.login();
    let frame = await r.waitFor('李国强 1002');
    expect(frame).toContain('抢险专线');
    expect(frame).toContain('王芳 1003');
    expectFits(frame, 80);
    // Agent rows sorted by id: 1001 (offline), 1002 (on a call), 1003, 1004.
    await r.press(KEY.down);
    await r.press('l');
    await r.waitFor('正在监听 李国强 的通话');
    frame = await r.waitFor('监听中');
    await r.press(KEY.down, 'n');
    await r.waitFor('示忙原因 · 王芳');
    await r.press(KEY.enter);
    await r.waitFor('已将 王芳 设为 示忙');
    expect(r.center.agentStatus('1003')?.reason).toBe('break');
  });
});

describe('department staff', () => {
  it('shows the inbox by deadline, records a result and escalates', async () => {
    r = renderConsole({ user: '3001' });
    await r.login();
    const frame = await r.waitFor('管网所 工单收件箱');
    const lines = frame.split('\n');
    const overdue = lines.findIndex((l) => l.includes('维修人员未按约定'));
    const soon = lines.findIndex((l) => l.includes('整栋楼无气'));
    const later = lines.findIndex((l) => l.includes('燃气表读数不走'));
    expect(overdue).toBeGreaterThan(0);
    expect(overdue).toBeLessThan(soon);
    expect(soon).toBeLessThan(later);
    expect(frame).toContain('已超时 2:00:00');
    await r.press(KEY.enter);
    await r.waitFor('处理记录');
    await r.press('f');
    await r.waitFor('结果（将告知客户）');
    await r.press('已向维修班组核实，改约明天上午九点上门', KEY.ctrlS);
    await r.waitFor('处理结果已记录');
    await r.press(KEY.escape);
    await r.waitFor('整栋楼无气');
    await r.press('e');
    await r.waitFor('升级到上级部门');
    await r.press('需要运行部协调抢修队', KEY.enter);
    await r.waitFor('工单已升级');
    expect(r.center.allTickets().find((t) => t.subject === '整栋楼无气')?.departmentId).toBe('d-ops');
  });
});
