/**
 * The health-check state machine, pure: observations and settings in, state out. No clock,
 * no I/O; the registry feeds it and publishes what changed.
 *
 * Rules (Route 53, "How Amazon Route 53 determines whether a health check is healthy"):
 * - the measured status flips only after `failureThreshold` consecutive requests disagree
 *   with it: that many failures to become Unhealthy, that many successes to become Healthy;
 * - Disabled: no requests are made and the status is Healthy;
 * - Inverted: the reported status is the opposite, applied after Disabled, so a disabled
 *   and inverted check is Unhealthy (Route 53's advice for stopping traffic to a resource
 *   whose check is disabled is "change the value of Inverted").
 */

import { HealthStatus } from './types';

export interface HealthSettings {
  readonly failureThreshold: number;
  readonly inverted: boolean;
  readonly disabled: boolean;
}

export interface HealthState {
  /** What the requests alone conclude, before Disabled and Inverted. */
  readonly measured: HealthStatus;
  /** What everyone else sees (DNS failover, events, status queries). */
  readonly reported: HealthStatus;
  /** When `reported` last changed (ms epoch). */
  readonly since: number;
  readonly lastCheckedAt: number | null;
  /** Length of the current run of identical outcomes, and which outcome it is. */
  readonly streak: number;
  readonly streakOk: boolean | null;
}

export interface Outcome {
  readonly at: number;
  readonly ok: boolean;
}

export function reportedStatus(measured: HealthStatus, settings: HealthSettings): HealthStatus {
  const beforeInversion: HealthStatus = settings.disabled ? 'Healthy' : measured;
  return settings.inverted ? opposite(beforeInversion) : beforeInversion;
}

/**
 * A new check starts Healthy: Route 53 gives a new check with no data yet a healthy status
 * (stated for CloudWatch-alarm checks' LastKnownStatus), and starting Unhealthy would make
 * every freshly created lab fail over before its first request.
 */
export function initialHealthState(settings: HealthSettings, at: number): HealthState {
  return {
    measured: 'Healthy',
    reported: reportedStatus('Healthy', settings),
    since: at,
    lastCheckedAt: null,
    streak: 0,
    streakOk: null,
  };
}

/** Folds one request outcome into the state. A disabled check ignores outcomes (a late reply). */
export function observe(state: HealthState, outcome: Outcome, settings: HealthSettings): HealthState {
  if (settings.disabled) return state;
  const streak = state.streakOk === outcome.ok ? state.streak + 1 : 1;
  const measured = measuredAfter(state.measured, outcome.ok, streak, settings.failureThreshold);
  return withReported(
    { ...state, measured, streak, streakOk: outcome.ok, lastCheckedAt: outcome.at },
    settings,
    outcome.at,
  );
}

/**
 * Applies new settings. A lowered threshold that the current run already meets flips the
 * status now rather than one request later: the consecutive outcomes have already happened.
 * Disabling or re-enabling ends the run, because requests stop in between.
 */
export function reconfigure(
  state: HealthState,
  previous: HealthSettings,
  next: HealthSettings,
  at: number,
): HealthState {
  const runBroken = previous.disabled !== next.disabled;
  const streak = runBroken ? 0 : state.streak;
  const streakOk = runBroken ? null : state.streakOk;
  const measured =
    next.disabled || streakOk === null
      ? state.measured
      : measuredAfter(state.measured, streakOk, streak, next.failureThreshold);
  const unchanged = measured === state.measured && streak === state.streak && streakOk === state.streakOk;
  return withReported(unchanged ? state : { ...state, measured, streak, streakOk }, next, at);
}

function measuredAfter(
  measured: HealthStatus,
  runOk: boolean,
  runLength: number,
  failureThreshold: number,
): HealthStatus {
  const runSays: HealthStatus = runOk ? 'Healthy' : 'Unhealthy';
  return runSays !== measured && runLength >= failureThreshold ? runSays : measured;
}

function withReported(state: HealthState, settings: HealthSettings, at: number): HealthState {
  const reported = reportedStatus(state.measured, settings);
  return reported === state.reported ? state : { ...state, reported, since: at };
}

function opposite(status: HealthStatus): HealthStatus {
  return status === 'Healthy' ? 'Unhealthy' : 'Healthy';
}
