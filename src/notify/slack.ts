import path from 'node:path';
import type { Logger, LogLevel, RetryOptions, WebClient } from '@slack/web-api';
import { formatDuration } from '../core/duration';
import { errorMessage } from '../core/errors';
import { Redactor } from '../core/redact';
import type { SlackNotifierSpec } from '../experiment/notify';
import type { Message } from './message';
import type { EndDetails, Outlet } from './outlet';
import { DeliveryQueue, within } from './queue';
import type { Ending, Update } from './run-messages';
import { slackPayload } from './slack-blocks';

/** How a Slack thread is delivered: the token, where the API is, and how long anything may take. */
export interface SlackDelivery {
  token: string;
  /** Slack's Web API; another for a proxy or a stand-in ($GAMEDAY_SLACK_API_URL). */
  apiUrl: string;
  /** The official client's retries of one call (429s after their Retry-After, 5xx, refused connections). */
  retry: RetryOptions;
  requestTimeoutMs: number;
  /** At the end, how long updates still queued may take before they are dropped. */
  drainMs: number;
  /** Then, how long the verdict, the edit of the first message and the upload may take together. */
  finishMs: number;
}

export const slackApiUrl = 'https://slack.com/api/';

export const slackDefaults: Omit<SlackDelivery, 'token' | 'apiUrl'> = {
  retry: { retries: 5, factor: 2, minTimeout: 1_000, maxTimeout: 15_000, randomize: true, maxRetryTime: 30_000 },
  requestTimeoutMs: 10_000,
  drainMs: 15_000,
  finishMs: 45_000,
};

/** A report link or a runbook URL in a message stays a link: no preview cards in the thread. */
const unfurlNothing = { unfurl_links: false, unfurl_media: false };

/** The client's own log would go to the console: gameday says what failed itself, once, at the end. */
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => 'error' as LogLevel,
  setName: () => undefined,
};

/**
 * One Slack thread per run (or GameDay), through the official @slack/web-api client: the
 * first message in the channel (chat.postMessage), every update as a reply in its thread,
 * and at the end the verdict as a reply, the first message edited to show it
 * (chat.update), and report.pdf uploaded into the thread (files.uploadV2). Everything goes
 * through an ordered queue drained in the background, so the run never waits on Slack;
 * everything sent is redacted once more on its way out.
 */
export class SlackThread implements Outlet {
  readonly name: string;
  private client: Promise<WebClient> | null = null;
  private readonly queue = new DeliveryQueue();
  private root: { channel: string; ts: string } | null = null;
  private readonly wanted: ReadonlySet<string>;
  private readonly redactor: Redactor;
  private updates = 0;
  private unthreaded = 0;

  constructor(
    private readonly spec: SlackNotifierSpec,
    private readonly delivery: SlackDelivery,
    /** Whose secret-looking variables' values are redacted wherever they appear (SLACK_BOT_TOKEN among them). */
    env: NodeJS.ProcessEnv,
  ) {
    this.name = `Slack ${spec.channel}`;
    this.redactor = new Redactor(env);
    this.redactor.learn(delivery.token);
    this.wanted = new Set(spec.events ?? ['fault', 'failover', 'stop', 'checkpoint', 'step', 'note', 'halt']);
  }

  open(message: Message): void {
    this.queue.push('the first message', async () => {
      const web = await this.web();
      const answer = await said(() =>
        web.chat.postMessage({ channel: this.spec.channel, ...this.payload(message), ...unfurlNothing }),
      );
      this.root = { channel: answer.channel!, ts: answer.ts! };
    });
  }

  update(update: Update): void {
    if (!this.wanted.has(update.kind)) return;
    const number = ++this.updates;
    this.queue.push(`update ${number}`, async () => {
      const root = this.root;
      if (!root) {
        // Posting each update to the channel instead would flood it: with no thread, they are counted as lost.
        this.unthreaded++;
        return;
      }
      const web = await this.web();
      await said(() =>
        web.chat.postMessage({
          channel: root.channel,
          thread_ts: root.ts,
          ...this.payload(update.message),
          ...unfurlNothing,
        }),
      );
    });
  }

