import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHotlineError } from '../errors.js';
import { alawEncode } from './g711.js';
import { readWav, writeWav, type WavEncoding } from './wav.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const sha256 = (pcm: Int16Array): string =>
  createHash('sha256')
    .update(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength))
    .digest('hex');

function mediaError(fn: () => unknown): Error & { code: string } {
  try {
    fn();
  } catch (e) {
    if (isHotlineError(e, 'ERR_MEDIA_FORMAT')) return e;
    throw e;
  }
  throw new Error('expected ERR_MEDIA_FORMAT, nothing thrown');
}

function sine(n: number, hz: number, amp: number): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

/** Builds a RIFF file from raw chunks (for malformed-input cases). */
function riff(chunks: Array<[string, Uint8Array, number?]>): Uint8Array {
  const parts: number[] = [];
  for (const [id, body, declared] of chunks) {
    for (const c of id) parts.push(c.charCodeAt(0));
    const size = declared ?? body.length;
    parts.push(size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff);
    parts.push(...body);
    if (body.length & 1) parts.push(0);
  }
  const total = 4 + parts.length;
  return new Uint8Array([
    0x52,
    0x49,
    0x46,
    0x46,
    total & 0xff,
    (total >> 8) & 0xff,
    0,
    0,
    0x57,
    0x41,
    0x56,
    0x45,
    ...parts,
  ]);
}

function fmtChunk(tag: number, channels: number, rate: number, bits: number, extra = 0): Uint8Array {
  const b = new Uint8Array(16 + extra);
  const v = new DataView(b.buffer);
  const align = (channels * bits) / 8;
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, rate * align, true);
  v.setUint16(12, align, true);
  v.setUint16(14, bits, true);
  return b;
}

describe('readWav on files made by sox', () => {
  // sha256 of `sox <file> -t s16 -` (sox's own decode to 16-bit linear)
  it.each([
    ['tone450-alaw.wav', 'alaw', '8fdc9fd80ca6acbddf8cda6f346b4debaf07d8388b9b948194a4079ffba88807'],
    ['tone1000-ulaw.wav', 'ulaw', '604e438369b7bc7e618c4442a5b4a963c5b6893d546991db183ca85dc9599982'],
    ['tone450-pcm16.wav', 'pcm16', 'ad7e4c0aa17445edfd5af4da4d7dc558f8cafce0b01e070f8337fa0d07336c59'],
  ])('%s decodes exactly as sox decodes it', (name, encoding, hash) => {
    const wav = readWav(fixture(name), name);
    expect(wav).toMatchObject({ sampleRate: 8000, channels: 1, encoding });
    expect(wav.samples).toHaveLength(400);
    expect(sha256(wav.samples)).toBe(hash);
  });

  it.each([
    [
      'ima-adpcm.wav',
      /^ima-adpcm\.wav: WAV format 17 \(IMA ADPCM\) is not supported; use 8 kHz mono PCM16, A-law or µ-law$/,
    ],
    ['pcm16-16k.wav', /^pcm16-16k\.wav: 16000 Hz audio is not supported/],
    ['stereo.wav', /^stereo\.wav: 2-channel audio is not supported/],
    ['pcm8.wav', /^pcm8\.wav: 8-bit PCM is not supported/],
  ])('%s is refused with ERR_MEDIA_FORMAT naming the file and the problem', (name, message) => {
    const err = mediaError(() => readWav(fixture(name), name));
    expect(err.message).toMatch(message);
  });
});

describe('writeWav / readWav round trip', () => {
  const pcm = sine(161, 450, 8000); // odd length exercises the pad byte for 8-bit encodings
  it.each<WavEncoding>(['pcm16', 'alaw', 'ulaw'])('%s', (encoding) => {
    const file = writeWav(pcm, { encoding });
    expect(file.length % 2).toBe(0);
    const back = readWav(file);
    expect(back.encoding).toBe(encoding);
    if (encoding === 'pcm16') expect(back.samples).toEqual(pcm);
    else {
      expect(back.samples).toHaveLength(pcm.length);
      for (let i = 0; i < pcm.length; i++) expect(Math.abs(back.samples[i]! - pcm[i]!)).toBeLessThanOrEqual(130);
    }
  });
  it('writes the canonical PCM16 header and the A-law WAVEFORMATEX + fact layout', () => {
    const p = writeWav(new Int16Array(4));
    expect(p.length).toBe(44 + 8);
    expect(new TextDecoder().decode(p.subarray(36, 40))).toBe('data');
    const a = writeWav(new Int16Array(3), { encoding: 'alaw' });
    const v = new DataView(a.buffer);
    expect(v.getUint32(16, true)).toBe(18);
    expect(v.getUint16(20, true)).toBe(6);
    expect(new TextDecoder().decode(a.subarray(38, 42))).toBe('fact');
    expect(v.getUint32(46, true)).toBe(3);
    expect(Array.from(a.subarray(58, 61))).toEqual([0xd5, 0xd5, 0xd5]);
    expect(a.length).toBe(62);
    expect(v.getUint32(4, true)).toBe(a.length - 8);
  });
  it('rejects bad options', () => {
    expect(() => writeWav(new Int16Array(1), { sampleRate: 0 })).toThrow(/sample rate/);
    expect(() => writeWav(new Int16Array(1), { encoding: 'gsm' as WavEncoding })).toThrow(/encoding/);
  });
});

