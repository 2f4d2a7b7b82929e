import type { z } from 'zod';
import type { ConsistencyReport } from '../core/data-snapshot';
import type { EventOf, JournalEvent } from '../core/events';
import type { ReportIssue } from '../core/fields';
import type { Journal } from '../core/journal';
import type { DrillCost } from '../measure/cost';
import type { LatencySummary } from '../measure/percentiles';
import type { OutcomeSample, RecoveryCriteria } from '../measure/rto';
import type { SampleColumns } from '../measure/sample-columns';
import type { PrometheusClient } from '../prometheus/client';
import type { K6Details } from './k6-details';
import type { TimelinePoint } from '../measure/timeline';
import type { TargetSession } from '../targets/session';
import type { TrafficRecorder } from './recorder';
import type { Resolvers } from './resolver';

/** What a probe's checks know of the experiment before anything runs. */
export interface ProbeCheckContext {
  /** The target's kind, for messages. */
  targetKind: string;
  /** Names the probe may use as `endpoint`. */
  endpointNames: string[];
  /** Databases it may name instead of a postgres:// URL. */
  databaseNames: string[];
  /** Whether the target has a Prometheus to ask. */
  prometheus: boolean;
}

/** What starting a probe is given. */
export interface ProbeStartContext {
  session: TargetSession;
  journal: Journal;
  runId: string;
  /** Name lookups through the target's DNS, honouring TTLs; a probe with a cache of its own gets its own. */
  resolvers: Resolvers;
  /** Latency bounds its live windows must count exceedances of (the guards and SLOs on it). */
  latencyThresholds: number[];
  /** The run's directory, for what a probe keeps beside the journal (k6's output and summary). */
  runDir: string;
  /** The target's Prometheus, opened for this run when the experiment asks it anything; null otherwise. */
  prometheus: PrometheusClient | null;
}

/** One thing a probe needs of this machine, checked before anything is opened: what, whether it is there, and why. */
export interface Prerequisite {
  check: string;
  ok: boolean;
  detail: string;
}

/** A probe while it measures. */
export interface ProbeHandle {
  name: string;
  kind: string;
  /** Live windows over its outcomes (http probes): stop conditions, detection and steady state read them. */
  recorder?: TrafficRecorder;
  /** How many requests were due before time t (http probes): what settling a window waits for. */
  dueBefore?(t: number): number;
  /**
   * At the end of the observation, before any rollback (the write ledger stops and reads back what the writer holds).
   */
  endObservation?(options: { readBack: boolean; signal?: AbortSignal }): Promise<void>;
  /** Stops it and waits for what is in flight; its counts go to the journal. */
  stop(): Promise<void>;
}

/** A run of consecutive samples with the same outcome; a new one starts where the outcome changed. */
export interface OutcomeChange {
  /** Offset of its first sample from the start of observation (negative: during steady state). */
  fromMs: number | null;
  ok: boolean;
  samples: number;
  /** dns: 'answered 127.0.0.2 ttl 5' or the rcode/error; sql and function: the first sample's value or error. */
  detail: string;
  /** dns: the regions the answered addresses belong to, when the target knows region addresses. */
  regions?: string[];
}

/** One further probe's outcome: http probes, and the periodic dns, sql and function checks (with `changes`). */
export interface ProbeSummary {
  probe: string;
  kind: string;
  url: string;
  requests: number;
  errors: number;
  successRatio: number | null;
  latencyMs: LatencySummary;
  changes?: OutcomeChange[];
  /** How many changes beyond the first and last kept ones were left out. */
  changesOmitted?: number;
  /** A k6 probe: how k6 ended, its thresholds, and each scenario, request name and check as a journey. */
  k6?: K6Details;
  /** How the probe ran, in words (a browser probe: which Chromium, how it resolved names, its session). */
  detail?: string;
  /** A browser probe's steps, in the order they first ran: how long each took and how often it failed. */
  steps?: Array<{ name: string; samples: number; failed: number; latencyMs: LatencySummary }>;
  /** A browser probe's failed journeys: the step, the error, the region, and what each left (run-dir paths). */
  failures?: JourneyFailure[];
  failuresOmitted?: number;
  /**
   * A browser probe resolving through the target's DNS: in how many journeys Chromium asked it for the site's address
   * (its host cache had no answer), and how many times in all.
   */
  lookups?: { journeys: number; total: number };
}

export interface JourneyFailure {
  /** When the journey was due, from the start of observation. */
  atMs: number | null;
  step: string | null;
  error: string;
  region: string;
  screenshot: string | null;
  trace: string | null;
}

