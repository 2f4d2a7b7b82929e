import type { Notifier } from '../experiment/notify';
import type { Reporter, RunOutcome } from '../report/reporter';
import type { DayOutcome } from './day-messages';
import type { Outlet } from './outlet';
import { dayReporters, runReporter, type StepInfo } from './reporters';
import { readyNotifiers, type ReadyNotifier } from './setup';
import { SlackThread, slackDefaults, type SlackDelivery } from './slack';
import { WebhookSender, webhookDefaults, type WebhookDelivery } from './webhook';

export type { DayOutcome } from './day-messages';
export type { StepInfo } from './reporters';
export { NotifySetupError, notifyEnv, type NotifyProblem } from './setup';
export { signatureHeader, timestampHeader, webhookSignature, type WebhookPayload } from './webhook';

/** Who started the run, and, for tests, shorter deadlines than Slack's and receivers' defaults. */
export interface NotifyOptions {
  /** The user at the terminal, or the scheduler: the first message's "who". */
  by: string;
  /** A drill (default), or `gameday failover` (a real DR action) and its failback. */
  action?: 'run' | 'failover' | 'failback';
  /** Where SLACK_BOT_TOKEN, the defaults and the secrets are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  slack?: Partial<Omit<SlackDelivery, 'token' | 'apiUrl'>>;
  webhook?: Partial<Omit<WebhookDelivery, 'url' | 'secret'>>;
}

/** What carries a `notify` list: an experiment or a scenario, as validation resolved it. */
interface Notifiable {
  file: string;
  notify?: Notifier[];
}

export interface RunNotifiers {
  reporters: Reporter<RunOutcome>[];
}

export interface DayNotifiers {
  /** For the day's journal. */
  reporters: Reporter<DayOutcome>[];
  /** For each experiment step's run: its events go into the day's thread. */
  stepReporters: (step: StepInfo) => Reporter[];
}

/**
 * The notifier reporters of an experiment or a GameDay — what `gameday run` attaches, and
 * anything else that starts runs (a scheduler) — from its `notify` list, or the
 * environment's default when it has none. Throws NotifySetupError, before anything has
 * started, when a notifier could not deliver (no SLACK_BOT_TOKEN, a secret variable unset).
 * In a GameDay the scenario's list speaks for the whole day; its experiments' own lists
 * are not used.
 */
export function notifiersFor(
  definition: { kind: 'experiment'; experiment: Notifiable },
  options: NotifyOptions,
): RunNotifiers;
export function notifiersFor(
  definition: { kind: 'scenario'; scenario: Notifiable },
  options: NotifyOptions,
): DayNotifiers;
export function notifiersFor(
  definition: { kind: 'experiment'; experiment: Notifiable } | { kind: 'scenario'; scenario: Notifiable },
  options: NotifyOptions,
): RunNotifiers | DayNotifiers;
export function notifiersFor(
  definition: { kind: 'experiment'; experiment: Notifiable } | { kind: 'scenario'; scenario: Notifiable },
  options: NotifyOptions,
): RunNotifiers | DayNotifiers {
  const subject = definition.kind === 'experiment' ? definition.experiment : definition.scenario;
  const ready = readyNotifiers(subject.notify, subject.file, options.env ?? process.env);
  const contexts = ready.map((notifier) => ({
    outlet: outletOf(notifier, options),
    context: {
      by: options.by,
      mention: notifier.kind === 'slack' ? notifier.spec.mention : [],
      reportUrl: notifier.spec.reportUrl,
    },
  }));
  if (definition.kind === 'experiment')
    return {
      reporters: contexts.map(({ outlet, context }) =>
        runReporter(outlet, { ...context, action: options.action ?? 'run' }),
      ),
    };
  const days = contexts.map(({ outlet, context }) => dayReporters(outlet, context));
  return {
    reporters: days.map((day) => day.reporter),
    stepReporters: (step) => days.map((day) => day.stepReporter(step)),
  };
}

function outletOf(notifier: ReadyNotifier, options: NotifyOptions): Outlet {
  if (notifier.kind === 'slack')
    return new SlackThread(
      notifier.spec,
      {
        token: notifier.token,
        apiUrl: notifier.apiUrl,
        ...slackDefaults,
        ...options.slack,
      },
      options.env ?? process.env,
    );
  return new WebhookSender(
    notifier.spec.events,
    {
      url: notifier.url,
      secret: notifier.secret,
      ...webhookDefaults,
      ...options.webhook,
    },
    options.env ?? process.env,
  );
}
