/**
 * Loading and validating the configuration file.
 *
 * Every problem is reported at once, each naming the key path and what is wrong in the user's
 * language, e.g. `board.e1Spans: 必须是 0 到 8 之间的整数（实际为 "two"）` or, in English,
 * `board.e1Spans: must be an integer 0..8 (got "two")`. Unknown keys suggest the closest known one.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { AppError, AppErrorCode } from '../domain/errors.js';
import { createTranslator, type Locale, type Translate } from '../i18n/catalog.js';
import { configSchema, type Config } from './schema.js';

/** One problem found in a configuration. */
export interface ConfigProblem {
  /** Dotted key path, e.g. `board.e1Spans` (`(root)` for the whole document). */
  readonly path: string;
  /** Localised description. */
  readonly message: string;
}

/** A configuration with where it came from. */
export interface LoadedConfig {
  readonly config: Config;
  /** The file read, or `undefined` when running on defaults. */
  readonly file: string | undefined;
  /** `dataDir` resolved to an absolute path. */
  readonly dataDir: string;
}

type AnySchema = z.ZodType;

interface SchemaDef {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  entries?: Record<string, string>;
  element?: AnySchema;
}

function def(schema: AnySchema): SchemaDef {
  return (schema as unknown as { def: SchemaDef }).def;
}

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (
      (d.type === 'default' ||
        d.type === 'prefault' ||
        d.type === 'optional' ||
        d.type === 'nullable' ||
        d.type === 'pipe') &&
      d.innerType
    )
      s = d.innerType;
    else return s;
  }
}

function shapeOf(schema: AnySchema): Record<string, AnySchema> | undefined {
  const d = def(unwrap(schema));
  return d.type === 'object' ? (unwrap(schema) as unknown as { shape: Record<string, AnySchema> }).shape : undefined;
}

function schemaAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let s: AnySchema | undefined = root;
  for (const key of path) {
    if (!s) return undefined;
    const shape = shapeOf(s);
    s = shape ? shape[String(key)] : undefined;
  }
  return s;
}

/** What a schema accepts, in words. */
function describe(schema: AnySchema, t: Translate): string {
  const s = unwrap(schema);
  const d = def(s);
  switch (d.type) {
    case 'number': {
      const n = s as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
      const kind = n.isInt ? 'int' : 'num';
      const lo =
        n.minValue !== null && Number.isFinite(n.minValue) && n.minValue > Number.MIN_SAFE_INTEGER ? n.minValue : null;
      const hi =
        n.maxValue !== null && Number.isFinite(n.maxValue) && n.maxValue < Number.MAX_SAFE_INTEGER ? n.maxValue : null;
      if (lo !== null && hi !== null)
        return t(kind === 'int' ? 'config.expect.intRange' : 'config.expect.numRange', { min: lo, max: hi });
      if (lo !== null) return t(kind === 'int' ? 'config.expect.intMin' : 'config.expect.numMin', { min: lo });
      return t(kind === 'int' ? 'config.expect.int' : 'config.expect.num');
    }
    case 'string': {
      const str = s as unknown as { minLength: number | null };
      return (str.minLength ?? 0) > 0 ? t('config.expect.nonEmptyString') : t('config.expect.string');
    }
    case 'enum':
      return t('config.expect.oneOf', {
        values: Object.values(d.entries ?? {})
          .map((v) => JSON.stringify(v))
          .join(', '),
      });
    case 'boolean':
      return t('config.expect.boolean');
    case 'object':
      return t('config.expect.mapping');
    case 'array':
      return t('config.expect.list');
    default:
      return t('config.expect.valid');
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function formatValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i]![j] = Math.min(
        dp[i - 1]![j]! + 1,
        dp[i]![j - 1]! + 1,
        dp[i - 1]![j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
    }
  }
  return dp[a.length]![b.length]!;
}

/**
 * Validates parsed configuration data. Resolves the configuration, or throws `ERR_CONFIG` with
 * `details.problems` (a {@link ConfigProblem} list, messages in `locale`).
 */
export function validateConfig(data: unknown, locale: Locale = 'zh-CN'): Config {
  const t = createTranslator(locale);
  const result = configSchema.safeParse(data ?? {});
  if (result.success) return result.data;
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(shapeOf(schemaAt(configSchema, issue.path) ?? configSchema) ?? {});
      for (const key of issue.keys) {
        const best = known.map((k) => ({ k, d: distance(key, k) })).sort((a, b) => a.d - b.d)[0];
        const path = formatPath([...issue.path, key]);
        problems.push({
          path,
          message:
            best && best.d <= Math.max(2, Math.floor(key.length / 3))
              ? t('config.unknownKeySuggest', { path, suggestion: best.k })
              : t('config.unknownKey', { path, known: known.join(', ') }),
        });
      }
      continue;
    }
    const path = formatPath(issue.path);
    const got = valueAt(data, issue.path);
    const schema = schemaAt(configSchema, issue.path);
    let what: string;
    if (issue.code === 'custom' && typeof issue.params?.expect === 'string') {
      what = issue.params.expect === 'timeZone' ? t('config.expect.timeZone') : t('config.expect.powerOfTwo');
    } else if (issue.code === 'invalid_format') {
      what = t('config.expect.digits');
    } else {
      what = schema ? describe(schema, t) : t('config.expect.valid');
    }
    problems.push({
      path,
      message:
        got === undefined
          ? t('config.problemMissing', { path, what })
          : t('config.problem', { path, what, got: formatValue(got) }),
    });
  }
  throw new AppError(AppErrorCode.Config, problems.map((p) => p.message).join('\n'), { details: { problems } });
}

/**
 * Reads, parses and validates a configuration file; with no file, returns the defaults. Relative
 * `dataDir` is resolved against the file's folder (or `cwd` without a file).
 */
export async function loadConfig(
  file: string | undefined,
  options: { readonly locale?: Locale; readonly cwd?: string } = {},
): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const t = createTranslator(options.locale ?? 'zh-CN');
  if (file === undefined) {
    const config = validateConfig({}, options.locale);
    return { config, file: undefined, dataDir: resolve(cwd, config.dataDir) };
  }
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const problem = {
      path: '(file)',
      message: t('config.unreadable', { file: path, reason: (err as NodeJS.ErrnoException).code ?? String(err) }),
    };
    throw new AppError(AppErrorCode.Config, problem.message, { cause: err, details: { problems: [problem] } });
  }
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: '(file)',
      message: t('config.yamlError', {
        file: path,
        line: e.linePos?.[0]?.line ?? 0,
        column: e.linePos?.[0]?.col ?? 0,
        reason: e.message.split('\n')[0] ?? '',
      }),
    }));
    throw new AppError(AppErrorCode.Config, problems.map((p) => p.message).join('\n'), { details: { problems } });
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const problem = {
      path: '(root)',
      message: t('config.problem', { path: '(root)', what: t('config.expect.mapping'), got: formatValue(data) }),
    };
    throw new AppError(AppErrorCode.Config, problem.message, { details: { problems: [problem] } });
  }
  // Report in the file's own language when it names a valid one and the caller did not choose.
  const fileLocale = (data as { locale?: unknown }).locale;
  const locale = options.locale ?? (fileLocale === 'en' || fileLocale === 'zh-CN' ? fileLocale : 'zh-CN');
  const config = validateConfig(data, locale);
  const dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(dirname(path), config.dataDir);
  return { config, file: path, dataDir };
}
