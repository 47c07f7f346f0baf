/**
 * Analog caller ID as used in China (YDN 069; signaling-dsp.md §4.2): FSK messages (Bell 202,
 * SDMF type 0x04 and MDMF type 0x80) sent between the first and second ring, and DTMF caller
 * ID (the number framed by a start and an end character) sent before the first ring.
 * Generation (for the simulated exchange and tests) and detection (the soft DSP).
 *
 * @packageDocumentation
 */

import { ErrorCode, HotlineError } from '../errors.js';
import { DtmfDetector } from './dtmf-detector.js';
import { fskFrameBytes, fskModulate, FskReceiver } from './fsk.js';
import { generateDtmf } from './tones.js';

/** SDMF (single data message) type: date-time then the number. */
export const CID_SDMF = 0x04;
/** MDMF (multiple data message) type. */
export const CID_MDMF = 0x80;
/** MDMF parameter types. */
export const CidParam = Object.freeze({
  dateTime: 0x01,
  number: 0x02,
  numberAbsent: 0x04,
  name: 0x07,
  nameAbsent: 0x08,
});

/** A caller-ID message. */
export interface CallerIdMessage {
  /** Calling number (digits). */
  readonly number?: string;
  /** Calling name (MDMF only; ASCII). */
  readonly name?: string;
  /** Date and time as `MMDDhhmm`. */
  readonly dateTime?: string;
  /** Why the number is absent: `O` out of area / unavailable, `P` private. */
  readonly numberAbsence?: 'O' | 'P';
  readonly nameAbsence?: 'O' | 'P';
}

/** A decoded caller-ID message and how it came. */
export interface CallerIdResult extends CallerIdMessage {
  readonly format: 'sdmf' | 'mdmf' | 'dtmf';
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0) & 0x7f);

/**
 * Encodes a message as the bytes YDN 069 / GR-30 send: type, length, payload, checksum (two's
 * complement of the byte sum). SDMF carries date-time and number (or its absence reason).
 * @throws HotlineError `ERR_INVALID_ARGUMENT` for a malformed field.
 */
