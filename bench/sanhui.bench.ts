/**
 * Synway driver event path: events per second from the fake libshpa3.so through the addon's
 * event thread and thread-safe function to the SDK surface (`Channel.events$`), and the latency
 * each event gains, against the same events emitted from plain JavaScript into the same cti-core
 * board (same channels, same subscribers).
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openBoard, type Board, type BoardDriver, type BoardInfo, type DriverEmitter } from '@hotline/cti-core';
import { SanhuiDriver, sanhuiAvailability } from '@hotline/board-sanhui';
import { FakeShpa3, fakeLibraryPath, writeFakeConfig } from '@hotline/board-sanhui/testing';

const CHANNELS = 120;
const DIGITS_PER_CHANNEL = 500;
const LATENCY_SAMPLES = 2000;

/** A driver whose events come from plain JS: the baseline. */
function jsDriver(info: BoardInfo): BoardDriver & { emitDigit(ch: string, d: string): void } {
  const events = new EventEmitter() as unknown as DriverEmitter;
  const ok = async (): Promise<void> => undefined;
  return {
    name: 'js-baseline',
    events,
    open: async () => info,
    close: ok,
    answer: ok,
    hangup: ok,
    dial: ok,
    play: ok,
    stopPlay: ok,
    record: ok,
    stopRecord: ok,
    sendDigits: ok,
    bridge: ok,
    unbridge: ok,
    joinConference: ok,
    leaveConference: ok,
    fax: ok,
    stopFax: ok,
    emitDigit: (channel, digit) => events.emit('digit', { channel, digit }),
  };
}

function digitsArriving(board: Board, total: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    for (const ch of board.channels) {
      ch.events$.subscribe((e) => {
        if (e.type === 'digit' && ++seen === total) resolve();
      });
    }
  });
}

function nextDigit(board: Board, channel: string): Promise<void> {
  return new Promise((resolve) => {
    const sub = board.channel(channel).events$.subscribe((e) => {
      if (e.type === 'digit') {
        sub.unsubscribe();
        resolve();
      }
    });
  });
}

export async function run(): Promise<void> {
  const a = sanhuiAvailability({ library: fakeLibraryPath });
  if (!a.available) {
    console.log(`skipped: ${a.reason ?? 'the addon or the fake library is not built'}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sanhui-bench-'));
  const driver = new SanhuiDriver({
    library: fakeLibraryPath,
    config: writeFakeConfig(dir, `ss1*${CHANNELS}`, { AutoSendKB: 1 }),
    keepAlive: true, // nothing else keeps this process alive while it waits for board events
  });
  const board = await openBoard(driver);
  const fake = new FakeShpa3(driver.native!);
  // Connect every channel.
  const offered = new Promise<void>((resolve) => {
    let n = 0;
    board.incoming$.subscribe(({ channel }) => {
      void channel.answer().then(() => {
        if (++n === CHANNELS) resolve();
      });
    });
  });
  const calls: number[] = [];
  for (let ch = 0; ch < CHANNELS; ch++) calls.push(fake.injectCall({ ch, from: '13800138000', to: '96777' }));
  await offered;

  // Throughput: every channel keys DIGITS_PER_CHANNEL digits at once.
  const total = CHANNELS * DIGITS_PER_CHANNEL;
  const keyed = '0123456789*#ABCD'.repeat(Math.ceil(DIGITS_PER_CHANNEL / 16)).slice(0, DIGITS_PER_CHANNEL);
  let arrived = digitsArriving(board, total);
  const statsBefore = driver.native!.stats();
  let t0 = performance.now();
  for (const id of calls) fake.pressDigits(id, keyed);
  await arrived;
  const nativeMs = performance.now() - t0;
  const stats = driver.native!.stats();
  const batches = stats.batches - statsBefore.batches;

  // Latency: one digit at a time, injected → seen on Channel.events$.
  let nativeLatency = 0;
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const seen = nextDigit(board, '0');
    const s = performance.now();
    fake.pressDigits(calls[0]!, '5');
    await seen;
    nativeLatency += performance.now() - s;
  }
  await board.close();

  // Baseline: the same events from plain JS into the same kind of board.
  const js = jsDriver({ ...board.info });
  const jsBoard = await openBoard(js);
  for (const ch of jsBoard.channels) {
    js.events.emit('offered', { channel: ch.id, callerId: '13800138000' });
    await ch.answer();
  }
  arrived = digitsArriving(jsBoard, total);
  t0 = performance.now();
  // Delivered from a macrotask, in batches of the size the addon used, like the addon's TSFN.
  const per = Math.max(1, Math.round(total / Math.max(batches, 1)));
  const ids = jsBoard.channels.map((c) => c.id);
  let sent = 0;
  const pump = (): void => {
    const end = Math.min(total, sent + per);
    for (; sent < end; sent++) js.emitDigit(ids[sent % CHANNELS]!, keyed[Math.floor(sent / CHANNELS)]!);
    if (sent < total) setImmediate(pump);
  };
  setImmediate(pump);
  await arrived;
  const jsMs = performance.now() - t0;
  let jsLatency = 0;
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const seen = nextDigit(jsBoard, '0');
    const s = performance.now();
    setImmediate(() => js.emitDigit('0', '5'));
    await seen;
    jsLatency += performance.now() - s;
  }
  await jsBoard.close();
  rmSync(dir, { recursive: true, force: true });

  const nativeRate = total / (nativeMs / 1000);
  const jsRate = total / (jsMs / 1000);
  const nl = (nativeLatency / LATENCY_SAMPLES) * 1000;
  const jl = (jsLatency / LATENCY_SAMPLES) * 1000;
  console.log(
    `burst: ${CHANNELS} channels x ${DIGITS_PER_CHANNEL} digits = ${total} events (${batches} addon batches, ${(total / Math.max(batches, 1)).toFixed(0)} events/batch)`,
  );
  console.log(
    `  fake → addon thread → TSFN → driver → Channel.events$ : ${nativeRate.toFixed(0).padStart(9)} events/s (${nativeMs.toFixed(1)} ms)`,
  );
  console.log(
    `  plain JS emitter → driver SPI → Channel.events$         : ${jsRate.toFixed(0).padStart(9)} events/s (${jsMs.toFixed(1)} ms)`,
  );
  console.log(`  ratio native/js throughput: ${(nativeRate / jsRate).toFixed(2)}`);
  console.log(
    `single event latency (mean of ${LATENCY_SAMPLES}): native ${nl.toFixed(1)} µs, js (setImmediate) ${jl.toFixed(1)} µs, added ${(nl - jl).toFixed(1)} µs/event, ratio ${(nl / jl).toFixed(2)}`,
  );
}
