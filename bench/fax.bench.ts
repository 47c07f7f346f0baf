/**
 * B-fax — the soft fax engine (@hotline/fax-spandsp over Debian's libspandsp 0.0.6).
 *
 * 1. Line time of a 1-page A4 fax (non-ECM, fine resolution) at 9 600 bit/s (V.29) and 14 400
 *    bit/s (V.17), measured in 20 ms frames between two engine sessions, against the line time
 *    ITU-T T.30/T.4 imply for the same page: the fixed procedure (CED, V.21 frames with their
 *    1 s preambles, TCF, post-page exchange, DCN) plus the page's coded bits at the bit rate.
 * 2. Fax sessions per core: CPU cost of one session per 20 ms frame over whole faxes (both ends
 *    counted as sessions), and a real-time run — N faxes at once, every session stepped by a
 *    20 ms interval timer like a board's media clock — reporting the CPU share they use.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SpandspFaxEngine,
  findCjkFont,
  renderTextFax,
  type FaxModem,
  type SpandspFaxSession,
} from '@hotline/fax-spandsp';
import { writeTestDocument } from '../packages/fax-spandsp/src/test-documents.js';

const V21_PREAMBLE_S = 1.0; // T.30 §5.3.1: 1 s ± 15 % of flags before the first V.21 frame
const V21_BPS = 300;
const GAP_S = 0.075; // 75 ± 20 ms between signals
const CED_S = 3.0; // 2.6–4.0 s of 2 100 Hz from the called terminal
const TCF_S = 1.5; // training check, 1.5 s of zeros at the image rate
/** Image modem training (long train before TCF, short or long before the page). */
const TRAIN_S: Readonly<Record<FaxModem, { long: number; short: number }>> = {
  v17: { long: 1.393, short: 0.142 },
  v29: { long: 0.253, short: 0.253 },
  v27ter: { long: 0.943, short: 0.943 },
};

/** V.21 HDLC frame time: address, control, FCF, info, 16-bit FCS, closing flag; ~2 % bit stuffing. */
function frameS(infoBytes: number): number {
  return ((3 + infoBytes + 2 + 1) * 8 * 1.02) / V21_BPS;
}

/** The line time T.30 implies for one page without ECM: the procedure plus the page's bits. */
function impliedLineTimeS(modem: FaxModem, bitRate: number, imageBytes: number): { procedure: number; image: number } {
  const t = TRAIN_S[modem];
  const procedure =
    CED_S +
    GAP_S +
    V21_PREAMBLE_S +
    frameS(20) +
    frameS(11) +
    GAP_S + // CSI + DIS
    V21_PREAMBLE_S +
    frameS(20) +
    frameS(11) +
    GAP_S + // TSI + DCS
    t.long +
    TCF_S +
    GAP_S + // training + TCF
    V21_PREAMBLE_S +
    frameS(0) +
    GAP_S + // CFR
    t.short + // page training
    V21_PREAMBLE_S +
    frameS(0) +
    GAP_S + // EOP
    V21_PREAMBLE_S +
    frameS(0) +
    GAP_S + // MCF
    V21_PREAMBLE_S +
    frameS(0); // DCN
  return { procedure, image: (imageBytes * 8) / bitRate };
}

interface Pair {
  readonly tx: SpandspFaxSession;
  readonly rx: SpandspFaxSession;
  aOut: Int16Array;
  bOut: Int16Array;
  ended: number;
}

function pair(engine: SpandspFaxEngine, doc: string, out: string, ecm: boolean): Pair {
  const p: Pair = {
    tx: undefined as never,
    rx: undefined as never,
    aOut: new Int16Array(160),
    bOut: new Int16Array(160),
    ended: 0,
  };
  const end = (): void => {
    p.ended++;
  };
  (p as { tx: SpandspFaxSession }).tx = engine.start({
    direction: 'send',
    files: [doc],
    calling: true,
    ecm,
    onProgress: () => undefined,
    onEnd: end,
  });
  (p as { rx: SpandspFaxSession }).rx = engine.start({
    direction: 'receive',
    files: [out],
    calling: false,
    ecm,
    onProgress: () => undefined,
    onEnd: end,
  });
  return p;
}

function step(p: Pair): void {
  const a = new Int16Array(160);
  const b = new Int16Array(160);
  p.tx.process(p.bOut, a);
  p.rx.process(p.aOut, b);
  p.aOut = a;
  p.bOut = b;
}

function runToEnd(p: Pair): number {
  let frames = 0;
  while (p.ended < 2 && frames < 200_000) {
    step(p);
    frames++;
  }
  return frames;
}

