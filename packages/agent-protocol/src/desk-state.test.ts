import { VirtualScheduler } from '@hotline/cti-core';
import { describe, expect, it } from 'vitest';
import { AgentClient } from './client/agent-client.js';
import { applyDeskEvent, deskState$, deskStateFromSnapshot, type DeskState } from './desk-state.js';
import type { CallInfo, ScreenPop } from './domain.js';
import type { ProtocolEvent } from './events.js';
import { createFixture, notice } from './test-fixture.js';
import { createMemoryTransport } from './transport.js';

const call = (state: CallInfo['state'], extra: Partial<CallInfo> = {}): CallInfo => ({
  callId: 'k1',
  direction: 'inbound',
  state,
  remoteNumber: '13800138000',
  since: 1,
  ...extra,
});
const pop: ScreenPop = {
  call: call('offered'),
  callerId: '13800138000',
  customer: null,
  ivrPath: [],
  openTickets: [],
  recentInteractions: [],
  priority: 'normal',
  waitedMs: 0,
};
let seq = 0;
const ev = (e: Omit<ProtocolEvent, 'seq' | 'at'>): ProtocolEvent => ({ ...e, seq: ++seq, at: 0 }) as ProtocolEvent;
const agent = (activity: 'idle' | 'offered' | 'connected' | 'wrap-up') => ({
  agentId: '1001',
  presence: 'ready' as const,
  activity,
  since: 1,
});

describe('desk state', () => {
  it('keeps the screen pop through the call and wrap-up, and clears it when the agent is idle again', () => {
    seq = 0;
    let s: DeskState = deskStateFromSnapshot({ agent: agent('idle'), calls: [], queues: [] }, 0);
    s = applyDeskEvent(s, ev({ name: 'call.offered', data: pop }));
    s = applyDeskEvent(s, ev({ name: 'agent.state', data: agent('offered') }));
    expect(Object.keys(s.screenPops)).toEqual(['k1']);
    s = applyDeskEvent(s, ev({ name: 'call.state', data: call('connected') }));
    expect(s.screenPops.k1?.call.state).toBe('connected');
    s = applyDeskEvent(s, ev({ name: 'call.state', data: call('ended', { cause: 'caller-hangup' }) }));
    s = applyDeskEvent(s, ev({ name: 'agent.state', data: agent('wrap-up') }));
    expect(s.calls.k1?.state).toBe('ended');
    expect(s.screenPops.k1).toBeDefined();
    s = applyDeskEvent(s, ev({ name: 'agent.state', data: agent('idle') }));
    expect(s.calls).toEqual({});
    expect(s.screenPops).toEqual({});
    expect(s.seq).toBe(seq);
  });

  it('retracts an offer answered elsewhere at once, and ignores events already applied', () => {
    seq = 0;
    let s = deskStateFromSnapshot({ calls: [], queues: [] }, 0);
    s = applyDeskEvent(s, ev({ name: 'call.offered', data: pop }));
    const retract = ev({ name: 'call.state', data: call('ended', { cause: 'answered-elsewhere' }) });
    s = applyDeskEvent(s, retract);
    expect(s.calls).toEqual({});
    expect(applyDeskEvent(s, retract)).toBe(s);
  });

  it('follows a client across a resync', async () => {
    const clock = new VirtualScheduler();
    const fixture = createFixture(clock, { replayBufferSize: 2 });
    const net = createMemoryTransport(fixture.server);
    const client = new AgentClient({
      transport: net.connect,
      scheduler: clock,
      random: () => 0.5,
      reconnect: { initialDelayMs: 1_000 },
    });
    const states: DeskState[] = [];
    deskState$(client).subscribe((s) => states.push(s));
    await clock.run(client.login({ userId: '1001', password: 'agent-pass-1001' }));
    expect(states.at(-1)?.catalog?.queues[0]?.queueId).toBe('general');
    await clock.run(client.api.agent.ready());
    fixture.server.push('all', 'notice', notice(1));
    await clock.advanceBy(0);
    expect(states.at(-1)).toMatchObject({ seq: 2, agent: { presence: 'ready' } });
    net.dropAll();
    for (let i = 2; i <= 5; i++) fixture.server.push('all', 'notice', notice(i));
    await clock.advanceBy(1_000);
    const last = states.at(-1);
    expect(last?.seq).toBe(6);
    expect(last?.agent?.presence).toBe('ready');
    expect(last?.notices.map((n) => n.noticeId)).toEqual(['n1']); // notices 2..5 were folded into the snapshot
  });
});
