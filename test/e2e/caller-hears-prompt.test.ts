import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { VirtualScheduler, openBoard, type Board } from '@hotline/cti-core';
import { readWav, writeWav, alawEncode, alawDecode } from '@hotline/cti-core/media';
import { SimBoard, synthesizeSpeech } from '@hotline/board-sim';

/** Normalised cross-correlation of `b` against `a` at lag `lag` (b[i] ~ a[i + lag]). */
function correlation(a: Int16Array, b: Int16Array, lag: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i + lag] ?? 0;
    const y = b[i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb || 1);
}

/** The lag at which `needle` best matches inside `haystack` (coarse search, then fine). */
function bestLag(haystack: Int16Array, needle: Int16Array): { lag: number; score: number } {
  let best = { lag: 0, score: -1 };
  const probe = needle.subarray(0, 4000);
  for (let lag = 0; lag + probe.length <= haystack.length; lag += 4) {
    const s = correlation(haystack, probe, lag);
    if (s > best.score) best = { lag, score: s };
  }
  for (let lag = Math.max(0, best.lag - 4); lag <= best.lag + 4; lag++) {
    const s = correlation(haystack, needle, lag);
    if (s > best.score || lag === best.lag) best = s > best.score ? { lag, score: s } : best;
  }
  return { lag: best.lag, score: correlation(haystack, needle, best.lag) };
}

describe('a caller dials in, hears the prompt, keys digits as tones (virtual time)', () => {
  let dir: string;
  let scheduler: VirtualScheduler;
  let sim: SimBoard;
  let board: Board;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-'));
    scheduler = new VirtualScheduler();
    sim = new SimBoard({ scheduler, analogTrunks: 2, e1Spans: 1 });
    board = await scheduler.run(openBoard(sim.driver, { scheduler }));
  });

  afterEach(async () => {
    await scheduler.run(board.close());
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [trunk, encoding] of [
    ['analog', 'pcm16'],
    ['e1', 'alaw'],
  ] as const) {
    it(`on an ${trunk} trunk with a ${encoding} prompt: the far end's audio correlates with the prompt and the digits are exact`, async () => {
      const speech = synthesizeSpeech({ durationMs: 2500, seed: 42 });
      // What the caller should hear is the prompt as decoded from its file.
      const expected = encoding === 'alaw' ? alawDecode(alawEncode(speech)) : speech;
      const prompt = join(dir, `welcome-${encoding}.wav`);
      writeFileSync(prompt, writeWav(speech, { encoding }));
      expect(readWav(writeWav(speech, { encoding })).samples).toEqual(expected);

      const t0 = scheduler.now();
      const app = (async () => {
        const { channel, call } = await firstValueFrom(board.incoming$);
        expect(call.callerId).toBe('13912345678');
        expect(call.calledNumber).toBe('96777');
        await channel.answer();
        const played = await channel.play(prompt);
        const entry = await channel.collectDigits({ maxDigits: 12, terminators: '#', firstDigitTimeoutMs: 10_000 });
        await channel.hangup();
        return { played, entry };
      })();
      const caller = sim.call({ from: '13912345678', to: '96777', trunk });
      await scheduler.run(caller.whenConnected());
      await scheduler.run(caller.waitHeard(2600));
      await scheduler.run(caller.press('0571886612#'));
      const { played, entry } = await scheduler.run(app);
      expect(played).toEqual({ reason: 'completed' });
      expect(entry).toEqual({ digits: '0571886612', reason: 'terminator', terminator: '#' });
      expect((await scheduler.run(caller.whenReleased())).by).toBe('board');

      const heard = caller.heard();
      const { lag, score } = bestLag(heard, expected);
      expect(score).toBeGreaterThan(0.999);
      // The prompt started within one frame of the answer (ringback before it is not the prompt).
      expect(lag % 160).toBe(0);
      // The whole call took seconds of virtual time and no real waiting.
      expect(scheduler.now() - t0).toBeGreaterThan(4000);
    });
  }
});
