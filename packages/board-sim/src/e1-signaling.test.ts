import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, timer } from 'rxjs';
import { VirtualScheduler, openBoard, type Board, type SignalingTrace } from '@hotline/cti-core';
import { SimBoard } from './sim-board.js';

describe('SimBoard E1 trunks run on the China No.1 engine', () => {
  let scheduler: VirtualScheduler;
  let sim: SimBoard;
  let board: Board;
  let trace: SignalingTrace[];
  const run = <T>(p: Promise<T>, ms = 600_000): Promise<T> => scheduler.run(p, ms);
  const wait = (ms: number): Promise<void> => run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));
  const messages = (channel: string): string[] =>
    trace.filter((t) => t.channel === channel).map((t) => `${t.direction} ${t.message}`);

  beforeEach(async () => {
    scheduler = new VirtualScheduler();
    sim = new SimBoard({
      scheduler,
      analogTrunks: 0,
      e1Spans: 1,
      e1Signaling: { numberComplete: (n) => n === '96777' },
    });
    board = await run(openBoard(sim.driver, { scheduler }));
    trace = [];
    board.channelsOf('digital-trunk').forEach((c) => c.signaling$.subscribe((t) => trace.push(t)));
  });
  afterEach(async () => {
    await run(board.close());
  });

  it('inbound: the offer carries what the MFC exchange delivered; the trace shows every signal', async () => {
    const offered = firstValueFrom(board.incoming$);
    const caller = sim.call({ from: '075512345678', to: '96777', trunk: 'e1', ka: 2, kd: 3 });
    const t0 = scheduler.now();
    const { channel, call } = await run(offered);
    expect(scheduler.now() - t0).toBeLessThan(4000); // the numbering plan ends the number: no time-out
    expect(call).toMatchObject({ callerId: '075512345678', calledNumber: '96777', ka: 2, kd: 3 });
    await run(channel.answer());
    await run(caller.whenConnected());
    const m = messages(channel.id);
    expect(m.slice(0, 4)).toEqual([
      'rx seize (ABCD 0001)',
      'tx seize-ack (ABCD 1101)',
      'rx I-9 called-number digit 9',
      'tx A6 send KA and calling number',
    ]);
    expect(m).toContain('rx KA=2 (ordinary subscriber, immediate billing (meter))');
    expect(m).toContain('rx KD=3 (local subscriber call)');
    expect(m).toContain('tx KB=1 (subscriber idle)');
    expect(m).toContain('tx answer (ABCD 0101)');
    expect(m.join('\n')).not.toContain('075512345678');
    // the caller hangs up: clear-forward, release guard
    caller.hangup();
    await wait(500);
    expect(channel.state.state).toBe('idle');
    expect(messages(channel.id).slice(-2)).toEqual(['rx clear-forward (ABCD 1001)', 'tx release-guard (ABCD 1001)']);
  });

  it('inbound: setKb(2) refuses the call as busy; the caller is released', async () => {
    const offered = firstValueFrom(board.incoming$);
    const caller = sim.call({ from: '13800138000', to: '96777', trunk: 'e1' });
    const { channel } = await run(offered);
    await run(channel.setKb(2));
    const released = await run(caller.whenReleased());
    expect(released).toMatchObject({ by: 'board', cause: 'busy' });
    await run(channel.hangup());
    await wait(300);
    expect(messages(channel.id)).toEqual(
      expect.arrayContaining(['tx KB=2 (subscriber busy (local))', 'rx clear-forward (ABCD 1001)']),
    );
  });

  it('inbound: an anonymous caller and a caller who gives up during the register phase', async () => {
    const offered = firstValueFrom(board.incoming$);
    sim.call({ to: '96777', trunk: 'e1' });
    const { call, channel } = await run(offered);
    expect(call.callerId).toBeUndefined();
    expect(call.callerIdPresentation).toBe('unavailable');
    await run(channel.hangup());
    await wait(300);
    const quitter = sim.call({ from: '13800138000', to: '96777', trunk: 'e0-2' });
    await wait(200);
    quitter.hangup();
    await wait(1000);
    expect(board.channel('e0-2').state.state).toBe('idle');
    // the circuit is free again
    const again = firstValueFrom(board.incoming$);
    sim.call({ from: '13800138000', to: '96777', trunk: 'e0-2' });
    expect((await run(again)).channel.id).toBe('e0-2');
  });

  it('outbound: busy, vacant, congestion and an answered call, decided by the exchange’s KB', async () => {
    sim.subscriber('88880001', { type: 'busy' });
    sim.subscriber('88880003', { type: 'congestion' });
    sim.subscriber('88880004', { type: 'answer', silent: true });
    const ch = board.channel('e0-1');
    expect((await run(ch.dial('88880001'))).outcome).toBe('busy');
    expect(messages('e0-1')).toEqual(
      expect.arrayContaining([
        'tx seize (ABCD 0001)',
        'rx seize-ack (ABCD 1101)',
        'tx I-8 called-number digit 8',
        'rx KB=2 (subscriber busy (local))',
        'tx clear-forward (ABCD 1001)',
      ]),
    );
    await run(ch.hangup());
    expect((await run(ch.dial('55550000'))).outcome).toBe('unallocated'); // unknown: ends by time-out, KB5
    await run(ch.hangup());
    expect((await run(ch.dial('88880003'))).outcome).toBe('congestion');
    await run(ch.hangup());
    trace.length = 0;
    const stages: string[] = [];
    const r = await run(
      new Promise<unknown>((resolve, reject) =>
        ch.dial$('88880004', { callerId: '02012345678', ka: 1, kd: 3 }).subscribe({
          next: (e) => (e.kind === 'progress' ? stages.push(e.progress) : resolve(e.result)),
          error: reject,
        }),
      ),
    );
    expect(r).toMatchObject({ outcome: 'answered', connected: true });
    expect(stages).toEqual(['seized', 'dialing', 'proceeding', 'alerting']);
    const m = messages('e0-1');
    expect(m).toEqual(
      expect.arrayContaining([
        'rx A6 send KA and calling number',
        'tx KA=1 (ordinary subscriber, periodic billing)',
        'tx I-* calling-number digit',
        'tx I-15 end of calling number',
        'rx KB=1 (subscriber idle)',
        'rx answer (ABCD 0101)',
      ]),
    );
    // the called party hangs up: clear-back, then the board clears forward
    const party = sim.partyOn('e0-1')!;
    party.hangup();
    await wait(300);
    expect(ch.state.state).toBe('idle');
    expect(messages('e0-1')).toEqual(
      expect.arrayContaining([
        'rx clear-back (ABCD 1101)',
        'tx clear-forward (ABCD 1001)',
        'rx release-guard (ABCD 1001)',
      ]),
    );
  });
});
