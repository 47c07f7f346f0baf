/**
 * Runs the fake call centre on a WebSocket port for trying the console by hand:
 *
 *   node --conditions=source --import tsx apps/tui-console/src/dev/serve.ts --port 7070 [--demo]
 *
 * Users: 1001 (agent), 2001 (supervisor), 3001 (department staff), password `hotline`;
 * 1099 is locked out, 1098 disabled. Type a line on stdin to drive it: `call [known|unknown|leak|
 * shared|billing]` offers a call to 1001, `hangup <callId>` hangs up as the caller.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { FakeCallCenter, type CallerScript } from './fake-center.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '7070' }, demo: { type: 'boolean', default: false } },
});
const center = new FakeCallCenter({ demo: values.demo });
const listener = await center.listen(Number(values.port));
process.stdout.write(`fake call centre listening on ${listener.url}${values.demo ? ' (demo traffic)' : ''}\n`);

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  try {
    if (cmd === 'call') process.stdout.write(`offered ${center.offerCall('1001', (arg ?? 'known') as CallerScript)}\n`);
    else if (cmd === 'hangup' && arg) center.callerHangup(arg);
    else if (cmd) process.stdout.write('commands: call [known|unknown|leak|shared|billing], hangup <callId>\n');
  } catch (error) {
    process.stdout.write(`${String(error)}\n`);
  }
});
const stop = async (): Promise<void> => {
  rl.close();
  await center.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
