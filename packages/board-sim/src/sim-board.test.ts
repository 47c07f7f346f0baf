import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, timer } from 'rxjs';
import {
  VirtualScheduler,
  openBoard,
  isHotlineError,
  type Board,
  type SignalingTrace,
  type BoardEvent,
} from '@hotline/cti-core';
import {
  CallProgressDetector,
  DtmfDetector,
  FRAME_SAMPLES,
  ToneGenerator,
  frameLevelDbm0,
  readWav,
} from '@hotline/cti-core/media';
import { SimBoard } from './sim-board.js';
import { synthesizeSpeech } from './speech.js';

function tone(hz: number, ms: number): Int16Array {
  const gen = new ToneGenerator({ frequencies: [hz], levelDbm0: -10, cadence: [] });
  const out = new Int16Array(ms * 8);
  for (let i = 0; i < out.length; i += FRAME_SAMPLES) gen.fill(out.subarray(i, i + FRAME_SAMPLES));
  return out;
}

function loudMs(samples: Int16Array, threshold = -25): number {
  let n = 0;
  for (let i = 0; i + FRAME_SAMPLES <= samples.length; i += FRAME_SAMPLES) {
    if (frameLevelDbm0(samples.subarray(i, i + FRAME_SAMPLES)) > threshold) n++;
  }
  return n * 20;
}

