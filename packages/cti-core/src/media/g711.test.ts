import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isHotlineError } from '../errors.js';
import {
  alawDecode,
  alawEncode,
  alawToLinear,
  alawToUlaw,
  computeAlawToLinear,
  computeLinearToAlaw,
  computeLinearToUlaw,
  computeUlawToLinear,
  linearToAlaw,
  linearToUlaw,
  ulawDecode,
  ulawEncode,
  ulawToAlaw,
  ulawToLinear,
} from './g711.js';

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

function allSamples(): Int16Array {
  const pcm = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
  return pcm;
}

const allCodes = Uint8Array.from({ length: 256 }, (_, i) => i);

// SHA-256 of spandsp 0.0.6 outputs (Debian libspandsp-dev), produced by a C program looping
// linear_to_alaw/linear_to_ulaw over -32768..32767 and alaw_to_linear/ulaw_to_linear over 0..255
// (int16 little-endian), and alaw_to_ulaw/ulaw_to_alaw printed as "c,c,...,\n".
const SPANDSP = {
  encA: '38488f6fd710f4686360edc4d38639f96c491595ef93f8eb8d62d5e07ca6ce7b',
  encU: '5ee7cf5f273f842d2234121e4cb0c98d6b20a99ac29026f94e05b36955b195be',
  decA: 'e04788d110e58ff8c70c93b8480190d973e3b67876b6119abbaec766cc75c174',
  decU: '3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827',
  a2u: '6647233cc378664d39cb1f2962d6a43659c8b60bfaf765e6ee369ff251494d5c',
  u2a: '8de4aea65ee918fe16102b01d9987893c2a271c35964aeb24d3243267d06edcc',
};

const le16 = (pcm: Int16Array): Uint8Array => new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);

describe('G.711 bit-exactness with spandsp', () => {
  it('A-law encode of all 65536 samples', () => {
    expect(sha256(alawEncode(allSamples()))).toBe(SPANDSP.encA);
  });
  it('µ-law encode of all 65536 samples', () => {
    expect(sha256(ulawEncode(allSamples()))).toBe(SPANDSP.encU);
  });
  it('A-law decode of all 256 codes', () => {
    expect(sha256(le16(alawDecode(allCodes)))).toBe(SPANDSP.decA);
  });
  it('µ-law decode of all 256 codes', () => {
    expect(sha256(le16(ulawDecode(allCodes)))).toBe(SPANDSP.decU);
  });
  it('transcoding tables', () => {
    expect(sha256(`${Array.from(allCodes, alawToUlaw).join(',')},\n`)).toBe(SPANDSP.a2u);
    expect(sha256(`${Array.from(allCodes, ulawToAlaw).join(',')},\n`)).toBe(SPANDSP.u2a);
  });
  it('tables agree with the computational reference for every input', () => {
    for (let x = -32768; x < 32768; x++) {
      if (linearToAlaw(x) !== computeLinearToAlaw(x) || linearToUlaw(x) !== computeLinearToUlaw(x)) {
        throw new Error(`mismatch at ${x}`);
      }
    }
    for (let c = 0; c < 256; c++) {
      expect(alawToLinear(c)).toBe(computeAlawToLinear(c));
      expect(ulawToLinear(c)).toBe(computeUlawToLinear(c));
    }
  });
});

describe('G.711 known code points (signaling-dsp.md §6.1)', () => {
  it.each([
    [0, 0xd5],
    [-1, 0x55],
    [32767, 0xaa],
    [-32768, 0x2a],
  ])('linearToAlaw(%i) = %i', (x, code) => expect(linearToAlaw(x)).toBe(code));
  it.each([
    [0xd5, 8],
    [0x55, -8],
    [0xaa, 32256],
    [0x2a, -32256],
    [0x5d, -136],
  ])('alawToLinear(%i) = %i', (code, x) => expect(alawToLinear(code)).toBe(x));
  it('µ-law points', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(ulawToLinear(0x7f)).toBe(0);
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
  });
  it('transcoding points', () => {
    expect(alawToUlaw(0xd5)).toBe(0xfe);
    expect(ulawToAlaw(0xff)).toBe(0xd5);
  });
  it('single-sample encoders clamp and truncate', () => {
    expect(linearToAlaw(40000)).toBe(linearToAlaw(32767));
    expect(linearToUlaw(-40000)).toBe(linearToUlaw(-32768));
    expect(linearToAlaw(100.9)).toBe(linearToAlaw(100));
  });
});

describe('G.711 round trip', () => {
  it('every code survives decode → encode', () => {
    for (let c = 0; c < 256; c++) {
      expect(linearToAlaw(alawToLinear(c))).toBe(c);
      // 0x7f and 0xff both decode to 0, which encodes to 0xff
      expect(linearToUlaw(ulawToLinear(c))).toBe(c === 0x7f ? 0xff : c);
    }
  });
  it('quantisation error is within half a step (+1 for the negative-side offset)', () => {
    const pcm = allSamples();
    const a = alawDecode(alawEncode(pcm));
    const u = ulawDecode(ulawEncode(pcm));
    for (let i = 0; i < pcm.length; i++) {
      const x = pcm[i]!;
      const errA = Math.abs(a[i]! - x);
      const errU = Math.abs(u[i]! - x);
      // A-law half step: 8 below 512, else ≤ |x|/32; µ-law half step ≤ (|x| + 132)/32.
      if (errA > Math.max(8, Math.abs(x) / 32) + 1 || errU > (Math.abs(x) + 132) / 32 + 1) {
        throw new Error(`error too large at ${x}: A ${errA}, µ ${errU}`);
      }
    }
  });
});

describe('G.711 output buffers', () => {
  it('writes into a given buffer without allocating and returns a view of the right length', () => {
    const pcm = new Int16Array([0, 1000, -1000, 32767]);
    const out = new Uint8Array(10);
    const res = alawEncode(pcm, out);
    expect(res.buffer).toBe(out.buffer);
    expect(res.length).toBe(4);
    expect(Array.from(res)).toEqual(Array.from(pcm, linearToAlaw));
    const exact = new Uint8Array(4);
    expect(ulawEncode(pcm, exact)).toBe(exact);
    const dec = new Int16Array(4);
    expect(alawDecode(res, dec)).toBe(dec);
    expect(ulawDecode(exact, new Int16Array(8)).length).toBe(4);
  });
  it('rejects a too-short output buffer with ERR_INVALID_ARGUMENT', () => {
    const err = (() => {
      try {
        alawEncode(new Int16Array(5), new Uint8Array(4));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isHotlineError(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(() => ulawDecode(new Uint8Array(3), new Int16Array(2))).toThrow(/ulawDecode/);
  });
});
