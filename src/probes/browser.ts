import path from 'node:path';
import { z } from 'zod';
import { findChromium } from '../core/chromium';
import { now, sleep } from '../core/clock';
import { errorMessage } from '../core/errors';
import type { EventOf, JournalEvent, JourneyRow } from '../core/events';
import { duration, httpUrl, name } from '../core/fields';
import { summarizeLatency } from '../measure/percentiles';
import { successRatioOf } from '../measure/ratio';
import { JournalBatcher } from './batcher';
import { browserProbePurpose, launchChromium } from './browser-launch';
import { JourneyRunner, type BrowserJourney } from './browser-journey';
import { guardConnection } from './playwright-guard';
import { DohFront } from './doh';
import { checkUrlOrEndpoint } from './endpoint-check';
import { formatDnsServer } from './resolver';
import type {
  JourneyFailure,
  JourneyOutcomes,
  ProbeAccumulator,
  ProbeKind,
  ProbeSummary,
  ProbeSummaryContext,
  TrafficSample,
} from './types';
import { probeUrl } from './url';

export type { BrowserJourney, BrowserJourneyContext } from './browser-journey';

/** A user journey in a real Chromium, written with Playwright's API, at an interval, one at a time. */
export const browserProbeSchema = z.strictObject({
  kind: z.literal('browser'),
  /** The journey's name: its RTO is `summary.journeys[name]`, its objective `rto: { <name>: '30s' }`. */
  name: name.default('journey'),
  /** The site's URL; or `endpoint` (a name from target.endpoints) plus `path`. Journeys' relative URLs start here. */
  url: httpUrl.optional(),
  endpoint: z.string().optional(),
  path: z.string().startsWith('/', { error: "must start with '/'" }).default('/'),
  /** Between the starts of two journeys; a journey still running then delays the next until it ends. */
  every: duration({ max: '1h' }).prefault('5s'),
  /** A journey running longer fails (with a screenshot and a trace). */
  timeout: duration({ max: '5m' }).prefault('30s'),
  /**
   * 'new': every journey is a new visitor (a fresh browser context: no cookies, cache, DNS cache or open
   * connections); 'kept': one context for the whole run, as a customer who keeps the tab open.
   */
  session: z.enum(['new', 'kept']).default('new'),
  /** 'on-failure': a failed journey keeps a Playwright trace beside its screenshot; 'off': the screenshot only. */
  trace: z.enum(['on-failure', 'off']).default('on-failure'),
  /** How many failed journeys keep a screenshot and a trace (the first ones). */
  keepFailures: z
    .number({ error: 'expected a whole number 0..1000' })
    .int({ error: 'expected a whole number 0..1000' })
    .min(0, { error: 'expected a whole number 0..1000' })
    .max(1_000, { error: 'expected a whole number 0..1000' })
    .default(20),
  journey: z.custom<BrowserJourney>((value) => typeof value === 'function', {
    error: "expected a function: async ({ page, step }) => { await step('home', () => page.goto('/')) }",
  }),
});

export type BrowserProbe = z.output<typeof browserProbeSchema>;
export type BrowserProbeConfig = z.input<typeof browserProbeSchema>;

/** Failed journeys listed in the summary: the first and last ones of a long outage. */
const maxFailuresListed = 40;

