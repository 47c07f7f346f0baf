import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvRecord } from './csv.js';

async function all(chunks: (string | Uint8Array)[], encoding?: 'utf-8' | 'gbk'): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of parseCsv(chunks, { encoding })) out.push(r);
  return out;
}

/** Every way of cutting `text` into two chunks, as bytes. */
function splits(text: string): Uint8Array[][] {
  const bytes = new TextEncoder().encode(text);
  return Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.slice(0, i), bytes.slice(i)]);
}

describe('CSV parser', () => {
  const text = '\uFEFFa,b,c\r\n1,"x, ""quoted""",3\r\n\r\n"multi\r\nline",王芳,\n"last",2,"3"';
  const expected = [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['1', 'x, "quoted"', '3'] },
    { line: 4, fields: ['multi\nline', '王芳', ''] },
    { line: 6, fields: ['last', '2', '3'] },
  ];

  it('handles BOM, quotes, escaped quotes, CRLF, blank lines and line breaks in fields', async () => {
    expect(await all([text])).toEqual(expected);
  });

  it('gives the same records however the bytes are chunked (multi-byte characters, CRLF and "" split)', async () => {
    for (const chunks of splits(text)) expect(await all(chunks)).toEqual(expected);
  });

  it('accepts lone CR line ends', async () => {
    expect(await all(['a,b\rc,d\r'])).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
  });

  it('reports malformed records and keeps going', async () => {
    expect(await all(['a,"b"x,c\nd,e,f\n"open,g\n'])).toEqual([
      { line: 1, fields: ['a', 'bx', 'c'], problem: 'text-after-quote' },
      { line: 2, fields: ['d', 'e', 'f'] },
      { line: 3, fields: ['open,g\n'], problem: 'unterminated-quote' },
    ]);
  });

  it('decodes GBK and flags undecodable UTF-8', async () => {
    const gbk = Uint8Array.from([0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0x31, 0x0a]); // 张三,1
    expect(await all([gbk], 'gbk')).toEqual([{ line: 1, fields: ['张三', '1'] }]);
    expect(await all([gbk])).toEqual([
      { line: 1, fields: [expect.stringContaining('\uFFFD'), '1'], problem: 'encoding' },
    ]);
  });
});
