import type http from 'node:http';
import type { LookupFunction } from 'node:net';
import { z } from 'zod';
import { now, sleep } from '../core/clock';
import type { EventOf, JournalEvent, ReadRow } from '../core/events';
import type { Journal } from '../core/journal';
import { duration, name } from '../core/fields';
import { summarizeLatency } from '../measure/percentiles';
import { Arrivals } from './arrivals';
import { JournalBatcher, tenths } from './batcher';
import { checkUrlOrEndpoint } from './endpoint-check';
import { exchange, failureCode, probeAgent } from './exchange';
import { ledgerClientId } from './write-ledger';
import type { ProbeAccumulator, ProbeKind, StaleReadSummary } from './types';
import { probeUrl } from './url';

/**
 * Read your own writes: a client writes (`POST <path> {client, seq}`, the write ledger's
 * API) through the entry point, then reads that very write back from the region that
 * acknowledged it (`GET <path>/entry?client=&seq=` on that region's own endpoint, which
 * answers from the region's database). When the region's first answer is that it does not
 * have the write (404), the read was stale: it reads again, backing off from 10 ms to 200
 * ms, until the write shows or `giveUpAfter`. A read that gets no answer (the region is
 * unreachable, or failing) says nothing about staleness: it is counted apart. Whether users
 * can tolerate stale data becomes a number: how often the first answer was behind, and by
 * how much.
 */
export const readYourWritesProbeSchema = z.strictObject({
  kind: z.literal('readYourWrites'),
  name: name.default('read-your-writes'),
  /** Where writes go (the clients' entry point); default `app`. */
  endpoint: z.string().default('app'),
  path: z.string().startsWith('/', { error: "must start with '/'" }).default('/ledger'),
  /** Reads go to the endpoint named this prefix plus the region that acknowledged the write (lab: app-<region>). */
  regionalEndpointPrefix: z.string().min(1, { error: 'must not be empty' }).default('app-'),
  /** Write-then-read pairs per second, constant arrival rate. */
  rate: z
    .number({ error: 'expected pairs per second, a number > 0' })
    .positive({ error: 'expected pairs per second, a number > 0' })
    .max(100, { error: 'at most 100 pairs per second' })
    .default(2),
  /** Each request's timeout. */
  timeout: duration({ max: '1m' }).prefault('2s'),
  /** How long to keep reading a write its region does not show yet. */
  giveUpAfter: duration({ max: '5m' }).prefault('10s'),
});

export type ReadYourWritesProbe = z.output<typeof readYourWritesProbeSchema>;
export type ReadYourWritesProbeConfig = z.input<typeof readYourWritesProbeSchema>;

const firstRetryMs = 10;
const maxRetryMs = 200;

export const readYourWritesProbe: ProbeKind<
  typeof readYourWritesProbeSchema,
  { summary: null; staleReads: StaleReadSummary }
> = {
  schema: readYourWritesProbeSchema,
  label: 'read-your-writes probe',
  startOrder: 1,

  validate(probe, context, report) {
    checkUrlOrEndpoint({ endpoint: probe.endpoint }, context, report);
    if (!context.endpointNames.some((endpoint) => endpoint.startsWith(probe.regionalEndpointPrefix)))
      report(
        ['regionalEndpointPrefix'],
        `no endpoint of the ${context.targetKind} target starts with ` +
          `${JSON.stringify(probe.regionalEndpointPrefix)}; it has: ${context.endpointNames.join(', ')}`,
      );
  },

  preflightUrl: (probe, endpoints) => probeUrl(probe, endpoints),

  plan: (probe, endpoints) =>
    `start read-your-writes ${probe.name}: POST ${probeUrl(probe, endpoints)} {client, seq} at ${probe.rate}/s, ` +
    `each then read from the acknowledging region's ${probe.regionalEndpointPrefix}<region> ${probe.path}/entry ` +
    `until it shows (at most ${probe.giveUpAfter} ms)`,

  async start(probe, context) {
    const writer = new ReadYourWrites(
      probe,
      context.session.endpoints,
      context.resolvers.shared?.lookup(),
      context.journal,
      ledgerClientId(context.runId, probe.name),
    );
    writer.start();
    let ended: Promise<void> | null = null;
    const end = () => (ended ??= writer.stop());
    return { name: probe.name, kind: probe.kind, endObservation: end, stop: end };
  },

  summarize: (started) => new StaleReadFold(started),
};

class ReadYourWrites {
  private readonly arrivals: Arrivals;
  private readonly agent: http.Agent | false;
  private readonly batcher: JournalBatcher<ReadRow>;
  private readonly stopping = new AbortController();
  private readonly writeUrl: string;
  private writes = 0;
  private acked = 0;

  constructor(
    private readonly probe: ReadYourWritesProbe,
    private readonly endpoints: Record<string, string>,
    private readonly lookup: LookupFunction | undefined,
    private readonly journal: Journal,
    private readonly client: string,
  ) {
    this.writeUrl = probeUrl(probe, endpoints);
    this.agent = probeAgent(this.writeUrl, 'keep-alive');
    this.arrivals = new Arrivals(probe.rate, (seq, due) => this.pair(seq, due));
    this.batcher = new JournalBatcher((rows) => journal.append({ type: 'read.samples', probe: probe.name, rows }));
  }

