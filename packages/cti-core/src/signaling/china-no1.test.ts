import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../virtual-scheduler.js';
import { isHotlineError } from '../errors.js';
import { alawDecode, alawEncode } from '../media/g711.js';
import { MfDetector, MfGenerator } from '../media/mf.js';
import { addNoise } from '../media/tones.js';
import { ChinaNo1Line, type ChinaNo1Event, type ChinaNo1Signal } from './china-no1.js';
import { chinaNo1Config, type ChinaNo1ConfigInput } from './china-no1-config.js';
import { R2Link, type R2Endpoint } from './r2-link.js';

/** A hand-driven far end: the test sets its ABCD bits and MF signal and reads what it hears. */
class ScriptedPeer implements R2Endpoint {
  txAbcd = 0b1001;
  rxAbcd = 0b1001;
  heard = 0;
  private readonly gen: MfGenerator;
  private readonly det: MfDetector;
  constructor(readonly role: 'forward' | 'backward') {
    this.gen = new MfGenerator(role);
    this.det = new MfDetector(role === 'forward' ? 'backward' : 'forward');
  }
  set ab(ab: number) {
    this.txAbcd = (ab << 2) | 0b01;
  }
  send(signal: number): void {
    if (signal === 0) this.gen.stop();
    else this.gen.start(signal);
  }
  process(rxAbcd: number, rxAudio: Int16Array | undefined, txAudio: Int16Array | undefined): boolean {
    this.rxAbcd = rxAbcd;
    if (rxAudio) this.heard = this.det.push(rxAudio);
    return txAudio ? this.gen.fill(txAudio) : false;
  }
}

function rig(
  configA: ChinaNo1ConfigInput = {},
  configB: ChinaNo1ConfigInput | 'peer-forward' | 'peer-backward' = {},
  impair?: (f: Int16Array) => void,
) {
  const scheduler = new VirtualScheduler();
  const a = new ChinaNo1Line({ channel: 'A', scheduler, config: configA });
  const peer =
    typeof configB === 'string' ? new ScriptedPeer(configB === 'peer-forward' ? 'forward' : 'backward') : undefined;
  const b = typeof configB === 'string' ? undefined : new ChinaNo1Line({ channel: 'B', scheduler, config: configB });
  const link = new R2Link(a, (b ?? peer)!, impair ? { impair } : {});
  const trace: ChinaNo1Signal[] = [];
  const events: { A: ChinaNo1Event[]; B: ChinaNo1Event[] } = { A: [], B: [] };
  a.signaling$.subscribe((t) => trace.push(t));
  b?.signaling$.subscribe((t) => trace.push(t));
  a.events$.subscribe((e) => events.A.push(e));
  b?.events$.subscribe((e) => events.B.push(e));
  scheduler.schedule(function (this: { schedule(s?: unknown, d?: number): unknown }) {
    link.tick();
    this.schedule(undefined, 20);
  }, 20);
  const advance = (ms: number): Promise<void> => scheduler.advanceBy(ms);
  const types = (side: 'A' | 'B'): string[] => events[side].map((e) => e.type);
  const until = async (pred: () => boolean, maxMs = 60_000): Promise<number> => {
    const t0 = scheduler.now();
    while (!pred()) {
      if (scheduler.now() - t0 > maxMs) throw new Error(`condition not met within ${maxMs} ms`);
      await scheduler.advanceBy(20);
    }
    return scheduler.now() - t0;
  };
  return { scheduler, a, b: b!, peer: peer!, trace, events, advance, types, until };
}

const codes = (trace: ChinaNo1Signal[], channel: string): string[] =>
  trace.filter((t) => t.channel === channel).map((t) => `${t.direction} ${t.code}`);

