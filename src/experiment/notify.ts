import { z } from 'zod';
import { httpUrl } from '../core/fields';

/**
 * The `notify` list of an experiment or a GameDay scenario: who hears of a run while it
 * goes. One schema for both files (and for the environment's default, notify/defaults.ts),
 * so a notifier is written, checked and worded the same everywhere. Secrets never live in
 * the file: Slack's token comes from SLACK_BOT_TOKEN, a webhook's signing secret (and its
 * URL, when the URL is itself a secret) from variables the file names.
 */

/** What a Slack thread says between its first message and its verdict; each kind is a family of journal events. */
export const updateKinds = ['fault', 'failover', 'stop', 'checkpoint', 'step', 'note', 'halt'] as const;
export type UpdateKind = (typeof updateKinds)[number];

/** What a webhook may be sent: the start, the updates, the verdict. */
export const webhookEventKinds = ['started', ...updateKinds, 'finished'] as const;
export type WebhookEventKind = (typeof webhookEventKinds)[number];

const channelHint = "expected a Slack channel: its ID like 'C0123456789' or its name like '#gameday-drills'";
const channel = z
  .string({ error: channelHint })
  .trim()
  .regex(/^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{8,20})$/, { error: channelHint });

const mentionHint =
  "expected a Slack member ID like 'U024BE7LH', a user group ID like 'S0614TZR7', '@here' or '@channel'";
const mention = z
  .string({ error: mentionHint })
  .regex(/^([UW][A-Z0-9]{2,20}|S[A-Z0-9]{2,20}|@here|@channel)$/, { error: mentionHint });

const envNameHint = "expected the name of an environment variable, like 'GAMEDAY_WEBHOOK_SECRET'";
export const envName = z.string({ error: envNameHint }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: envNameHint });

/** Where the report will be read: a URL with `{runId}` standing for the run's id (a CI artifact, a shared folder). */
const reportUrl = httpUrl;

const events = <K extends readonly [string, ...string[]]>(kinds: K) =>
  z.array(z.enum(kinds)).transform((list) => [...new Set(list)]);

export const slackNotifierSchema = z.strictObject({
  kind: z.literal('slack'),
  channel,
  /** The updates posted in the thread; default: every kind. The first message and the verdict are always posted. */
  events: events(updateKinds).optional(),
  /** Mentioned in the first message, and again when someone is needed: a checkpoint, an abort, a verdict not passed. */
  mention: z.array(mention).max(20, { error: 'at most 20 mentions' }).default([]),
  reportUrl: reportUrl.optional(),
});

export const webhookNotifierSchema = z
  .strictObject({
    kind: z.literal('webhook'),
    /** Where the POSTs go; or `urlEnv`, the variable holding a URL that is itself a secret (Teams, Slack hooks). */
    url: httpUrl.optional(),
    urlEnv: envName.optional(),
    /** One POST per event of these kinds. */
    events: events(webhookEventKinds).refine((list) => list.length > 0, {
      error: `name at least one event kind: ${webhookEventKinds.join(', ')}`,
    }),
    /** The variable holding the HMAC secret; with it every POST carries X-Gameday-Signature. */
    secretEnv: envName.optional(),
    reportUrl: reportUrl.optional(),
  })
  .superRefine((webhook, ctx) => {
    if ((webhook.url === undefined) === (webhook.urlEnv === undefined))
      ctx.addIssue({
        code: 'custom',
        path: webhook.url === undefined ? ['url'] : ['urlEnv'],
        message:
          webhook.url === undefined
            ? "give the URL to POST to: url ('https://…') or urlEnv (the variable that holds it)"
            : 'give url or urlEnv, not both',
      });
  });

export const notifierSchema = z.discriminatedUnion('kind', [slackNotifierSchema, webhookNotifierSchema]);
export const notifySchema = z.array(notifierSchema).max(10, { error: 'at most 10 notifiers' });

export type NotifierConfig = z.input<typeof notifierSchema>;
export type Notifier = z.output<typeof notifierSchema>;
export type SlackNotifierSpec = z.output<typeof slackNotifierSchema>;
export type WebhookNotifierSpec = z.output<typeof webhookNotifierSchema>;
