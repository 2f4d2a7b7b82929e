/**
 * A synthetic journal of a long drill, with the shapes a real run writes: the lifecycle
 * events (run.started with its resolved experiment, the target, the fault, the eight
 * runbook steps, the failback, run.finished) are those of a real captured run,
 * test/fixtures/journals/failover-passed.ndjson (a region blackholed, automatic unplanned
 * failover, failback), re-timed to the drill's length; the traffic's rows are made here
 * at the drill's rate and written by the real writer (core/journal's Journal, one
 * `traffic.samples` event per second, times in tenths as the recorder writes them).
 *
 * What the traffic sees is that run's story stretched: served by us-east-1 with a few
 * stray errors (1 in 2,000) and a long-tailed latency, then the fault a third of the way
 * in, every request timing out (TIMEOUT after 2 s) until the DNS shift plus its TTL,
 * eu-west-1 serving until the failback at the end, a short burst of 503s during it, and
 * us-east-1 again through the post-check. The numbers come from a seeded generator, so a
 * given drill is the same journal every time.
 *
 * The fixture's ledger probe is left out: the drill measured is the traffic's, and bytes
 * per request are the journal's bytes over the traffic's requests.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JournalEvent, SampleRow } from '../src/core/events';
import { Journal, readJournal } from '../src/core/journal';

export interface SyntheticDrill {
  /** Observation length, ms. */
  durationMs: number;
  /** Traffic requests per second. */
  rate: number;
  seed?: number;
}

const template = path.join(__dirname, '..', 'test', 'fixtures', 'journals', 'failover-passed.ndjson');

/** The steady state before the observation, as the template run had it (ms). */
const steadyMs = 2_000;
/** From the fault to clients served by the other region: the template's detection, promotion, shift and TTL. */
const outageMs = 6_600;
const failbackBlipMs = 1_500;

/** Writes the drill's journal into `runDir` (created; an existing journal there is replaced). */
export function writeSyntheticJournal(runDir: string, drill: SyntheticDrill): { file: string; requests: number } {
  fs.mkdirSync(runDir, { recursive: true });
  const file = path.join(runDir, 'journal.ndjson');
  fs.rmSync(file, { force: true });
  const events = readJournal(template).filter((event) => !event.type.endsWith('.samples'));
  const at = (type: string) => events.find((event) => event.type === type)!;
  const oldT0 = (at('observe.started') as Extract<JournalEvent, { type: 'observe.started' }>).t0;
  const oldEnd = oldT0 + 25_000;
  const oldFault = at('fault.injecting').t;
  const t0 = oldT0;
  const fault = t0 + Math.round(drill.durationMs / 3);
  const end = t0 + drill.durationMs;
  /** Template times on the drill's: as they were before the fault, then moved with the fault, then with the end. */
  const retime = (t: number) => (t < oldFault ? t : t < oldEnd ? t - oldFault + fault : t - oldEnd + end);

  const journal = Journal.create(runDir);
  const random = seeded(drill.seed ?? 1);
  const intervalMs = 1000 / drill.rate;
  let next = t0 - steadyMs;
  let requests = 0;
  let errors = 0;
  let stopped = false;
  const rowsUntil = (until: number) => {
    while (!stopped && next < until) {
      const secondEnd = Math.min(until, Math.floor(next / 1000) * 1000 + 1000);
      const rows: SampleRow[] = [];
      for (; next < secondEnd; next += intervalMs) rows.push(outcome(next, { fault, end }, random));
      requests += rows.length;
      for (const row of rows) if (row[3] === 0) errors++;
      journal.append({ type: 'traffic.samples', probe: 'traffic', rows }, secondEnd + 5);
    }
  };

  for (const event of events) {
    if (event.type === 'ledger.readback' || ('probe' in event && event.probe === 'ledger')) continue;
    const { seq: _seq, t, ...input } = event;
    const shaped = shape(input as Record<string, unknown>, drill, retime);
    const when = retime(t);
    // Rows reach the journal once a second, so the events of that second come after them.
    rowsUntil(when);
    if (event.type === 'probe.stopped') {
      stopped = true;
      Object.assign(shaped as object, { requests, errors });
    }
    journal.append(shaped as never, when);
  }
  journal.close();
  return { file, requests };
}

/** A template event as the drill's: its times moved, the traffic's rate and the observation's length the drill's. */
function shape(input: Record<string, unknown>, drill: SyntheticDrill, retime: (t: number) => number): unknown {
  switch (input.type) {
    case 'run.started': {
      const spec = structuredClone(input.spec) as Record<string, any>;
      spec.traffic.rate = drill.rate;
      spec.duration = drill.durationMs;
      spec.probes = [];
      delete spec.hypothesis.rpo;
      return { ...input, spec };
    }
    case 'probe.started':
      return { ...input, rate: drill.rate };
    case 'observe.started':
      return { ...input, durationMs: drill.durationMs };
    case 'run.finished':
      return {
        ...input,
        reason: 'synthetic drill (bench/synthetic-journal.ts): the verdict is the re-rendered report',
      };
    default:
      return retimeFields(input, retime);
  }
}

function retimeFields(input: Record<string, unknown>, retime: (t: number) => number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  if (typeof out.at === 'number') out.at = retime(out.at);
  if (out.detail && typeof out.detail === 'object' && typeof (out.detail as any).activeAt === 'number')
    out.detail = { ...(out.detail as object), activeAt: Math.round(retime((out.detail as any).activeAt)) };
  return out;
}

function outcome(t: number, marks: { fault: number; end: number }, random: () => number): SampleRow {
  const due = Math.round(t * 10) / 10;
  const latency = (base: number) => Math.round((base + -Math.log(1 - random()) * base * 0.6) * 10) / 10;
  if (t >= marks.fault && t < marks.fault + outageMs)
    return [due, Math.round((2000 + random() * 30) * 10) / 10, 0, 0, 'TIMEOUT', ''];
  if (t >= marks.end && t < marks.end + failbackBlipMs) return [due, latency(40), 503, 0, '', 'us-east-1'];
  const region = t >= marks.fault && t < marks.end ? 'eu-west-1' : 'us-east-1';
  if (random() < 1 / 2_000) return [due, latency(8), 500, 0, '', region];
  return [due, latency(region === 'us-east-1' ? 6 : 9), 201, 1, '', region];
}

/** mulberry32: small, fast and the same sequence for a seed everywhere. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}
