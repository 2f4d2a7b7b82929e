import { EventEmitter } from 'node:events';
import { applyHealthCheckUpdate, resolveHealthCheckConfig } from './config';
import {
  HealthCheckAlreadyExistsError,
  HealthCheckRegistryClosedError,
  HealthCheckVersionMismatchError,
  NoSuchHealthCheckError,
} from './errors';
import { probeEndpoint } from './probe';
import { HealthState, initialHealthState, observe, reconfigure } from './state';
import {
  HealthCheckChange,
  HealthCheckConfig,
  HealthCheckDescription,
  HealthCheckInput,
  HealthCheckStatusReport,
  HealthCheckUpdate,
  HealthObservation,
  Probe,
  ProbeResult,
} from './types';

export interface HealthCheckRegistryOptions {
  /** Replaces the real HTTP/TCP request, for tests and for fault injection. */
  probe?: Probe;
  /** Wall clock in ms; injectable so tests can pin timestamps. */
  now?: () => number;
  /** How many observations each status report keeps. Default 20. */
  recentObservationLimit?: number;
}

export interface HealthCheckRegistryEvents {
  change: [HealthCheckChange];
  observation: [{ id: string } & HealthObservation];
}

interface CheckEntry {
  config: HealthCheckConfig;
  healthCheckVersion: number;
  state: HealthState;
  observations: HealthObservation[];
  /** Bumped whenever the request loop restarts, so a reply from an older loop is dropped. */
  generation: number;
  timer: NodeJS.Timeout | undefined;
  inFlight: AbortController | undefined;
}

/** Requests still settling after their check was stopped; close() waits for them so no socket outlives it. */
type Settling = Set<Promise<unknown>>;

/**
 * The lab's health checkers: many checks, each requesting its endpoint on its own interval,
 * with the Route 53 status rules applied by the pure state machine in ./state.
 *
 * Invariants: a check has at most one request in flight and at most one pending timer;
 * a removed check, or any check after close(), has neither.
 */
export class HealthCheckRegistry extends EventEmitter<HealthCheckRegistryEvents> {
  private readonly checks = new Map<string, CheckEntry>();
  private readonly probe: Probe;
  private readonly now: () => number;
  private readonly recentObservationLimit: number;
  private closed = false;
  private readonly settling: Settling = new Set();

  constructor(options: HealthCheckRegistryOptions = {}) {
    super();
    this.probe = options.probe ?? probeEndpoint;
    this.now = options.now ?? Date.now;
    this.recentObservationLimit = options.recentObservationLimit ?? 20;
  }

  /** Route 53 CreateHealthCheck. The first request goes out immediately. */
  add(input: HealthCheckInput): HealthCheckDescription {
    this.assertOpen();
    const config = resolveHealthCheckConfig(input);
    if (this.checks.has(config.id)) throw new HealthCheckAlreadyExistsError(config.id);
    const entry: CheckEntry = {
      config,
      healthCheckVersion: 1,
      state: initialHealthState(config, this.now()),
      observations: [],
      generation: 0,
      timer: undefined,
      inFlight: undefined,
    };
    this.checks.set(config.id, entry);
    this.restartLoop(entry);
    return describe(entry);
  }

  /**
   * Route 53 UpdateHealthCheck: validates, bumps the version, applies the new settings to
   * the status at once (which may emit `change`), and restarts the request loop.
   */
  update(id: string, update: HealthCheckUpdate): HealthCheckDescription {
    this.assertOpen();
    const entry = this.entry(id);
    if (update.healthCheckVersion !== undefined && update.healthCheckVersion !== entry.healthCheckVersion) {
      throw new HealthCheckVersionMismatchError(id, entry.healthCheckVersion, update.healthCheckVersion);
    }
    const previous = entry.config;
    entry.config = applyHealthCheckUpdate(previous, update);
    entry.healthCheckVersion += 1;
    this.restartLoop(entry);
    const change = this.transition(entry, reconfigure(entry.state, previous, entry.config, this.now()), 'update');
    if (change !== undefined) this.emit('change', change);
    return describe(entry);
  }