describe('SimBoard', () => {
  let scheduler: VirtualScheduler;
  let sim: SimBoard;
  let board: Board;
  let dir: string;
  const run = <T>(p: Promise<T>, ms = 600_000): Promise<T> => scheduler.run(p, ms);
  const wait = (ms: number): Promise<void> => run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));

  beforeEach(async () => {
    scheduler = new VirtualScheduler();
    sim = new SimBoard({ scheduler, analogTrunks: 2, e1Spans: 1, stations: 3 });
    board = await run(openBoard(sim.driver, { scheduler }));
    dir = mkdtempSync(join(tmpdir(), 'sim-'));
  });
  afterEach(async () => {
    await run(board.close());
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares analog trunks, 30 E1 timeslots (no TS0/TS16) and stations', () => {
    expect(board.channelsOf('analog-trunk').map((c) => c.id)).toEqual(['a0', 'a1']);
    const e1 = board.channelsOf('digital-trunk');
    expect(e1).toHaveLength(30);
    expect(e1.map((c) => c.info.timeslot)).not.toContain(16);
    expect(e1.every((c) => c.info.signaling === 'china-no1' && c.capabilities.categories)).toBe(true);
    expect(board.channelsOf('station')).toHaveLength(3);
  });

  it('rejects a nonsensical configuration with a typed error', () => {
    expect(() => new SimBoard({ analogTrunks: -1 })).toThrow(/analogTrunks must be an integer/);
    expect(() => new SimBoard({ e1Spans: 1.5 })).toThrow(/e1Spans/);
  });

  it('E1: the offer carries KA and the numbers; the MFC exchange and KB are in the signalling trace', async () => {
    const trace: SignalingTrace[] = [];
    board.channelsOf('digital-trunk').forEach((c) => c.signaling$.subscribe((t) => trace.push(t)));
    const offered = firstValueFrom(board.incoming$);
    sim.call({ from: '13800138000', to: '96777', trunk: 'e1', ka: 2 });
    const { channel, call } = await run(offered);
    expect(call).toMatchObject({ callerId: '13800138000', calledNumber: '96777', ka: 2 });
    await run(channel.setKb(1));
    expect(sim.kbOf(channel.id)).toBe(1);
    await expect(run(channel.setKb(16))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await run(channel.answer());
    await wait(100);
    const messages = trace.map((t) => `${t.direction} ${t.message}`);
    expect(messages).toContain('rx called 96777');
    expect(messages.some((m) => m.startsWith('rx KA=2 calling 138'))).toBe(true);
    // Caller numbers are masked in the trace.
    expect(messages.join('\n')).not.toContain('13800138000');
    expect(messages).toContain('tx KB=1 (subscriber idle)');
    expect(messages).toContain('tx answer (ABCD 0101)');
  });

  for (const [signalling, from, presentation, expected] of [
    ['fsk', '13800138000', 'available', { callerId: '13800138000', callerIdPresentation: 'available' }],
    ['dtmf', '02584561234', 'available', { callerId: '02584561234', callerIdPresentation: 'available' }],
    ['fsk', '13800138000', 'restricted', { callerIdPresentation: 'restricted' }],
    ['none', '13800138000', 'available', { callerIdPresentation: 'unavailable' }],
  ] as const) {
    it(`analog caller ID by ${signalling} (${presentation}) is found in the line audio by the soft DSP`, async () => {
      const trace: string[] = [];
      board.channel('a0').signaling$.subscribe((t) => trace.push(`${t.direction} ${t.message}`));
      const offered = firstValueFrom(board.incoming$);
      sim.call({ from, trunk: 'a0', callerIdSignalling: signalling, presentation });
      const { call } = await run(offered);
      expect(call).toMatchObject(expected);
      if (!('callerId' in expected)) expect(call.callerId).toBeUndefined();
      if (signalling !== 'none') {
        expect(trace.some((t) => t.startsWith(`rx caller ID (${signalling === 'fsk' ? 'MDMF' : 'DTMF'})`))).toBe(true);
        expect(trace.join('\n')).not.toContain(from); // masked in the trace
      }
    });
  }

  it('a caller waiting for answer hears Chinese ringback (450 Hz, 1 s on / 4 s off)', async () => {
    const caller = sim.call({ from: '13800138000', trunk: 'a0' });
    await wait(12_000);
    const cpt = new CallProgressDetector();
    const heard = caller.heard();
    const found: string[] = [];
    for (let i = 0; i + FRAME_SAMPLES <= heard.length; i += FRAME_SAMPLES) {
      const e = cpt.push(heard.subarray(i, i + FRAME_SAMPLES));
      if (e) found.push(e.type);
    }
    expect(found).toContain('ringback');
  });

  it('a caller nobody answers gives up; with every trunk busy a caller gets congestion', async () => {
    const c1 = sim.call({ from: '1', trunk: 'a0', giveUpAfterMs: 20_000 });
    const r = await run(c1.whenReleased());
    expect(r).toMatchObject({ by: 'far', cause: 'no-answer' });
    for (let i = 0; i < 32; i++) sim.call({ from: String(i), giveUpAfterMs: 600_000 });
    const last = sim.call({ from: '99' });
    expect((await run(last.whenReleased())).cause).toBe('congestion');
  });

  it('analog dial with no dial tone ends no-dial-tone', async () => {
    sim.setDialTone('a1', false);
    sim.subscriber('88888888', { type: 'answer' });
    const r = await run(board.channel('a1').dial('88888888'));
    expect(r.outcome).toBe('no-dial-tone');
    expect(board.channel('a1').state.state).toBe('idle');
  });

  it('digits sent by the board reach the far end as real DTMF tones', async () => {
    sim.subscriber('66661234', { type: 'answer', silent: true });
    const ch = board.channel('a0');
    expect((await run(ch.dial('66661234'), 60_000)).outcome).toBe('answered');
    const party = sim.partyOn('a0')!;
    party.clearHeard();
    await run(ch.sendDigits('8#25*', { onMs: 60, offMs: 60 }));
    const detector = new DtmfDetector();
    const heard = party.heard();
    let digits = '';
    for (let i = 0; i + FRAME_SAMPLES <= heard.length; i += FRAME_SAMPLES)
      digits += detector.push(heard.subarray(i, i + FRAME_SAMPLES));
    digits += detector.push(new Int16Array(800));
    expect(digits).toBe('8#25*');
    await expect(run(ch.sendDigits('1', { onMs: 10 }))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  describe('stations', () => {
    it('dialling a station rings the phone; lifting the handset answers; keys and hang-up reach the board', async () => {
      const station = board.channel('s0');
      const phone = sim.phone(0);
      const dialled = station.dial('8001', { callerId: '13800138000', noAnswerTimeoutMs: 30_000 });
      await wait(500);
      expect(phone.ringing).toBe(true);
      expect(phone.ringingCallerId).toBe('13800138000');
      const party = phone.liftHandset();
      expect((await run(dialled)).outcome).toBe('answered');
      expect(phone.ringing).toBe(false);
      const collected = station.collectDigits({ maxDigits: 3 });
      void party.press('123');
      expect((await run(collected)).digits).toBe('123');
      const events: string[] = [];
      station.events$.subscribe((e) => events.push(e.type));
      phone.flash();
      await wait(100);
      expect(events).toContain('flash');
      phone.hangUp();
      await wait(100);
      expect(station.state.state).toBe('idle');
      expect(events).toContain('released');
    });

    it('an unanswered station ends no-answer and stops ringing', async () => {
      const r = await run(board.channel('s1').dial('8002', { noAnswerTimeoutMs: 15_000 }));
      expect(r.outcome).toBe('no-answer');
      expect(sim.phone(1).ringing).toBe(false);
    });

    it('lifting an idle handset offers a call to the application', async () => {
      const offered = firstValueFrom(board.incoming$);
      sim.phone(2).liftHandset();
      const { channel } = await run(offered);
      expect(channel.id).toBe('s2');
      await run(channel.answer());
      expect(channel.state.state).toBe('connected');
      expect(() => sim.phone(9)).toThrow(/no station/);
    });
  });

  it('conference: a supervisor listens silently, then whispers to the agent only', async () => {
    // Caller on a trunk, agent on a station, supervisor on another station.
    const offered = firstValueFrom(board.incoming$);
    const caller = sim.call({ from: '13800138000', trunk: 'a0' });
    const { channel: trunk } = await run(offered);
    await run(trunk.answer());
    const agentCh = board.channel('s0');
    const supCh = board.channel('s1');
    const agentDial = agentCh.dial('8001');
    const supDial = supCh.dial('8002');
    await wait(200);
    const agent = sim.phone(0).liftHandset();
    const sup = sim.phone(1).liftHandset();
    await run(Promise.all([agentDial, supDial]));
    await run(trunk.joinConference('c1'));
    await run(agentCh.joinConference('c1'));
    await run(supCh.joinConference('c1', { mode: 'listen' }));
    caller.clearHeard();
    agent.clearHeard();
    await run(sup.say(tone(700, 1000)));
    await wait(100);
    expect(loudMs(caller.heard())).toBe(0); // a listener is not heard
    expect(loudMs(agent.heard())).toBe(0);
    await run(supCh.leaveConference('c1'));
    await run(supCh.joinConference('c1', { mode: 'whisper', whisperTo: 's0' }));
    caller.clearHeard();
    agent.clearHeard();
    await run(sup.say(tone(700, 1000)));
    await wait(100);
    expect(loudMs(agent.heard())).toBeGreaterThanOrEqual(900);
    expect(loudMs(caller.heard())).toBe(0);
    // The supervisor hears both parties.
    sup.clearHeard();
    await run(caller.say(tone(500, 1000)));
    await wait(100);
    expect(loudMs(sup.heard())).toBeGreaterThanOrEqual(900);
    await expect(run(supCh.joinConference('c2', { mode: 'whisper' }))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('record stops on silence after speech, and on initial silence', async () => {
    const offered = firstValueFrom(board.incoming$);
    const caller = sim.call({ from: '13800138000' });
    const { channel } = await run(offered);
    await run(channel.answer());
    const path = join(dir, 'msg.wav');
    const recorded = channel.record(path, { silenceMs: 2000, maxDurationMs: 60_000 });
    await wait(500);
    await run(caller.say(synthesizeSpeech({ durationMs: 3000, seed: 9 })));
    const r = await run(recorded);
    expect(r.reason).toBe('silence');
    expect(r.durationMs).toBeGreaterThan(4500);
    expect(r.durationMs).toBeLessThan(7000);
    expect(existsSync(path)).toBe(true);
    const quiet = await run(channel.record(join(dir, 'quiet.wav'), { initialSilenceMs: 4000, silenceMs: 2000 }));
    expect(quiet.reason).toBe('initial-silence');
  });

  it('a call recording keeps both directions, leaves out what is keyed while paused, and ends with the call', async () => {
    const offered = firstValueFrom(board.incoming$);
    const caller = sim.call({ from: '13800138000', trunk: 'a0' });
    const { channel } = await run(offered);
    await run(channel.answer());
    const path = join(dir, 'call.wav');
    const recording = channel.recordCall(path, { encoding: 'pcm16' });
    const voicemail = channel.record(join(dir, 'vm.wav'), { maxDurationMs: 3000 }); // a foreground record at the same time
    await run(caller.say(tone(600, 1000)));
    await run(recording.pause());
    expect(recording.paused).toBe(true);
    await run(caller.press('135790'));
    await run(recording.resume());
    await run(caller.say(tone(500, 1000)));
    expect((await run(voicemail)).reason).toBe('max-duration');
    caller.hangup();
    const result = await run(recording.result);
    expect(result.reason).toBe('hangup');
    const audio = readWav(readFileSync(path)).samples;
    expect(loudMs(audio)).toBeGreaterThanOrEqual(1900);
    const detector = new DtmfDetector();
    let digits = '';
    for (let i = 0; i + FRAME_SAMPLES <= audio.length; i += FRAME_SAMPLES)
      digits += detector.push(audio.subarray(i, i + FRAME_SAMPLES));
    expect(digits).toBe(''); // the secret was never recorded
    // Stations have no call recording: a typed refusal, not a crash.
    await expect(run(board.channel('s0').recordCall(join(dir, 'x.wav')).result)).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED',
    });
  });

  it('span alarms reach the board events; faults name the channel', async () => {
    const events: BoardEvent[] = [];
    board.events$.subscribe((e) => events.push(e));
    sim.alarm(0, 'LOS', true);
    sim.fault('e0-5', 'PCM_SLIP', 'frame slip');
    await wait(10);
    expect(events).toContainEqual(expect.objectContaining({ type: 'alarm', span: 0, alarm: 'LOS', active: true }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'fault', channel: 'e0-5', code: 'PCM_SLIP' }));
    expect(board.channel('e0-5').state.state).toBe('out-of-service');
    const err = await run(board.channel('e0-5').dial('1')).catch((e: unknown) => e);
    expect(isHotlineError(err, 'ERR_ILLEGAL_STATE')).toBe(true);
  });
});
