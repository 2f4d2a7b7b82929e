import { createHmac, randomUUID } from 'node:crypto';
import { sleep } from '../core/clock';
import { formatDuration } from '../core/duration';
import { errorMessage } from '../core/errors';
import type { JournalEvent } from '../core/events';
import { Redactor } from '../core/redact';
import { gamedayVersion } from '../core/version';
import type { WebhookEventKind } from '../experiment/notify';
import { plainText, type Message } from './message';
import type { EndDetails, Outlet, Subject } from './outlet';
import { DeliveryQueue } from './queue';
import type { Ending, Update } from './run-messages';

/** How a webhook is delivered: where, with which secret, and how hard to try. */
export interface WebhookDelivery {
  url: string;
  /** The HMAC key; null: POSTs go unsigned. */
  secret: string | null;
  /** Retries of one POST after a refused connection, a timeout, a 408, a 429 or a 5xx. */
  retries: number;
  /** The first retry's wait, doubled each time up to maxDelayMs; a 429's or 503's Retry-After is honoured instead. */
  minDelayMs: number;
  maxDelayMs: number;
  requestTimeoutMs: number;
  /** At the end, how long the POSTs still queued (the verdict's last) may take. */
  drainMs: number;
}

export const webhookDefaults: Omit<WebhookDelivery, 'url' | 'secret'> = {
  retries: 4,
  minDelayMs: 1_000,
  maxDelayMs: 15_000,
  requestTimeoutMs: 10_000,
  drainMs: 45_000,
};

/** What each POST's body is: one event of the run, in words and as data. */
export interface WebhookPayload {
  type: WebhookEventKind;
  /** The run's id, or the GameDay's for everything of its day. */
  runId: string;
  experiment: string | null;
  scenario: string | null;
  step: number | null;
  /** When it happened, ISO 8601. */
  at: string;
  /** The same words as the Slack thread's, in one plain paragraph. */
  text: string;
  /** The journal event (the verdict's figures for `finished`). */
  event: Record<string, unknown>;
}

export const signatureHeader = 'X-Gameday-Signature';
export const timestampHeader = 'X-Gameday-Timestamp';

/**
 * The HMAC-SHA256 a receiver recomputes: over `<timestamp>.<raw body>` with the shared
 * secret, hex, as `sha256=<hex>`. The timestamp (Unix seconds, its own header) is signed
 * too, so a captured POST cannot be replayed later under a fresh timestamp.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * A webhook: a JSON POST per event of the kinds chosen — for Teams, PagerDuty or an
 * incident bot, the "incident declared → alert" step of a DR runbook — signed when a secret
 * is set, retried with back-off, delivered in order from a background queue so the run
 * never waits on the receiver.
 */
export class WebhookSender implements Outlet {
  readonly name: string;
  private readonly queue = new DeliveryQueue();
  private readonly wanted: ReadonlySet<string>;
  private readonly redactor: Redactor;
  private sent = 0;

  constructor(
    events: readonly WebhookEventKind[],
    private readonly delivery: WebhookDelivery,
    /** Whose secret-looking variables' values are redacted wherever they appear (the signing secret among them). */
    env: NodeJS.ProcessEnv,
  ) {
    this.redactor = new Redactor(env);
    if (delivery.secret !== null) this.redactor.learn(delivery.secret);
    // The URL may itself be the secret (Teams, Slack hooks): only its host names it.
    this.name = `webhook ${new URL(delivery.url).host}`;
    this.wanted = new Set(events);
  }

  open(message: Message, subject: Subject, event: JournalEvent): void {
    if (event.type !== 'run.started' && event.type !== 'scenario.started') return;
    // What a run will do and when, without the experiment file's own settings (its notifiers among them).
    const { spec, ...started } = event;
    const announced =
      event.type === 'scenario.started' ? { ...started, spec } : { ...started, plan: { fields: message.fields ?? [] } };
    this.send('started', subject, event.t, plainText(message), announced);
  }

  update(update: Update, subject: Subject, event: JournalEvent): void {
    this.send(update.kind, subject, event.t, plainText(update.message), event as unknown as Record<string, unknown>);
  }

  async close(ending: Ending, end: EndDetails): Promise<void> {
    this.send('finished', end.subject, end.at, plainText(ending.reply), {
      type: end.subject.scenario === null ? 'run.finished' : 'scenario.finished',
      status: end.status,
      reason: end.reason,
      runDir: end.runDir,
      ...end.verdict,
    });
    const drained = await this.queue.drain(this.delivery.drainMs);
    const waiting = this.queue.pending;
    if (!drained) this.queue.close();
    const { failures } = this.queue.result;
    if (failures.length === 0 && drained) return;
    const causes = [
      ...failures.slice(0, 3),
      ...(failures.length > 3 ? [`${failures.length - 3} more`] : []),
      ...(drained ? [] : [`${waiting} still queued after ${formatDuration(this.delivery.drainMs)}`]),
    ];
    throw new Error(
      `${failures.length + (drained ? 0 : waiting)} of ${this.sent} POSTs not delivered (${causes.join('; ')})`,
    );
  }

  private send(
    type: WebhookEventKind,
    subject: Subject,
    t: number,
    text: string,
    event: Record<string, unknown>,
  ): void {
    if (!this.wanted.has(type)) return;
    const payload: WebhookPayload = { type, ...subject, at: new Date(t).toISOString(), text, event };
    const body = JSON.stringify(this.redactor.value(payload));
    // One id for every attempt: a receiver that saw the first may drop the retry.
    const delivery = randomUUID();
    this.sent++;
    this.queue.push(`${type} ${delivery.slice(0, 8)}`, () => this.post(type, body, delivery));
  }

  private async post(type: WebhookEventKind, body: string, delivery: string): Promise<void> {
    const { retries, minDelayMs, maxDelayMs, requestTimeoutMs, url, secret } = this.delivery;
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      let wait = Math.min(maxDelayMs, minDelayMs * 2 ** attempt);
      try {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': `gameday/${gamedayVersion}`,
            'x-gameday-event': type,
            'x-gameday-delivery': delivery,
            ...(secret === null
              ? {}
              : { [timestampHeader]: timestamp, [signatureHeader]: webhookSignature(secret, timestamp, body) }),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        failure = `HTTP ${response.status}`;
        if (!(response.status === 408 || response.status === 429 || response.status >= 500))
          throw new RefusedError(`${failure}: the receiver refused it`);
        const after = retryAfterMs(response.headers.get('retry-after'));
        if (after !== null) wait = Math.min(after, maxDelayMs);
      } catch (error) {
        if (error instanceof RefusedError) throw error;
        failure = requestFailure(error);
      }
      if (attempt >= retries) throw new Error(`${failure} (${attempt + 1} attempts)`);
      await sleep(wait);
    }
  }
}

/** A 4xx other than 408 and 429: sending it again would be refused again. */
class RefusedError extends Error {}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** fetch says 'fetch failed'; its cause says why (ECONNREFUSED, a timeout). */
function requestFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((error as { name?: string }).name === 'TimeoutError') return 'timed out';
  return cause?.message ?? errorMessage(error);
}
