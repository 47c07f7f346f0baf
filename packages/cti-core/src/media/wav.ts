/**
 * WAV (RIFF WAVE) reading and writing for 8 kHz telephony prompts and recordings.
 *
 * Accepted on read: 8000 Hz mono PCM16 (format 1), A-law (6) and µ-law (7), also when wrapped
 * in WAVE_FORMAT_EXTENSIBLE (0xFFFE). Unknown chunks (LIST, fact, cue, …) are skipped and odd
 * chunk sizes honour the RIFF pad byte. Everything else — other bit depths, ADPCM, float,
 * stereo, other sample rates, truncated or garbage data — is refused with a `HotlineError`
 * of code `ERR_MEDIA_FORMAT` whose message names the source and what was found.
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';
import { SAMPLE_RATE } from './frame.js';
import { alawDecode, alawEncode, ulawDecode, ulawEncode } from './g711.js';

/** Sample encodings Hotline reads and writes in WAV files. */
export type WavEncoding = 'pcm16' | 'alaw' | 'ulaw';

/** A decoded WAV file. */
export interface WavAudio {
  /** Always 8000 (other rates are refused). */
  readonly sampleRate: number;
  /** Always 1 (multi-channel files are refused). */
  readonly channels: number;
  /** The encoding stored in the file. */
  readonly encoding: WavEncoding;
  /** The audio as decoded 16-bit linear PCM, mono. */
  readonly samples: Int16Array;
}

/** Options of {@link writeWav}. */
export interface WriteWavOptions {
  /** Sample encoding to store; default `'pcm16'`. */
  readonly encoding?: WavEncoding;
  /** Sample rate written in the header; default 8000. The samples are not resampled. */
  readonly sampleRate?: number;
}

const FORMAT_NAMES: Readonly<Record<number, string>> = {
  0x0001: 'PCM',
  0x0002: 'Microsoft ADPCM',
  0x0003: 'IEEE float',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0010: 'OKI ADPCM',
  0x0011: 'IMA ADPCM',
  0x0014: 'G.723 ADPCM',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0045: 'G.726 ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3',
  0xfffe: 'extensible',
};

const WANTED = 'use 8 kHz mono PCM16, A-law or µ-law';

function fourCC(data: Uint8Array, offset: number): string {
  return String.fromCharCode(data[offset]!, data[offset + 1]!, data[offset + 2]!, data[offset + 3]!);
}

function printable(id: string): string {
  return /^[\x20-\x7e]{4}$/.test(id)
    ? `"${id}"`
    : `0x${Array.from(id, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}`;
}

