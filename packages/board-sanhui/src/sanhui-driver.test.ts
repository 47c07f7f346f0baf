import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import {
  ErrorCode,
  isHotlineError,
  openBoard,
  type Board,
  type Channel,
  type ChannelEvent,
  type HotlineError,
} from '@hotline/cti-core';
import { NativeErrorCode } from '@hotline/native-common';
import { ERROR_NAMES, PENDING_NAMES, STATE_NAMES, dialFailureOutcome, hangupCauseOf } from './codes.js';
import { packageRoot, sanhuiAddon } from './native.js';
import { SanhuiDriver, sanhuiAvailability } from './sanhui-driver.js';
import { FakeCallState, createFakeBoard, fakeLibraryPath, type FakeBoard, type FakeShpa3 } from './testing.js';

const minimalLibrary = join(packageRoot, 'build', 'Release', 'libshpa3-minimal.so');

interface Open {
  readonly fb: FakeBoard;
  readonly board: Board;
  readonly fake: FakeShpa3;
  run<T>(p: Promise<T>, maxMs?: number): Promise<T>;
  wait(ms: number): Promise<void>;
}

let current: Open | undefined;

async function open(channels: string, options: Parameters<typeof createFakeBoard>[1] = {}): Promise<Open> {
  const fb = createFakeBoard(channels, options);
  const board = await fb.clock.run(openBoard(fb.driver, { scheduler: fb.scheduler, name: 'sh' }));
  current = { fb, board, fake: fb.fake(), run: (p, maxMs) => fb.clock.run(p, maxMs), wait: (ms) => fb.clock.wait(ms) };
  return current;
}

afterEach(async () => {
  const c = current;
  current = undefined;
  if (!c) return;
  await c.run(c.board.close());
  c.fb.dispose();
});

async function rejection(promise: Promise<unknown>): Promise<HotlineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isHotlineError(error), `expected a HotlineError, got ${String(error)}`).toBe(true);
  return error as HotlineError;
}

/** A caller on `ch`, answered; returns the channel and the fake call id. */
async function answered(o: Open, ch: number, from = '13800138000'): Promise<{ channel: Channel; call: number }> {
  const offered = firstValueFrom(o.board.incomingOn(o.board.channel(String(ch))));
  const call = o.fake.injectCall({ ch, from, to: '96777' });
  const { channel } = await o.run(offered);
  await o.run(channel.answer());
  return { channel, call };
}