  /** Route 53 DeleteHealthCheck. Stops the check's requests at once. */
  remove(id: string): void {
    const entry = this.entry(id);
    this.stopLoop(entry);
    this.checks.delete(id);
  }

  get(id: string): HealthCheckDescription {
    return describe(this.entry(id));
  }

  list(): HealthCheckDescription[] {
    return [...this.checks.values()].map(describe);
  }

  /** Route 53 GetHealthCheckStatus, with the lab's own history on top. */
  status(id: string): HealthCheckStatusReport {
    const entry = this.entry(id);
    return {
      id,
      status: entry.state.reported,
      since: entry.state.since,
      lastCheckedAt: entry.state.lastCheckedAt,
      consecutive: entry.state.streak,
      recentObservations: [...entry.observations],
    };
  }

  /** The shape the DNS zone wants: `zone = new Zone({ healthOf: (id) => registry.isHealthy(id) })`. */
  isHealthy(id: string): boolean {
    return this.entry(id).state.reported === 'Healthy';
  }

  has(id: string): boolean {
    return this.checks.has(id);
  }

  /**
   * Stops every timer, aborts every request in flight and waits for their sockets to close.
   * The registry can't be used after.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.checks.values()) this.stopLoop(entry);
    this.checks.clear();
    await Promise.all([...this.settling]);
  }

  private entry(id: string): CheckEntry {
    const entry = this.checks.get(id);
    if (entry === undefined) throw new NoSuchHealthCheckError(id, [...this.checks.keys()]);
    return entry;
  }

  private assertOpen(): void {
    if (this.closed) throw new HealthCheckRegistryClosedError();
  }

  private restartLoop(entry: CheckEntry): void {
    this.stopLoop(entry);
    // Route 53 stops sending requests to a disabled check's endpoint.
    if (!entry.config.disabled) this.runRequest(entry, entry.generation);
  }

  private stopLoop(entry: CheckEntry): void {
    entry.generation += 1;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.inFlight?.abort();
    entry.inFlight = undefined;
  }

  private runRequest(entry: CheckEntry, generation: number): void {
    const controller = new AbortController();
    entry.inFlight = controller;
    const startedAt = this.now();
    const config = entry.config;
    const request = this.probe(config, controller.signal).catch((error: unknown): ProbeResult => ({
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
    }));
    this.settling.add(request);
    void request.then((result) => {
      this.settling.delete(request);
      if (entry.generation !== generation || this.closed) return;
      entry.inFlight = undefined;
      const at = this.now();
      const observation: HealthObservation = { ok: result.ok, detail: result.detail, at, latencyMs: at - startedAt };
      entry.observations.push(observation);
      if (entry.observations.length > this.recentObservationLimit) entry.observations.shift();
      // Start-to-start spacing, as Route 53's interval is; a slow request delays, never overlaps.
      // Scheduled before any listener runs, so a throwing listener can't stop the checks.
      const wait = Math.max(0, config.requestIntervalMs - (at - startedAt));
      entry.timer = setTimeout(() => this.runRequest(entry, generation), wait);
      const change = this.transition(entry, observe(entry.state, observation, config), 'observation');
      // Listeners run last, so one that reads status() sees this observation's effect.
      this.emit('observation', { id: config.id, ...observation });
      if (change !== undefined) this.emit('change', change);
    });
  }

  /** Stores the new state; returns the change event to publish when the reported status flipped. */
  private transition(
    entry: CheckEntry,
    next: HealthState,
    cause: HealthCheckChange['cause'],
  ): HealthCheckChange | undefined {
    const previous = entry.state.reported;
    entry.state = next;
    return next.reported === previous
      ? undefined
      : { id: entry.config.id, status: next.reported, previous, at: next.since, cause };
  }
}

function describe(entry: CheckEntry): HealthCheckDescription {
  return { config: entry.config, healthCheckVersion: entry.healthCheckVersion };
}
