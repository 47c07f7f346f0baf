import { describe, expect, it } from 'vitest';
import { concatFrames } from './frame.js';
import { alawDecode, alawEncode } from './g711.js';
import {
  DtmfCallerIdDetector,
  FskCallerIdDetector,
  decodeCallerId,
  encodeCallerId,
  generateDtmfCallerId,
  generateFskCallerId,
  type CallerIdResult,
} from './caller-id.js';
import { FskReceiver, fskFrameBytes, fskModulate } from './fsk.js';
import { addNoise } from './tones.js';

const silence = (ms: number): Int16Array => new Int16Array(ms * 8);

function detectFsk(x: Int16Array): CallerIdResult | undefined {
  const det = new FskCallerIdDetector();
  let found: CallerIdResult | undefined;
  for (let i = 0; i < x.length; i += 160) found ??= det.push(x.subarray(i, i + 160));
  return found;
}

describe('caller ID message format (YDN 069 / GR-30)', () => {
  it('encodes the MDMF example of the facts file byte for byte', () => {
    const bytes = encodeCallerId({ dateTime: '03171656', number: '2156430144' }, 'mdmf');
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '80160108' + Buffer.from('03171656').toString('hex') + '020a' + Buffer.from('2156430144').toString('hex') + 'ba',
    );
  });
  it('round-trips SDMF and MDMF with name and absence reasons; rejects a bad checksum', () => {
    expect(decodeCallerId(encodeCallerId({ dateTime: '11261230', number: '13800138000' }, 'sdmf'))).toEqual({
      format: 'sdmf',
      dateTime: '11261230',
      number: '13800138000',
    });
    expect(decodeCallerId(encodeCallerId({ numberAbsence: 'P', name: 'WANG' }))).toEqual({
      format: 'mdmf',
      numberAbsence: 'P',
      name: 'WANG',
    });
    const bad = encodeCallerId({ number: '1' });
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect(() => decodeCallerId(bad)).toThrow(/checksum/);
    expect(() => encodeCallerId({ number: '12a' })).toThrow(/number/);
  });
});

describe('Bell 202 FSK', () => {
  it('a UART receiver recovers framed bytes, with noise', () => {
    const bytes = [0x80, 0x00, 0xff, 0x55, 0x12, 0xa5];
    const bits = [...new Array<number>(40).fill(1), ...fskFrameBytes(bytes), 1, 1, 1];
    const x = addNoise(fskModulate(bits), { snrDb: 20 }, 3);
    const rx = new FskReceiver();
    const got: number[] = [];
    rx.push(x, (b) => got.push(b));
    expect(got).toEqual(bytes);
  });
});

describe('FSK caller ID detection', () => {
  for (const format of ['sdmf', 'mdmf'] as const) {
    it(`detects a ${format.toUpperCase()} message through A-law and noise (20 dB S/N), at −13 and −35 dBm0`, () => {
      for (const levelDbm0 of [-13, -35]) {
        const sig = generateFskCallerId(
          { dateTime: '11261230', number: '075512345678', ...(format === 'mdmf' ? { name: 'ZHANG SAN' } : {}) },
          { format, levelDbm0 },
        );
        const x = alawDecode(
          alawEncode(addNoise(concatFrames([silence(500), sig, silence(300)]), { levelDbm0: levelDbm0 - 20 }, 7)),
        );
        expect(detectFsk(x), `${levelDbm0} dBm0`).toEqual({
          format,
          dateTime: '11261230',
          number: '075512345678',
          ...(format === 'mdmf' ? { name: 'ZHANG SAN' } : {}),
        });
      }
    });
  }
  it('reports a private number, and nothing for noise alone or a corrupted message', () => {
    expect(detectFsk(generateFskCallerId({ numberAbsence: 'P' }))).toMatchObject({ numberAbsence: 'P' });
    expect(detectFsk(addNoise(silence(2000), { levelDbm0: -30 }, 1))).toBeUndefined();
    const sig = generateFskCallerId({ number: '13800138000' });
    sig.fill(0, sig.length - 200, sig.length - 120); // a dropout in the last bytes
    expect(detectFsk(sig)).toBeUndefined();
  });
});

describe('DTMF caller ID detection', () => {
  it('detects A<number>C under noise; D…C and B…# framings', () => {
    const det = new DtmfCallerIdDetector();
    const x = addNoise(
      concatFrames([silence(100), generateDtmfCallerId('13800138000'), silence(200)]),
      { levelDbm0: -40 },
      2,
    );
    let found: CallerIdResult | undefined;
    for (let i = 0; i < x.length; i += 160) found ??= det.push(x.subarray(i, i + 160));
    expect(found).toEqual({ format: 'dtmf', number: '13800138000' });
    const det2 = new DtmfCallerIdDetector();
    const y = concatFrames([generateDtmfCallerId('02087654321', { start: 'B', end: '#' }), silence(100)]);
    expect(det2.push(y)).toEqual({ format: 'dtmf', number: '02087654321' });
    expect(() => generateDtmfCallerId('')).toThrow(/1-20 digits/);
  });
});
