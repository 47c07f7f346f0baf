/**
 * The one render helper of the console tests: a fake call centre on a virtual clock, the console
 * rendered with ink-testing-library at a fixed terminal size, and helpers to press keys, wait for
 * text and move time.
 */
import { AgentClient } from '@hotline/agent-protocol';
import { render } from 'ink-testing-library';
import { VirtualTimeScheduler } from 'rxjs';
import { ConsoleApp } from '../src/containers/App.js';
import { DEMO_EPOCH } from '../src/dev/seed-data.js';
import { FakeCallCenter, type FakeCallCenterOptions } from '../src/dev/fake-center.js';
import type { Lang } from '../src/i18n/i18n.js';

/** Keys as a terminal sends them. */
export const KEY = {
  F1: '\u001BOP',
  F2: '\u001BOQ',
  F3: '\u001BOR',
  F4: '\u001BOS',
  F5: '\u001B[15~',
  F6: '\u001B[17~',
  F7: '\u001B[18~',
  F8: '\u001B[19~',
  F9: '\u001B[20~',
  F10: '\u001B[21~',
  enter: '\r',
  tab: '\t',
  escape: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  left: '\u001B[D',
  right: '\u001B[C',
  backspace: '\u007F',
  ctrlS: '\u0013',
} as const;

/** A virtual clock that can be moved forward in steps, letting promises settle between steps. */
export class TestClock extends VirtualTimeScheduler {
  constructor(start = DEMO_EPOCH) {
    super();
    this.frame = start;
  }

  /** Runs everything due in the next `ms`, one `step` at a time. */
  async advance(ms: number, step = 500): Promise<void> {
    const end = this.frame + ms;
    while (this.frame < end) {
      const next = Math.min(end, this.frame + step);
      this.maxFrames = next;
      this.flush();
      this.frame = next;
      await settle();
    }
  }
}

/** Lets microtasks, immediates and React commits run. */
export async function settle(rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface RenderOptions {
  readonly lang?: Lang;
  readonly columns?: number;
  readonly rows?: number;
  readonly center?: FakeCallCenterOptions;
  readonly protocolVersion?: string;
  readonly user?: string;
}

/** Renders the console against a fresh fake centre. */
export function renderConsole(options: RenderOptions = {}) {
  const clock = new TestClock();
  const center = new FakeCallCenter({ scheduler: clock, heartbeatMs: 3_600_000, ...options.center });
  const transport = center.memoryTransport();
  const clients: AgentClient[] = [];
  const view = render(
    <ConsoleApp
      lang={options.lang ?? 'zh-CN'}
      scheduler={clock}
      size={{ columns: options.columns ?? 80, rows: options.rows ?? 24 }}
      login={{ server: 'ws://fake-center:7070/', user: options.user ?? '1001' }}
      createClient={() => {
        const client = new AgentClient({
          transport: transport.connect,
          scheduler: clock,
          reconnect: { initialDelayMs: 200, jitter: 0 },
          ...(options.protocolVersion ? { protocolVersion: options.protocolVersion } : {}),
        });
        clients.push(client);
        return client;
      }}
    />,
  );
  const frame = (): string => view.lastFrame() ?? '';
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      view.stdin.write(k);
      await settle();
    }
  };
  const waitFor = async (text: string | RegExp, what = frame): Promise<string> => {
    for (let i = 0; i < 200; i++) {
      const f = what();
      if (typeof text === 'string' ? f.includes(text) : text.test(f)) return f;
      await settle(2);
    }
    throw new Error(`timed out waiting for ${String(text)} in:\n${what()}`);
  };
  return {
    ...view,
    clock,
    center,
    transport,
    clients,
    frame,
    press,
    waitFor,
    /** Types the password (user id is pre-filled) and logs in. */
    async login(password = 'hotline', user?: string): Promise<void> {
      if (user) {
        await press(KEY.up);
        for (let i = 0; i < 8; i++) await press(KEY.backspace);
        await press(user, KEY.tab);
      }
      await press(password, KEY.enter);
    },
    async cleanup(): Promise<void> {
      view.unmount();
      for (const c of clients) await c.close();
      await center.close();
    },
  };
}
