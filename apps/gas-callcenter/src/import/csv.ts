/**
 * A streaming CSV parser (RFC 4180 plus what spreadsheets really write): quoted fields with `""`
 * escapes and line breaks inside them, LF, CRLF or lone CR line ends, a UTF-8 byte-order mark, and
 * GBK/GB18030 input (as exported by Chinese Excel) through `TextDecoder`.
 *
 * It reads chunk by chunk and yields one record at a time with the line number it starts on, so a
 * file of any size is imported in constant memory and every problem can name its line.
 * @module
 */

/** Encodings accepted for CSV input. */
export type CsvEncoding = 'utf-8' | 'gbk' | 'gb18030';

/** Why a record could not be read as CSV. */
export type CsvProblem = 'unterminated-quote' | 'text-after-quote' | 'encoding';

/** One record. */
export interface CsvRecord {
  /** 1-based line number of the record's first line in the file. */
  readonly line: number;
  readonly fields: readonly string[];
  /** Set when the record is malformed; `fields` then holds what could be read. */
  readonly problem?: CsvProblem;
}

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  /** Default `utf-8`. */
  readonly encoding?: CsvEncoding;
  /** Field separator, default `,`. */
  readonly delimiter?: string;
}

/**
 * Parses CSV from a stream of bytes (or strings). Blank lines are skipped. A malformed record is
 * yielded with its `problem` and parsing continues with the next line.
 */
export async function* parseCsv(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: CsvOptions = {},
): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder(options.encoding === 'gbk' ? 'gb18030' : (options.encoding ?? 'utf-8'), {
    ignoreBOM: false,
  });
  const delimiter = options.delimiter ?? ',';
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let afterQuote = false;
  let problem: CsvProblem | undefined;
  let line = 1;
  let recordLine = 1;
  let pendingCR = false;
  let fieldStarted = false;
  const out: CsvRecord[] = [];

  const endField = (): void => {
    fields.push(field);
    field = '';
    afterQuote = false;
    fieldStarted = false;
  };
  const endRecord = (): void => {
    endField();
    const blank = fields.length === 1 && fields[0] === '' && problem === undefined;
    if (!blank) {
      if (problem === undefined && fields.some((f) => f.includes('\uFFFD'))) problem = 'encoding';
      out.push(problem === undefined ? { line: recordLine, fields } : { line: recordLine, fields, problem });
    }
    fields = [];
    problem = undefined;
  };

  const feed = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (pendingCR) {
        pendingCR = false;
        if (c === '\n') continue;
      }
      if (inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else if (i + 1 === text.length) {
            // The escape may continue in the next chunk: decide there.
            inQuotes = false;
            afterQuote = true;
            pendingQuote = true;
          } else {
            inQuotes = false;
            afterQuote = true;
          }
        } else {
          if (c === '\n' || c === '\r') {
            // Line breaks inside a field are kept, normalised to LF.
            line++;
            if (c === '\r') pendingCR = true;
            field += '\n';
          } else {
            field += c;
          }
        }
        continue;
      }
      if (pendingQuote) {
        pendingQuote = false;
        if (c === '"') {
          // It was an escaped quote split across chunks.
          field += '"';
          inQuotes = true;
          afterQuote = false;
          continue;
        }
      }
      if (c === delimiter) {
        endField();
      } else if (c === '\n' || c === '\r') {
        if (c === '\r') pendingCR = true;
        endRecord();
        line++;
        recordLine = line;
      } else if (c === '"' && !fieldStarted && !afterQuote) {
        inQuotes = true;
        fieldStarted = true;
      } else if (afterQuote) {
        problem ??= 'text-after-quote';
        field += c;
      } else {
        fieldStarted = true;
        field += c;
      }
    }
  };
  let pendingQuote = false;

  let first = true;
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    feed(text);
    yield* out.splice(0);
  }
  feed(decoder.decode());
  pendingQuote = false;
  if (inQuotes) {
    problem = 'unterminated-quote';
    inQuotes = false;
  }
  if (field !== '' || fields.length > 0 || problem !== undefined) endRecord();
  yield* out.splice(0);
}
