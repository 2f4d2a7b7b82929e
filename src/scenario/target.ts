import { formatPath } from '../experiment/issues';
import type { Target } from '../targets';

/**
 * One target for the whole day: the lab is started once (or an account or set of endpoints
 * opened once) and every step runs on it. An experiment step therefore either says nothing
 * about its target — it inherits the day's, and is checked against it (its fault regions,
 * endpoint names, databases) — or says exactly the same, field for field once defaults
 * apply. A file that names another target would be measured on one it was not written for,
 * so that is refused, with the first field that differs.
 */

/** The experiment as validated for a step: with the day's target when it gives none. */
export function withDayTarget(raw: object, dayTarget: unknown): { input: object; ownTarget: boolean } {
  const own = (raw as { target?: unknown }).target;
  if (own !== undefined) return { input: raw, ownTarget: true };
  return { input: { ...raw, target: dayTarget ?? { kind: 'lab' } }, ownTarget: false };
}

/** Where an experiment's own target differs from the day's, in words; null when they agree. */
export function targetDisagreement(own: Target, day: Target): string | null {
  const difference = firstDifference(own, day, []);
  if (!difference) return null;
  const at = difference.path.length > 0 ? `target.${formatPath(difference.path)}` : 'target';
  return (
    `differs from the scenario's at ${at} (${show(difference.own)} here, ` +
    `${show(difference.day)} in the scenario): every step runs on the scenario's one target; remove the ` +
    `experiment's target (it then inherits the scenario's) or make it the same`
  );
}

function firstDifference(
  own: unknown,
  day: unknown,
  path: (string | number)[],
): { path: (string | number)[]; own: unknown; day: unknown } | null {
  if (Object.is(own, day)) return null;
  if (Array.isArray(own) && Array.isArray(day)) {
    for (let index = 0; index < Math.max(own.length, day.length); index++) {
      const found = firstDifference(own[index], day[index], [...path, index]);
      if (found) return found;
    }
    return null;
  }
  if (isRecord(own) && isRecord(day)) {
    // A different kind says more than the first field the kinds do not share.
    const keys = [...new Set([...Object.keys(own), ...Object.keys(day)])].sort();
    for (const key of keys.includes('kind') ? ['kind', ...keys.filter((other) => other !== 'kind')] : keys) {
      const found = firstDifference(own[key], day[key], [...path, key]);
      if (found) return found;
    }
    return null;
  }
  return { path, own, day };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'not set' : JSON.stringify(value);
}
