/**
 * A worker thread of an http probe with `workers` > 1: sends its share of the probe's
 * schedule (shares.ts) with the same HttpTraffic a single-threaded probe uses, and sends
 * its outcomes to the probe's thread in batches. Name lookups are asked of the probe's
 * thread, so every worker shares the probe's resolver and its cache (TTL-honouring or
 * sticky) exactly as one client runtime would.
 */
import type { LookupFunction } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { HttpTraffic } from './http-traffic';
import { OutcomeBatchWriter } from './outcome-batch';
import type { FromWorker, ToWorker, WorkerSetup } from './traffic-workers';

/** Outcomes reach the probe's live windows within this; the windows are 100 ms buckets. */
const flushIntervalMs = 20;
const batchCapacity = 4_096;

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

type LookupCallback = (error: NodeJS.ErrnoException | null, address: unknown, family?: number) => void;
const lookups = new Map<number, { callback: LookupCallback; all: boolean }>();
let lastLookup = 0;
const lookup: LookupFunction | undefined = setup.lookup
  ? (hostname, options, callback) => {
      const id = ++lastLookup;
      lookups.set(id, { callback: callback as LookupCallback, all: Boolean((options as { all?: boolean }).all) });
      post({ type: 'lookup', id, hostname });
    }
  : undefined;

const traffic = new HttpTraffic(setup.probe, setup.url, { lookup, share: setup.share });
const batch = new OutcomeBatchWriter(batchCapacity);
const flush = () => {
  if (batch.length === 0) return;
  const outcomes = batch.take();
  post({ type: 'outcomes', batch: outcomes }, [outcomes.numbers.buffer as ArrayBuffer]);
};
traffic.onOutcome((outcome) => {
  batch.push(outcome);
  if (batch.full) flush();
});
const flusher = setInterval(flush, flushIntervalMs);

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') traffic.start(message.t0);
  else if (message.type === 'stop') {
    void traffic.stop().then(() => {
      clearInterval(flusher);
      flush();
      post({ type: 'stopped', sent: traffic.dueBefore(Infinity) });
    });
  } else if (message.type === 'lookup') {
    const pending = lookups.get(message.id);
    if (!pending) return;
    lookups.delete(message.id);
    if (message.error) {
      const error: NodeJS.ErrnoException = new Error(message.error.message);
      error.code = message.error.code;
      pending.callback(error, pending.all ? [] : '', 4);
    } else if (pending.all) pending.callback(null, message.addresses);
    else pending.callback(null, message.addresses[0].address, message.addresses[0].family);
  }
});

post({ type: 'ready' });
