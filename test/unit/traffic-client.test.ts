/**
 * How the traffic client finds a connection for a burst, with its HTTP/1.1 connection replaced by
 * one the test drives: which requests go out on a connection that freed, how many
 * connections open at once (each until its first answer), when a slow one stops counting,
 * and what a request that never got a connection reports.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { encodeRequest, type ExchangeHandler, Http1Connection } from '../../src/probes/http1-connection';
import { openingAtOnce, slowOpeningMs, TrafficClient } from '../../src/probes/traffic-client';

/** One connection's client: holds the handler of the request dispatched on it last. */
class DrivenClient {
  handler: ExchangeHandler | null = null;
  dispatched = 0;
  destroyed = false;
  /** A request was dispatched and not yet answered or failed. */
  asked = false;

  dispatch(handler: ExchangeHandler): void {
    this.handler = handler;
    this.dispatched++;
    this.asked = true;
  }

  destroy(): void {
    this.destroyed = true;
  }

  /** Fails the exchange; returns how many requests were dispatched on this connection while it was told. */
  fail(code: string): number {
    const before = this.dispatched;
    this.asked = false;
    this.handler!.onError(Object.assign(new Error(code), { code }));
    return this.dispatched - before;
  }

  answer(status = 200): void {
    this.asked = false;
    this.handler!.onHeaders(status, 'us-east-1');
    this.handler!.onComplete();
  }
}

interface Outcome {
  due: number;
  sentAt: number;
  status: number;
  error: string;
}

function driven(timeoutMs = 500) {
  const clients: DrivenClient[] = [];
  const outcomes: Outcome[] = [];
  const client = new TrafficClient(
    'http://traffic.test/',
    { method: 'GET', headers: {}, timeoutMs, connection: 'keep-alive' },
    undefined,
    (due, sentAt, status, error) => outcomes.push({ due, sentAt, status, error }),
    () => {
      const opened = new DrivenClient();
      clients.push(opened);
      return opened as never;
    },
  );
  return { client, clients, outcomes };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a burst waits one turn for the connections that free, then opens at most the bound until answered', async () => {
  const { client, clients, outcomes } = driven();
  for (let due = 0; due < 4; due++) client.send(due);
  await turn();
  assert.is(clients.length, 4, 'four requests, four connections');
  for (const opened of clients) opened.answer();
  for (let due = 4; due < 8; due++) client.send(due);
  assert.is(clients.length, 4, 'the four answered connections took the next four');

  // A stall: 200 requests fall due while the four answers sit unread.
  for (let due = 8; due < 208; due++) client.send(due);
  assert.is(clients.length, 4, 'nothing opened during the burst itself');
  for (const opened of clients) opened.answer();
  assert.is(outcomes.length, 8);
  assert.equal(
    clients.map((opened) => opened.dispatched),
    [3, 3, 3, 3],
    'each freed connection took a waiting request',
  );

  await turn();
  assert.is(clients.length, 4 + openingAtOnce, `then ${openingAtOnce} connections opened at once, not 196`);
  // Connected is not open: a server slow to accept (its kernel completes handshakes for it) is sent no more.
  await turn();
  assert.is(clients.length, 4 + openingAtOnce, 'none answered: none more');

  // Ten first answers: ten more may open, on the next turn.
  for (const opened of clients.slice(4, 14)) opened.answer();
  await turn();
  assert.is(clients.length, 4 + openingAtOnce + 10);
  assert.is(client.inFlight, 190);
  await client.close();
});

test(`one unanswered ${slowOpeningMs} ms stops counting: an unreachable server still gets connections`, async () => {
  const { client, clients } = driven();
  for (let due = 0; due < openingAtOnce * 3; due++) client.send(due);
  await turn();
  assert.is(clients.length, openingAtOnce, 'none answers: the bound holds');
  await sleep(slowOpeningMs + 30);
  assert.is(clients.length, openingAtOnce * 2, 'the slow ones stopped counting: as many more opened');
  await sleep(slowOpeningMs + 30);
  assert.is(clients.length, openingAtOnce * 3, 'every request has its connection');
  await client.close();
});

/**
 * Four connections established, then a burst: they are busy, the bound's worth opens for the rest and
 * is never answered (a server slow to accept), while `answer` decides, every 5 ms, which of the four
 * answer their request.
 */
async function slowToAccept(answer: (established: DrivenClient[]) => DrivenClient[]) {
  const { client, clients } = driven(1_000);
  for (let due = 0; due < 4; due++) client.send(due);
  await turn();
  const established = clients.slice();
  for (const opened of established) opened.answer();
  for (let due = 4; due < 1_000; due++) client.send(due);
  await turn();
  assert.is(clients.length, 4 + openingAtOnce);
  const answering = setInterval(() => {
    for (const opened of answer(established)) if (opened.asked) opened.answer();
  }, 5);
  return { client, clients, stop: () => clearInterval(answering) };
}

