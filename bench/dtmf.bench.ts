/**
 * B1 — DTMF detector: ns per sample, channels per core and accuracy of our `DtmfDetector`
 * against spandsp 0.0.6 `dtmf_rx` (Debian libspandsp-dev, through bench/spandsp/dtmf_rx_harness.c)
 * on the same generated PCM: nominal digits, weak digits, twist (inside and at the Q.24 edges),
 * 40 ms digits, ±1.5 % frequency offsets, and synthetic speech (talk-off), all under line noise. Both are fed 160-sample frames.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addNoise,
  concatFrames,
  DTMF_DIGITS,
  DtmfDetector,
  generateDtmf,
  splitFrames,
  type DtmfOptions,
} from '@hotline/cti-core/media';
import { speechLike } from '../packages/cti-core/src/media/test-signals.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 5; // ours and spandsp alternate, so both see the same machine load
const REPS = 4; // passes over the signal per round and side
const WARMUP = 3;

interface Section {
  readonly label: string;
  readonly pcm: Int16Array;
  readonly expected: string;
}

function sections(): Section[] {
  const gap = new Int16Array(8000);
  const dtmf = (label: string, digits: string, options: DtmfOptions): Section => ({
    label,
    pcm: concatFrames([generateDtmf(digits, { onMs: 50, offMs: 55, ...options }), gap]),
    expected: digits,
  });
  return [
    dtmf('nominal −10 dBm0, 50/55 ms', DTMF_DIGITS.repeat(20), {}),
    dtmf('weak −25 dBm0', DTMF_DIGITS.repeat(4), { levelDbm0: -25 }),
    dtmf('normal twist −6 dB', DTMF_DIGITS.repeat(4), { twistDb: -6 }),
    dtmf('reverse twist +3 dB', DTMF_DIGITS.repeat(4), { twistDb: 3 }),
    dtmf('normal twist −8 dB (Q.24 edge)', DTMF_DIGITS.repeat(4), { twistDb: -8 }),
    dtmf('reverse twist +4 dB (Q.24 edge)', DTMF_DIGITS.repeat(4), { twistDb: 4 }),
    dtmf('weak −35 dBm0', DTMF_DIGITS.repeat(2), { levelDbm0: -35 }),
    dtmf('40 ms on / 60 ms off', DTMF_DIGITS.repeat(4), { onMs: 40, offMs: 60 }),
    dtmf('frequency +1.5 %', DTMF_DIGITS.repeat(2), { frequencyDeviation: 0.015 }),
    dtmf('frequency −1.5 %', DTMF_DIGITS.repeat(2), { frequencyDeviation: -0.015 }),
    {
      label: 'synthetic speech 3 × 20 s (talk-off)',
      pcm: concatFrames([
        speechLike(20, 11, 'male', -12),
        speechLike(20, 12, 'female', -12),
        speechLike(20, 13, 'child', -12),
      ]),
      expected: '',
    },
  ].map((s, i) => ({ ...s, pcm: addNoise(s.pcm, { levelDbm0: -45 }, 1000 + i) }));
}

function ours(pcm: Int16Array, reps: number): { nsPerSample: number; digits: string } {
  const frames = splitFrames(pcm, 'keep');
  let digits = '';
  const once = (): string => {
    const det = new DtmfDetector();
    let out = '';
    for (const frame of frames) {
      const d = det.push(frame);
      if (d !== '') out += d;
    }
    return out;
  };
  for (let i = 0; i < WARMUP; i++) digits = once();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) digits = once();
  const ns = Number(process.hrtime.bigint() - t0);
  return { nsPerSample: ns / (pcm.length * Math.max(1, reps)), digits };
}

function buildPeer(): string | { skipped: string } {
  const src = join(root, 'bench/spandsp/dtmf_rx_harness.c');
  const outDir = join(root, '.bench-build');
  mkdirSync(outDir, { recursive: true });
  const exe = join(outDir, 'dtmf_rx_harness');
  try {
    execFileSync('cc', ['-O2', src, '-o', exe, '-lspandsp', '-lm'], { stdio: 'pipe' });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === 'ENOENT') return { skipped: 'no C compiler (cc)' };
    const message = String(err.stderr ?? e);
    const first = message.split('\n').find((l) => /error/.test(l)) ?? message.split('\n')[0];
    return {
      skipped: /spandsp\.h/.test(message)
        ? 'spandsp.h not found (apt-get install libspandsp-dev)'
        : /-lspandsp/.test(message)
          ? 'libspandsp not found (apt-get install libspandsp-dev)'
          : `harness build failed: ${first}`,
    };
  }
  return exe;
}

function peer(exe: string, file: string, reps: number): { nsPerSample: number; digits: string } {
  const out = execFileSync(exe, [file, String(reps)], { encoding: 'utf8' });
  const m = /ns_per_sample=([\d.]+|nan|-?inf) digits=(\S*)/.exec(out);
  if (!m) throw new Error(`unexpected harness output: ${out}`);
  return { nsPerSample: Number(m[1]), digits: m[2] ?? '' };
}

const rawBytes = (pcm: Int16Array): Uint8Array => new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const perCore = (ns: number): string => Math.round(1e9 / (ns * 8000)).toLocaleString('en-US');

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const secs = sections();
  const pcm = concatFrames(secs.map((s) => s.pcm));
  const expected = secs.map((s) => s.expected).join('');
  const dir = mkdtempSync(join(tmpdir(), 'hotline-dtmf-bench-'));
  try {
    const file = join(dir, 'dtmf.raw');
    writeFileSync(file, rawBytes(pcm));
    console.log(
      `signal: ${fmt(pcm.length / 8000)} s, ${expected.length} digits expected, noise −45 dBm0; 160-sample frames; ` +
        `${ROUNDS} alternating rounds × ${REPS} passes per side (ours after ${WARMUP} warm-up passes), best round reported`,
    );

    const exe = buildPeer();
    if (typeof exe !== 'string') console.log(`spandsp peer skipped: ${exe.skipped}`);
    let mine = { nsPerSample: Infinity, digits: '' };
    let theirs: { nsPerSample: number; digits: string } | undefined;
    const mineAll: number[] = [];
    const theirsAll: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = ours(pcm, REPS);
      mineAll.push(a.nsPerSample);
      if (a.nsPerSample < mine.nsPerSample) mine = a;
      if (typeof exe === 'string') {
        const b = peer(exe, file, REPS);
        theirsAll.push(b.nsPerSample);
        if (!theirs || b.nsPerSample < theirs.nsPerSample) theirs = b;
      }
    }
    const spread = (xs: number[]): string => `rounds ${xs.map((x) => fmt(x, 1)).join(' / ')}`;

    const row = (name: string, r: { nsPerSample: number; digits: string }): void =>
      console.log(
        `${name.padEnd(22)} ${fmt(r.nsPerSample, 2).padStart(7)} ns/sample  ${perCore(r.nsPerSample).padStart(7)} channels/core  ` +
          `digits ${r.digits.length}/${expected.length}${r.digits === expected ? ' (exact)' : ' (MISMATCH)'}`,
      );
    row('ours (TypeScript)', mine);
    console.log(`${''.padEnd(22)} ${spread(mineAll)}`);
    if (theirs) {
      row('spandsp 0.0.6 dtmf_rx', theirs);
      console.log(`${''.padEnd(22)} ${spread(theirsAll)}`);
      console.log(`ratio ours/spandsp: ${fmt(mine.nsPerSample / theirs.nsPerSample, 2)}× (target ≤ 3×)`);
    }

    console.log('per section (found/expected; talk-off = false digits):');
    for (const [i, s] of secs.entries()) {
      const a = ours(s.pcm, 0).digits;
      let b = '';
      if (typeof exe === 'string') {
        const f = join(dir, `s${i}.raw`);
        writeFileSync(f, rawBytes(s.pcm));
        b = peer(exe, f, 1).digits;
      }
      const score = (got: string): string =>
        s.expected === ''
          ? `${got.length} false`
          : `${got === s.expected ? got.length : `${got.length}≠`}/${s.expected.length}`;
      console.log(
        `  ${s.label.padEnd(38)} ours ${score(a).padEnd(10)}${typeof exe === 'string' ? ` spandsp ${score(b)}` : ''}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