export function encodeCallerId(message: CallerIdMessage, format: 'sdmf' | 'mdmf' = 'mdmf'): Uint8Array {
  const { number, name, dateTime } = message;
  if (number !== undefined && !/^[0-9*#]{1,20}$/.test(number))
    throw new HotlineError(ErrorCode.InvalidArgument, 'caller ID: number must be 1-20 digits');
  if (dateTime !== undefined && !/^[0-9]{8}$/.test(dateTime))
    throw new HotlineError(ErrorCode.InvalidArgument, 'caller ID: dateTime must be MMDDhhmm');
  if (name !== undefined && !/^[\x20-\x7e]{1,20}$/.test(name))
    throw new HotlineError(ErrorCode.InvalidArgument, 'caller ID: name must be 1-20 printable ASCII characters');
  let type: number;
  const payload: number[] = [];
  if (format === 'sdmf') {
    type = CID_SDMF;
    payload.push(...ascii(dateTime ?? '01010000'));
    payload.push(...ascii(number ?? message.numberAbsence ?? 'O'));
  } else {
    type = CID_MDMF;
    const param = (t: number, v: string): void => {
      payload.push(t, v.length, ...ascii(v));
    };
    if (dateTime) param(CidParam.dateTime, dateTime);
    if (number) param(CidParam.number, number);
    else param(CidParam.numberAbsent, message.numberAbsence ?? 'O');
    if (name) param(CidParam.name, name);
    else if (message.nameAbsence) param(CidParam.nameAbsent, message.nameAbsence);
  }
  const bytes = [type, payload.length, ...payload];
  const sum = bytes.reduce((a, b) => a + b, 0);
  bytes.push((0x100 - (sum & 0xff)) & 0xff);
  return Uint8Array.from(bytes);
}

/**
 * Decodes message bytes (type, length, payload, checksum).
 * @throws HotlineError `ERR_MEDIA_FORMAT` for a bad checksum, length or type.
 */
export function decodeCallerId(bytes: Uint8Array): CallerIdResult {
  const bad = (why: string): never => {
    throw new HotlineError(ErrorCode.MediaFormat, `caller ID: ${why}`);
  };
  if (bytes.length < 3) bad('message too short');
  const type = bytes[0]!;
  const len = bytes[1]!;
  if (bytes.length < len + 3) bad('message shorter than its length byte');
  let sum = 0;
  for (let i = 0; i < len + 3; i++) sum += bytes[i]!;
  if ((sum & 0xff) !== 0) bad('checksum mismatch');
  const text = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (type === CID_SDMF) {
    const dateTime = text(2, Math.min(10, 2 + len));
    const rest = text(10, 2 + len);
    const result: CallerIdResult = { format: 'sdmf', dateTime };
    if (rest === 'O' || rest === 'P') return { ...result, numberAbsence: rest };
    return { ...result, number: rest };
  }
  if (type !== CID_MDMF) bad(`unknown message type 0x${type.toString(16)}`);
  const out: { -readonly [K in keyof CallerIdResult]?: CallerIdResult[K] } = { format: 'mdmf' };
  let i = 2;
  while (i < 2 + len) {
    const t = bytes[i]!;
    const l = bytes[i + 1] ?? 0;
    const v = text(i + 2, i + 2 + l);
    if (t === CidParam.dateTime) out.dateTime = v;
    else if (t === CidParam.number) out.number = v;
    else if (t === CidParam.name) out.name = v;
    else if (t === CidParam.numberAbsent && (v === 'O' || v === 'P')) out.numberAbsence = v;
    else if (t === CidParam.nameAbsent && (v === 'O' || v === 'P')) out.nameAbsence = v;
    i += 2 + l;
  }
  return out as CallerIdResult;
}

/** Options of {@link generateFskCallerId}. */
export interface FskCallerIdOptions {
  readonly format?: 'sdmf' | 'mdmf';
  /** Level, dBm0 (default −13). */
  readonly levelDbm0?: number;
  /** Channel-seizure bits (alternating 0/1; default 300). */
  readonly seizureBits?: number;
  /** Mark bits before the message (default 180). */
  readonly markBits?: number;
}

/** Generates the FSK audio of a caller-ID message: channel seizure, mark, framed message bytes, two trailing mark bits. */
export function generateFskCallerId(message: CallerIdMessage, options: FskCallerIdOptions = {}): Int16Array {
  const seizure = options.seizureBits ?? 300;
  const mark = options.markBits ?? 180;
  const framed = fskFrameBytes(encodeCallerId(message, options.format ?? 'mdmf'));
  const bits = new Uint8Array(seizure + mark + framed.length + 2);
  for (let i = 0; i < seizure; i++) bits[i] = i & 1;
  bits.fill(1, seizure, seizure + mark);
  bits.set(framed, seizure + mark);
  bits.fill(1, seizure + mark + framed.length);
  return fskModulate(bits, options.levelDbm0 ?? -13);
}

/**
 * Streaming FSK caller-ID detector: feed the line audio between rings; `push` returns the
 * message once a complete one with a valid checksum was received (then it keeps quiet until
 * `reset`).
 */
export class FskCallerIdDetector {
  private readonly rx = new FskReceiver();
  private readonly buf = new Uint8Array(258);
  private fill = 0;
  private result: CallerIdResult | undefined;
  private readonly onByte = (b: number, idleBits: number): void => this.byte(b, idleBits);

  /** Processes audio; returns the message when it completes in these samples. */
  push(samples: Int16Array): CallerIdResult | undefined {
    if (this.result) return undefined;
    this.rx.push(samples, this.onByte);
    const r = this.result;
    return r;
  }

  /** The message received so far, if complete. */
  get message(): CallerIdResult | undefined {
    return this.result;
  }

  reset(): void {
    this.rx.reset();
    this.fill = 0;
    this.result = undefined;
  }

  private byte(b: number, idleBits: number): void {
    if (this.result) return;
    // a message starts with its type byte after a mark period (GR-30: 180 bits, 80 on call waiting)
    if (this.fill === 0 && ((b !== CID_SDMF && b !== CID_MDMF) || idleBits < 40)) return;
    this.buf[this.fill++] = b;
    if (this.fill >= 2 && this.fill === this.buf[1]! + 3) {
      try {
        this.result = decodeCallerId(this.buf.subarray(0, this.fill));
      } catch {
        // bad checksum: hunt for the next message
      }
      this.fill = 0;
    } else if (this.fill >= this.buf.length) this.fill = 0;
  }
}

/** Options of DTMF caller ID. */
export interface DtmfCallerIdOptions {
  /** Start character (default `A`; some exchanges use `D` for restricted or `B`). */
  readonly start?: 'A' | 'B' | 'C' | 'D' | '*' | '#';
  /** End character (default `C`). */
  readonly end?: 'A' | 'B' | 'C' | 'D' | '*' | '#';
  readonly levelDbm0?: number;
  /** Tone and gap durations, ms (default 70 / 70). */
  readonly onMs?: number;
  readonly offMs?: number;
}

/** Generates DTMF caller ID: start character, the number, end character. */
export function generateDtmfCallerId(number: string, options: DtmfCallerIdOptions = {}): Int16Array {
  if (!/^[0-9]{1,20}$/.test(number))
    throw new HotlineError(ErrorCode.InvalidArgument, 'DTMF caller ID: number must be 1-20 digits');
  return generateDtmf(`${options.start ?? 'A'}${number}${options.end ?? 'C'}`, {
    onMs: options.onMs ?? 70,
    offMs: options.offMs ?? 70,
    levelDbm0: options.levelDbm0 ?? -10,
  });
}

/**
 * Streaming DTMF caller-ID detector: a number between a start character (A, B or D) and an
 * end character (C or #). `push` returns the result when the end character arrives.
 */
export class DtmfCallerIdDetector {
  private readonly dtmf = new DtmfDetector();
  private digits = '';
  private started = false;
  private result: CallerIdResult | undefined;

  push(samples: Int16Array): CallerIdResult | undefined {
    if (this.result) return undefined;
    const got = this.dtmf.push(samples);
    for (const d of got) {
      if (!this.started) {
        if (d === 'A' || d === 'B' || d === 'D') {
          this.started = true;
          this.digits = '';
        }
      } else if (d === 'C' || d === '#') {
        this.result =
          this.digits === '' ? { format: 'dtmf', numberAbsence: 'O' } : { format: 'dtmf', number: this.digits };
        return this.result;
      } else if (/[0-9]/.test(d)) this.digits += d;
    }
    return undefined;
  }

  get message(): CallerIdResult | undefined {
    return this.result;
  }

  reset(): void {
    this.dtmf.reset();
    this.digits = '';
    this.started = false;
    this.result = undefined;
  }
}
