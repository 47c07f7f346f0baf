/**
 * The live demo behind `npm start` (until the gas call centre app takes over): a simulated board
 * in real time, callers dialling in, hearing a prompt, keying their account number as DTMF tones
 * that the soft DSP detects, and the application printing what it collected.
 *
 *   npm start                 # runs until Ctrl-C
 *   npm start -- --calls 5    # stops after five calls
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler } from 'rxjs';
import { openBoard, maskPhone, isHotlineError, type Channel } from '@hotline/cti-core';
import { FRAME_SAMPLES, ToneGenerator, writeWav, concatFrames } from '@hotline/cti-core/media';
import { SimBoard, seededRandom, synthesizeSpeech } from '@hotline/board-sim';

const argCalls = process.argv.indexOf('--calls');
const maxCalls = argCalls > 0 ? Number(process.argv[argCalls + 1]) : Number.POSITIVE_INFINITY;
const rnd = seededRandom(Date.now() % 100_000);
const t0 = Date.now();
const stamp = (): string => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const say = (line: string): void => void process.stdout.write(`${stamp()}  ${line}\n`);

// Prompts: a short beep and a "speech" prompt (the gas app ships real Mandarin prompts).
const dir = mkdtempSync(join(tmpdir(), 'hotline-demo-'));
const beepGen = new ToneGenerator({ frequencies: [950], levelDbm0: -12, cadence: [] });
const beep = new Int16Array(8 * 200);
for (let i = 0; i < beep.length; i += FRAME_SAMPLES) beepGen.fill(beep.subarray(i, i + FRAME_SAMPLES));
const welcome = join(dir, 'welcome.wav');
const thanks = join(dir, 'thanks.wav');
writeFileSync(welcome, writeWav(concatFrames([synthesizeSpeech({ durationMs: 2500, seed: 11 }), beep])));
writeFileSync(thanks, writeWav(synthesizeSpeech({ durationMs: 1200, seed: 12 })));

const sim = new SimBoard({ scheduler: asyncScheduler, analogTrunks: 4, e1Spans: 1 });
const board = await openBoard(sim.driver, { scheduler: asyncScheduler, name: 'demo' });
say(
  `board ${board.info.model}: ${board.channels.length} channels (${board.channelsOf('analog-trunk').length} analog, ${board.channelsOf('digital-trunk').length} E1 China No.1)`,
);
say('callers dial in every few seconds; press Ctrl-C to stop');

let handled = 0;
let correct = 0;

/** The application: answer, prompt with barge-in, collect the account number, thank, hang up. */
async function serve(channel: Channel): Promise<{ digits: string; reason: string }> {
  await channel.answer();
  await channel.play(welcome, { stopOnDigits: true });
  const r = await channel.collectDigits({
    maxDigits: 10,
    terminators: '#',
    firstDigitTimeoutMs: 8000,
    interDigitTimeoutMs: 4000,
  });
  await channel.play(thanks);
  await channel.hangup();
  return r;
}

board.incoming$.subscribe(({ channel, call }) => {
  say(
    `${channel.id.padEnd(6)} incoming from ${maskPhone(call.callerId) || '(anonymous)'} to ${call.calledNumber ?? '?'}${call.ka ? `, KA=${call.ka}` : ''}`,
  );
  serve(channel).then(
    (r) => say(`${channel.id.padEnd(6)} collected "${r.digits}" (${r.reason}${r.reason === 'terminator' ? ' #' : ''})`),
    (e: unknown) => say(`${channel.id.padEnd(6)} call ended early: ${isHotlineError(e) ? e.code : String(e)}`),
  );
});

/** A simulated caller: waits to hear part of the prompt, keys an account number, listens, hangs up. */
async function caller(n: number): Promise<void> {
  const from = `13${Math.floor(rnd() * 1e9)
    .toString()
    .padStart(9, '0')}`;
  const account = Math.floor(rnd() * 1e8)
    .toString()
    .padStart(8, '0');
  const party = sim.call({ from, to: '96777', trunk: rnd() < 0.5 ? 'analog' : 'e1' });
  try {
    await party.whenConnected();
    await party.waitHeard(rnd() < 0.3 ? 800 : 3000); // some callers barge in
    await party.press(`${account}#`);
    const release = await party.whenReleased();
    const ok = release.by === 'board';
    if (ok) correct++;
    say(
      `caller ${n} keyed "${account}#", heard ${(party.heardMs / 1000).toFixed(1)} s of audio, released by ${release.by}`,
    );
  } catch (e) {
    say(`caller ${n} could not get through: ${isHotlineError(e) ? e.message : String(e)}`);
  }
}

let stopping = false;
async function traffic(): Promise<void> {
  while (!stopping && handled < maxCalls) {
    handled++;
    void caller(handled);
    await new Promise((r) => setTimeout(r, 1500 + rnd() * 3000));
  }
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await new Promise((r) => setTimeout(r, 12_000));
  await board.close();
  rmSync(dir, { recursive: true, force: true });
  say(`done: ${handled} calls placed, ${correct} completed by the application`);
  process.exit(0);
}

process.on('SIGINT', () => {
  say('stopping: letting calls in progress finish');
  void stop();
});
await traffic();
void stop();
