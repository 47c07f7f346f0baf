/**
 * The application's structured logger: one JSON object per line (`ts`, `level`, `msg`, fields),
 * personal data masked on the way out, whatever the caller passed:
 * - fields whose name mentions a phone or number of a person (`phone`, `caller`, `callbackNumber`,
 *   `called`, `ani`, `dnis`) are masked with `maskPhone` (`138******00`);
 * - fields whose name mentions a secret (`password`, `pin`, `secret`, `token`, `digits`) are
 *   replaced by `***`.
 * It satisfies cti-core's `Logger`, so it is injected into every library.
 * @module
 */
import { maskPhone, type Logger } from '@hotline/cti-core';
import type { Clock } from '../domain/clock.js';

/** Log levels, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

const PHONE_FIELD = /phone|caller|callback|^called$|^ani$|^dnis$/i;
const SECRET_FIELD = /password|passwd|secret|token|^pin$|digits/i;

/** Masks personal data in a field map (recursively in nested objects and arrays). */
export function maskFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = maskValue(key, value, 0);
  return out;
}

function maskValue(key: string, value: unknown, depth: number): unknown {
  if (SECRET_FIELD.test(key)) return '***';
  if (PHONE_FIELD.test(key)) {
    if (typeof value === 'string') return maskPhone(value);
    if (Array.isArray(value))
      return value.map((v) => (typeof v === 'string' ? maskPhone(v) : maskValue(key, v, depth + 1)));
  }
  if (depth < 4 && typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) return value.map((v) => maskValue(key, v, depth + 1));
    if (value instanceof Error) return { name: value.name, message: value.message };
    const nested: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) nested[k] = maskValue(k, v, depth + 1);
    return nested;
  }
  return value;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where each line goes (default: standard error). */
  readonly write?: (line: string) => void;
  readonly clock?: Clock;
  /** Fields added to every line (e.g. `{ component: 'storage' }`). */
  readonly base?: Readonly<Record<string, unknown>>;
}

/** A structured logger with {@link Logger}'s interface and `child()` for component loggers. */
export interface AppLogger extends Logger {
  child(fields: Readonly<Record<string, unknown>>): AppLogger;
}

/** Creates the application logger. */
export function createLogger(options: LoggerOptions = {}): AppLogger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = (): number => options.clock?.now() ?? Date.now();
  const base = options.base ?? {};
  const log = (level: LogLevel) => (msg: string, fields?: Readonly<Record<string, unknown>>) => {
    if (ORDER[level] < min) return;
    write(JSON.stringify({ ts: new Date(now()).toISOString(), level, msg, ...maskFields({ ...base, ...fields }) }));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}
