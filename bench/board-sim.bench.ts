/**
 * board-sim density: how many channels with live media (each playing a prompt to its caller and
 * running DTMF detection on what the caller sends, while callers key digits) one core keeps in
 * real time, and memory per channel. Baseline in the same run: the bare DSP floor — the same
 * number of frames of the same caller signal (two digits, then silence) through DtmfDetector
 * alone, with no board, no channels, no prompts, no events.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualScheduler, openBoard } from '@hotline/cti-core';
import { DtmfDetector, FRAME_SAMPLES, writeWav, generateDtmf } from '@hotline/cti-core/media';
import { SimBoard, synthesizeSpeech } from '@hotline/board-sim';

const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

async function density(
  channels: number,
  dir: string,
  prompt: string,
): Promise<{ msPerTick: number; bytesPerChannel: number; digits: number }> {
  const scheduler = new VirtualScheduler(0);
  const spans = Math.ceil(channels / 30);
  const before = heap();
  const sim = new SimBoard({ scheduler, analogTrunks: 0, e1Spans: spans, keepAudio: false });
  const board = await openBoard(sim.driver, { scheduler });
  let digits = 0;
  board.channels.forEach((ch) => ch.events$.subscribe((e) => e.type === 'digit' && digits++));
  const answered: Promise<void>[] = [];
  board.incoming$.subscribe(({ channel }) => {
    answered.push(
      channel.answer().then(() => {
        void channel.play(prompt).catch(() => undefined);
      }),
    );
  });
  const callers = [];
  for (let i = 0; i < channels; i++)
    callers.push(sim.call({ from: `1380000${String(i).padStart(4, '0')}`, to: '96777', trunk: 'e1' }));
  await scheduler.run(Promise.all(callers.map((c) => c.whenConnected())), 60_000);
  await scheduler.advanceBy(100);
  const bytesPerChannel = (heap() - before) / channels;
  // Callers key digits throughout the measurement.
  callers.forEach((c, i) => void c.press(String(i % 10).repeat(1) + '#').catch(() => undefined));
  // Measure the media clock directly: each tick is 20 ms of audio on every line.
  const ticks = 250; // 5 s of audio
  for (let i = 0; i < 20; i++) sim.processTick(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ticks; i++) sim.processTick();
  const ns = Number(process.hrtime.bigint() - t0);
  await scheduler.advanceBy(100); // deliver the digit events
  await board.close();
  return { msPerTick: ns / 1e6 / ticks, bytesPerChannel, digits };
}

function dspFloor(channels: number, frames: Int16Array[]): number {
  const detectors = Array.from({ length: channels }, () => new DtmfDetector());
  const ticks = 250;
  for (let i = 0; i < 20; i++) for (const d of detectors) d.push(frames[i % frames.length]!);
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < ticks; t++) {
    const f = frames[t % frames.length]!;
    for (const d of detectors) d.push(f);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6 / ticks;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sim-'));
  const prompt = join(dir, 'prompt.wav');
  writeFileSync(prompt, writeWav(synthesizeSpeech({ durationMs: 60_000, seed: 5 })));
  // What each simulated caller sends during the measurement: a digit and '#' (80 ms on, 80 ms
  // off, as SimParty.press does), then silence, over the 270 ticks measured (incl. warm-up).
  const sig = generateDtmf('5#', { onMs: 80, offMs: 80 });
  const frames: Int16Array[] = [];
  for (let i = 0; i + FRAME_SAMPLES <= sig.length; i += FRAME_SAMPLES) frames.push(sig.slice(i, i + FRAME_SAMPLES));
  while (frames.length < 270) frames.push(new Int16Array(FRAME_SAMPLES));
  if (!gc) console.log('(run with --expose-gc for exact memory figures; `npm run bench` does)');
  console.log(
    'channels | ms per 20 ms tick | CPU share of one core | channels/core (real time) | DSP floor ms/tick | board/DSP ratio | memory/channel | digits detected',
  );
  for (const n of [120, 480, 960]) {
    const r = await density(n, dir, prompt);
    const floor = dspFloor(n, frames);
    const perCore = Math.floor((n * 20) / r.msPerTick);
    console.log(
      `${String(n).padStart(8)} | ${r.msPerTick.toFixed(3).padStart(17)} | ${((r.msPerTick / 20) * 100).toFixed(1).padStart(20)}% | ${String(perCore).padStart(25)} | ${floor.toFixed(3).padStart(17)} | ${(r.msPerTick / floor).toFixed(2).padStart(15)} | ${(r.bytesPerChannel / 1024).toFixed(1).padStart(11)} KiB | ${r.digits}`,
    );
  }
  console.log('target: ≥ 480 channels per core in real time (four 120-channel boards)');
  rmSync(dir, { recursive: true, force: true });
}