describe('readWav robustness', () => {
  const pcmBody = new Uint8Array([1, 0, 0xff, 0xff, 0, 0x80]);
  it('skips unknown chunks (LIST, fact, odd-sized with pad byte) before and after fmt', () => {
    const file = riff([
      ['LIST', new TextEncoder().encode('INFOISFT\x05\x00\x00\x00sox!!')], // odd length 17
      ['fmt ', fmtChunk(1, 1, 8000, 16)],
      ['fact', new Uint8Array([3, 0, 0, 0])],
      ['junk', new Uint8Array([1, 2, 3])],
      ['data', pcmBody],
      ['LIST', new Uint8Array(4)],
    ]);
    expect(Array.from(readWav(file).samples)).toEqual([1, -1, -32768]);
  });
  it('accepts WAVE_FORMAT_EXTENSIBLE with an A-law sub-format', () => {
    const fmt = fmtChunk(0xfffe, 1, 8000, 8, 24);
    const v = new DataView(fmt.buffer);
    v.setUint16(16, 22, true);
    v.setUint16(24, 6, true);
    const body = alawEncode(new Int16Array([0, 1000, -1000]));
    const wav = readWav(
      riff([
        ['fmt ', fmt],
        ['data', body],
      ]),
    );
    expect(wav.encoding).toBe('alaw');
    expect(wav.samples).toHaveLength(3);
  });
  it.each<[string, () => Uint8Array, RegExp]>([
    ['empty', () => new Uint8Array(0), /^x\.wav: not a WAV file \(0 bytes/],
    [
      'garbage',
      () => new TextEncoder().encode('<html>hello, this is not audio</html>'),
      /not a WAV file \(starts with "<htm"/,
    ],
    ['RIFX', () => new TextEncoder().encode('RIFX\x00\x00\x00\x00WAVE'), /big-endian/],
    ['no fmt', () => riff([['data', pcmBody]]), /"data" chunk before "fmt "/],
    ['no data', () => riff([['fmt ', fmtChunk(1, 1, 8000, 16)]]), /no "data" chunk/],
    [
      'truncated data',
      () =>
        riff([
          ['fmt ', fmtChunk(1, 1, 8000, 16)],
          ['data', pcmBody, 4000],
        ]),
      /truncated: "data" chunk declares 4000 bytes, 6 present/,
    ],
    ['truncated file', () => writeWav(new Int16Array(100)).subarray(0, 30), /truncated: "fmt " chunk/],
    [
      'short fmt',
      () =>
        riff([
          ['fmt ', new Uint8Array(10)],
          ['data', pcmBody],
        ]),
      /malformed "fmt " chunk/,
    ],
    [
      'binary junk chunk',
      () =>
        riff([
          ['\x00\x01\x02\x03', new Uint8Array(2)],
          ['fmt ', fmtChunk(1, 1, 8000, 16)],
        ]),
      /garbage where a RIFF chunk/,
    ],
    [
      'float',
      () =>
        riff([
          ['fmt ', fmtChunk(3, 1, 8000, 32)],
          ['data', new Uint8Array(8)],
        ]),
      /WAV format 3 \(IEEE float\) is not supported/,
    ],
    [
      'unknown tag',
      () =>
        riff([
          ['fmt ', fmtChunk(0x1234, 1, 8000, 8)],
          ['data', new Uint8Array(8)],
        ]),
      /WAV format 4660 is not supported/,
    ],
    [
      'bad block align',
      () => {
        const fmt = fmtChunk(1, 1, 8000, 16);
        new DataView(fmt.buffer).setUint16(12, 4, true);
        return riff([
          ['fmt ', fmt],
          ['data', pcmBody],
        ]);
      },
      /inconsistent "fmt " chunk/,
    ],
  ])('%s → ERR_MEDIA_FORMAT', (_name, make, message) => {
    const err = mediaError(() => readWav(make(), 'x.wav'));
    expect(err.message).toMatch(message);
    expect(err.message.startsWith('x.wav: ')).toBe(true);
  });
  it('names "WAV data" when no source is given', () => {
    expect(mediaError(() => readWav(new Uint8Array(3))).message).toMatch(/^WAV data: /);
  });
});
