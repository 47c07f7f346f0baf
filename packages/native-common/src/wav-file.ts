/**
 * WAVE file facts for boards that play and record files themselves: where the audio of a prompt
 * starts and how it is encoded (so a driver can tell the board to skip the header, or refuse a
 * format the board cannot play), and the header that turns a board's headerless recording into a
 * WAV file. Only the header is read; the audio is never decoded here (cti-core's `readWav` does
 * that for soft boards).
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** WAVE format tags a telephony board meets. */
export const WavFormat = { pcm: 1, alaw: 6, ulaw: 7 } as const;

/** Where a WAV file's audio is and how it is encoded. */
export interface WavLayout {
  /** WAVE format tag (1 PCM, 6 A-law, 7 µ-law, …; the sub-format of WAVE_FORMAT_EXTENSIBLE). */
  readonly formatTag: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  /** Byte offset of the first audio byte (the `data` chunk's body). */
  readonly dataOffset: number;
  /** Audio bytes (the `data` chunk's size, clipped to what the file holds). */
  readonly dataBytes: number;
}

/**
 * Reads the layout of a RIFF WAVE file from its first bytes (`head`) and its total size; returns
 * undefined when `head` is not a WAVE file or its `fmt `/`data` chunks are not found in it.
 */
export function wavLayout(head: Uint8Array, fileSize: number = head.length): WavLayout | undefined {
  if (head.length < 12) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const id = (at: number): string => String.fromCharCode(head[at]!, head[at + 1]!, head[at + 2]!, head[at + 3]!);
  if (id(0) !== 'RIFF' || id(8) !== 'WAVE') return undefined;
  let at = 12;
  let fmt: Omit<WavLayout, 'dataOffset' | 'dataBytes'> | undefined;
  while (at + 8 <= head.length) {
    const chunk = id(at);
    const size = view.getUint32(at + 4, true);
    if (chunk === 'fmt ' && at + 24 <= head.length) {
      let formatTag = view.getUint16(at + 8, true);
      if (formatTag === 0xfffe && at + 34 <= head.length) formatTag = view.getUint16(at + 32, true);
      fmt = {
        formatTag,
        channels: view.getUint16(at + 10, true),
        sampleRate: view.getUint32(at + 12, true),
        bitsPerSample: view.getUint16(at + 22, true),
      };
    } else if (chunk === 'data') {
      if (!fmt) return undefined;
      const dataOffset = at + 8;
      return { ...fmt, dataOffset, dataBytes: Math.max(0, Math.min(size, fileSize - dataOffset)) };
    }
    at += 8 + size + (size & 1);
  }
  return undefined;
}

/** Reads the layout of the WAV file at `path` (its first 4 KiB); undefined when it is not one. */
export function readWavLayout(path: string): WavLayout | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, head, 0, head.length, 0);
    return wavLayout(head, size);
  } finally {
    closeSync(fd);
  }
}

/** The 44-byte header of a mono WAV file holding `dataBytes` of audio in `formatTag`. */
export function wavHeader(formatTag: number, bitsPerSample: number, dataBytes: number, sampleRate = 8000): Buffer {
  const h = Buffer.alloc(44);
  const blockAlign = bitsPerSample / 8;
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(formatTag, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bitsPerSample, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