/** Everything the summary reads from an http probe's rows beyond its line. */
/** One request as the analysis needs it: RTO and impact from `t` and `ok`, latency, the traffic shift from `region`. */
export interface TrafficSample extends OutcomeSample {
  /** From its scheduled time, ms. */
  latencyMs: number;
  /** The region that answered (x-gameday-region), '' when the service does not say. */
  region: string;
}

export interface HttpOutcomes {
  /** Every outcome in time order: what RTO is measured on. */
  samples: SampleColumns;
  errors: number;
  /** From each request's scheduled time, so queueing behind a slow server counts. */
  latencyMs: LatencySummary;
  /** Requests per region that served them (x-gameday-region), when the service says. */
  regions: Record<string, number>;
  /** Per-second buckets from the start of observation; empty when the observation never started. */
  timeline: TimelinePoint[];
}

/** The write ledger's part of the summary (see measure/rpo.ts). */
export interface RpoSummary {
  /** null when it could not be measured (no read back); see note. */
  ms: number | null;
  objectiveMs: number | null;
  /**
   * RPO within the objective and no split brain; null without an objective, or when it could not be measured (ms null).
   */
  met: boolean | null;
  ackedWrites: number;
  lostWrites: number;
  duplicateWrites: number;
  splitBrain: boolean;
  /** The first 100 lost seqs, ascending. */
  lostSeqs: number[];
  /** Writes sent, and those not acknowledged yet present on the writer. */
  writes: number;
  unconfirmedWrites: number;
  staleWriterAcks: number;
  /** Writers (x-gameday-writer, or a SQL ledger's 'address:port (timeline n)') in the order they first acknowledged. */
  writers: string[];
  probe: string;
  url: string;
  rate: number;
  client: string;
  readBack: { ok: boolean; url: string; writer: string; region: string; attempts: number; error: string | null } | null;
  note: string | null;
}

/** The object ledger's part of the summary: object RPO (measure/rpo.ts, as for rows), lag, dangling references. */
export interface ObjectRpoSummary {
  probe: string;
  bucket: string;
  /** Where the objects were read back: the replication destination, the region that serves after failover. */
  destination: { region: string; bucket: string };
  rate: number;
  /** null when it could not be measured (no read back); see note. */
  ms: number | null;
  objectiveMs: number | null;
  met: boolean | null;
  writes: number;
  ackedObjects: number;
  lostObjects: number;
  /** The first 100 lost seqs, ascending. */
  lostSeqs: number[];
  /** From acknowledgement to the replica first seen in the destination; per second of acknowledgement. */
  lag: {
    p50Ms: number | null;
    maxMs: number | null;
    timeline: Array<{ offsetS: number; maxLagMs: number | null; unreplicated: number }>;
  };
  /** Order rows whose object the destination bucket lacks; null when not checked (or the check failed: see note). */
  danglingReferences: number | null;
  referencesChecked: number | null;
  /** The first 20 dangling keys. */
  danglingKeys: string[];
  readBack: { ok: boolean; attempts: number; error: string | null } | null;
  note: string | null;
}

/** The stale reads a run saw: how often the first read of one's own write was behind, and by how much. */
/** The consistency probe's section: its check once the observation ended (data-active-active). */
export interface ConsistencySummary {
  probe: string;
  /** null: no check (the target has one writer, or its databases could not be read); `note` says which. */
  report: ConsistencyReport | null;
  note: string | null;
}

export interface StaleReadSummary {
  probe: string;
  url: string;
  rate: number;
  writes: number;
  /** Acknowledged writes: each read back from the region that acknowledged it. */
  acked: number;
  /** Of those, the ones their region answered a read about (it had them or not). */
  answered: number;
  /** The ones their region never answered a read about (unreachable, failing): no staleness to tell. */
  unanswered: number;
  /** Answered writes whose region's first answer was that it did not have them yet. */
  stale: number;
  /** stale ÷ answered; null without an answered write. */
  staleRatio: number | null;
  /** From the acknowledgement to the first read that found the write, over the stale ones that showed. */
  stalenessMs: LatencySummary;
  /** Stale writes that had not shown when the probe gave up on them (giveUpAfter) or the observation ended. */
  notVisible: number;
  /** Of those, given up on after giveUpAfter (the rest were still being read when the observation ended). */
  gaveUp: number;
  byRegion: Record<string, { answered: number; stale: number }>;
}

/** The resources probe's part of the summary: what each side consumed, idling and over the drill. */
export type ResourceSummary = DrillCost & { probe: string };

