/**
 * How the traffic client finds a connection for a burst, with its HTTP/1.1 connection replaced by
 * one the test drives: which requests go out on a connection that freed, how many
 * connections are opened at once, when a slow connect stops counting, and what a request
 * that never got a connection reports.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExchangeHandler } from '../../src/probes/http1-connection';
import { connectsAtOnce, slowConnectMs, TrafficClient } from '../../src/probes/traffic-client';

/** One connection's client: holds the handler of the request dispatched on it last. */
class DrivenClient {
  handler: ExchangeHandler | null = null;
  dispatched = 0;
  destroyed = false;

  dispatch(handler: ExchangeHandler): void {
    this.handler = handler;
    this.dispatched++;
  }

  destroy(): void {
    this.destroyed = true;
  }

  connect(): void {
    this.handler!.onConnect();
  }

  /** Fails the exchange; returns how many requests were dispatched on this connection while it was told. */
  fail(code: string): number {
    const before = this.dispatched;
    this.handler!.onError(Object.assign(new Error(code), { code }));
    return this.dispatched - before;
  }

  answer(status = 200): void {
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

test('a burst waits one turn for the connections that free, then opens at most the bound at once', async () => {
  const { client, clients, outcomes } = driven();
  for (let due = 0; due < 4; due++) client.send(due);
  await turn();
  assert.is(clients.length, 4, 'four requests, four connections');
  for (const opened of clients) opened.connect();

  // A stall: 200 requests fall due while the four answers sit unread.
  for (let due = 4; due < 204; due++) client.send(due);
  assert.is(clients.length, 4, 'nothing opened during the burst itself');
  for (const opened of clients) opened.answer();
  assert.is(outcomes.length, 4);
  assert.equal(
    clients.map((opened) => opened.dispatched),
    [2, 2, 2, 2],
    'each freed connection took a waiting request',
  );

  await turn();
  assert.is(clients.length, 4 + connectsAtOnce, `then ${connectsAtOnce} connections opened at once, not 196`);

  // Ten connects end: ten more may start, on the next turn.
  for (const opened of clients.slice(4, 14)) opened.connect();
  await turn();
  assert.is(clients.length, 4 + connectsAtOnce + 10);
  assert.is(client.inFlight, 200);
  await client.close();
});

test(`a connect pending ${slowConnectMs} ms stops counting: an unreachable server still gets connections`, async () => {
  const { client, clients } = driven();
  for (let due = 0; due < connectsAtOnce * 3; due++) client.send(due);
  await turn();
  assert.is(clients.length, connectsAtOnce, 'none connects: the bound holds');
  await sleep(slowConnectMs + 30);
  assert.is(clients.length, connectsAtOnce * 2, 'the slow connects stopped counting: as many more opened');
  await sleep(slowConnectMs + 30);
  assert.is(clients.length, connectsAtOnce * 3, 'every request has its connection');
  await client.close();
});

test('a request still waiting at its timeout reports TIMEOUT unsent; one sent after a wait counts it', async () => {
  // Shorter than slowConnectMs: the connects below never end and never stop counting in time.
  const timeoutMs = slowConnectMs - 10;
  const { client, clients, outcomes } = driven(timeoutMs);
  client.send(1);
  await turn();
  clients[0].connect();
  // The one connection is busy: a burst of the bound plus five waits; the bound's worth open.
  const burst = connectsAtOnce + 5;
  for (let due = 2; due < 2 + burst; due++) client.send(due);
  await turn();
  assert.is(clients.length, 1 + connectsAtOnce);
  clients[0].answer();
  const freedAt = performance.timeOrigin + performance.now();
  const tookFreed = 2 + connectsAtOnce;
  assert.is(clients[0].dispatched, 2, 'the freed connection took the oldest waiting request');
  await sleep(timeoutMs + 60);

  assert.is(outcomes.length, 1 + burst, 'every request has its outcome');
  assert.equal(
    outcomes.filter((outcome) => outcome.error !== 'TIMEOUT').map((outcome) => outcome.due),
    [1],
  );
  assert.ok(
    outcomes.every((outcome) => outcome.error === '' || outcome.status === 0),
    'a timed-out request has no status',
  );
  const dispatched = clients.reduce((sum, opened) => sum + opened.dispatched, 0);
  assert.is(dispatched, 2 + connectsAtOnce, 'the last four never left');
  assert.is(clients.length, 1 + connectsAtOnce, 'and no connection was opened for them');
  const sentAfterWait = outcomes.find((outcome) => outcome.due === tookFreed);
  assert.ok(sentAfterWait && sentAfterWait.sentAt >= freedAt - 1, 'its send time is when it left, after its wait');
  assert.is(client.inFlight, 0);
  await client.close();
});

test('a connection whose request failed takes the oldest waiting request, after the failure is recorded', async () => {
  const { client, clients, outcomes } = driven();
  client.send(1);
  await turn();
  clients[0].connect();
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
