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
  timeZone: z
    .string()
    .refine(validTimeZone, { params: { expect: 'timeZone' } })
    .default('Asia/Shanghai'),
  centre: z
    .strictObject({
      name: z.string().min(1).default('示例燃气集团客户服务中心'),
      hotline: z
        .string()
        .regex(/^\d{3,12}$/)
        .default('96777'),
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
      /** Extra stations for supervisors' phones (listen / whisper / barge), after the agents' ones. */
      supervisorStations: z.int().min(0).max(16).default(3),
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
      scryptCost: z
        .int()
        .min(1024)
        .max(1_048_576)
        .refine(isPowerOfTwo, { params: { expect: 'powerOfTwo' } })
        .default(16384),
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
  /**
   * Fax (needs libspandsp on the machine; without it callers hear that fax is unavailable):
   * documents on demand, the inbound fax line, and results sent by fax. `docs/operations.md`.
   */
  fax: z
    .strictObject({
      /** Off: no fax engine is loaded; key 8 says fax is unavailable and the fax line is not answered as fax. */
      enabled: z.boolean().default(true),
      /** Called numbers (DNIS) of the inbound fax line: a fax received there becomes a complaint ticket. */
      inboundNumbers: z.array(z.string().regex(/^\d{3,20}$/)).default(['96778']),
      /** Our fax identity (TSI/CSI) sent to the far machine: digits, spaces and +, at most 20. */
      localId: z
        .string()
        .regex(/^[0-9 +]{0,20}$/)
        .default(''),
      /** Offer error-correction mode (T.30 Annex A). */
      ecm: z.boolean().default(true),
      /** Acknowledge a received complaint fax with a fax that carries its tracking number. */
      acknowledge: z.boolean().default(true),
      /** Attempts per outbound fax, the first included. */
      maxAttempts: z.int().min(1).max(10).default(3),
      /** Wait before the 2nd, 3rd… attempt, in seconds; the last value repeats. */
      retryDelaysSeconds: z.array(z.int().min(10).max(86_400)).min(1).max(10).default([120, 600]),
      /** Ring time before an outbound fax attempt counts as no answer, in seconds. */
      noAnswerSeconds: z.int().min(10).max(300).default(60),
      /** Numbers callers may key for a fax on demand (a regular expression on the digits; guards against toll fraud). */
      allowedNumbers: z.string().min(1).default('^(0[1-9]\\d{8,10}|[2-8]\\d{6,7})$'),
      /** Folder of the documents on demand, relative to the data directory. */
      documentsDir: z.string().min(1).default('documents'),
      /** Resolution of the documents the centre renders. */
      resolution: z.enum(['fine', 'standard']).default('fine'),
    })
    .prefault({}),
  demo: z
    .strictObject({
      customers: z.int().min(0).max(1_000_000).default(10_000),
      seed: z
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .default(20_260_101),
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