/**
 * One journey a probe measured: what clients do through it, each attempt a sample. The
 * analysis measures every journey's RTO from its samples alone, with the hypothesis'
 * recovery criterion (or the journey's own), the same way as the headline RTO.
 */
export interface JourneyOutcomes {
  /** Unique in the run: the probe's name, or `<probe>.<part>` for a probe that runs several (a k6 scenario). */
  name: string;
  probe: string;
  kind: string;
  /**
   * Every attempt in time order: when it was due (`t`), ok, how long it took (`latencyMs`), the region that served;
   * as columns when there can be millions (an http probe's requests).
   */
  samples: readonly TrafficSample[] | SampleColumns;
  /** Its own recovery criterion, when the probe kind has a reason to differ from the hypothesis'. */
  criteria?: RecoveryCriteria;
}

/** The journeys a probe declares before it runs, so objectives can name them (`rto: { checkout: '30s' }`). */
export interface JourneyNames {
  names: string[];
  /** A probe whose journeys are only known once it runs (k6 scenarios) declares their prefix: `<probe>.`. */
  prefix?: string;
}

/** A probe's part of the summary. */
export interface ProbeResult {
  /** Its line in `summary.probes` (none for the write ledger, which has its own section). */
  summary: ProbeSummary | null;
  /** The journeys it measured: each gets its own RTO (summary.journeys). */
  journeys?: JourneyOutcomes[];
  /** An http probe's outcomes: the traffic section, RTO, SLOs and the charts are made of them. */
  outcomes?: HttpOutcomes;
  /** The write ledger's section. */
  rpo?: RpoSummary;
  /** The object ledger's section. */
  objects?: ObjectRpoSummary;
  /** The read-your-writes probe's section. */
  staleReads?: StaleReadSummary;
  /** The consistency probe's section. */
  consistency?: ConsistencySummary;
  /** The resources probe's section (null when it took no snapshot). */
  resources?: ResourceSummary | null;
}

/** What reading a journal back gives a probe's summary. */
export interface ProbeSummaryContext {
  /** Offset from the start of observation (null before it is known). */
  offset(t: number): number | null;
  /** The region a server address belongs to, when the target says. */
  regionOfAddress(address: string): string | undefined;
  /** One name per database: how the target's writers name themselves, made comparable. */
  writerIdentity(writer: string): string;
  /** The experiment's objective for what this probe measures (the ledger: the RPO objective), ms. */
  objectiveMs: number | null;
  /** Latency bounds its per-second timeline counts exceedances of (the latency SLOs on it). */
  latencyThresholds: number[];
}

/**
 * Folds one probe's journal events into its part of the summary, an event at a time
 * (`add` sees every event; it keeps what is its own).
 */
export interface ProbeAccumulator<R> {
  add(event: JournalEvent): void;
  result(): R;
}

/**
 * One probe kind, the same small shape for each (http, ledger, dns, sql, function): its
 * schema, its checks against the target, its line in `gameday plan`, how it starts (and
 * what stops it), and how its journal rows become its part of the summary.
 */
export interface ProbeKind<S extends z.ZodType, R extends ProbeResult> {
  schema: S;
  /** What a run reports when it could not start one, e.g. 'write ledger'. */
  label: string;
  /**
   * When it starts: the traffic and http probes first (steady state is measured on them),
   * then the write ledger (it may have to create its table), then the periodic checks.
   */
  startOrder: number;
  validate?(probe: z.output<S>, context: ProbeCheckContext, report: ReportIssue): void;
  /**
   * What depends on where the experiment file is (a k6 script named relative to it): checked, and made absolute.
   */
  resolveFiles?(probe: z.output<S>, experimentDir: string, report: ReportIssue): z.output<S>;
  /**
   * What the machine must have before anything is opened or injected (the browser probe: a Chromium; the k6 probe:
   * k6), each journaled as a preflight check; a failed one ends the run with nothing injected.
   */
  prerequisites?(probe: z.output<S>): Prerequisite[] | Promise<Prerequisite[]>;
  /** The URL preflight must reach before anything is injected, if any. */
  preflightUrl?(probe: z.output<S>, endpoints: Record<string, string>): string | null;
  plan(probe: z.output<S>, endpoints: Record<string, string>): string;
  /** The journeys it will report (`ProbeResult.journeys`); none when it measures no client journey. */
  journeys?(probe: z.output<S>): JourneyNames;
  start(probe: z.output<S>, context: ProbeStartContext): Promise<ProbeHandle>;
  summarize(started: EventOf<'probe.started'>, context: ProbeSummaryContext): ProbeAccumulator<R>;
}