interface Format {
  tag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

/**
 * Parses a WAV file and returns its audio as 16-bit linear mono PCM.
 *
 * @param data - the whole file
 * @param source - a name for error messages (file name or URL); default `'WAV data'`
 * @throws HotlineError `ERR_MEDIA_FORMAT` for anything that is not a well-formed 8 kHz mono
 *   PCM16/A-law/µ-law WAV, e.g. `"prompt.wav: WAV format 17 (IMA ADPCM) is not supported; use 8 kHz mono PCM16, A-law or µ-law"`.
 */
export function readWav(data: Uint8Array, source = 'WAV data'): WavAudio {
  // Annotated as a `never` function type so that control flow knows each call does not return.
  const fail: (what: string, details?: Record<string, unknown>) => never = (what, details = {}) => {
    throw new HotlineError(ErrorCode.MediaFormat, `${source}: ${what}`, { details: { source, ...details } });
  };
  if (data.length < 12) fail(`not a WAV file (${data.length} bytes, too short for a RIFF header)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const riff = fourCC(data, 0);
  if (riff === 'RIFX') fail('big-endian RIFX WAV is not supported; ' + WANTED);
  if (riff === 'RF64') fail('RF64 WAV is not supported; ' + WANTED);
  if (riff !== 'RIFF' || fourCC(data, 8) !== 'WAVE') {
    fail(`not a WAV file (starts with ${printable(riff)}, expected "RIFF…WAVE")`);
  }

  let format: Format | undefined;
  let body: Uint8Array | undefined;
  let offset = 12;
  while (offset + 8 <= data.length) {
    const id = fourCC(data, offset);
    const size = view.getUint32(offset + 4, true);
    const start = offset + 8;
    const available = data.length - start;
    if (id === 'fmt ') {
      if (size > available) fail(`truncated: "fmt " chunk declares ${size} bytes, ${available} present`);
      if (size < 16) fail(`malformed "fmt " chunk (${size} bytes, at least 16 expected)`);
      let tag = view.getUint16(start, true);
      if (tag === 0xfffe) {
        if (size < 40) fail(`malformed WAVE_FORMAT_EXTENSIBLE "fmt " chunk (${size} bytes, 40 expected)`);
        tag = view.getUint16(start + 24, true); // first two bytes of the sub-format GUID
      }
      format = {
        tag,
        channels: view.getUint16(start + 2, true),
        sampleRate: view.getUint32(start + 4, true),
        blockAlign: view.getUint16(start + 12, true),
        bitsPerSample: view.getUint16(start + 14, true),
      };
    } else if (id === 'data') {
      if (!format) fail('"data" chunk before "fmt " chunk');
      if (size > available) {
        fail(`truncated: "data" chunk declares ${size} bytes, ${available} present`, { declared: size, available });
      }
      body = data.subarray(start, start + size);
      break;
    } else if (!/^[\x20-\x7e]{4}$/.test(id)) {
      fail(`garbage where a RIFF chunk was expected at byte ${offset} (id ${printable(id)})`);
    } else if (size > available) {
      fail(`truncated: ${printable(id)} chunk declares ${size} bytes, ${available} present`);
    }
    offset = start + size + (size & 1);
  }
  if (!format) fail('no "fmt " chunk');
  if (!body) fail('no "data" chunk');
  const fmt = format;
  const bytes = body;

  const name = FORMAT_NAMES[fmt.tag];
  let encoding: WavEncoding;
  if (fmt.tag === 1 || fmt.tag === 6 || fmt.tag === 7) {
    encoding = fmt.tag === 1 ? 'pcm16' : fmt.tag === 6 ? 'alaw' : 'ulaw';
    const bits = fmt.tag === 1 ? 16 : 8;
    if (fmt.bitsPerSample !== bits) {
      fail(`${fmt.bitsPerSample}-bit ${name} is not supported; ${WANTED}`, {
        format: fmt.tag,
        bitsPerSample: fmt.bitsPerSample,
      });
    }
  } else {
    fail(`WAV format ${fmt.tag}${name ? ` (${name})` : ''} is not supported; ${WANTED}`, { format: fmt.tag });
  }
  if (fmt.channels !== 1) {
    fail(`${fmt.channels}-channel audio is not supported; ${WANTED}`, { channels: fmt.channels });
  }
  if (fmt.sampleRate !== SAMPLE_RATE) {
    fail(`${fmt.sampleRate} Hz audio is not supported (no resampling); ${WANTED}`, { sampleRate: fmt.sampleRate });
  }
  const bytesPerSample = encoding === 'pcm16' ? 2 : 1;
  if (fmt.blockAlign !== bytesPerSample) {
    fail(`inconsistent "fmt " chunk (block align ${fmt.blockAlign} for ${bytesPerSample}-byte mono samples)`);
  }

  let samples: Int16Array;
  if (encoding === 'pcm16') {
    const count = bytes.length >> 1; // a stray odd byte is ignored
    samples = new Int16Array(count);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
    for (let i = 0; i < count; i++) samples[i] = dv.getInt16(i * 2, true);
  } else {
    samples = encoding === 'alaw' ? alawDecode(bytes) : ulawDecode(bytes);
  }
  return { sampleRate: fmt.sampleRate, channels: 1, encoding, samples };
}

/**
 * Encodes mono linear PCM as a WAV file.
 *
 * PCM16 is written with a 16-byte `fmt ` chunk; A-law/µ-law with the 18-byte WAVEFORMATEX
 * (`cbSize` 0) and a `fact` chunk, as signaling-dsp.md §6.2 recommends. An odd-sized `data`
 * chunk gets its pad byte. The result always round-trips through {@link readWav} when the
 * sample rate is 8000.
 *
 * @throws HotlineError `ERR_INVALID_ARGUMENT` for an unknown encoding or a non-positive rate.
 */
export function writeWav(samples: Int16Array, options: WriteWavOptions = {}): Uint8Array {
  const encoding = options.encoding ?? 'pcm16';
  const sampleRate = options.sampleRate ?? SAMPLE_RATE;
  if (encoding !== 'pcm16' && encoding !== 'alaw' && encoding !== 'ulaw') {
    throw new HotlineError(ErrorCode.InvalidArgument, `writeWav: unknown encoding ${String(encoding)}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new HotlineError(
      ErrorCode.InvalidArgument,
      `writeWav: sample rate must be a positive integer, got ${sampleRate}`,
    );
  }
  const pcm = encoding === 'pcm16';
  const bytesPerSample = pcm ? 2 : 1;
  const dataSize = samples.length * bytesPerSample;
  const fmtSize = pcm ? 16 : 18;
  const factSize = pcm ? 0 : 12;
  const pad = dataSize & 1;
  const total = 12 + 8 + fmtSize + factSize + 8 + dataSize + pad;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) out[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, total - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, pcm ? 1 : encoding === 'alaw' ? 6 : 7, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true);
  view.setUint16(32, bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let offset = 20 + fmtSize;
  if (!pcm) {
    view.setUint16(36, 0, true); // cbSize
    ascii(offset, 'fact');
    view.setUint32(offset + 4, 4, true);
    view.setUint32(offset + 8, samples.length, true);
    offset += 12;
  }
  ascii(offset, 'data');
  view.setUint32(offset + 4, dataSize, true);
  offset += 8;
  if (pcm) {
    for (let i = 0; i < samples.length; i++) view.setInt16(offset + i * 2, samples[i]!, true);
  } else if (encoding === 'alaw') {
    alawEncode(samples, out.subarray(offset, offset + dataSize));
  } else {
    ulawEncode(samples, out.subarray(offset, offset + dataSize));
  }
  return out;
}