describe('China No.1 engine: two engines back to back', () => {
  it('a whole call: seize, MFC with KA and calling number, KD, KB1, answer, clear-back, clear-forward, release guard', async () => {
    const r = rig({}, {});
    r.a.seize({ called: '88886666', caller: '075512345', ka: 1, kd: 3 });
    await r.until(() => r.b.state === 'in-offered');
    const offered = r.events.B.find((e) => e.type === 'offered');
    expect(offered).toMatchObject({
      call: { called: '88886666', caller: '075512345', callerPresentation: 'available', ka: 1, kd: 3 },
    });
    r.b.accept(1);
    await r.until(() => r.a.state === 'out-alerting');
    expect(r.events.A.find((e) => e.type === 'accepted')).toMatchObject({ kb: 1 });
    r.b.answer();
    await r.until(() => r.a.state === 'out-answered');
    r.b.release();
    await r.until(() => r.a.state === 'out-clear-back');
    r.a.release();
    await r.until(() => r.a.idle && r.b.idle);
    expect(r.types('A')).toEqual(['seize-acknowledged', 'accepted', 'answered', 'clear-back', 'idle']);
    expect(r.types('B')).toEqual(['seized', 'offered', 'accepted', 'answered', 'clear-forward', 'idle']);
    const a = codes(r.trace, 'A');
    // the forward side's view, as a protocol analyser shows it
    expect(a.slice(0, 6)).toEqual(['tx seize', 'rx seize-ack', 'tx I-8', 'rx A6', 'tx KA', 'rx A1']);
    expect(a.filter((c) => c === 'tx I-*')).toHaveLength(9); // calling-number digits, masked
    expect(a).toContain('tx I-15');
    expect(a.filter((c) => /^tx I-\d+$/.test(c) && c !== 'tx I-15')).toHaveLength(8); // called digits
    const tail = a.slice(a.indexOf('tx I-15'));
    expect(tail).toEqual(
      expect.arrayContaining([
        'rx A3',
        'tx KD',
        'rx KB1',
        'rx answer',
        'rx clear-back',
        'tx clear-forward',
        'rx release-guard',
      ]),
    );
    // A3 came as a pulse: China No.1 has no end-of-number signal, the called number ended by time-out
    expect(r.trace.find((t) => t.channel === 'B' && t.code === 'A3')).toMatchObject({ pulsed: true });
    expect(r.trace.find((t) => t.channel === 'B' && t.code === 'calling')?.message).toBe('KA=1 calling 075****45');
    expect(r.trace.find((t) => t.channel === 'B' && t.code === 'answer')?.message).toBe('answer (ABCD 0101)');
    expect(r.trace.every((t) => !t.message.includes('075512345'))).toBe(true);
  });

  it('ends the called number by digit count without waiting, and maps KB2 to busy', async () => {
    const r = rig({ sendCallerAfterKa: false }, { calledDigits: { min: 5, max: 5 }, requestCallerNumber: false });
    r.a.seize({ called: '96777', caller: '13800138000' });
    const setup = await r.until(() => r.b.state === 'in-offered');
    expect(setup).toBeLessThan(2000); // 7 compelled cycles, no time-out
    expect(r.b.incoming).toMatchObject({ called: '96777', ka: 1, kd: 3, callerPresentation: 'unavailable' });
    expect(r.trace.some((t) => t.pulsed)).toBe(false);
    r.b.reject('busy');
    await r.until(() => r.a.idle && r.b.idle);
    expect(r.events.A.find((e) => e.type === 'failed')).toMatchObject({ outcome: 'busy' });
    expect(codes(r.trace, 'A')).toEqual(expect.arrayContaining(['rx KB2', 'tx clear-forward', 'rx release-guard']));
  });

  it('numbering plan: the trunk group decides when the number is complete', async () => {
    const r = rig(
      {},
      {
        numberComplete: (n) => (n.startsWith('1') ? n.length === 11 : n.length === 8),
        requestCallerNumber: false,
        requestCategory: false,
      },
    );
    r.a.seize({ called: '13800138000' });
    await r.until(() => r.b.state === 'in-offered', 5000);
    expect(r.b.incoming).toEqual({ called: '13800138000', callerPresentation: 'unavailable', kd: 3 });
  });

  it('vacant number during the register phase (A5) and congestion (KB4)', async () => {
    const r = rig({}, { calledDigits: { min: 4, max: 4 } });
    r.b.events$.subscribe((e) => {
      if (e.type === 'seized') r.b.reject('unallocated');
    });
    r.a.seize({ called: '1234' });
    await r.until(() => r.a.idle && r.b.idle);
    expect(r.events.A.find((e) => e.type === 'failed')).toMatchObject({ outcome: 'unallocated' });
    expect(codes(r.trace, 'A')).toContain('rx A5');

    const s = rig({}, { calledDigits: { min: 4, max: 4 } });
    s.a.seize({ called: '1234' });
    await s.until(() => s.b.state === 'in-offered');
    s.b.accept(4);
    await s.until(() => s.a.idle && s.b.idle);
    expect(s.events.A.find((e) => e.type === 'failed')).toMatchObject({ outcome: 'congestion' });
  });

  it('restricted and absent calling numbers', async () => {
    const r = rig({}, { calledDigits: { min: 3, max: 3 } });
    r.a.seize({ called: '110', caller: '13800138000', callerRestricted: true });
    await r.until(() => r.b.state === 'in-offered');
    expect(r.b.incoming).toMatchObject({ called: '110', callerPresentation: 'restricted' });
    expect(r.b.incoming.caller).toBeUndefined();
    r.b.accept();
    r.a.release();
    await r.until(() => r.a.idle && r.b.idle);

    const s = rig({}, { calledDigits: { min: 3, max: 3 } });
    s.a.seize({ called: '119' });
    await s.until(() => s.b.state === 'in-offered');
    expect(s.b.incoming).toMatchObject({ called: '119', callerPresentation: 'unavailable', ka: 1 });
  });

  it('works through A-law and line noise at −40 dBm0, with the ITU CD bits or OpenR2 CN’s', async () => {
    let seed = 1;
    const impair = (f: Int16Array): void => {
      f.set(alawDecode(alawEncode(addNoise(f, { levelDbm0: -40 }, seed++))));
    };
    const r = rig({ cdBits: 0b11 }, { calledDigits: { min: 8, max: 8 } }, impair);
    r.a.seize({ called: '55501234', caller: '02087654321' });
    await r.until(() => r.b.state === 'in-offered');
    expect(r.b.incoming).toMatchObject({ called: '55501234', caller: '02087654321' });
    r.b.answer();
    await r.until(() => r.a.state === 'out-answered');
    expect(r.a.txAbcd).toBe(0b0011);
    r.a.release();
    await r.until(() => r.a.idle && r.b.idle);
  });

  it('answer before KB accepts with KB1 first, and the ANSWER waits answerDelayMs after the KB cycle', async () => {
    const r = rig(
      {},
      {
        calledDigits: { min: 2, max: 2 },
        requestCategory: false,
        requestCallerNumber: false,
        timers: { answerDelayMs: 500 },
      },
    );
    r.a.seize({ called: '12' });
    await r.until(() => r.b.state === 'in-offered');
    r.b.answer();
    await r.until(() => r.b.state === 'in-alerting');
    await r.until(() => r.b.sendingMf === 0);
    const delay = await r.until(() => r.b.state === 'in-answered');
    expect(delay).toBeGreaterThanOrEqual(480);
    expect(delay).toBeLessThanOrEqual(520);
    await r.until(() => r.a.state === 'out-answered');
  });

  it('blocking: a blocked circuit refuses seizure with ERR_R2_BLOCKED; unblocking frees it', async () => {
    const r = rig({}, {});
    r.b.block();
    await r.until(() => r.a.state === 'blocked');
    expect(() => r.a.seize({ called: '1' })).toThrow(expect.objectContaining({ code: 'ERR_R2_BLOCKED' }));
    r.b.unblock();
    await r.until(() => r.a.idle);
    expect(r.types('A')).toEqual(['blocked', 'unblocked']);
    expect(r.types('B')).toEqual(['blocked', 'unblocked']);
  });

  it('a seizure during the release of the previous call waits for idle', async () => {
    const r = rig({}, { calledDigits: { min: 1, max: 1 }, requestCategory: false, requestCallerNumber: false });
    r.a.seize({ called: '1' });
    await r.until(() => r.b.state === 'in-offered');
    r.a.release();
    r.a.seize({ called: '2' });
    expect(r.a.state).toBe('out-releasing');
    await r.until(() => r.b.state === 'in-offered' && r.b.incoming.called === '2');
  });

  it('clear-forward in the middle of the register phase releases both ends', async () => {
    const r = rig({}, {});
    r.a.seize({ called: '88886666', caller: '1' });
    await r.until(() => r.b.incoming.called.length >= 2);
    r.a.release();
    await r.until(() => r.a.idle && r.b.idle);
    expect(r.types('B')).toEqual(['seized', 'clear-forward', 'idle']);
  });

  it('an incoming side that lets the decision time run out rejects with KB4', async () => {
    const r = rig(
      {},
      {
        calledDigits: { min: 1, max: 1 },
        requestCategory: false,
        requestCallerNumber: false,
        timers: { decisionMs: 2000 },
      },
    );
    r.a.seize({ called: '5' });
    await r.until(() => r.a.idle && r.b.idle, 10_000);
    expect(r.events.A.find((e) => e.type === 'failed')).toMatchObject({ outcome: 'congestion' });
  });

  it('an outgoing call nobody answers ends no-answer after answerMs', async () => {
    const r = rig({ timers: { answerMs: 3000 } }, { calledDigits: { min: 1, max: 1 } });
    r.a.seize({ called: '5' });
    await r.until(() => r.b.state === 'in-offered');
    r.b.accept();
    await r.until(() => r.a.state === 'out-alerting');
    const t = await r.until(() => r.events.A.some((e) => e.type === 'failed'));
    expect(t).toBeGreaterThanOrEqual(2980);
    expect(r.events.A.find((e) => e.type === 'failed')).toMatchObject({
      outcome: 'no-answer',
      error: { code: 'ERR_R2_ANSWER_TIMEOUT' },
    });
    await r.until(() => r.a.idle && r.b.idle);
  });

  it('rejects bad commands and bad configuration with typed errors', () => {
    const scheduler = new VirtualScheduler();
    const line = new ChinaNo1Line({ channel: 'x', scheduler });
    expect(() => line.seize({ called: '12a' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => line.seize({ called: '12', ka: 16 })).toThrow(/ka must be/);
    expect(() => line.accept()).toThrow(expect.objectContaining({ code: 'ERR_ILLEGAL_STATE' }));
    expect(() => line.answer()).toThrow(expect.objectContaining({ code: 'ERR_ILLEGAL_STATE' }));
    expect(() => line.accept(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    line.release(); // idle: no-op
    expect(() => chinaNo1Config({ calledDigits: { min: 5, max: 3 } })).toThrow(/calledDigits.max/);
    expect(() => chinaNo1Config({ timers: { seizeAckMs: 5 } })).toThrow(/timers.seizeAckMs/);
    expect(() => chinaNo1Config({ requestCategory: false, requestCallerNumber: true })).toThrow(/requestCallerNumber/);
    expect(() => chinaNo1Config({ kbOutcomes: { 1: 'maybe' as never } })).toThrow(/kbOutcomes/);
    line.seize({ called: '1' });
    expect(() => line.seize({ called: '2' })).toThrow(expect.objectContaining({ code: 'ERR_ILLEGAL_STATE' }));
    line.dispose();
  });
});

describe('China No.1 engine against a scripted far end (timers and unexpected signals)', () => {
  it('seize-acknowledge time-out: fails congestion (retryable) and clears forward', async () => {
    const r = rig({ timers: { seizeAckMs: 2000 } }, 'peer-backward');
    r.a.seize({ called: '1' });
    const t = await r.until(() => r.a.state === 'out-releasing');
    expect(t).toBeGreaterThanOrEqual(1980);
    const failed = r.events.A.find((e) => e.type === 'failed');
    expect(failed).toMatchObject({
      outcome: 'congestion',
      error: { code: 'ERR_R2_SEIZE_ACK_TIMEOUT', retryable: true },
    });
    await r.until(() => r.a.idle);
  });

  it('dual seizure: both ends seize at once → ERR_R2_DUAL_SEIZURE', async () => {
    const r = rig({}, 'peer-forward');
    r.peer.ab = 0b00;
    r.a.seize({ called: '1' });
    await r.advance(200);
    expect(r.events.A.find((e) => e.type === 'failed')).toMatchObject({
      outcome: 'congestion',
      error: { code: 'ERR_R2_DUAL_SEIZURE' },
    });
  });

  it('forward register: A2 resends from the first digit; A9 is a protocol error; compelled timing', async () => {
    const r = rig({}, 'peer-backward');
    r.a.seize({ called: '345' });
    await r.advance(40);
    r.peer.ab = 0b11; // seize-ack
    const heard: number[] = [];
    const respond = async (backward: number): Promise<void> => {
      await r.until(() => r.peer.heard !== 0);
      heard.push(r.peer.heard);
      r.peer.send(backward);
      await r.until(() => r.peer.heard === 0);
      r.peer.send(0);
    };
    await respond(1); // I-3
    await respond(2); // I-4, then A2: restart
    await respond(1); // I-3 again
    await respond(9); // unknown A9
    expect(heard).toEqual([3, 4, 3, 4]);
    await r.until(() => r.a.state === 'out-releasing');
    expect(r.events.A.find((e) => e.type === 'failed')).toMatchObject({
      outcome: 'rejected',
      error: { code: 'ERR_R2_UNEXPECTED_SIGNAL' },
    });
  });

  it('forward register: A2 as ITU "last-but-one digit" when so configured; A4 is congestion', async () => {
    const r = rig({ a2: 'last-but-one' }, 'peer-backward');
    r.a.seize({ called: '3456' });
    await r.advance(40);
    r.peer.ab = 0b11;
    const heard: number[] = [];
    for (const back of [1, 1, 2, 4]) {
      await r.until(() => r.peer.heard !== 0);
      heard.push(r.peer.heard);
      r.peer.send(back);
      await r.until(() => r.peer.heard === 0);
      r.peer.send(0);
    }
    expect(heard).toEqual([3, 4, 5, 4]);
    await r.until(() => r.events.A.some((e) => e.type === 'failed'));
    expect(r.events.A.find((e) => e.type === 'failed')).toMatchObject({ outcome: 'congestion' });
  });

  it('forward register time-out when the backward side never answers a signal', async () => {
    const r = rig({ timers: { mfForwardMs: 3000 } }, 'peer-backward');
    r.a.seize({ called: '1' });
    await r.advance(40);
    r.peer.ab = 0b11;
    const t = await r.until(() => r.events.A.some((e) => e.type === 'failed'));
    expect(t).toBeGreaterThanOrEqual(2900);
    expect(r.events.A.find((e) => e.type === 'failed')).toMatchObject({ error: { code: 'ERR_R2_MF_TIMEOUT' } });
  });

  it('re-answer after clear-back, and an unexpected idle during the call', async () => {
    const r = rig({}, 'peer-backward');
    r.a.seize({ called: '1' });
    await r.advance(40);
    r.peer.ab = 0b11;
    await r.until(() => r.peer.heard !== 0);
    r.peer.send(3); // A3
    await r.until(() => r.peer.heard === 0);
    r.peer.send(0);
    await r.until(() => r.peer.heard !== 0); // KD
    r.peer.send(1); // KB1
    await r.until(() => r.peer.heard === 0);
    r.peer.send(0);
    await r.until(() => r.a.state === 'out-alerting');
    r.peer.ab = 0b01;
    await r.until(() => r.a.state === 'out-answered');
    r.peer.ab = 0b11;
    await r.until(() => r.a.state === 'out-clear-back');
    r.peer.ab = 0b01;
    await r.until(() => r.a.state === 'out-answered');
    expect(r.types('A')).toEqual(['seize-acknowledged', 'accepted', 'answered', 'clear-back', 're-answer']);
    r.peer.ab = 0b10;
    await r.advance(60);
    expect(
      r.events.A.some((e) => e.type === 'protocol-error' && isHotlineError(e.error, 'ERR_R2_UNEXPECTED_SIGNAL')),
    ).toBe(true);
  });

  it('backward register: no first digit → MF time-out, pulsed A4, then clear-forward → idle', async () => {
    const r = rig({ timers: { mfBackwardMs: 2000 } }, 'peer-forward');
    r.peer.ab = 0b00; // seize, but no digit follows
    await r.until(() => r.peer.rxAbcd >> 2 === 0b11); // seize-ack
    await r.until(() => r.peer.heard === 4, 3000);
    expect(r.events.A.find((e) => e.type === 'protocol-error')).toMatchObject({ error: { code: 'ERR_R2_MF_TIMEOUT' } });
    r.peer.ab = 0b10;
    await r.until(() => r.a.idle);
    expect(r.types('A')).toEqual(['seized', 'protocol-error', 'clear-forward', 'idle']);
  });

  it('backward register: an unexpected group-I signal in the called number is answered with A4', async () => {
    const r = rig({}, 'peer-forward');
    r.peer.ab = 0b00;
    await r.until(() => r.peer.rxAbcd >> 2 === 0b11);
    r.peer.send(13);
    await r.until(() => r.peer.heard !== 0);
    expect(r.peer.heard).toBe(4);
    r.peer.send(0);
    await r.until(() => r.a.state === 'in-failed');
    expect(
      r.events.A.some((e) => e.type === 'protocol-error' && isHotlineError(e.error, 'ERR_R2_UNEXPECTED_SIGNAL')),
    ).toBe(true);
  });

  it('backward register: a forward signal that never stops times out', async () => {
    const r = rig({ timers: { mfBackwardMs: 1000 } }, 'peer-forward');
    r.peer.ab = 0b00;
    await r.until(() => r.peer.rxAbcd >> 2 === 0b11);
    r.peer.send(5);
    await r.until(() => r.events.A.some((e) => e.type === 'protocol-error'), 3000);
    expect(r.events.A.find((e) => e.type === 'protocol-error')).toMatchObject({ error: { code: 'ERR_R2_MF_TIMEOUT' } });
  });

  it('CAS persistence: a one-frame glitch is not a line signal', async () => {
    const r = rig({ timers: { casPersistenceMs: 40 } }, 'peer-forward');
    r.peer.ab = 0b00;
    await r.advance(20);
    r.peer.ab = 0b10;
    await r.advance(100);
    expect(r.a.idle).toBe(true);
    expect(r.events.A).toEqual([]);
    r.peer.ab = 0b00;
    await r.advance(100);
    expect(r.a.state).toBe('in-register');
  });

  it('the far end blocking an idle circuit, and a line signal that makes no sense on an idle circuit', async () => {
    const r = rig({}, 'peer-backward');
    r.peer.ab = 0b01;
    await r.advance(60);
    expect(r.events.A[0]).toMatchObject({ type: 'protocol-error' });
    r.peer.ab = 0b11;
    await r.advance(60);
    expect(r.a.state).toBe('blocked');
    r.peer.ab = 0b10;
    await r.advance(60);
    expect(r.a.idle).toBe(true);
  });
});
