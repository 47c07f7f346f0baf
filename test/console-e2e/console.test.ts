/**
 * End to end: the real gas call centre (`gas-callcenter demo`, simulated E1 board, generated
 * traffic) and the Ink agent console running in a real terminal (`tmux`). A person — this test —
 * logs in as agent a001, goes ready, takes a simulated caller who pressed 0 (or reported a leak),
 * answers, files a ticket, reads the tracking number off the screen, hangs up and wraps up; then
 * the ticket is looked up in the server's database.
 *
 * The server runs in a temporary data directory with a small config (200 customers, no simulated
 * agents so every queued caller reaches a001, a high call rate, a free port). Every wait polls the
 * captured screen with a generous bound, so a loaded 2-core CI machine only makes it slower.
 * Everything started here is stopped in `afterAll`, also when a step fails. Without `tmux` the test
 * is skipped and says why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { asyncScheduler } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../apps/gas-callcenter/src/storage/sqlite/sqlite-store.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const HAS_TMUX = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
if (!HAS_TMUX) process.stderr.write('console-e2e: skipped — tmux is not installed (apt-get install tmux)\n');

const SESSION = 'console';
const UTF8 = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

/** A private tmux server (its socket in the test's temporary folder), so nothing of the user's tmux is touched. */
let socket = '';

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', env: UTF8 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const screen = (): string => tmux('capture-pane', '-p', '-t', SESSION);
const keys = (...k: string[]): void => void tmux('send-keys', '-t', SESSION, ...k);
const text = (s: string): void => void tmux('send-keys', '-t', SESSION, '-l', s);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls the screen until `test` matches it; fails with the last screen after `ms`. */
async function waitScreen(what: string, test: (s: string) => boolean, ms: number): Promise<string> {
  const until = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      last = screen();
    } catch {
      last = '(no screen)';
    }
    if (test(last)) return last;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}; the screen:\n${last}`);
    await sleep(250);
  }
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Stops a process group politely, then for good. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGINT');
  } catch {
    return;
  }
  const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!done) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(5_000)]);
  }
}

describe.skipIf(!HAS_TMUX)('the console against the real call centre, in tmux', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-console-e2e-'));
  socket = join(dir, 'tmux.sock');
  let server: ChildProcess | undefined;
  let serverOut = '';

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // no tmux server left
    }
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(
    'logs in as a001, takes a simulated call, files a ticket and reads the tracking number to the caller; the ticket is in the database',
    async () => {
      const port = await freePort();
      const config = join(dir, 'hotline.yaml');
      writeFileSync(
        config,
        [
          `dataDir: ${JSON.stringify(join(dir, 'data'))}`,
          'log: { level: warn }',
          `server: { host: 127.0.0.1, port: ${port} }`,
          'security: { scryptCost: 1024 }',
          // No simulated agents: every caller who asks for one waits for a001.
          'demo: { customers: 200, agents: 0, callsPerHour: 3000 }',
          '',
        ].join('\n'),
      );

      // 1. The server, in its own process group (so every child goes with it).
      server = spawn(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          'apps/gas-callcenter/src/cli/main.ts',
          'demo',
          '--config',
          config,
          '--lang',
          'en',
        ],
        {
          cwd: ROOT,
          env: { ...process.env, FORCE_COLOR: '0' },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const collect = (b: Buffer): void => {
        serverOut = (serverOut + b.toString('utf8')).slice(-20_000);
      };
      server.stdout?.on('data', collect);
      server.stderr?.on('data', collect);
      const url = `ws://127.0.0.1:${port}`;
      const started = Date.now();
      while (!serverOut.includes(url)) {
        if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}):\n${serverOut}`);
        if (Date.now() - started > 180_000) throw new Error(`the server did not come up in 180 s:\n${serverOut}`);
        await sleep(250);
      }

      // 2. The console in a 100×30 terminal.
      // Not exec'd: if the console dies, its last output and exit status stay on the captured screen.
      // Ink renders only a final frame when it thinks it runs in CI (CI=true, as on the CI machine):
      // the console is a person's terminal program, so the pane runs it without those variables.
      const consoleCmd = `cd ${JSON.stringify(ROOT)} && env -u CI -u CONTINUOUS_INTEGRATION ${JSON.stringify(process.execPath)} --conditions=source --import tsx apps/tui-console/src/main.tsx --server ${url} --user a001; echo "console exited with status $?"; sleep 600`;
      tmux('-u', 'new-session', '-d', '-s', SESSION, '-x', '100', '-y', '30', consoleCmd);
      tmux('set-option', '-t', SESSION, 'remain-on-exit', 'on');
      await waitScreen('the login form', (s) => s.includes('登录') && s.includes('密码'), 240_000);
      // The user is pre-filled from --user; the focus is on the password.
      await waitScreen('the user pre-filled', (s) => s.includes('a001'), 10_000);
      text('hotline123');
      keys('Enter');
      await waitScreen('the agent desk', (s) => s.includes('坐席1号(a001)') && s.includes('● 在线'), 90_000);

      // 3. Ready, and a caller.
      keys('F8');
      await waitScreen('ready', (s) => /^坐席1号\(a001\) │ 示闲/m.test(s) || s.includes('来电振铃'), 30_000);
      let answered = '';
      for (let attempt = 0; attempt < 5 && !answered; attempt++) {
        await waitScreen(
          'a ringing call with its screen pop',
          (s) => s.includes('来电振铃') && s.includes('F2 接听'),
          240_000,
        );
        keys('F2');
        const s = await waitScreen(
          'the call connected, or gone',
          (x) => x.includes('通话中') || (!x.includes('来电振铃') && x.includes('等待来电')),
          60_000,
        );
        if (s.includes('通话中')) answered = s;
      }
      expect(answered, 'no call could be answered in five attempts').not.toBe('');
      expect(answered).toMatch(/IVR 路径/);

      // 4. A ticket from the call; the tracking number is shown to be read to the caller.
      keys('F10');
      await waitScreen('the ticket form', (s) => s.includes('新建工单') && s.includes('标题'), 30_000);
      const title = `e2e-${process.pid}-${Date.now() % 100_000}`;
      text(title);
      keys('Tab');
      text('caller smells gas near the meter');
      keys('C-s');
      const created = await waitScreen('the tracking number', (s) => /受理流水号\s+\d{4} \d{4}/.test(s), 60_000);
      const grouped = /受理流水号\s+([\d ]{8,})/.exec(created)?.[1]?.trim() ?? '';
      const trackingNo = grouped.replace(/ /g, '');
      expect(trackingNo).toMatch(/^\d{10,16}$/);
      expect(created).toContain(`(${trackingNo})`);

      // 5. Hang up; wrap up with the default disposition.
      keys('F3');
      await waitScreen('wrap-up', (s) => s.includes('话后处理') && s.includes('处理结果'), 60_000);
      keys('Enter');
      await waitScreen('wrap-up submitted', (s) => s.includes('话后处理已提交'), 60_000);

      // 6. The server has the ticket, taken by a001 with our title. Stop it first (one writer).
      tmux('kill-server');
      await stop(server);
      const store = await openSqliteStore({ dataDir: join(dir, 'data'), clock: asyncScheduler });
      try {
        const ticket = await store.tickets.getByTrackingNo(trackingNo);
        expect(ticket, `ticket ${trackingNo} is not in the database`).toBeDefined();
        expect(ticket?.createdBy).toBe('a001');
        expect(ticket?.description).toContain(title);
      } finally {
        await store.close();
      }
    },
    15 * 60_000,
  );
});