export const browserProbe: ProbeKind<typeof browserProbeSchema, BrowserResult> = {
  schema: browserProbeSchema,
  label: 'browser probe',
  startOrder: 2,

  validate: (probe, context, report) => checkUrlOrEndpoint(probe, context, report),

  prerequisites(probe) {
    try {
      return [{ check: `chromium for ${probe.name}`, ok: true, detail: findChromium(browserProbePurpose) }];
    } catch (error) {
      return [{ check: `chromium for ${probe.name}`, ok: false, detail: errorMessage(error) }];
    }
  },

  plan(probe, endpoints) {
    let chromium: string;
    try {
      chromium = findChromium(browserProbePurpose);
    } catch (error) {
      chromium = `NOT FOUND: ${errorMessage(error)}`;
    }
    return (
      `start browser probe ${probe.name}: its journey from ${probeUrl(probe, endpoints)} every ${probe.every} ms, ` +
      `one at a time (timeout ${probe.timeout} ms, ${probe.session === 'new' ? 'a new' : 'one kept'} browser ` +
      `session), in ${chromium}`
    );
  },

  journeys: (probe) => ({ names: [probe.name] }),

  async start(probe, context) {
    const { journal, session } = context;
    const baseURL = probeUrl(probe, session.endpoints);
    // The target's DNS, as Chromium's own resolver asks it: through a DoH front (doh.ts).
    const doh = session.dnsServer ? await DohFront.start(session.dnsServer) : null;
    let chromium;
    try {
      chromium = await launchChromium(doh);
    } catch (error) {
      await doh?.close();
      throw error;
    }
    const folder = probe.name.replace(/[^A-Za-z0-9._-]+/g, '-');
    const runner = new JourneyRunner(chromium.browser, {
      journey: probe.journey,
      baseURL,
      timeout: probe.timeout,
      session: probe.session,
      trace: probe.trace === 'on-failure',
      artifactsDir: path.join(path.dirname(journal.file), 'journeys', folder),
      artifactsPath: `journeys/${folder}`,
      keepFailures: probe.keepFailures,
      doh,
    });
    const guarded = guardConnection(chromium.browser, (problem) => {
      const inFlight = runner.lose();
      journal.append({
        type: 'error',
        where: 'browser probe',
        message:
          `${probe.name}: Playwright's client dropped a message it could not read: ${problem}` +
          (inFlight ? '; the journey in flight may have been waiting on it and is not recorded' : ''),
      });
    });
    const resolution = session.dnsServer
      ? `names resolved by Chromium's own resolver over DNS-over-HTTPS to the target's DNS at ` +
        `${formatDnsServer(session.dnsServer)} (secure mode, Chromium's host cache)`
      : "names resolved by Chromium's resolver from the system's DNS configuration";
    journal.append({
      type: 'probe.started',
      probe: probe.name,
      kind: probe.kind,
      url: baseURL,
      rate: 1000 / probe.every,
      detail:
        `Chromium ${chromium.browser.version()} (${chromium.executablePath}); ${resolution}; ` +
        (probe.session === 'new' ? 'a new browser session per journey' : 'one browser session kept across journeys') +
        (guarded ? '' : "; unguarded: a message Playwright's client cannot read would stop the run"),
    });
    const batcher = new JournalBatcher<JourneyRow>((rows) =>
      journal.append({ type: 'journey.samples', probe: probe.name, rows }),
    );
    const stopping = new AbortController();
    let journeys = 0;
    let failures = 0;
    let lost = 0;
    const loop = (async () => {
      let due = now();
      while (!stopping.signal.aborted) {
        await sleep(due - now(), stopping.signal);
        if (stopping.signal.aborted) break;
        const row = await runner.run(journeys + lost + 1, due);
        if (row === 'stopped') break;
        if (row === 'lost') lost++;
        else {
          journeys++;
          if (row[2] === 0) failures++;
          batcher.push(row);
        }
        // A journey that ran past the next one's time delays it: the next starts as soon as it ends, never two at once.
        due = Math.max(due + probe.every, now());
      }
    })();
    return {
      name: probe.name,
      kind: probe.kind,
      async stop() {
        stopping.abort();
        runner.stop();
        await loop;
        await runner.close();
        const { killed } = await chromium.close();
        if (killed > 0)
          journal.append({
            type: 'error',
            where: 'browser probe',
            message: `${probe.name}: Chromium did not close within 10 s; its ${killed} processes were killed`,
          });
        await doh?.close();
        batcher.close();
        journal.append({ type: 'probe.stopped', probe: probe.name, requests: journeys, errors: failures });
      },
    };
  },

  summarize: (started, context) => new BrowserFold(started, context),
};

type BrowserResult = { summary: ProbeSummary; journeys: JourneyOutcomes[] };

/** A browser probe's `journey.samples` folded: its line (steps, failures and what they left) and its journey. */
class BrowserFold implements ProbeAccumulator<BrowserResult> {
  private readonly rows: JourneyRow[] = [];

  constructor(
    private readonly started: EventOf<'probe.started'>,
    private readonly context: ProbeSummaryContext,
  ) {}

  add(event: JournalEvent): void {
    if (event.type === 'journey.samples' && event.probe === this.started.probe) this.rows.push(...event.rows);
  }

  result(): BrowserResult {
    const rows = [...this.rows].sort((a, b) => a[0] - b[0]);
    const errors = rows.filter((row) => row[2] === 0).length;
    const steps = new Map<string, { durations: number[]; failed: number }>();
    for (const [, , , , , journeySteps] of rows)
      for (const [stepName, ms, ok] of journeySteps) {
        const entry = steps.get(stepName) ?? { durations: [], failed: 0 };
        entry.durations.push(ms);
        if (ok === 0) entry.failed++;
        steps.set(stepName, entry);
      }
    const failures: JourneyFailure[] = rows
      .filter((row) => row[2] === 0)
      .map(([t, , , error, region, journeySteps, artifacts]) => ({
        atMs: this.context.offset(t),
        step: journeySteps.findLast((step) => step[2] === 0)?.[0] ?? null,
        error,
        region,
        screenshot: artifacts?.screenshot ?? null,
        trace: artifacts?.trace ?? null,
      }));
    const omitted = Math.max(0, failures.length - maxFailuresListed);
    const counted = rows.filter((row) => row[7] !== null && row[7] !== undefined);
    const samples: TrafficSample[] = rows.map(([t, ms, ok, , region]) => ({ t, ok: ok === 1, latencyMs: ms, region }));
    return {
      summary: {
        probe: this.started.probe,
        kind: this.started.kind,
        url: this.started.url,
        requests: rows.length,
        errors,
        successRatio: successRatioOf(rows.length, errors),
        latencyMs: summarizeLatency(rows.map((row) => row[1])),
        ...(this.started.detail ? { detail: this.started.detail } : {}),
        steps: [...steps].map(([stepName, entry]) => ({
          name: stepName,
          samples: entry.durations.length,
          failed: entry.failed,
          latencyMs: summarizeLatency(entry.durations),
        })),
        failures:
          omitted > 0
            ? [...failures.slice(0, maxFailuresListed / 2), ...failures.slice(-maxFailuresListed / 2)]
            : failures,
        ...(omitted > 0 ? { failuresOmitted: omitted } : {}),
        ...(counted.length > 0
          ? {
              lookups: {
                journeys: counted.filter((row) => row[7]! > 0).length,
                total: counted.reduce((sum, row) => sum + row[7]!, 0),
              },
            }
          : {}),
      },
      journeys: [{ name: this.started.probe, probe: this.started.probe, kind: this.started.kind, samples }],
    };
  }
}
