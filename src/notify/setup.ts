import { z } from 'zod';
import { GamedayError } from '../core/errors';
import { httpUrl } from '../core/fields';
import {
  slackNotifierSchema,
  webhookEventKinds,
  webhookNotifierSchema,
  type Notifier,
  type SlackNotifierSpec,
  type WebhookNotifierSpec,
} from '../experiment/notify';
import { issuesOf } from '../experiment/issues';
import { slackApiUrl } from './slack';

/**
 * From a file's `notify` (or, when it has none, the environment's default) to notifiers
 * ready to deliver: the Slack token, a webhook's URL and secret read from the environment.
 * Every problem is found before the run starts — a Slack notifier without SLACK_BOT_TOKEN
 * is refused then, never discovered as a silent thread that never came.
 */

/** The variables gameday reads for notifications. */
export const notifyEnv = {
  token: 'SLACK_BOT_TOKEN',
  slackApiUrl: 'GAMEDAY_SLACK_API_URL',
  slackChannel: 'GAMEDAY_SLACK_CHANNEL',
  webhookUrl: 'GAMEDAY_WEBHOOK_URL',
  webhookEvents: 'GAMEDAY_WEBHOOK_EVENTS',
  webhookSecret: 'GAMEDAY_WEBHOOK_SECRET',
} as const;

export const defaultWebhookEvents = ['started', 'finished'] as const;

export type ReadyNotifier =
  | { kind: 'slack'; spec: SlackNotifierSpec; token: string; apiUrl: string }
  | { kind: 'webhook'; spec: WebhookNotifierSpec; url: string; secret: string | null };

export interface NotifyProblem {
  /** Where it was set: the file and field path, or the environment variable. */
  where: string;
  message: string;
}

/** The file's notifiers cannot deliver as they are: said before anything starts. */
export class NotifySetupError extends GamedayError {
  constructor(readonly problems: NotifyProblem[]) {
    super(problems.map((problem) => `${problem.where}: ${problem.message}`).join('\n'));
  }
}

/** The notifiers of a run, or throws NotifySetupError with every problem. `notify` absent: the environment's. */
export function readyNotifiers(notify: Notifier[] | undefined, file: string, env: NodeJS.ProcessEnv): ReadyNotifier[] {
  const problems: NotifyProblem[] = [];
  const fromFile = notify !== undefined;
  const listed: Array<{ notifier: Notifier; where: string }> = fromFile
    ? notify.map((notifier, index) => ({ notifier, where: `${file}: notify[${index}]` }))
    : environmentDefault(env, problems);
  const ready: ReadyNotifier[] = [];
  for (const { notifier, where } of listed) {
    if (notifier.kind === 'slack') {
      const token = env[notifyEnv.token]?.trim();
      const apiUrl = urlIn(env, notifyEnv.slackApiUrl, notifyEnv.slackApiUrl, problems) ?? slackApiUrl;
      if (!token)
        problems.push({
          where,
          message:
            `a Slack notifier (${notifier.channel}) needs a bot token: set ${notifyEnv.token} ` +
            '(xoxb-…, with the chat:write and files:write scopes, the bot invited to the channel)',
        });
      else ready.push({ kind: 'slack', spec: notifier, token, apiUrl });
      continue;
    }
    const url = notifier.url ?? urlIn(env, notifier.urlEnv!, where, problems, `urlEnv names ${notifier.urlEnv}`);
    const secret = notifier.secretEnv === undefined ? null : env[notifier.secretEnv];
    if (notifier.secretEnv !== undefined && !secret)
      problems.push({ where, message: `secretEnv names ${notifier.secretEnv}, which is not set (or empty)` });
    if (url) ready.push({ kind: 'webhook', spec: notifier, url, secret: secret || null });
  }
  if (problems.length > 0) throw new NotifySetupError(problems);
  return ready;
}

/** GAMEDAY_SLACK_CHANNEL and GAMEDAY_WEBHOOK_URL, read through the same schemas as a file's notify entries. */
function environmentDefault(
  env: NodeJS.ProcessEnv,
  problems: NotifyProblem[],
): Array<{ notifier: Notifier; where: string }> {
  const listed: Array<{ notifier: Notifier; where: string }> = [];
  const channel = env[notifyEnv.slackChannel]?.trim();
  if (channel) {
    const parsed = slackNotifierSchema.safeParse({ kind: 'slack', channel });
    if (parsed.success) listed.push({ notifier: parsed.data, where: notifyEnv.slackChannel });
    else problems.push(...described(parsed.error, { channel }, notifyEnv.slackChannel));
  }
  if (env[notifyEnv.webhookUrl]?.trim()) {
    const events = env[notifyEnv.webhookEvents]?.trim();
    const input = {
      kind: 'webhook',
      urlEnv: notifyEnv.webhookUrl,
      events: events ? events.split(',').map((kind) => kind.trim()) : [...defaultWebhookEvents],
      ...(env[notifyEnv.webhookSecret] ? { secretEnv: notifyEnv.webhookSecret } : {}),
    };
    const parsed = webhookNotifierSchema.safeParse(input);
    if (parsed.success) listed.push({ notifier: parsed.data, where: notifyEnv.webhookUrl });
    else problems.push(...described(parsed.error, input, notifyEnv.webhookEvents, webhookEventKinds));
  }
  return listed;
}

function described(error: z.ZodError, input: unknown, variable: string, valid?: readonly string[]): NotifyProblem[] {
  return issuesOf(error.issues, input, variable, webhookNotifierSchema).map((issue) => ({
    where: variable,
    message:
      valid && issue.path.startsWith('events')
        ? `${issue.message} (a comma-separated list of ${valid.join(', ')})`
        : issue.message,
  }));
}

/** A URL from the environment; a problem when it is not one (its value never said: it may be a secret). */
function urlIn(
  env: NodeJS.ProcessEnv,
  name: string,
  where: string,
  problems: NotifyProblem[],
  required?: string,
): string | undefined {
  const value = env[name]?.trim();
  if (!value) {
    if (required) problems.push({ where, message: `${required}, which is not set (or empty)` });
    return undefined;
  }
  if (!httpUrl.safeParse(value).success) {
    const message = required
      ? `${required}, whose value is not an http:// or https:// URL`
      : 'expected an http:// or https:// URL';
    problems.push({ where, message });
    return undefined;
  }
  return value;
}