test(`past ${slowOpeningMs} ms an opening still counts while the server answers the connections it has`, async () => {
  const { client, clients, stop } = await slowToAccept((established) => established);
  try {
    await sleep(slowOpeningMs + 30);
    assert.is(clients.length, 4 + openingAtOnce, 'the server is slow to take connections, not requests: none more');
    // The four stop answering: now the server is slow to answer, and more connections carry the rate.
    stop();
    await sleep(2 * slowOpeningMs + 30);
    assert.ok(clients.length > 4 + openingAtOnce, `${clients.length - 4} opened once the answers stopped`);
  } finally {
    stop();
    await client.close();
  }
});

test(`a connection waiting ${slowOpeningMs} ms on its answer (latency fault) lets openings stop counting`, async () => {
  const { client, clients, stop } = await slowToAccept((established) => established.slice(1));
  try {
    await sleep(slowOpeningMs + 30);
    assert.is(clients.length, 4 + 2 * openingAtOnce, 'three answer quickly, one does not: as many more opened');
  } finally {
    stop();
    await client.close();
  }
});

test('a server that accepts and never answers is opened the bound per slow period, not one per request', async () => {
  // The kernel completes every handshake at once: counting handshakes as open, the old limit let 1,000 through.
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  const request = { method: 'GET', headers: {}, timeoutMs: 300, connection: 'keep-alive' as const };
  let opened = 0;
  const encoded = encodeRequest(url, { ...request, closeAfter: false });
  const client = new TrafficClient(
    url,
    request,
    undefined,
    () => {},
    () => {
      opened++;
      return new Http1Connection(encoded, undefined);
    },
  );
  const startedAt = performance.now();
  for (let due = 0; due < 1000; due++) client.send(due);
  await sleep(30);
  const slowPeriods = Math.floor((performance.now() - startedAt) / slowOpeningMs);
  assert.ok(sockets.size > 0, 'the server accepted connections');
  assert.ok(
    opened <= openingAtOnce * (1 + slowPeriods),
    `${opened} opened in ${slowPeriods + 1} slow periods: at most ${openingAtOnce} each`,
  );
  await client.close();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

test('a request still waiting at its timeout reports TIMEOUT unsent; one sent after a wait counts it', async () => {
  // Shorter than slowOpeningMs: the connections below are never answered and never stop counting in time.
  const timeoutMs = slowOpeningMs - 10;
  const { client, clients, outcomes } = driven(timeoutMs);
  client.send(0);
  await turn();
  clients[0].answer();
  client.send(1);
  // The one connection is busy: a burst of three times the bound waits; the bound's worth open.
  const burst = openingAtOnce * 3;
  for (let due = 2; due < 2 + burst; due++) client.send(due);
  await turn();
  assert.is(clients.length, 1 + openingAtOnce);
  clients[0].answer();
  const freedAt = performance.timeOrigin + performance.now();
  const tookFreed = 2 + openingAtOnce;
  assert.is(clients[0].dispatched, 3, 'the freed connection took the oldest waiting request');
  await sleep(timeoutMs + 60);

  assert.is(outcomes.length, 2 + burst, 'every request has its outcome');
  assert.equal(
    outcomes.filter((outcome) => outcome.error !== 'TIMEOUT').map((outcome) => outcome.due),
    [0, 1],
  );
  assert.ok(
    outcomes.every((outcome) => outcome.error === '' || outcome.status === 0),
    'a timed-out request has no status',
  );
  // Most never left. The timed-out connections free their slots a moment before the last released time out
  // (deadlines run from each release), and those few may still get a connection: at most the bound's worth.
  const neverLeft = 2 + burst - clients.reduce((sum, opened) => sum + opened.dispatched, 0);
  assert.ok(neverLeft >= burst - 2 * openingAtOnce - 1, `${neverLeft} of ${burst} never left`);
  assert.ok(clients.length <= 1 + 2 * openingAtOnce, 'and at most the bound more were opened for them');
  const sentAfterWait = outcomes.find((outcome) => outcome.due === tookFreed);
  assert.ok(sentAfterWait && sentAfterWait.sentAt >= freedAt - 1, 'its send time is when it left, after its wait');
  assert.is(client.inFlight, 0);
  await client.close();
});

test('a connection whose request failed takes the oldest waiting request, after the failure is recorded', async () => {
  const { client, clients, outcomes } = driven();
  client.send(1);
  await turn();
  client.send(2); // waits: the one connection is busy
  assert.is(clients[0].fail('ECONNREFUSED'), 1, 'the waiting request goes out on it (its dispatch connects anew)');
  assert.equal(
    outcomes.map((outcome) => [outcome.due, outcome.error]),
    [[1, 'ECONNREFUSED']],
  );
  assert.is(clients.length, 1, 'without a new connection');
  clients[0].answer();
  assert.equal(
    outcomes.map((outcome) => [outcome.due, outcome.status]),
    [
      [1, 0],
      [2, 200],
    ],
  );
  await client.close();
});

test.run();
