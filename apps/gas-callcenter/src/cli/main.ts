/**
 * The `gas-callcenter` command line, dispatched by subcommand:
 *
 * ```text
 * gas-callcenter start | demo
 * gas-callcenter migrate
 * gas-callcenter user add <name> --role <role> [--display-name <text>] [--department <code>]
 * gas-callcenter user passwd <name>
 * gas-callcenter user list
 * gas-callcenter import customers <file.csv> [--encoding utf-8|gbk]
 * gas-callcenter backup <target-dir>
 * gas-callcenter report daily [--date YYYY-MM-DD] [--format text|html] [--out <file>]
 * gas-callcenter seed [--customers <n>] [--seed <n>]
 * global options: --config <file> --data-dir <dir> --lang zh-CN|en
 * ```
 *
 * This is the only module that writes to the terminal; everything it prints comes from the
 * message catalog. {@link main} takes its I/O as a parameter so tests run it in-process.
 * @module
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { asyncScheduler } from 'rxjs';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, type AppLogger } from '../config/logger.js';
import { AuthService } from '../domain/auth-service.js';
import { dayRange, localDate, type Clock } from '../domain/clock.js';
import { AppError, AppErrorCode } from '../domain/errors.js';
import { ROLES, type Role } from '../domain/users.js';
import { createTranslator, resolveLocale, translateDynamic, type Locale, type Translate } from '../i18n/catalog.js';
import { importCustomers } from '../import/customers.js';
import { seedDemoData } from '../seed/seed.js';
import { KNOWN_SCHEMA_VERSION } from '../storage/migrations.js';
import { openSqliteStore, type SqliteStore } from '../storage/sqlite/sqlite-store.js';
import { renderDailyHtml, renderDailyText } from './daily-report.js';
import { describeError } from './describe-error.js';
import { maskPhone } from '@hotline/cti-core';

/** The terminal and environment the CLI runs in (injected by tests). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads a secret (password) without echo; from a pipe, reads the next line. */
  readonly readSecret: (prompt: string) => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly clock: Clock;
}

/**
 * What `start` and `demo` call. The composition root (`src/server/run.ts`, written by the server
 * work) exports it; it resolves when the server has shut down.
 */
export type RunServer = (
  loaded: LoadedConfig,
  mode: 'start' | 'demo',
  context: { readonly logger: AppLogger; readonly t: Translate; readonly locale: Locale },
) => Promise<void>;