describe('loading libshpa3.so', () => {
  it('the addon is built and loads without any Synway library', () => {
    const addon = sanhuiAddon();
    expect(addon.ok).toBe(true);
  });

  it('reports a missing library with what was searched, the OS error and what to install', async () => {
    const a = sanhuiAvailability({ library: '/nonexistent/libshpa3.so' });
    expect(a.available).toBe(false);
    expect(a.reason).toMatch(/\/nonexistent\/libshpa3\.so \(option\): .*No such file/);
    expect(a.reason).toMatch(/SynCTI Linux driver/);
    const error = await rejection(openBoard(new SanhuiDriver({ library: '/nonexistent/libshpa3.so' })));
    expect(error.code).toBe(NativeErrorCode.LibraryUnavailable);
    expect(error.details.library).toBe('libshpa3.so');
    expect(String(error.details.osError)).toMatch(/No such file/);
    expect(error.message).toMatch(/HOTLINE_SANHUI_LIB/);
  });

  it('searches the environment variable, then the standard names and folders', () => {
    const a = sanhuiAvailability({ env: { HOTLINE_SANHUI_LIB: '/from/env/libshpa3.so' } });
    expect(a.reason).toMatch(/\/from\/env\/libshpa3\.so \(env\)/);
    const b = sanhuiAvailability({ env: {} });
    expect(b.available).toBe(false);
    expect(b.reason).toMatch(/libshpa3\.so \(standard\)/);
    expect(b.reason).toMatch(/\/usr\/lib\/libshpa3\.so \(standard\)/);
  });

  it('refuses a library that lacks required SHP_A3 functions', async () => {
    const error = await rejection(openBoard(new SanhuiDriver({ library: 'libm.so.6' })));
    expect(error.code).toBe(NativeErrorCode.SymbolMissing);
    expect(error.message).toMatch(/SsmStartCti/);
  });

  it('turns missing optional functions into missing capabilities', async () => {
    const o = await open('analog*2', {});
    await o.run(o.board.close());
    current = undefined;
    o.fb.dispose();
    const fb = createFakeBoard('analog*2,user*1');
    const driver = new SanhuiDriver({ library: minimalLibrary, config: join(fb.tempDir, 'ShConfig.ini') });
    const board = await fb.clock.run(openBoard(driver, { scheduler: fb.scheduler }));
    try {
      expect(driver.missingFunctions).toEqual(
        expect.arrayContaining(['SsmTalkWith', 'SsmCreateConfGroup', 'SsmTxDtmf']),
      );
      const caps = board.channel('0').capabilities;
      expect(caps.bridge).toBe(false);
      expect(caps.conference).toBe(false);
      expect(caps.dtmfGenerate).toBe(false);
      expect(caps.play).toBe(true);
    } finally {
      await board.close();
      fb.dispose();
    }
  });

  it('a process can exit with the board open (the event thread is unrefed and joined at teardown)', () => {
    const script = `
      const b = require(${JSON.stringify(join(packageRoot, 'build', 'Release', 'hotline_sanhui.node'))});
      b.load([${JSON.stringify(fakeLibraryPath)}]);
      require('fs').writeFileSync(${JSON.stringify('/tmp/hotline-sanhui-exit.ini')}, 'FakeChannels=analog*2\\n');
      b.start('/tmp/hotline-sanhui-exit.ini', '').then(() => {
        b.startEvents(() => {}, false);
        b.control('FakeShp_InjectCall', [0, '1', '2', 0, 0]);
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { timeout: 20_000, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('vendor error codes', () => {
  it('names every C_ERROR code and maps pending reasons and AutoDial results', () => {
    for (let code = 0; code <= 20; code++) expect(ERROR_NAMES[code]).toMatch(/^C_ERROR_/);
    expect(STATE_NAMES[7]).toBe('S_CALL_PENDING');
    expect(PENDING_NAMES[10]).toBe('PEND_WaitBckStpMsg');
    expect(hangupCauseOf(54)).toBe('normal');
    expect(hangupCauseOf(26)).toBe('busy');
    expect(dialFailureOutcome(11, 53, 25)).toBe('unallocated');
    expect(dialFailureOutcome(11, 52, 29)).toBe('congestion');
    expect(dialFailureOutcome(4, 0, undefined)).toBe('busy');
    expect(dialFailureOutcome(10, 3, undefined)).toBe('no-answer');
    expect(dialFailureOutcome(3, 2, 0)).toBe('no-dial-tone');
  });

  it('a failing SsmStartCti is a typed error with the vendor code, name and message', async () => {
    const fb = createFakeBoard('analog*2', { config: { FakeFailStart: 12 } });
    try {
      const error = await rejection(fb.clock.run(openBoard(fb.driver, { scheduler: fb.scheduler })));
      expect(error.code).toBe(ErrorCode.Driver);
      expect(error.details).toMatchObject({ op: 'SsmStartCti', vendorCode: 12, vendorName: 'C_ERROR_SYSTEM' });
      expect(error.message).toMatch(/board initialisation failed/);
    } finally {
      fb.dispose();
    }
    const missing = new SanhuiDriver({ library: fakeLibraryPath, config: '/nonexistent/ShConfig.ini' });
    const e2 = await rejection(openBoard(missing));
    expect(e2.details).toMatchObject({ vendorCode: 0, vendorName: 'C_ERROR_INIT_FAILURE' });
    expect(e2.message).toMatch(/\/nonexistent\/ShConfig\.ini/);
  });

  it('a failing command carries vendorCode/vendorName; file and codec errors are ERR_MEDIA_FORMAT', async () => {
    const o = await open('analog*2');
    const offered = firstValueFrom(o.board.incoming$);
    o.fake.injectCall({ ch: 0, from: '13800138000' });
    const { channel } = await o.run(offered);
    o.fake.failNext('SsmPickup', 14);
    const error = await rejection(o.run(channel.answer()));
    expect(error.code).toBe(ErrorCode.Driver);
    expect(error.details).toMatchObject({
      op: 'SsmPickup',
      vendorCode: 14,
      vendorName: 'C_ERROR_OP_FAILURE',
      channel: '0',
    });
    await o.run(channel.answer());
    const missing = await rejection(o.run(channel.play(join(o.fb.tempDir, 'nope.wav'))));
    expect(missing.code).toBe(ErrorCode.MediaFormat);
    expect(missing.details).toMatchObject({ vendorCode: 9, vendorName: 'C_ERROR_FILEOP_FAILURE' });
    const raw = join(o.fb.tempDir, 'prompt.xyz');
    writeFileSync(raw, Buffer.alloc(800));
    const unknown = await rejection(o.run(channel.play(raw)));
    expect(unknown.code).toBe(ErrorCode.MediaFormat);
    expect(unknown.message).toMatch(/cannot tell the codec/);
    const odd = join(o.fb.tempDir, 'gsm.wav');
    const wav = Buffer.alloc(44 + 800);
    wav.write('RIFF', 0, 'latin1');
    wav.writeUInt32LE(36 + 800, 4);
    wav.write('WAVEfmt ', 8, 'latin1');
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(49, 20); // GSM 6.10: not a codec this board plays
    wav.writeUInt16LE(1, 22);
    wav.writeUInt32LE(8000, 24);
    wav.writeUInt32LE(1625, 28);
    wav.write('data', 36, 'latin1');
    wav.writeUInt32LE(800, 40);
    writeFileSync(odd, wav);
    const format = await rejection(o.run(channel.play(odd)));
    expect(format.code).toBe(ErrorCode.MediaFormat);
    expect(format.details).toMatchObject({ vendorCode: 7, vendorName: 'C_ERROR_INVALID_FORMAT' });
    const vox = await rejection(o.run(channel.record(join(o.fb.tempDir, 'r.vox'), { encoding: 'vox' })));
    expect(vox.code).toBe(ErrorCode.MediaFormat);
  });
});

describe('China No.1 (SS1) incoming calls', () => {
  it('offers with caller, called number, KA and KD; answer sends KB=1 then picks up', async () => {
    const o = await open('ss1*4');
    const offered = firstValueFrom(o.board.incoming$);
    const id = o.fake.injectCall({ ch: 2, from: '02512345678', to: '96777', ka: 5, kd: 2 });
    const { channel, call } = await o.run(offered);
    expect(channel.id).toBe('2');
    expect(call).toMatchObject({ callerId: '02512345678', calledNumber: '96777', ka: 5, kd: 2 });
    await o.run(channel.answer());
    expect(o.fake.callState(id)).toBe(FakeCallState.connected);
    const trace: string[] = [];
    channel.signaling$.subscribe((t) => trace.push(t.message));
    o.fake.farHangup(id);
    await o.wait(100);
    expect(channel.state.state).toBe('idle');
    expect(trace.join('\n')).toMatch(/S_CALL_TALKING → S_CALL_PENDING \(PEND_RemoteHangupOnTalking\)/);
  });

  it('setKb with a busy KB refuses the call and the channel returns to idle', async () => {
    const o = await open('ss1*2');
    const offered = firstValueFrom(o.board.incoming$);
    const id = o.fake.injectCall({ ch: 0, from: '02512345678', to: '96777' });
    const { channel } = await o.run(offered);
    await o.run(channel.setKb(2));
    await o.wait(100);
    expect(o.fake.callState(id)).toBe(FakeCallState.rejected);
    expect(channel.state.state).toBe('idle');
  });
});

describe('stations', () => {
  it('dialling a station rings it with caller ID; off-hook connects; on-hook releases', async () => {
    const o = await open('analog*1,user*2');
    const station = o.board.channel('1');
    const dial = station.dial('8001', { callerId: '13800138000' });
    await o.wait(200);
    expect(o.fake.ringCallerId(1)).toBe('13800138000');
    o.fake.stationOffHook(1);
    const r = await o.run(dial);
    expect(r.outcome).toBe('answered');
    const events: ChannelEvent['type'][] = [];
    station.events$.subscribe((e) => events.push(e.type));
    o.fake.stationOnHook(1);
    await o.wait(100);
    expect(station.state.state).toBe('idle');
    expect(events).toContain('released');
  });

  it('a station going off-hook while idle offers a call; its digits arrive', async () => {
    const o = await open('user*2');
    const offered = firstValueFrom(o.board.incoming$);
    const id = o.fake.stationOffHook(0);
    const { channel } = await o.run(offered);
    await o.run(channel.answer());
    const collected = channel.collectDigits({ maxDigits: 4 });
    o.fake.pressDigits(id, '8001');
    expect((await o.run(collected)).digits).toBe('8001');
  });
});

describe('switching, conference, DTMF out', () => {
  it('bridges two calls with SsmTalkWith and unbridges on hangup', async () => {
    const o = await open('analog*3');
    const a = await answered(o, 0);
    const b = await answered(o, 1);
    await o.run(a.channel.bridge(b.channel));
    expect(o.fake.talkPeer(0)).toBe(1);
    expect(o.fake.talkPeer(1)).toBe(0);
    await o.run(a.channel.hangup());
    expect(o.fake.talkPeer(1)).toBe(-1);
  });

  it('joins and leaves a conference group; whisper is refused', async () => {
    const o = await open('analog*3');
    const a = await answered(o, 0);
    const b = await answered(o, 1);
    await o.run(a.channel.joinConference('room'));
    await o.run(b.channel.joinConference('room', { mode: 'listen' }));
    expect(o.fake.confGroup(0)).toBeGreaterThanOrEqual(0);
    expect(o.fake.confGroup(1)).toBe(o.fake.confGroup(0));
    const whisper = await rejection(o.run(b.channel.joinConference('room2', { mode: 'whisper', whisperTo: '0' })));
    expect(whisper.code).toBe(ErrorCode.Unsupported);
    await o.run(a.channel.leaveConference('room'));
    await o.run(b.channel.leaveConference('room'));
    expect(o.fake.confGroup(0)).toBe(-1);
    expect(o.fake.confGroup(1)).toBe(-1);
  });

  it('sends DTMF with SsmTxDtmf and completes on E_PROC_SendDTMF', async () => {
    const o = await open('analog*2');
    const a = await answered(o, 0);
    await o.run(a.channel.sendDigits('123#'));
    expect(o.fake.sentDigits(0)).toBe('123#');
  });
});

describe('robustness', () => {
  it('a channel fault leaves the other channels working', async () => {
    const o = await open('analog*4');
    const a = await answered(o, 0);
    const b = await answered(o, 1);
    o.fake.failChannel(0);
    await o.wait(100);
    expect(a.channel.state.state).toBe('out-of-service');
    expect(o.fake.callState(a.call)).toBe(FakeCallState.fault);
    const collected = b.channel.collectDigits({ maxDigits: 3 });
    o.fake.pressDigits(b.call, '789');
    expect((await o.run(collected)).digits).toBe('789');
    const c = await answered(o, 2);
    expect(c.channel.state.state).toBe('connected');
    o.fake.recoverChannel(0);
    await o.wait(100);
    expect(a.channel.state.state).toBe('idle');
    const again = await answered(o, 0);
    expect(again.channel.state.state).toBe('connected');
  });

  it('shutdown with calls in progress ends them, releases the lines and keeps recordings', async () => {
    const o = await open('analog*4');
    const a = await answered(o, 0);
    const b = await answered(o, 1);
    const prompt = join(o.fb.tempDir, 'p.pcm');
    writeFileSync(prompt, Buffer.alloc(16 * 60_000));
    const played = a.channel.play(prompt);
    const path = join(o.fb.tempDir, 'rec.wav');
    const recorded = b.channel.record(path, { maxDurationMs: 60_000 });
    const ringing = o.fake.injectCall({ ch: 2, from: '1' });
    await o.wait(1000);
    const playError = rejection(played);
    const recordError = rejection(recorded);
    await o.run(o.board.close());
    expect((await playError).code).toBe(ErrorCode.BoardClosed);
    expect((await recordError).code).toBe(ErrorCode.BoardClosed);
    for (const id of [a.call, b.call, ringing]) expect(o.fake.callState(id)).toBe(FakeCallState.boardReleased);
    expect(existsSync(path)).toBe(true);
    // The library is free again: a new board opens in the same process.
    current = undefined;
    o.fb.dispose();
    const next = await open('analog*1');
    expect(next.board.channels).toHaveLength(1);
  });

  it('loses no event when 120 China No.1 channels ring at once', async () => {
    const o = await open('ss1*120');
    const offers = firstValueFrom(o.board.incoming$.pipe(take(120), toArray()));
    const ids: number[] = [];
    for (let ch = 0; ch < 120; ch++)
      ids.push(o.fake.injectCall({ ch, from: `1380000${String(ch).padStart(4, '0')}`, to: '96777' }));
    const offered = await o.run(offers);
    expect(new Set(offered.map((x) => x.channel.id)).size).toBe(120);
    for (const { channel, call } of offered) expect(call.callerId).toBe(`1380000${channel.id.padStart(4, '0')}`);
    await o.run(Promise.all(offered.map((x) => x.channel.answer())));
    const collects = offered.map((x) => x.channel.collectDigits({ maxDigits: 19, firstDigitTimeoutMs: 60_000 }));
    ids.forEach((id, ch) => o.fake.pressDigits(id, `${String(ch).padStart(3, '0')}0123456789*#ABCD`));
    const results = await o.run(Promise.all(collects));
    results.forEach((r, ch) => expect(r.digits).toBe(`${String(ch).padStart(3, '0')}0123456789*#ABCD`));
    for (const x of offered) expect(x.channel.state.state).toBe('connected');
  });
});
