/**
 * The logger the ACD logs through. Structurally identical to `@hotline/cti-core`'s `Logger`, so
 * the application injects one logger (pino, winston, its own) into every package. The ACD never
 * touches `console`.
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
 * Masks a phone number for logs: keeps the first three and last two digits
 * (`13800138000` → `138******00`). Numbers of four characters or fewer keep only their last one.
 */
export function maskPhone(number: string | undefined | null): string {
  if (!number) return '';
  if (number.length <= 4) return '*'.repeat(Math.max(0, number.length - 1)) + number.slice(-1);
  return number.slice(0, 3) + '*'.repeat(number.length - 5) + number.slice(-2);
}
