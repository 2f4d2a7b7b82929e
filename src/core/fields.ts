import { z } from 'zod';
import { durationHint, tryParseDuration } from './duration';

/**
 * Field types every schema shares — experiments, targets, faults, probes, scenarios — so a
 * duration, a name or a URL is checked, and its mistake worded, the same everywhere.
 * `z.input` of a schema is what users write; `z.output` what gameday runs (durations in ms).
 */

/**
 * Duration string -> milliseconds, rejecting zero unless allowed. Every field states its
 * bound: a figure past it means nothing for a drill, and is most likely a typo.
 */
export function duration(options: { allowZero?: boolean; max: string }) {
  const maxMs = tryParseDuration(options.max)!;
  return z.string({ error: `expected ${durationHint}` }).transform((text, ctx) => {
    const ms = tryParseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${durationHint}, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    if (ms === 0 && !options.allowZero) {
      ctx.addIssue({ code: 'custom', message: `must be longer than 0, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    if (ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${options.max}, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return ms;
  });
}

export const name = z
  .string({ error: 'expected a non-empty string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(120, { error: 'must be at most 120 characters' });

/**
 * The service a drill is evidence for, as its resilience score is kept: a short label, the
 * same across the experiments (and GameDays) that test one service.
 */
export const serviceName = z
  .string({ error: "expected the service's name, e.g. 'checkout'" })
  .trim()
  .min(1, { error: "expected the service's name, e.g. 'checkout'" })
  .max(80, { error: 'must be at most 80 characters' });

/** How long a drill's evidence stays current: after it, its part of the service's score halves every staleAfter. */
export const staleAfter = duration({ max: '400d' });

export const ratio = z
  .number({ error: 'expected a number between 0 and 1 (e.g. 0.99)' })
  .min(0, { error: 'expected a number between 0 and 1 (e.g. 0.99)' })
  .max(1, { error: 'expected a number between 0 and 1 (e.g. 0.99)' });

const statusRangesPattern = /^\s*\d{3}(\s*-\s*\d{3})?(\s*,\s*\d{3}(\s*-\s*\d{3})?)*\s*$/;

/** '200-399', '200,204', '200-299,304' -> list of inclusive ranges. */
export const statusRanges = z
  .string({ error: "expected HTTP status ranges like '200-399' or '200,204'" })
  .regex(statusRangesPattern, { error: "expected HTTP status ranges like '200-399' or '200,204'" })
  .transform((text, ctx) => {
    const ranges = text.split(',').map((part) => {
      const [low, high] = part.split('-').map((s) => Number(s.trim()));
      return { from: low, to: high ?? low };
    });
    for (const { from, to } of ranges) {
      if (from < 100 || to > 599)
        ctx.addIssue({ code: 'custom', message: `HTTP statuses are 100 to 599, got ${JSON.stringify(text)}` });
      else if (from > to)
        ctx.addIssue({
          code: 'custom',
          message: `range ${from}-${to} is reversed; write the lower status first (${to}-${from})`,
        });
    }
    return ranges;
  });

export type StatusRange = { from: number; to: number };

export const httpUrl = z
  .string({ error: 'expected an http:// or https:// URL' })
  .refine((value) => /^https?:\/\/[^\s/]+/.test(value), { error: 'expected an http:// or https:// URL' });

export const regionName = z
  .string({ error: "expected an AWS-style region name like 'us-east-1'" })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "expected an AWS-style region name like 'us-east-1'" });

/** Named base URLs, e.g. { api: 'https://api.example.com' }; probes refer to them by name. */
export const namedUrls = z
  .record(z.string().regex(/^[a-zA-Z][\w-]*$/, { error: 'endpoint names are letters, digits, - and _' }), httpUrl)
  .refine((record) => Object.keys(record).length > 0, { error: 'needs at least one named URL' });

/** A validation problem as cross-field checks report it: the field path and what is wrong. */
export interface Issue {
  path: (string | number)[];
  message: string;
}

/** Where cross-field checks (a kind's `validate`) report what they find. */
export type ReportIssue = (path: (string | number)[], message: string) => void;
