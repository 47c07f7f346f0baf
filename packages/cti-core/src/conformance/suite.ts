import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { openBoard, type Board, type BoardEvent } from '../board.js';
import type { Channel } from '../channel.js';
import { ErrorCode, isHotlineError } from '../errors.js';
import { ToneGenerator, writeWav, readWav, FRAME_SAMPLES, frameLevelDbm0 } from '../media/index.js';
import type { ChannelState } from '../types.js';
import type { ConformanceContext, ConformanceHarness, FarCall } from './harness.js';

/** Writes a WAV prompt of a 1 kHz tone of `ms` milliseconds and returns its path. */
function makePrompt(dir: string, name: string, ms: number, hz = 1000): string {
  const gen = new ToneGenerator({ frequencies: [hz], levelDbm0: -12, cadence: [] });
  const samples = new Int16Array(Math.round(ms * 8));
  for (let i = 0; i < samples.length; i += FRAME_SAMPLES) gen.fill(samples.subarray(i, i + FRAME_SAMPLES));
  const path = join(dir, `${name}.wav`);
  writeFileSync(path, writeWav(samples));
  return path;
}

/** Distinct file names for recordings within one run. */
let fileSeq = 0;

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a rejection with ${code}`).toBeDefined();
  expect(isHotlineError(error), `expected a HotlineError, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

/**
 * The driver conformance kit: one vitest suite that every board driver runs, against its fake
 * vendor library in CI and against real hardware when present. It checks the SPI contract (event
 * correlation, idempotent stops and hangups, typed errors) through the SDK semantics that
 * cti-core builds on it (states, cancellation, hangup during operations, timeouts, bridge).
 *
 * ```ts
 * describeDriverConformance({ name: 'my-board', setup: async () => ({ driver, scheduler, far, run, wait, tempDir }) });
 * ```
 */
