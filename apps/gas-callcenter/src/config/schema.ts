/**
 * The configuration file's schema (zod 4). Every key has a default, so an absent file gives a
 * working demo configuration; unknown keys are errors (a typo must not be silently ignored).
 * `docs/operations.md` documents every key; keep the two in step.
 * @module
 */
import { z } from 'zod';

/** `custom` issues carry what was expected in `params.expect`, for the message catalog. */
function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

const minutes = (def: number): z.ZodDefault<z.ZodInt> => z.int().min(1).max(525_600).default(def);

/** The configuration schema. */
export const configSchema = z.strictObject({
  /** Language of the console, CLI messages and reports. */
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  /** The centre's time zone (tracking-number dates, daily reports, bill periods). */
  timeZone: z.string().refine(validTimeZone, { params: { expect: 'timeZone' } }).default('Asia/Shanghai'),
  centre: z
    .strictObject({
      name: z.string().min(1).default('示例燃气集团客户服务中心'),
      hotline: z.string().regex(/^\d{3,12}$/).default('96777'),
    })
    .prefault({}),
  /** The data directory; relative paths are relative to the configuration file's folder. */
  dataDir: z.string().min(1).default('./data'),
  database: z
    .strictObject({
      busyTimeoutMs: z.int().min(0).max(600_000).default(5000),
      synchronous: z.enum(['full', 'normal']).default('full'),
      orphanPolicy: z.enum(['quarantine', 'delete']).default('quarantine'),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      file: z.string().min(1).optional(),
    })
    .prefault({}),
  board: z
    .strictObject({
      driver: z.enum(['sim', 'sanhui', 'donjin', 'dialogic']).default('sim'),
      e1Spans: z.int().min(0).max(8).default(1),
      analogLines: z.int().min(0).max(64).default(0),
      stations: z.int().min(0).max(64).default(20),
      libraryPath: z.string().min(1).optional(),
    })
    .prefault({}),
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(1).max(65_535).default(7420),
      tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
      sessionIdleMinutes: z.int().min(1).max(1440).default(480),
    })
    .prefault({}),
  security: z
    .strictObject({
      maxFailedLogins: z.int().min(1).max(100).default(5),
      lockoutMinutes: z.int().min(1).max(1440).default(15),
      minPasswordLength: z.int().min(6).max(128).default(8),
      scryptCost: z.int().min(1024).max(1_048_576).refine(isPowerOfTwo, { params: { expect: 'powerOfTwo' } }).default(16384),
    })
    .prefault({}),
  tickets: z
    .strictObject({
      deadlineMinutes: z
        .strictObject({
          emergency: minutes(30),
          repair: minutes(1440),
          service_request: minutes(4320),
          complaint: minutes(4320),
          suggestion: minutes(10_080),
        })
        .prefault({}),
      escalationCheckSeconds: z.int().min(1).max(3600).default(60),
    })
    .prefault({}),
  billing: z
    .strictObject({
      adapter: z.enum(['local']).default('local'),
      tierYearStartMonth: z.int().min(1).max(12).default(1),
      baseHouseholdSize: z.int().min(1).max(20).default(4),
    })
    .prefault({}),
  demo: z
    .strictObject({
      customers: z.int().min(0).max(1_000_000).default(10_000),
      seed: z.int().min(0).max(2 ** 31 - 1).default(20_260_101),
      agents: z.int().min(0).max(64).default(20),
      callsPerHour: z.int().min(0).max(100_000).default(300),
      virtualTime: z.boolean().default(false),
    })
    .prefault({}),
});

/** The validated configuration, with every default filled in. */
export type Config = z.output<typeof configSchema>;

/** The configuration as written in the file (everything optional). */
export type ConfigInput = z.input<typeof configSchema>;
