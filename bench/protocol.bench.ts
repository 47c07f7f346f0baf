/**
 * B-P — agent protocol: (1) event fan-out latency from `ProtocolServer.push` to 50 `AgentClient`s
 * connected over ws on loopback (server validates, sequences, buffers; each client parses,
 * checks the frame and the event schema, and emits), against raw `ws` sends of the same JSON to
 * 50 plain sockets in the same run; (2) messages/s of frame + schema validation for a request
 * (`ticket.create`) and an event (`call.offered` screen pop), against `JSON.parse` alone.
 *
 * Server and clients share one process and one event loop, so the latency of the 50th client
 * includes the other 49 clients' processing: it is the figure a loaded desktop machine sees at
 * worst, and the baseline is measured the same way.
 */
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import {
  AgentClient,
  COMMANDS,
  EVENTS,
  EventFrame,
  RequestFrame,
  readFrame,
  type EventData,
  type UserInfo,
} from '@hotline/agent-protocol';
import { ProtocolServer, listenWebSocket } from '@hotline/agent-protocol/server';

const CLIENTS = 50;
const WARMUP = 30;
const ROUNDS = 300;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const queueStats: EventData<'queue.stats'> = {
  queues: ['general', 'billing', 'repair', 'emergency'].map((queueId, i) => ({
    queueId,
    name: ['综合业务', '账单查询', '报修', '紧急抢险'][i] ?? queueId,
    open: true,
    waiting: 3 + i,
    callbacksWaiting: i,
    longestWaitMs: 42_000,
    staffed: 6,
    busy: 4,
    offeredToday: 812,
    answeredToday: 790,
    abandonedToday: 22,
    serviceLevel: 0.83,
    serviceLevelThresholdMs: 20_000,
    abandonRate: 0.027,
    asaMs: 14_000,
    ahtMs: 212_000,
    expectedWaitMs: 35_000,
  })),
};

interface Lane {
  /** Sends one event to every client. */
  push(): void;
  /** Per-client latencies of the current round. */
  round: number[];
  t0: number;
  readonly all: number[];
  readonly last: number[];
}

function lane(push: (l: Lane) => void): Lane {
  const l: Lane = { push: () => push(l), round: [], t0: 0, all: [], last: [] };
  return l;
}

async function playRound(l: Lane, record: boolean): Promise<void> {
  l.round = [];
  l.t0 = performance.now();
  l.push();
  await new Promise<void>((resolve) => {
    const check = (): void => (l.round.length >= CLIENTS ? resolve() : void setImmediate(check));
    check();
  });
  if (record) {
    l.all.push(...l.round);
    l.last.push(Math.max(...l.round));
  }
}

/** Both set-ups live at once and rounds alternate, so load on a shared machine hits both alike. */
async function fanOut(): Promise<{ raw: Lane; ours: Lane }> {
  // Baseline: raw ws, the same JSON text, no validation, no sequence, no buffer.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as { port: number }).port;
  const text = JSON.stringify({ type: 'event', seq: 1, at: Date.now(), name: 'queue.stats', data: queueStats });
  const raw = lane(() => {
    for (const c of wss.clients) c.send(text);
  });
  const sockets: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const s = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    s.on('message', () => raw.round.push(performance.now() - raw.t0));
    await new Promise((resolve) => s.once('open', resolve));
    sockets.push(s);
  }

  // The protocol: ProtocolServer over listenWebSocket to AgentClients.
  const users = new Map<string, UserInfo>();
  for (let i = 0; i < CLIENTS; i++) users.set(`u${i}`, { userId: `u${i}`, displayName: `坐席${i}`, role: 'agent' });
  const server = new ProtocolServer({
    authenticator: {
      login: ({ userId }) =>
        users.has(userId) ? { ok: true, user: users.get(userId)! } : { ok: false, reason: 'bad-credentials' },
    },
    replayBufferSize: 100,
  });
  const listener = await listenWebSocket(server);
  const ours = lane(() => void server.push('all', 'queue.stats', queueStats));
  const clients: AgentClient[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const client = new AgentClient({ url: listener.url });
    client.events$.subscribe(() => ours.round.push(performance.now() - ours.t0));
    await client.login({ userId: `u${i}`, password: 'bench' });
    clients.push(client);
  }

  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    await playRound(raw, r >= WARMUP);
    await playRound(ours, r >= WARMUP);
  }

  for (const c of clients) await c.close();
  await server.close(0);
  await listener.close();
  for (const s of sockets) s.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  return { raw, ours };
}

function rate(fn: () => void, ms = 400): number {
  for (let i = 0; i < 2_000; i++) fn(); // warm-up
  let best = 0;
  for (let rep = 0; rep < 3; rep++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      for (let i = 0; i < 200; i++) fn();
      n += 200;
    }
    best = Math.max(best, n / ((performance.now() - start) / 1000));
  }
  return best;
}

