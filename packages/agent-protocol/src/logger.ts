/**
 * The logger this package logs through. It never touches `console`; the application injects a
 * logger (pino, winston, or `@hotline/cti-core`'s) that is structurally compatible.
 */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** A logger that drops everything: the default when none is injected. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/**
 * Masks a phone number for logs: numbers of 8 digits or more keep the first three and last two
 * digits (`13800138000` → `138******00`), 5 to 7 digits keep the last two, shorter ones the last.
 * Same rule as `@hotline/cti-core`'s `maskPhone`.
 */
export function maskPhone(number: string | undefined | null): string {
  if (!number) return '';
  if (number.length <= 4) return '*'.repeat(number.length - 1) + number.slice(-1);
  if (number.length < 8) return '*'.repeat(number.length - 2) + number.slice(-2);
  return number.slice(0, 3) + '*'.repeat(number.length - 5) + number.slice(-2);
}