export async function run(): Promise<void> {
  const probe = new SpandspFaxEngine();
  if (!probe.available) {
    console.log(`skipped: ${probe.unavailableReason}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'fax-bench-'));
  try {
    const doc = join(dir, 'a4.tif');
    const font = findCjkFont();
    if (font) {
      const letter =
        '尊敬的用户：\n\n您于 5 月 18 日反映的燃气表读数异常问题（工单号 GS20240518-0031）已处理完毕。经我公司计量检定所检测，表具计量误差在国家标准 GB/T 6968 允许范围内，读数异常系抄表录入错误所致，多收费用将在下期账单中退还。\n\n' +
        'Dear customer,\n\nYour complaint of 18 May about the gas meter reading (ticket GS20240518-0031) has been resolved. The meter was tested by our metrology laboratory and is within the tolerance of GB/T 6968; the reading was mistyped, and the overcharge will be refunded on your next bill.\n\n' +
        '如有疑问，请拨打客服热线 96777。\nFor questions, call our hotline 96777.\n\n城市燃气集团客户服务中心\nCity Gas Group Customer Service';
      writeFileSync(
        doc,
        await renderTextFax(letter, {
          company: '城市燃气集团 City Gas Group',
          date: '2024-05-20 09:00',
          headerNote: 'GS20240518-0031',
        }),
      );
      console.log(`document: 1-page A4 letter (Chinese and English, ${font}), fine resolution, 1728 × 2287`);
    } else {
      await writeTestDocument(doc, 1, { seed: 42 });
      console.log('document: 1-page A4 test pattern (no CJK font installed), fine resolution, 1728 × 2287');
    }

    console.log('\n1-page A4 fax, no ECM: line time measured vs implied by T.30/T.4');
    console.log(
      'rate        modem  coding          image bytes  implied s (procedure + image)  measured s  ratio   CPU ms (both ends)',
    );
    for (const [modem, rate] of [
      ['v29', 9600],
      ['v17', 14400],
    ] as const) {
      const engine = new SpandspFaxEngine({ modems: [modem] });
      const p = pair(engine, doc, join(dir, `rx-${modem}.tif`), false);
      const t0 = process.hrtime.bigint();
      const frames = runToEnd(p);
      const cpuMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const st = p.tx.status;
      const imageBytes = st.imageBytes ?? 0;
      const implied = impliedLineTimeS(modem, rate, imageBytes);
      const measured = st.lineTimeMs / 1000;
      const total = implied.procedure + implied.image;
      console.log(
        `${String(rate).padEnd(11)} ${modem.padEnd(6)} ${(st.coding ?? '?').padEnd(15)} ${String(imageBytes).padStart(11)}  ${total.toFixed(1).padStart(8)} (${implied.procedure.toFixed(1)} + ${implied.image.toFixed(1)})${' '.repeat(13)}${measured.toFixed(1).padStart(8)}  ${(measured / total).toFixed(2).padStart(5)}   ${cpuMs.toFixed(0).padStart(6)}  (${frames} frames)`,
      );
    }

    // CPU per session-frame over whole faxes (V.17, ECM on: the default and the busiest demodulator).
    const engine = new SpandspFaxEngine();
    const rounds = 6;
    let sessionFrames = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) sessionFrames += 2 * runToEnd(pair(engine, doc, join(dir, `cap-${i}.tif`), true));
    const nsPerSessionFrame = Number(process.hrtime.bigint() - t0) / sessionFrames;
    const perCore = 20e6 / nsPerSessionFrame;
    console.log(
      `\ncost: ${(nsPerSessionFrame / 1000).toFixed(1)} µs per session per 20 ms frame (whole faxes, V.17, ECM) → ${Math.floor(perCore)} fax sessions per core (${Math.floor(perCore / 2)} faxes if both ends are ours)`,
    );

    // Real time: N faxes at once on a 20 ms clock; CPU share used. The faxes are staggered over
    // a whole fax's length (so CED, V.21 and V.17 phases are all represented), and a fax that
    // ends is replaced by a new one, so N stay in progress.
    const n = 100;
    const typical = 1250;
    const pairs = Array.from({ length: n }, (_, i) => {
      const p = pair(engine, doc, join(dir, `rt-${i}.tif`), true);
      for (let k = 0; k < Math.floor((i * typical) / n); k++) step(p);
      return p;
    });
    let replaced = 0;
    const seconds = 5;
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    let ticks = 0;
    let late = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = w0 + (ticks + 1) * 20;
        if (performance.now() - due > 20) late++;
        // Catch up if the timer fell behind, as a board's media clock would.
        while (ticks * 20 < performance.now() - w0 && ticks < (seconds * 1000) / 20) {
          pairs.forEach((p, i) => {
            if (p.ended < 2) step(p);
            else {
              pairs[i] = pair(engine, doc, join(dir, `rt-${i}.tif`), true);
              replaced++;
            }
          });
          ticks++;
        }
        if (ticks >= (seconds * 1000) / 20) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    const wall = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    const share = (cpu.user + cpu.system) / 1000 / wall;
    for (const p of pairs) {
      p.tx.stop();
      p.rx.stop();
    }
    console.log(
      `real time: ${n} faxes (${2 * n} sessions) for ${seconds} s on a 20 ms clock: CPU ${(share * 100).toFixed(1)} % of one core, ${late} late ticks, ${replaced} faxes completed and replaced → about ${Math.floor((2 * n) / share)} sessions per core`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
