import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@hotline/cti-core';
import { libraryCandidates } from './library-search.js';
import { NativeErrorCode, isNativeVendorFailure, libraryUnavailableError, vendorError } from './errors.js';
import { loadAddon } from './addon-loader.js';
import { PendingCalls } from './pending.js';
import { WavFormat, wavHeader, wavLayout } from './wav-file.js';

describe('library search order', () => {
  const search = { envVar: 'X_LIB', names: ['libx.so'], dirs: ['/opt/x/lib/', '/usr/lib'] };
  it('an explicit path is the only candidate', () => {
    expect(libraryCandidates({ ...search, explicit: '/a/libx.so' }, { X_LIB: '/b/libx.so' })).toEqual([
      { path: '/a/libx.so', source: 'option' },
    ]);
  });
  it('then the environment variable', () => {
    expect(libraryCandidates(search, { X_LIB: '/b/libx.so' })).toEqual([{ path: '/b/libx.so', source: 'env' }]);
  });
  it('then the bare name through the linker, then each folder', () => {
    expect(libraryCandidates(search, {}).map((c) => c.path)).toEqual([
      'libx.so',
      '/opt/x/lib/libx.so',
      '/usr/lib/libx.so',
    ]);
  });
});

describe('typed errors', () => {
  it('a missing library names every attempt, the OS error and what to install', () => {
    const e = libraryUnavailableError({
      vendor: 'V',
      library: 'libx.so',
      envVar: 'X_LIB',
      attempts: [{ candidate: 'libx.so', source: 'standard', error: 'libx.so: cannot open shared object file' }],
      install: 'Install the V runtime.',
    });
    expect(e.code).toBe(NativeErrorCode.LibraryUnavailable);
    expect(e.message).toMatch(/libx\.so \(standard\): libx\.so: cannot open shared object file/);
    expect(e.message).toMatch(/Install the V runtime\..*X_LIB/);
    expect(e.details.osError).toMatch(/cannot open/);
  });
  it('a vendor failure carries the number, the name and a classified code', () => {
    const failure = Object.assign(new Error('x'), { op: 'Play', vendorCode: 7, vendorMessage: 'bad format' });
    expect(isNativeVendorFailure(failure)).toBe(true);
    const e = vendorError('V', failure, { 7: 'E_FORMAT' }, { channel: '3' }, (code) =>
      code === 7 ? { code: ErrorCode.MediaFormat } : {},
    );
    expect(e.code).toBe(ErrorCode.MediaFormat);
    expect(e.details).toMatchObject({ vendorCode: 7, vendorName: 'E_FORMAT', channel: '3', op: 'Play' });
    expect(vendorError('V', { ...failure, vendorCode: 99 }, {}).details.vendorName).toBe('UNKNOWN_99');
  });
});

describe('addon loader and pending calls', () => {
  it('never throws for a missing addon and says how to build it', () => {
    const r = loadAddon('/nonexistent/pkg', 'nothing');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/npm rebuild/);
  });
  it('waits for calls started while waiting', async () => {
    const p = new PendingCalls();
    let done = 0;
    const later = (): Promise<void> => new Promise((r) => setTimeout(() => (done++, r()), 5));
    void p.track(later().then(() => void p.track(later())));
    await p.idle();
    expect(done).toBe(2);
    expect(p.count).toBe(2);
  });
});

describe('WAVE header facts', () => {
  it('finds the audio of a file with extra chunks, and reads back the header it writes', () => {
    const list = Buffer.alloc(8 + 6);
    list.write('LIST', 0, 'latin1');
    list.writeUInt32LE(5, 4); // odd size: a pad byte follows
    const header = wavHeader(WavFormat.alaw, 8, 800);
    const file = Buffer.concat([header.subarray(0, 36), list, header.subarray(36), Buffer.alloc(800)]);
    file.writeUInt32LE(file.length - 8, 4);
    expect(wavLayout(file)).toEqual({
      formatTag: 6,
      channels: 1,
      sampleRate: 8000,
      bitsPerSample: 8,
      dataOffset: 36 + 14 + 8,
      dataBytes: 800,
    });
    expect(wavLayout(Buffer.concat([wavHeader(WavFormat.pcm, 16, 1000), Buffer.alloc(10)]))?.dataBytes).toBe(10);
    expect(wavLayout(Buffer.from('not a wave file at all'))).toBeUndefined();
  });
});
