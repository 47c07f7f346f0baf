/**
 * The console's command line:
 *
 *   node --conditions=source --import tsx apps/tui-console/src/main.tsx --server ws://127.0.0.1:7070 [--user 1001] [--lang en]
 *   node --conditions=source --import tsx apps/tui-console/src/main.tsx --demo     (starts the fake centre in-process)
 */
import { AgentClient } from '@hotline/agent-protocol';
import { render } from 'ink';
import { parseArgs } from 'node:util';
import { ConsoleApp } from './containers/App.js';
import { FakeCallCenter } from './dev/fake-center.js';
import { parseLang } from './i18n/i18n.js';

const USAGE = `hotline-console [--server ws://host:port] [--user id] [--lang zh-CN|en] [--demo]

  --server   the call-centre server (agent protocol over WebSocket)
  --user     pre-fill the user id
  --lang     zh-CN (default) or en
  --demo     start a fake call centre in this process (users 1001 agent, 2001 supervisor,
             3001 department staff; password "hotline") and pre-fill its address
`;

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    user: { type: 'string' },
    lang: { type: 'string' },
    demo: { type: 'boolean', default: false },
    'protocol-version': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!process.stdin.isTTY) {
  process.stderr.write('hotline-console needs an interactive terminal (stdin is not a TTY)\n');
  process.exit(2);
}

let center: FakeCallCenter | undefined;
let server = values.server ?? process.env.HOTLINE_SERVER;
if (values.demo) {
  center = new FakeCallCenter({ demo: true });
  server = (await center.listen(0)).url;
}

// Full-screen: the alternate screen buffer, restored on exit.
process.stdout.write('\u001B[?1049h\u001B[H');
const restore = (): void => void process.stdout.write('\u001B[?1049l');
process.on('exit', restore);

const instance = render(
  <ConsoleApp
    lang={parseLang(values.lang ?? process.env.HOTLINE_LANG)}
    login={{ ...(server ? { server } : {}), ...(values.user ? { user: values.user } : {}) }}
    createClient={(url) =>
      new AgentClient({
        url,
        clientInfo: { name: '@hotline/tui-console', version: '0.1.0' },
        ...(values['protocol-version'] ? { protocolVersion: values['protocol-version'] } : {}),
      })
    }
    onRing={() => void process.stderr.write('\u0007')}
  />,
  { exitOnCtrlC: false },
);
await instance.waitUntilExit();
await center?.close();
restore();
process.exit(0);
