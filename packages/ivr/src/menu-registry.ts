/**
 * Hot-reloadable declarative menus. The registry holds the current compiled version of a menu
 * file; a call takes {@link MenuRegistry.flow} when it starts and keeps that version to its end,
 * so a reload never disturbs calls in progress. A reload that fails (syntax, schema, unknown
 * action, missing prompt) keeps the previous version and reports why.
 *
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Observable, Subject } from 'rxjs';
import { isHotlineError, silentLogger, type Logger } from '@hotline/cti-core';
import { IvrErrorCode, ivrError } from './errors.js';
import type { FlowDefinition } from './flow.js';
import { loadMenuSource, type CompiledMenu, type MenuAction } from './menu-compiler.js';

/** Options of {@link MenuRegistry}. */
export interface MenuRegistryOptions {
  /** The menu file (`.yaml`, `.yml` or `.json`). */
  readonly file: string;
  readonly actions?: Readonly<Record<string, MenuAction>>;
  readonly flows?: Readonly<Record<string, FlowDefinition<void, unknown>>>;
  /** Checks a new version's prompts before it is used (e.g. `ids => runtime.verifyPrompts(ids)`). */
  readonly verifyPrompts?: (ids: readonly string[]) => Promise<unknown>;
  readonly logger?: Logger;
}

/** What a load or reload did. */
export type MenuReloadEvent =
  | { readonly type: 'loaded'; readonly file: string; readonly version: number; readonly warnings: readonly string[] }
  | { readonly type: 'unchanged'; readonly file: string; readonly version: number }
  | {
      readonly type: 'rejected';
      readonly file: string;
      readonly version: number;
      readonly code: string;
      readonly message: string;
    };

/** A declarative menu file, compiled, versioned and reloadable. */
export class MenuRegistry {
  /** Every load and reload, successful or not. */
  readonly reloads$: Observable<MenuReloadEvent>;
  private readonly options: MenuRegistryOptions;
  private readonly logger: Logger;
  private readonly subject = new Subject<MenuReloadEvent>();
  private current: CompiledMenu | undefined;
  private versionCounter = 0;
  private watcher: FSWatcher | undefined;
  private reloading: Promise<MenuReloadEvent> | undefined;
  private again = false;

  constructor(options: MenuRegistryOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.reloads$ = this.subject.asObservable();
  }

  /**
   * Loads the file for the first time.
   * @throws HotlineError `ERR_IVR_MENU_INVALID` or a prompt error: a service must not start with a broken menu.
   */
  async load(): Promise<CompiledMenu> {
    const compiled = await this.compile();
    this.install(compiled);
    return compiled;
  }

  /** The current version's flow: give it to `IvrRuntime.run` when a call starts. */
  get flow(): FlowDefinition<void, void> {
    if (!this.current)
      throw ivrError(IvrErrorCode.NotStarted, `menu ${this.options.file} is not loaded (call load() first)`);
    return this.current.flow;
  }

  /** The current compiled menu. */
  get compiled(): CompiledMenu | undefined {
    return this.current;
  }

  /** The current version number (0 before the first load). */
  get version(): number {
    return this.current?.version ?? 0;
  }

  /**
   * Re-reads the file. A valid, changed file becomes the next version; an invalid one is
   * rejected and the current version stays. Concurrent calls are coalesced.
   */
  reload(): Promise<MenuReloadEvent> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      let event: MenuReloadEvent;
      do {
        this.again = false;
        event = await this.reloadOnce();
      } while (this.again);
      return event;
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /** Reloads whenever the file changes (fs.watch). Returns a function that stops watching. */
  watch(): () => void {
    if (!this.watcher) {
      this.watcher = watch(this.options.file, { persistent: false }, () => {
        void this.reload();
      });
      this.watcher.on('error', (error) =>
        this.logger.warn('menu watcher failed', { file: this.options.file, error: String(error) }),
      );
    }
    return () => this.close();
  }

  /** Stops watching and completes `reloads$`. */
  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.subject.complete();
  }

  private async reloadOnce(): Promise<MenuReloadEvent> {
    const file = this.options.file;
    let compiled: CompiledMenu;
    try {
      const source = await readFile(file, 'utf8');
      if (this.current && source === this.current.source) {
        const e: MenuReloadEvent = { type: 'unchanged', file, version: this.current.version };
        this.subject.next(e);
        return e;
      }
      compiled = await this.compile(source);
    } catch (error) {
      const e: MenuReloadEvent = {
        type: 'rejected',
        file,
        version: this.version,
        code: isHotlineError(error) ? error.code : 'ERR_IO',
        message: error instanceof Error ? error.message : String(error),
      };
      this.logger.warn('menu reload rejected; keeping the current version', {
        file,
        version: this.version,
        code: e.code,
      });
      this.subject.next(e);
      return e;
    }
    return this.install(compiled);
  }

  private async compile(text?: string): Promise<CompiledMenu> {
    const source = text ?? (await readFile(this.options.file, 'utf8'));
    const compiled = loadMenuSource(source, this.options.file, {
      version: this.versionCounter + 1,
      ...(this.options.actions ? { actions: this.options.actions } : {}),
      ...(this.options.flows ? { flows: this.options.flows } : {}),
      logger: this.logger,
    });
    if (this.options.verifyPrompts) await this.options.verifyPrompts(compiled.prompts);
    return compiled;
  }

  private install(compiled: CompiledMenu): MenuReloadEvent {
    this.versionCounter = compiled.version;
    this.current = compiled;
    const e: MenuReloadEvent = {
      type: 'loaded',
      file: this.options.file,
      version: compiled.version,
      warnings: compiled.warnings,
    };
    this.logger.info('menu loaded', { file: this.options.file, version: compiled.version, name: compiled.file.name });
    this.subject.next(e);
    return e;
  }
}