  start(): void {
    this.journal.append({
      type: 'probe.started',
      probe: this.probe.name,
      kind: this.probe.kind,
      url: this.writeUrl,
      rate: this.probe.rate,
      client: this.client,
    });
    this.arrivals.start();
  }

  /** No new pair; the reads still waiting for their write end now, counted as not visible. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.arrivals.stop();
    this.batcher.close();
    if (this.agent) this.agent.destroy();
    this.journal.append({
      type: 'probe.stopped',
      probe: this.probe.name,
      requests: this.writes,
      errors: this.writes - this.acked,
    });
  }

  private async pair(seq: number, due: number): Promise<void> {
    this.writes++;
    const body = JSON.stringify({ client: this.client, seq });
    const write = await exchange(this.writeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
      agent: this.agent,
      timeoutMs: this.probe.timeout,
      lookup: this.lookup,
    }).catch((error: NodeJS.ErrnoException) => ({ status: 0, region: '', error: failureCode(error) }));
    const ackedAt = now();
    const latency = tenths(ackedAt - due);
    // 201: committed; 202: accepted into a durable queue (queue-buffered) — both a promise to the client.
    const acked = write.status === 201 || write.status === 202;
    const readBase = acked ? this.endpoints[`${this.probe.regionalEndpointPrefix}${write.region}`] : undefined;
    if (!readBase) {
      this.batcher.push([seq, tenths(due), latency, write.status, acked ? 1 : 0, write.region, 0, -1, 0]);
      return;
    }
    this.acked++;
    const url = new URL(readBase.replace(/\/+$/, '') + this.probe.path + '/entry');
    url.searchParams.set('client', this.client);
    url.searchParams.set('seq', String(seq));
    const deadline = ackedAt + this.probe.giveUpAfter;
    let wait = firstRetryMs;
    // The region's first answer: whether it had the write (1) or not yet (0); -1 while it has not answered.
    let firstAnswer: 1 | 0 | -1 = -1;
    for (;;) {
      const answer = await this.read(url.toString());
      if (firstAnswer === -1 && answer !== 'unanswered') firstAnswer = answer === 'found' ? 1 : 0;
      if (answer === 'found') {
        const visibleAfter = tenths(now() - ackedAt);
        this.batcher.push([seq, tenths(due), latency, write.status, 1, write.region, firstAnswer, visibleAfter, 0]);
        return;
      }
      const gaveUp = now() + wait > deadline;
      if (gaveUp || this.stopping.signal.aborted) {
        this.batcher.push([seq, tenths(due), latency, write.status, 1, write.region, firstAnswer, -1, gaveUp ? 1 : 0]);
        return;
      }
      await sleep(wait, this.stopping.signal).catch(() => undefined);
      wait = Math.min(maxRetryMs, wait * 2);
    }
  }

  /** A connection of its own, so a read never waits behind the region's other traffic. */
  private read(url: string): Promise<'found' | 'behind' | 'unanswered'> {
    return exchange(url, { method: 'GET', agent: false, timeoutMs: this.probe.timeout }).then(
      (answer) => (answer.status === 200 ? 'found' : answer.status === 404 ? 'behind' : 'unanswered'),
      () => 'unanswered',
    );
  }
}

/** Stale reads from the probe's journal rows alone. */
class StaleReadFold implements ProbeAccumulator<{ summary: null; staleReads: StaleReadSummary }> {
  private readonly rows: ReadRow[] = [];

  constructor(private readonly started: EventOf<'probe.started'>) {}

  add(event: JournalEvent): void {
    if (event.type === 'read.samples' && event.probe === this.started.probe) this.rows.push(...event.rows);
  }

  result(): { summary: null; staleReads: StaleReadSummary } {
    const acked = this.rows.filter((row) => row[4] === 1);
    const answered = acked.filter((row) => row[6] !== -1);
    const stale = answered.filter((row) => row[6] === 0);
    const byRegion: StaleReadSummary['byRegion'] = {};
    for (const row of answered) {
      const region = (byRegion[row[5]] ??= { answered: 0, stale: 0 });
      region.answered++;
      if (row[6] === 0) region.stale++;
    }
    return {
      summary: null,
      staleReads: {
        probe: this.started.probe,
        url: this.started.url,
        rate: this.started.rate,
        writes: this.rows.length,
        acked: acked.length,
        answered: answered.length,
        unanswered: acked.length - answered.length,
        stale: stale.length,
        staleRatio: answered.length === 0 ? null : Math.round((stale.length / answered.length) * 10_000) / 10_000,
        stalenessMs: summarizeLatency(stale.filter((row) => row[7] >= 0).map((row) => row[7])),
        notVisible: stale.filter((row) => row[7] < 0).length,
        gaveUp: stale.filter((row) => row[8] === 1).length,
        byRegion,
      },
    };
  }
}