const GLOBAL_OPTIONS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  role: { type: 'string' },
  'display-name': { type: 'string' },
  department: { type: 'string' },
  encoding: { type: 'string' },
  date: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  customers: { type: 'string' },
  seed: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Runs one command; resolves the process exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let t = createTranslator(resolveLocale(io.env.HOTLINE_LANG ?? io.env.LC_ALL ?? io.env.LANG));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: GLOBAL_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr(`${t('cli.badArguments', { reason: (err as Error).message })}\n${t('cli.usage')}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const lang = values.lang ?? io.env.HOTLINE_LANG;
  if (values.lang !== undefined && values.lang !== 'zh-CN' && values.lang !== 'en') {
    io.stderr(`${t('cli.badLang', { lang: values.lang })}\n`);
    return 2;
  }
  let locale = resolveLocale(lang ?? io.env.LC_ALL ?? io.env.LANG);
  t = createTranslator(locale);
  const [command, sub, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.stdout(`${t('cli.usage')}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }

  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(values.config ?? io.env.HOTLINE_CONFIG, {
      locale: lang === undefined ? undefined : locale,
      cwd: io.cwd,
    });
  } catch (err) {
    io.stderr(`${describeError(err, t)}\n`);
    return 1;
  }
  if (lang === undefined) {
    locale = loaded.config.locale;
    t = createTranslator(locale);
  }
  if (values['data-dir'] !== undefined) loaded = { ...loaded, dataDir: resolve(io.cwd, values['data-dir']) };
  // The server writes its log to a file (`log.file`; in demo mode `<dataDir>/hotline.log` by
  // default) so the terminal keeps the live status line; other commands log to standard error.
  const serving = command === 'start' || command === 'demo';
  const logPath = serving
    ? loaded.config.log.file !== undefined
      ? resolve(loaded.file ? dirname(loaded.file) : io.cwd, loaded.config.log.file)
      : command === 'demo'
        ? join(loaded.dataDir, 'hotline.log')
        : undefined
    : undefined;
  let write = (line: string): void => io.stderr(`${line}\n`);
  if (logPath !== undefined) {
    mkdirSync(dirname(logPath), { recursive: true });
    const stream = createWriteStream(logPath, { flags: 'a' });
    write = (line) => void stream.write(`${line}\n`);
  }
  const logger = createLogger({ level: loaded.config.log.level, clock: io.clock, write });

  const openStore = (): Promise<SqliteStore> =>
    openSqliteStore({
      dataDir: loaded.dataDir,
      clock: io.clock,
      logger: logger.child({ component: 'storage' }),
      busyTimeoutMs: loaded.config.database.busyTimeoutMs,
      synchronous: loaded.config.database.synchronous,
      orphanPolicy: loaded.config.database.orphanPolicy,
    });
  const withStore = async (fn: (store: SqliteStore) => Promise<number>): Promise<number> => {
    const store = await openStore();
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  const auth = (store: SqliteStore): AuthService =>
    new AuthService({
      users: store.users,
      customers: store.customers,
      departments: store.departments,
      audit: store.audit,
      clock: io.clock,
      lockout: {
        maxFailures: loaded.config.security.maxFailedLogins,
        lockoutMs: loaded.config.security.lockoutMinutes * 60_000,
      },
      scrypt: { N: loaded.config.security.scryptCost, r: 8, p: 1 },
      minPasswordLength: loaded.config.security.minPasswordLength,
    });
  const usage = (): number => {
    io.stderr(`${t('cli.usage')}\n`);
    return 2;
  };
  const actor = `cli:${io.env.USER ?? 'operator'}`;

  try {
    switch (command) {
      case 'start':
      case 'demo': {
        // ── Server entry point ────────────────────────────────────────────────────────────────
        // `src/server/run.ts` (the composition root: boards, IVR, ACD, CTI link) exports
        // `runServer: RunServer`. It is imported lazily so every other command works without it.
        const specifier = '../server/run.js';
        let runServer: RunServer | undefined;
        try {
          runServer = ((await import(specifier)) as { runServer?: RunServer }).runServer;
        } catch (err) {
          logger.debug('server module not loadable', { error: (err as Error).message });
        }
        if (typeof runServer !== 'function') {
          io.stderr(`${t('cli.serverMissing')}\n`);
          return 1;
        }
        await runServer(loaded, command, { logger, t, locale });
        return 0;
      }
      case 'migrate':
        return await withStore(async (store) => {
          const m = store.startup.migration;
          io.stdout(
            `${m.applied.length === 0 ? t('cli.migrate.upToDate', { version: m.to }) : t('cli.migrate.done', { from: m.from, to: m.to, dir: loaded.dataDir })}\n`,
          );
          return 0;
        });
      case 'user': {
        if (sub === 'list') {
          return await withStore(async (store) => {
            const deps = new Map((await store.departments.list()).map((d) => [d.id, d.name]));
            const rows = (await store.users.list()).map((u) =>
              [
                u.username,
                u.displayName,
                translateDynamic(t, `role.${u.role}`, u.role),
                u.departmentId === null ? '-' : (deps.get(u.departmentId) ?? '?'),
                u.disabled
                  ? t('cli.user.disabled')
                  : u.lockedUntil !== null && u.lockedUntil > io.clock.now()
                    ? t('cli.user.locked')
                    : t('cli.user.active'),
              ].join('\t'),
            );
            io.stdout(`${[t('cli.user.listHeader'), ...rows].join('\n')}\n`);
            return 0;
          });
        }
        const username = rest[0];
        if ((sub !== 'add' && sub !== 'passwd') || username === undefined) return usage();
        if (sub === 'add') {
          const role = values.role as Role | undefined;
          if (role === undefined || !ROLES.includes(role)) {
            io.stderr(`${t('cli.user.badRole', { roles: ROLES.join(', ') })}\n`);
            return 2;
          }
          const password = await readNewPassword(io, t);
          if (password === undefined) return 1;
          return await withStore(async (store) => {
            const u = await auth(store).addUser(actor, {
              username,
              displayName: values['display-name'] ?? username,
              role,
              departmentCode: values.department ?? null,
              password,
            });
            io.stdout(
              `${t('cli.user.added', { username: u.username, role: translateDynamic(t, `role.${u.role}`, u.role) })}\n`,
            );
            return 0;
          });
        }
        const password = await readNewPassword(io, t);
        if (password === undefined) return 1;
        return await withStore(async (store) => {
          await auth(store).resetPassword(actor, username, password);
          io.stdout(`${t('cli.user.passwordSet', { username })}\n`);
          return 0;
        });
      }
      case 'import': {
        const file = rest[0];
        if (sub !== 'customers' || file === undefined) return usage();
        const encoding = values.encoding ?? 'utf-8';
        if (encoding !== 'utf-8' && encoding !== 'gbk' && encoding !== 'gb18030') {
          io.stderr(`${t('cli.import.badEncoding', { encoding })}\n`);
          return 2;
        }
        return await withStore(async (store) => {
          const stream = createReadStream(resolve(io.cwd, file));
          const report = await importCustomers(stream as AsyncIterable<Uint8Array>, {
            customers: store.customers,
            clock: io.clock,
            encoding,
            transaction: (fn) => store.transaction(fn),
          });
          if (report.missingColumns.length > 0) {
            io.stderr(
              `${t('cli.import.missingColumns', { columns: report.missingColumns.map((c) => t(`column.${c}`)).join(', ') })}\n`,
            );
            return 1;
          }
          for (const bad of report.bad) {
            const reasons = bad.issues.map((i) => {
              const value = i.value === undefined ? '' : ` (${i.column === 'phones' ? maskPhone(i.value) : i.value})`;
              const column = i.column === null ? '' : `${t(`column.${i.column}`)}: `;
              return `${column}${t(`import.reason.${i.reason}`)}${value}`;
            });
            io.stderr(`${t('cli.import.badRow', { line: bad.line, reasons: reasons.join('; ') })}\n`);
          }
          io.stdout(
            `${t('cli.import.summary', { rows: report.rows, imported: report.imported, bad: report.bad.length })}\n`,
          );
          await store.audit.append({
            at: io.clock.now(),
            actor,
            action: 'customers.import',
            target: file,
            outcome: 'ok',
            details: { rows: report.rows, imported: report.imported, bad: report.bad.length },
          });
          return report.bad.length > 0 ? 1 : 0;
        });
      }
      case 'backup': {
        if (sub === undefined) return usage();
        return await withStore(async (store) => {
          const r = await store.backup(resolve(io.cwd, sub));
          io.stdout(
            `${t('cli.backup.done', { target: r.target, version: r.schemaVersion, mb: (r.databaseBytes / 1048576).toFixed(1), files: r.files })}\n`,
          );
          if (r.missingFiles.length > 0) io.stderr(`${t('cli.backup.missing', { count: r.missingFiles.length })}\n`);
          await store.audit.append({
            at: io.clock.now(),
            actor,
            action: 'backup',
            target: r.target,
            outcome: 'ok',
            details: { files: r.files },
          });
          return 0;
        });
      }
      case 'report': {
        if (sub !== 'daily') return usage();
        const tz = loaded.config.timeZone;
        const day = values.date ?? localDate(io.clock.now() - 86_400_000, tz).iso;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) {
          io.stderr(`${t('cli.report.badDate', { date: day })}\n`);
          return 2;
        }
        const format = values.format ?? 'text';
        if (format !== 'text' && format !== 'html') {
          io.stderr(`${t('cli.report.badFormat', { format })}\n`);
          return 2;
        }
        return await withStore(async (store) => {
          const figures = await store.reports.daily(toRange(dayRange(day, tz)));
          const text =
            format === 'html'
              ? renderDailyHtml(figures, day, loaded.config.centre.name, t, locale)
              : renderDailyText(figures, day, loaded.config.centre.name, t);
          if (values.out !== undefined) {
            await writeFile(resolve(io.cwd, values.out), text);
            io.stdout(`${t('cli.report.written', { file: resolve(io.cwd, values.out) })}\n`);
          } else {
            io.stdout(text.endsWith('\n') ? text : `${text}\n`);
          }
          return 0;
        });
      }
      case 'seed': {
        const customers = values.customers === undefined ? loaded.config.demo.customers : Number(values.customers);
        const seed = values.seed === undefined ? loaded.config.demo.seed : Number(values.seed);
        if (!Number.isInteger(customers) || customers < 0 || !Number.isInteger(seed) || seed < 0) return usage();
        return await withStore(async (store) => {
          const started = Date.now();
          const r = await seedDemoData(store, {
            customers,
            seed,
            clock: io.clock,
            timeZone: loaded.config.timeZone,
            baseHouseholdSize: loaded.config.billing.baseHouseholdSize,
            scrypt: { N: loaded.config.security.scryptCost, r: 8, p: 1 },
          });
          io.stdout(
            `${t('cli.seed.done', { customers: r.customers, bills: r.bills, payments: r.payments, arrears: r.accountsInArrears, users: r.users, seconds: ((Date.now() - started) / 1000).toFixed(1) })}\n`,
          );
          return 0;
        });
      }
      default:
        io.stderr(`${t('cli.unknownCommand', { command })}\n${t('cli.usage')}\n`);
        return 2;
    }
  } catch (err) {
    io.stderr(`${describeError(err, t)}\n`);
    if (!(err instanceof AppError))
      logger.error('command failed', {
        command,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    return 1;
  }
}

function toRange(r: { start: number; end: number }): { from: number; before: number } {
  return { from: r.start, before: r.end };
}

async function readNewPassword(io: CliIo, t: Translate): Promise<string | undefined> {
  const first = await io.readSecret(t('cli.password.prompt'));
  const again = await io.readSecret(t('cli.password.again'));
  if (first !== again) {
    io.stderr(`${t('cli.password.mismatch')}\n`);
    return undefined;
  }
  return first;
}

/** Reads a line from standard input without echoing it on a terminal. */
async function readSecretFromTerminal(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  if (!stdin.isTTY) {
    const line = await readLine(stdin);
    return line;
  }
  return new Promise((resolvePromise, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolvePromise(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(
            new AppError(AppErrorCode.Invalid, 'cancelled', {
              canceled: true,
              details: { field: 'password', reason: 'cancelled' },
            }),
          );
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

let pendingInput = '';
async function readLine(stream: NodeJS.ReadStream): Promise<string> {
  for (;;) {
    const nl = pendingInput.indexOf('\n');
    if (nl >= 0) {
      const line = pendingInput.slice(0, nl).replace(/\r$/, '');
      pendingInput = pendingInput.slice(nl + 1);
      return line;
    }
    const chunk = await new Promise<string | null>((resolveChunk) => {
      const onData = (d: Buffer | string): void => {
        cleanup();
        resolveChunk(d.toString());
      };
      const onEnd = (): void => {
        cleanup();
        resolveChunk(null);
      };
      const cleanup = (): void => {
        stream.off('data', onData);
        stream.off('end', onEnd);
        stream.pause();
      };
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.resume();
    });
    if (chunk === null) {
      const rest = pendingInput;
      pendingInput = '';
      return rest;
    }
    pendingInput += chunk;
  }
}

/** The real terminal. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readSecret: readSecretFromTerminal,
    env: process.env,
    cwd: process.cwd(),
    clock: asyncScheduler,
  };
}

/** Schema version this build knows (printed by `--help` for support). */
export const CLI_SCHEMA_VERSION = KNOWN_SCHEMA_VERSION;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
