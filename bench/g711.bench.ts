/**
 * B2 — G.711 codec: µs per 160-sample frame for our table-driven A-law/µ-law encode and decode
 * (into a reused buffer, and allocating), against a naive per-sample computational codec in the
 * same run. Bit-exactness of the tables against the computational reference over all 65 536
 * samples / 256 codes is the pass gate (the reference itself is checked against spandsp's
 * outputs in g711.test.ts).
 */
import {
  alawDecode,
  alawEncode,
  computeAlawToLinear,
  computeLinearToAlaw,
  computeLinearToUlaw,
  computeUlawToLinear,
  generateTone,
  addNoise,
  ulawDecode,
  ulawEncode,
} from '@hotline/cti-core/media';

const FRAMES = 20_000;

function time(label: string, fn: () => void): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  const reps = 5;
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  const usPerFrame = best / 1000 / FRAMES;
  console.log(
    `  ${label.padEnd(44)} ${usPerFrame.toFixed(3).padStart(7)} µs/frame  ${(best / FRAMES / 160).toFixed(2).padStart(6)} ns/sample  ${Math.round(
      1 / (usPerFrame * 1e-6 * 50),
    )
      .toLocaleString('en-US')
      .padStart(9)} streams/core`,
  );
  return usPerFrame;
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  // gate: bit-exact over every input
  let mismatches = 0;
  const all = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) all[i] = i - 32768;
  const a = alawEncode(all);
  const u = ulawEncode(all);
  for (let i = 0; i < 65536; i++) {
    if (a[i] !== computeLinearToAlaw(all[i]!) || u[i] !== computeLinearToUlaw(all[i]!)) mismatches++;
  }
  const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const ad = alawDecode(codes);
  const ud = ulawDecode(codes);
  for (let c = 0; c < 256; c++) if (ad[c] !== computeAlawToLinear(c) || ud[c] !== computeUlawToLinear(c)) mismatches++;
  console.log(
    `bit-exact gate (65 536 samples + 256 codes, both laws): ${mismatches === 0 ? 'PASS' : `FAIL (${mismatches} mismatches)`}`,
  );
  if (mismatches > 0) process.exitCode = 1;

  const pcm = addNoise(generateTone([450, 1336], 20 * 64, -8), { levelDbm0: -30 }, 1); // 64 distinct frames
  const frames = Array.from({ length: 64 }, (_, i) => pcm.subarray(i * 160, (i + 1) * 160));
  const encoded = frames.map((f) => alawEncode(f));
  const encodedU = frames.map((f) => ulawEncode(f));
  const outBytes = new Uint8Array(160);
  const outPcm = new Int16Array(160);
  let sink = 0;

  console.log(`${FRAMES.toLocaleString('en-US')} frames of 160 samples, best of 5:`);
  const encT = time('A-law encode, table, reused buffer', () => {
    for (let i = 0; i < FRAMES; i++) sink += alawEncode(frames[i & 63]!, outBytes)[0]!;
  });
  time('A-law encode, table, allocating', () => {
    for (let i = 0; i < FRAMES; i++) sink += alawEncode(frames[i & 63]!)[0]!;
  });
  const encN = time('A-law encode, naive per-sample computation', () => {
    for (let i = 0; i < FRAMES; i++) {
      const f = frames[i & 63]!;
      for (let k = 0; k < 160; k++) outBytes[k] = computeLinearToAlaw(f[k]!);
      sink += outBytes[0]!;
    }
  });
  const decT = time('A-law decode, table, reused buffer', () => {
    for (let i = 0; i < FRAMES; i++) sink += alawDecode(encoded[i & 63]!, outPcm)[0]!;
  });
  time('A-law decode, table, allocating', () => {
    for (let i = 0; i < FRAMES; i++) sink += alawDecode(encoded[i & 63]!)[0]!;
  });
  const decN = time('A-law decode, naive per-sample computation', () => {
    for (let i = 0; i < FRAMES; i++) {
      const f = encoded[i & 63]!;
      for (let k = 0; k < 160; k++) outPcm[k] = computeAlawToLinear(f[k]!);
      sink += outPcm[0]!;
    }
  });
  const uEncT = time('µ-law encode, table, reused buffer', () => {
    for (let i = 0; i < FRAMES; i++) sink += ulawEncode(frames[i & 63]!, outBytes)[0]!;
  });
  const uEncN = time('µ-law encode, naive per-sample computation', () => {
    for (let i = 0; i < FRAMES; i++) {
      const f = frames[i & 63]!;
      for (let k = 0; k < 160; k++) outBytes[k] = computeLinearToUlaw(f[k]!);
      sink += outBytes[0]!;
    }
  });
  const uDecT = time('µ-law decode, table, reused buffer', () => {
    for (let i = 0; i < FRAMES; i++) sink += ulawDecode(encodedU[i & 63]!, outPcm)[0]!;
  });
  const uDecN = time('µ-law decode, naive per-sample computation', () => {
    for (let i = 0; i < FRAMES; i++) {
      const f = encodedU[i & 63]!;
      for (let k = 0; k < 160; k++) outPcm[k] = computeUlawToLinear(f[k]!);
      sink += outPcm[0]!;
    }
  });
  console.log(
    `speed-up table vs naive: A-law encode ${(encN / encT).toFixed(1)}×, decode ${(decN / decT).toFixed(1)}×; ` +
      `µ-law encode ${(uEncN / uEncT).toFixed(1)}×, decode ${(uDecN / uDecT).toFixed(1)}× (checksum ${sink & 0xff})`,
  );
}