export function describeDriverConformance(harness: ConformanceHarness): void {
  const suite = harness.skip ? describe.skip : describe;
  suite(`driver conformance: ${harness.name}${harness.skip ? ` (skipped: ${harness.skip})` : ''}`, () => {
    let ctx: ConformanceContext;
    let board: Board;
    let prompts: { short: string; long: string };
    let boardEvents: BoardEvent[];

    beforeEach(async () => {
      ctx = await harness.setup();
      board = await ctx.run(openBoard(ctx.driver, { scheduler: ctx.scheduler, name: 'conf' }));
      boardEvents = [];
      board.events$.subscribe((e) => boardEvents.push(e));
      const dir = mkdtempSync(join(ctx.tempDir || tmpdir(), 'prompts-'));
      prompts = { short: makePrompt(dir, 'short', 1000), long: makePrompt(dir, 'long', 20_000, 800) };
    });

    afterEach(async () => {
      await ctx.run(board.close());
      await ctx.teardown?.();
      // No illegal transition may have been reported by any test.
      expect(boardEvents.filter((e) => e.type === 'illegal-transition')).toEqual([]);
    });

    /** A caller dials in; returns the answered channel and the caller. */
    async function inbound(from = '13800138000', to = '96777'): Promise<{ channel: Channel; caller: FarCall }> {
      const offered = firstValueFrom(board.incoming$);
      const caller = ctx.far.call({ from, to });
      const { channel } = await ctx.run(offered, 30_000);
      await ctx.run(channel.answer());
      await ctx.run(caller.whenConnected());
      return { channel, caller };
    }

    const trunk = (): Channel => {
      const ch = board.channels.find(
        (c) => c.info.kind !== 'station' && c.capabilities.outbound && c.state.state === 'idle',
      );
      if (!ch) throw new Error('the harness board has no idle outbound trunk');
      return ch;
    };

    describe('open', () => {
      it('declares channels with unique ids, consistent capabilities, all idle', () => {
        expect(board.channels.length).toBeGreaterThan(0);
        const ids = new Set(board.channels.map((c) => c.id));
        expect(ids.size).toBe(board.channels.length);
        board.channels.forEach((c, i) => {
          expect(c.index).toBe(i);
          expect(c.state.state).toBe('idle');
          if (c.capabilities.play || c.capabilities.record) expect(c.capabilities.encodings.length).toBeGreaterThan(0);
        });
        expect(board.channel(board.channels[0]!.id)).toBe(board.channels[0]);
        expect(() => board.channel('no-such-channel')).toThrow(/no channel/);
      });
    });

    describe('inbound calls', () => {
      it('offers a call with its numbers, answers it, and walks offered → connected', async () => {
        const offered = firstValueFrom(board.incoming$);
        ctx.far.call({ from: '13800138000', to: '96777' });
        const { channel, call } = await ctx.run(offered, 30_000);
        expect(call.direction).toBe('inbound');
        if (channel.capabilities.callerId) expect(call.callerId).toBe('13800138000');
        expect(channel.state.state).toBe('offered');
        const states = channel.state$.pipe(take(2), toArray());
        const seen = firstValueFrom(states);
        await ctx.run(channel.answer());
        expect((await ctx.run(seen)).map((s: ChannelState) => s.state)).toEqual(['offered', 'connected']);
        expect(channel.call?.answeredAt).toBeDefined();
      });

      it('a caller who hangs up before answer leaves the channel idle', async () => {
        const offered = firstValueFrom(board.incoming$);
        const caller = ctx.far.call({ from: '13800138001' });
        const { channel } = await ctx.run(offered, 30_000);
        caller.hangup();
        await ctx.wait(500);
        expect(channel.state.state).toBe('idle');
        await expectCode(channel.answer(), ErrorCode.IllegalState);
      });

      it('local hangup releases the far end and returns to idle', async () => {
        const { channel, caller } = await inbound();
        await ctx.run(channel.hangup());
        expect(channel.state.state).toBe('idle');
        expect((await ctx.run(caller.whenReleased())).by).toBe('board');
        await ctx.run(channel.hangup()); // idempotent
      });

      it('far-end hangup releases the channel by itself and reports it', async () => {
        const { channel, caller } = await inbound();
        const events: string[] = [];
        channel.events$.subscribe((e) => events.push(e.type));
        caller.hangup();
        await ctx.wait(1000);
        expect(channel.state.state).toBe('idle');
        expect(events).toContain('released');
      });
    });

    describe('digits', () => {
      it('collects digits keyed by the caller, ending on the terminator', async () => {
        const { channel, caller } = await inbound();
        const collected = channel.collectDigits({ maxDigits: 16, terminators: '#', firstDigitTimeoutMs: 10_000 });
        await ctx.wait(200);
        void caller.press('1234567890#');
        const result = await ctx.run(collected);
        expect(result).toEqual({ digits: '1234567890', reason: 'terminator', terminator: '#' });
      });

      it('ends on max digits and keeps the rest for the next collect (type-ahead)', async () => {
        const { channel, caller } = await inbound();
        await ctx.run(caller.press('4321'));
        await ctx.wait(300);
        const first = await ctx.run(channel.collectDigits({ maxDigits: 2 }));
        expect(first).toEqual({ digits: '43', reason: 'max-digits' });
        const second = await ctx.run(channel.collectDigits({ maxDigits: 5, interDigitTimeoutMs: 1000 }));
        expect(second).toEqual({ digits: '21', reason: 'inter-digit-timeout' });
      });

      it('times out on the first digit and between digits', async () => {
        const { channel, caller } = await inbound();
        const t0 = ctx.scheduler.now();
        const none = await ctx.run(channel.collectDigits({ maxDigits: 4, firstDigitTimeoutMs: 3000 }));
        expect(none).toEqual({ digits: '', reason: 'first-digit-timeout' });
        expect(ctx.scheduler.now() - t0).toBeGreaterThanOrEqual(3000);
        const collected = channel.collectDigits({ maxDigits: 4, interDigitTimeoutMs: 2000 });
        void caller.press('7');
        expect(await ctx.run(collected)).toEqual({ digits: '7', reason: 'inter-digit-timeout' });
      });

      it('flush discards type-ahead', async () => {
        const { channel, caller } = await inbound();
        await ctx.run(caller.press('99'));
        await ctx.wait(300);
        const r = await ctx.run(channel.collectDigits({ maxDigits: 1, flush: true, firstDigitTimeoutMs: 1000 }));
        expect(r.reason).toBe('first-digit-timeout');
      });

      it('rejects bad arguments with typed errors', async () => {
        const { channel } = await inbound();
        await expectCode(channel.collectDigits({ maxDigits: 0 }), ErrorCode.InvalidArgument);
        await expectCode(channel.collectDigits({ terminators: 'x' }), ErrorCode.InvalidArgument);
        await expectCode(channel.collectDigits({ firstDigitTimeoutMs: -1 }), ErrorCode.InvalidArgument);
        if (channel.capabilities.dtmfGenerate) await expectCode(channel.sendDigits('12X4'), ErrorCode.InvalidArgument);
      });
    });

    describe('play', () => {
      it('plays a prompt to the end', async () => {
        const { channel, caller } = await inbound();
        const t0 = ctx.scheduler.now();
        expect(await ctx.run(channel.play(prompts.short))).toEqual({ reason: 'completed' });
        expect(ctx.scheduler.now() - t0).toBeGreaterThanOrEqual(900);
        if (ctx.far.supports.audio && caller.heard) {
          const heard = caller.heard();
          let loud = 0;
          for (let i = 0; i + FRAME_SAMPLES <= heard.length; i += FRAME_SAMPLES) {
            if (frameLevelDbm0(heard.subarray(i, i + FRAME_SAMPLES)) > -20) loud++;
          }
          expect(loud * 20).toBeGreaterThanOrEqual(900);
        }
      });

      it('plays a list back to back', async () => {
        const { channel } = await inbound();
        const t0 = ctx.scheduler.now();
        await ctx.run(channel.play([prompts.short, prompts.short, prompts.short]));
        expect(ctx.scheduler.now() - t0).toBeGreaterThanOrEqual(2900);
      });

      it('barge-in: a key stops the prompt and stays buffered', async () => {
        const { channel, caller } = await inbound();
        const played = channel.play(prompts.long, { stopOnDigits: true });
        await ctx.wait(1500);
        void caller.press('5');
        expect(await ctx.run(played)).toEqual({ reason: 'digit', digit: '5' });
        const r = await ctx.run(channel.collectDigits({ maxDigits: 1 }));
        expect(r.digits).toBe('5');
      });

      it('keys outside the stop set do not stop the prompt', async () => {
        const { channel, caller } = await inbound();
        const played = channel.play(prompts.short, { stopOnDigits: '#' });
        await ctx.wait(100);
        void caller.press('1');
        expect(await ctx.run(played)).toEqual({ reason: 'completed' });
      });

      it('unsubscribing stops the prompt, and the channel can play again', async () => {
        const { channel } = await inbound();
        const sub = channel.play$(prompts.long).subscribe();
        await ctx.wait(500);
        sub.unsubscribe();
        await ctx.wait(200);
        expect(await ctx.run(channel.play(prompts.short))).toEqual({ reason: 'completed' });
      });

      it('an AbortSignal cancels with ERR_CANCELED', async () => {
        const { channel } = await inbound();
        const ac = new AbortController();
        const played = channel.play(prompts.long, { signal: ac.signal });
        await ctx.wait(300);
        ac.abort();
        await expectCode(ctx.run(played), ErrorCode.Canceled);
      });

      it('refuses a second play while one runs, and a missing file, with typed errors', async () => {
        const { channel } = await inbound();
        const firstOutcome = channel.play(prompts.long).then(
          () => undefined,
          (e: unknown) => e,
        );
        await expectCode(channel.play(prompts.short), ErrorCode.Busy);
        await ctx.run(channel.hangup());
        expect(isHotlineError(await firstOutcome, ErrorCode.Hangup)).toBe(true);
        const again = await inbound('13800138002');
        await expectCode(ctx.run(again.channel.play(join(ctx.tempDir, 'does-not-exist.wav'))), ErrorCode.MediaFormat);
      });

      it('far-end hangup ends a play with ERR_HANGUP', async () => {
        const { channel, caller } = await inbound();
        const played = channel.play(prompts.long);
        await ctx.wait(1000);
        caller.hangup();
        const error = await ctx.run(played).catch((e: unknown) => e);
        expect(isHotlineError(error, ErrorCode.Hangup)).toBe(true);
        expect((error as { hangup: boolean }).hangup).toBe(true);
      });

      it('far-end hangup ends a collect with ERR_HANGUP', async () => {
        const { channel, caller } = await inbound();
        const collected = channel.collectDigits({ maxDigits: 4, firstDigitTimeoutMs: 20_000 });
        await ctx.wait(1000);
        caller.hangup();
        await expectCode(ctx.run(collected), ErrorCode.Hangup);
      });
    });

    describe('record', () => {
      it('stops at the maximum duration and writes a readable file', async () => {
        const { channel } = await inbound();
        const path = join(ctx.tempDir, `max-${++fileSeq}.wav`);
        const r = await ctx.run(channel.record(path, { maxDurationMs: 2000 }));
        expect(r.reason).toBe('max-duration');
        expect(r.durationMs).toBeGreaterThanOrEqual(1900);
        expect(r.durationMs).toBeLessThanOrEqual(2200);
        expect(existsSync(path)).toBe(true);
        const wav = readWav(readFileSync(path), path);
        expect(wav.samples.length / 8).toBeGreaterThanOrEqual(1900);
      });

      it('stops on a digit, which is not left in the buffer', async () => {
        const { channel, caller } = await inbound();
        const path = join(ctx.tempDir, `digit-${++fileSeq}.wav`);
        const recorded = channel.record(path, { stopOnDigits: '#', maxDurationMs: 30_000 });
        await ctx.wait(1500);
        void caller.press('#');
        const r = await ctx.run(recorded);
        expect(r.reason).toBe('digit');
        expect(r.digit).toBe('#');
        expect(channel.bufferedDigits).toBe('');
      });

      it('a far-end hangup ends a recording normally and keeps the file (voicemail)', async () => {
        const { channel, caller } = await inbound();
        const path = join(ctx.tempDir, `vm-${++fileSeq}.wav`);
        const recorded = channel.record(path, { maxDurationMs: 60_000 });
        await ctx.wait(3000);
        caller.hangup();
        const r = await ctx.run(recorded);
        expect(r.reason).toBe('hangup');
        expect(r.durationMs).toBeGreaterThanOrEqual(2500);
        expect(existsSync(path)).toBe(true);
      });

      it('unsubscribing stops the recording', async () => {
        const { channel } = await inbound();
        const path = join(ctx.tempDir, `stop-${++fileSeq}.wav`);
        const sub = channel.record$(path).subscribe();
        await ctx.wait(1000);
        sub.unsubscribe();
        await ctx.wait(200);
        expect(existsSync(path)).toBe(true);
      });
    });

    describe('outbound calls', () => {
      const behaviours = [
        ['busy', 'busy'],
        ['unallocated', 'unallocated'],
        ['congestion', 'congestion'],
      ] as const;
      for (const [behaviour, outcome] of behaviours) {
        it(`a ${behaviour} number ends with ${outcome} and the channel idle`, async (test) => {
          if (!ctx.far.supports.outbound.includes(behaviour)) return test.skip();
          ctx.far.subscriber('88880001', behaviour);
          const ch = trunk();
          const r = await ctx.run(ch.dial('88880001'), 120_000);
          expect(r.outcome).toBe(outcome);
          expect(r.connected).toBe(false);
          expect(ch.state.state).toBe('idle');
        });
      }

      it('an answered call connects, reports progress, and carries digits both ways', async (test) => {
        if (!ctx.far.supports.outbound.includes('answer')) return test.skip();
        ctx.far.subscriber('88880002', 'answer', { afterRings: 2 });
        const ch = trunk();
        const stages: string[] = [];
        const done = new Promise<unknown>((resolve, reject) =>
          ch.dial$('88880002').subscribe({
            next: (e) => {
              if (e.kind === 'progress') stages.push(e.progress);
              else resolve(e.result);
            },
            error: reject,
          }),
        );
        const r = (await ctx.run(done, 120_000)) as { outcome: string; connected: boolean };
        expect(r.outcome).toBe('answered');
        expect(r.connected).toBe(true);
        expect(stages).toContain('alerting');
        expect(ch.state.state).toBe('connected');
        const party = ctx.far.answeredParty(ch.id);
        expect(party).toBeDefined();
        const collected = ch.collectDigits({ maxDigits: 3, firstDigitTimeoutMs: 10_000 });
        void party!.press('246');
        expect((await ctx.run(collected)).digits).toBe('246');
        await ctx.run(ch.hangup());
        expect((await ctx.run(party!.whenReleased())).by).toBe('board');
      });

      it('a number nobody answers ends with no-answer after the ring timeout', async (test) => {
        if (!ctx.far.supports.outbound.includes('no-answer')) return test.skip();
        ctx.far.subscriber('88880003', 'no-answer');
        const ch = trunk();
        const t0 = ctx.scheduler.now();
        const r = await ctx.run(ch.dial('88880003', { noAnswerTimeoutMs: 20_000 }), 120_000);
        expect(r.outcome).toBe('no-answer');
        expect(ctx.scheduler.now() - t0).toBeGreaterThanOrEqual(20_000);
        expect(ch.state.state).toBe('idle');
      });

      it('tells an answering machine and a fax from a person', async (test) => {
        const sup = ctx.far.supports.outbound;
        if (!sup.includes('answering-machine') || !sup.includes('fax')) return test.skip();
        ctx.far.subscriber('88880004', 'answering-machine');
        ctx.far.subscriber('88880005', 'fax');
        ctx.far.subscriber('88880006', 'answer');
        const a = trunk();
        const r1 = await ctx.run(a.dial('88880004', { detectAnswerType: true }), 120_000);
        expect(r1.outcome).toBe('answering-machine');
        await ctx.run(a.hangup());
        const r2 = await ctx.run(a.dial('88880005', { detectAnswerType: true }), 120_000);
        expect(r2.outcome).toBe('fax-tone');
        await ctx.run(a.hangup());
        const r3 = await ctx.run(a.dial('88880006', { detectAnswerType: true }), 120_000);
        expect(r3.outcome).toBe('answered');
        await ctx.run(a.hangup());
      });

      it('cancelling a dial releases the line', async (test) => {
        if (!ctx.far.supports.outbound.includes('no-answer')) return test.skip();
        ctx.far.subscriber('88880007', 'no-answer');
        const ch = trunk();
        const sub = ch.dial$('88880007').subscribe();
        await ctx.wait(3000);
        sub.unsubscribe();
        await ctx.wait(500);
        expect(ch.state.state).toBe('idle');
      });

      it('refuses to dial a malformed number or on a busy channel', async () => {
        const ch = trunk();
        await expectCode(ch.dial('12-34'), ErrorCode.InvalidArgument);
        await expectCode(ch.dial(''), ErrorCode.InvalidArgument);
        const { channel } = await inbound();
        await expectCode(channel.dial('12345'), ErrorCode.IllegalState);
      });
    });

    describe('state rules', () => {
      it('refuses operations on an idle channel with ERR_ILLEGAL_STATE', async () => {
        const ch = trunk();
        await expectCode(ch.play(prompts.short), ErrorCode.IllegalState);
        await expectCode(ch.collectDigits(), ErrorCode.IllegalState);
        await expectCode(ch.answer(), ErrorCode.IllegalState);
        await expectCode(ch.record(join(ctx.tempDir, 'x.wav')), ErrorCode.IllegalState);
      });
    });

    describe('bridge', () => {
      it('connects two calls; the audio of one reaches the other', async () => {
        const a = await inbound('13800138010');
        const b = await inbound('13800138011');
        await ctx.run(a.channel.bridge(b.channel));
        expect(a.channel.bridgedTo).toBe(b.channel);
        if (ctx.far.supports.audio && a.caller.say && b.caller.heard) {
          const gen = new ToneGenerator({ frequencies: [600], levelDbm0: -10, cadence: [] });
          const tone = new Int16Array(8000);
          for (let i = 0; i < tone.length; i += FRAME_SAMPLES) gen.fill(tone.subarray(i, i + FRAME_SAMPLES));
          const before = b.caller.heard().length;
          await ctx.run(a.caller.say(tone));
          await ctx.wait(200);
          const heard = b.caller.heard().subarray(before);
          let loud = 0;
          for (let i = 0; i + FRAME_SAMPLES <= heard.length; i += FRAME_SAMPLES) {
            if (frameLevelDbm0(heard.subarray(i, i + FRAME_SAMPLES)) > -20) loud++;
          }
          expect(loud * 20).toBeGreaterThanOrEqual(800);
        }
        // One side hanging up unbridges the other, which stays connected.
        a.caller.hangup();
        await ctx.wait(1000);
        expect(b.channel.bridgedTo).toBeUndefined();
        expect(b.channel.state.state).toBe('connected');
      });
    });

    describe('faults', () => {
      it('a faulted channel ends its operations and goes out of service; others carry on', async (test) => {
        if (!ctx.far.supports.faults || !ctx.far.fault || !ctx.far.recover) return test.skip();
        const a = await inbound('13800138020');
        const b = await inbound('13800138021');
        const played = a.channel.play(prompts.long);
        await ctx.wait(500);
        ctx.far.fault(a.channel.id);
        await expectCode(ctx.run(played), ErrorCode.ChannelFault);
        expect(a.channel.state.state).toBe('out-of-service');
        expect(boardEvents.some((e) => e.type === 'fault' && e.channel === a.channel.id)).toBe(true);
        expect(await ctx.run(b.channel.play(prompts.short))).toEqual({ reason: 'completed' });
        ctx.far.recover(a.channel.id);
        await ctx.wait(100);
        expect(a.channel.state.state).toBe('idle');
      });
    });

    describe('close', () => {
      it('ends operations in flight with ERR_BOARD_CLOSED and completes the streams', async () => {
        const { channel } = await inbound();
        const played = channel.play(prompts.long).then(
          () => undefined,
          (e: unknown) => e,
        );
        let completed = false;
        board.incoming$.subscribe({ complete: () => (completed = true) });
        await ctx.run(board.close());
        expect(isHotlineError(await played, ErrorCode.BoardClosed)).toBe(true);
        expect(completed).toBe(true);
        await expectCode(channel.play(prompts.short), ErrorCode.BoardClosed);
      });
    });
  });
}