function validation(): void {
  const request = JSON.stringify({
    type: 'request',
    id: 'a1b2c3d4-42',
    command: 'ticket.create',
    params: {
      kind: 'repair',
      category: 'meter-fault',
      subject: '燃气表不走字',
      description: '客户反映燃气表自上周起不走字，灶具使用正常，要求上门检查。'.repeat(3),
      priority: 'high',
      customerId: 'c-100001',
      contactName: '陈静',
      contactPhone: '13800138000',
      address: '杭州市西湖区文三路1号3单元502',
      callId: 'call-778',
    },
  });
  const now = 1_767_196_800_000;
  const ticket = {
    ticketId: 't1',
    trackingNo: '202611260017',
    kind: 'repair',
    status: 'in-progress',
    priority: 'normal',
    subject: '热水器打不着火',
    description: '上门检查',
    customerId: 'c-100001',
    escalationLevel: 0,
    deadline: now + 3_600_000,
    source: 'agent',
    createdAt: now,
    createdBy: '1001',
    updatedAt: now,
    version: 3,
  };
  const event = JSON.stringify({
    type: 'event',
    seq: 1234,
    at: now,
    name: 'call.offered',
    data: {
      call: {
        callId: 'call-779',
        direction: 'inbound',
        state: 'offered',
        remoteNumber: '13800138000',
        queueId: 'repair',
        since: now,
      },
      callerId: '13800138000',
      customer: {
        customerId: 'c-100001',
        customerNo: '100001',
        name: '陈静',
        phones: ['13800138000'],
        address: '杭州市西湖区文三路1号3单元502',
        district: '西湖区',
        districtCode: '330106',
        householdSize: 3,
        floor: 5,
        accountStatus: 'active',
        version: 4,
        updatedAt: now,
      },
      ivrPath: [
        { node: 'main', label: '主菜单', input: '2' },
        { node: 'repair', label: '报修', input: '1' },
      ],
      openTickets: [ticket, { ...ticket, ticketId: 't2', trackingNo: '202611250003' }],
      recentInteractions: Array.from({ length: 5 }, (_, i) => ({
        interactionId: `i${i}`,
        media: 'voice',
        direction: 'inbound',
        startedAt: now - i * 86_400_000,
        endedAt: now - i * 86_400_000 + 180_000,
        remoteNumber: '13800138000',
        agentId: '1002',
        outcome: 'answered',
      })),
      queueId: 'repair',
      queueName: '报修',
      priority: 'normal',
      waitedMs: 8_000,
    },
  });
  let sink = 0;
  const reqParse = rate(() => {
    sink += (JSON.parse(request) as { id: string }).id.length;
  });
  const reqValidate = rate(() => {
    const raw = readFrame(request);
    const frame = RequestFrame.parse(raw);
    const params = COMMANDS['ticket.create'].params.parse(frame.params);
    sink += params.subject.length;
  });
  const evParse = rate(() => {
    sink += (JSON.parse(event) as { seq: number }).seq;
  });
  const evValidate = rate(() => {
    const frame = EventFrame.parse(readFrame(event, Number.MAX_SAFE_INTEGER));
    const data = EVENTS['call.offered'].parse(frame.data);
    sink += data.waitedMs;
  });
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
  console.log(`schema validation (best of 3 × 400 ms; checksum ${sink & 0xff}):`);
  console.log(
    `  request ticket.create (${request.length} chars): JSON.parse only ${fmt(reqParse)} msg/s, parse + frame + params schema ${fmt(reqValidate)} msg/s, ratio ${(reqParse / reqValidate).toFixed(1)}× slower`,
  );
  console.log(
    `  event call.offered   (${event.length} chars): JSON.parse only ${fmt(evParse)} msg/s, parse + frame + event schema  ${fmt(evValidate)} msg/s, ratio ${(evParse / evValidate).toFixed(1)}× slower`,
  );
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const ms = (n: number) => `${n.toFixed(3)} ms`;
  console.log(
    `event fan-out to ${CLIENTS} clients over ws on 127.0.0.1, ${ROUNDS} rounds after ${WARMUP} warm-up (queue.stats, ${JSON.stringify(queueStats).length} chars):`,
  );
  const { raw, ours } = await fanOut();
  const b = summary(raw.all);
  const o = summary(ours.all);
  const bl = summary(raw.last);
  const ol = summary(ours.last);
  console.log(
    `  raw ws send, no validation:                p50 ${ms(b.p50)}  p99 ${ms(b.p99)}  (last of ${CLIENTS}: p50 ${ms(bl.p50)}  p99 ${ms(bl.p99)})`,
  );
  console.log(
    `  ProtocolServer.push → AgentClient.events$: p50 ${ms(o.p50)}  p99 ${ms(o.p99)}  (last of ${CLIENTS}: p50 ${ms(ol.p50)}  p99 ${ms(ol.p99)})`,
  );
  console.log(
    `  ratio protocol / raw: p50 ${(o.p50 / b.p50).toFixed(2)}×, p99 ${(o.p99 / b.p99).toFixed(2)}×, last-of-${CLIENTS} p50 ${(ol.p50 / bl.p50).toFixed(2)}×, p99 ${(ol.p99 / bl.p99).toFixed(2)}×`,
  );
  validation();
}