  async close(ending: Ending, end: EndDetails): Promise<void> {
    const drained = await this.queue.drain(this.delivery.drainMs);
    const waiting = this.queue.pending;
    if (!drained) this.queue.close();
    const problems: string[] = [];
    const finished = await within(this.delivery.finishMs, this.finish(ending, end, problems));
    if (!finished) problems.push(`the verdict: gave up after ${formatDuration(this.delivery.finishMs)}`);
    const { failures } = this.queue.result;
    const lost = failures.length + this.unthreaded + (drained ? 0 : waiting);
    if (lost > 0) {
      const causes = [
        ...failures.slice(0, 3),
        ...(failures.length > 3 ? [`${failures.length - 3} more`] : []),
        ...(this.unthreaded > 0 ? [`${this.unthreaded} with no thread to go in`] : []),
        ...(!drained ? [`${waiting} still queued after ${formatDuration(this.delivery.drainMs)}`] : []),
      ];
      problems.unshift(`${lost} of ${this.updates + 1} messages not posted (${causes.join('; ')})`);
    }
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  /** The verdict in the thread (or in the channel, when there is no thread), the first message edited, the PDF. */
  private async finish(ending: Ending, end: EndDetails, problems: string[]): Promise<void> {
    const web = await this.web();
    const root = this.root;
    let verdict: { channel: string; ts: string } | null = null;
    try {
      const answer = await said(() =>
        web.chat.postMessage({
          channel: root?.channel ?? this.spec.channel,
          ...(root ? { thread_ts: root.ts } : {}),
          ...this.payload(ending.reply),
          ...unfurlNothing,
        }),
      );
      verdict = { channel: answer.channel!, ts: answer.ts! };
    } catch (error) {
      problems.push(`the verdict: ${errorMessage(error)}`);
    }
    if (root) {
      try {
        await said(() => web.chat.update({ channel: root.channel, ts: root.ts, ...this.payload(ending.headline) }));
      } catch (error) {
        problems.push(`editing the first message: ${errorMessage(error)}`);
      }
    }
    const thread = root ?? verdict;
    if (end.pdf && thread) {
      try {
        const title = `${end.subject.scenario ?? end.subject.experiment ?? end.subject.runId} — report`;
        await said(() =>
          web.files.uploadV2({
            channel_id: thread.channel,
            thread_ts: thread.ts,
            file: end.pdf!,
            filename: path.basename(end.pdf!),
            title: this.redactor.text(title),
          }),
        );
      } catch (error) {
        problems.push(`${path.basename(end.pdf)} not uploaded: ${errorMessage(error)}`);
      }
    }
  }

  private payload(message: Message) {
    // The journal redacted every event these words came from; this catches anything composed since.
    return this.redactor.value(slackPayload(message));
  }

  /** The client, loaded on first use: a run without Slack never loads it. */
  private web(): Promise<WebClient> {
    this.client ??= import('@slack/web-api').then(
      ({ WebClient }) =>
        new WebClient(this.delivery.token, {
          slackApiUrl: this.delivery.apiUrl,
          retryConfig: this.delivery.retry,
          timeout: this.delivery.requestTimeoutMs,
          logger: quiet,
        }),
    );
    return this.client;
  }
}

/** A call to Slack whose failure is said in a line: refused (and why), an HTTP status, or not reached (and why). */
async function said<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new Error(slackFailure(error));
  }
}

function slackFailure(error: unknown): string {
  const failure = error as {
    code?: string;
    data?: { error?: string };
    statusCode?: number;
    original?: { name?: string; message?: string; cause?: { code?: string } };
  };
  switch (failure.code) {
    case 'slack_webapi_platform_error':
      return `Slack refused it: ${failure.data?.error ?? errorMessage(error)}`;
    case 'slack_webapi_http_error':
      return `Slack answered HTTP ${failure.statusCode}`;
    case 'slack_webapi_request_error': {
      const original = failure.original;
      const why = original?.cause?.code ?? (original?.name === 'TimeoutError' ? 'timed out' : original?.message);
      return `could not reach Slack: ${why ?? errorMessage(error)}`;
    }
    default:
      return errorMessage(error);
  }
}
