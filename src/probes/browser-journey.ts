import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { now } from '../core/clock';
import { slugOf } from '../core/slug';
import type { JourneyRow } from '../core/events';
import type { DohFront } from './doh';
import { describeError } from './periodic';

/** What a browser probe's `journey` is called with. `page` and `context` are Playwright's (playwright-core's types). */
export interface BrowserJourneyContext {
  page: Page;
  context: BrowserContext;
  /** Times one step of the journey: its duration and outcome are recorded under `name`; returns what `run` returns. */
  step<T>(name: string, run: () => T | Promise<T>): Promise<T>;
  /** The probe's URL (url, or endpoint + path): `page.goto('/shop')` is relative to it. */
  baseURL: string;
  /** 1-based number of this journey. */
  seq: number;
  /** Aborts when the journey times out or the probe stops. */
  signal: AbortSignal;
}

/** Returning is a successful journey; a throw, a failed step or the timeout is a failed one. */
export type BrowserJourney = (context: BrowserJourneyContext) => unknown;

export interface JourneyRunnerOptions {
  journey: BrowserJourney;
  baseURL: string;
  timeout: number;
  /** 'new': every journey a new visitor (fresh context); 'kept': one context for the probe's life. */
  session: 'new' | 'kept';
  trace: boolean;
  /** Where failures' screenshots and traces go: absolute, and as the journal names it (relative to the run dir). */
  artifactsDir: string;
  artifactsPath: string;
  /** Failures that keep a screenshot and a trace; later ones keep none. */
  keepFailures: number;
  /** The DoH front Chromium resolves through (null: the system's resolver), to count what the journey asked. */
  doh: DohFront | null;
}

/**
 * A screenshot of Chromium's own error page (a reset connection) fails now and then ("Unable to capture screenshot":
 * 9 in 80 here) or hangs: tried again, it is taken (80 of 80 within two tries, 7 needing the second).
 */
const screenshotTries = 3;
const screenshotTimeoutMs = 1_500;
/** What closing, tracing and screenshotting may take before it is given up: a wedged page must not hold the probe. */
const cleanupMs = 5_000;
const maxErrorLength = 500;

/**
 * Runs a browser probe's journeys in one Chromium, one at a time: each in a context of its
 * own (or the one kept context), timed step by step, bounded by the timeout. A failed
 * journey leaves a screenshot of the page as it was and a Playwright trace of the journey
 * (open with `npx playwright show-trace`), while `keepFailures` allows.
 */
export class JourneyRunner {
  private kept: BrowserContext | null = null;
  private keptTracing = false;
  private failuresKept = 0;
  private readonly stopping = new AbortController();
  /** Ends the journey in flight as lost; null between journeys and once the journey is judged. */
  private loseInFlight: (() => void) | null = null;

  constructor(
    private readonly browser: Browser,
    private readonly options: JourneyRunnerOptions,
  ) {}

  /**
   * One journey; never throws: whatever goes wrong is the journey's failure. 'stopped' when the probe was stopped
   * before it ended, 'lost' when Playwright lost a call it was waiting on (lose): neither says anything of the target.
   */
  async run(seq: number, due: number): Promise<JourneyRow | 'stopped' | 'lost'> {
    const { options } = this;
    const steps: JourneyRow[5] = [];
    // Once the journey is judged, what it does on its way out (a step failing as its context closes) is not recorded.
    let settledAt: number | null = null;
    let current: { name: string; started: number } | null = null;
    let region = '';
    const abort = new AbortController();
    // Chromium asking for the site's address (A records) during the journey: its host cache had no answer to give.
    const host = new URL(options.baseURL).hostname.toLowerCase();
    let lookups = 0;
    const unlisten = options.doh?.onQuestion((question) => {
      if (settledAt === null && question.type === 1 && question.name === host) lookups++;
    });
    const onStop = () => abort.abort(new Error('the probe stopped'));
    this.stopping.signal.addEventListener('abort', onStop);
    const lost = new Promise<'lost'>((resolve) => {
      this.loseInFlight = () => resolve('lost');
    });

    let context: BrowserContext | null = null;
    let page: Page | null = null;
    let tracing = false;
    let journey: Promise<unknown> | null = null;
    // Neither a stopped probe nor a call Playwright lost says anything of the target: the journey is not recorded.
    const abandon = async (why: 'stopped' | 'lost') => {
      this.loseInFlight = null;
      settledAt ??= now();
      unlisten?.();
      journey?.catch(() => undefined);
      abort.abort(new Error(why === 'lost' ? 'Playwright lost a call of the journey' : 'the probe stopped'));
      if (tracing && context) await this.dropTrace(context);
      await this.release(context, page);
      // A kept session whose client lost track of it is not one to go on with.
      if (why === 'lost') await this.dropKept();
      this.stopping.signal.removeEventListener('abort', onStop);
      return why;
    };
    let outcome: { ok: true } | { ok: false; error: string; step: string | null };
    // A journey cut short by its timeout may have left a navigation waiting on a server that does not answer.
    let timedOut = false;
    try {
      // A Chromium too busy to open a page is the journey's failure, not a probe that hangs.
      const opening = Math.max(0, due + options.timeout - now());
      const lostWhileOpening = lost.then(() => Promise.reject(new LostCall()));
      lostWhileOpening.catch(() => undefined);
      const open = <T>(promise: Promise<T>, what: string) =>
        Promise.race([deadline(promise, opening, what), lostWhileOpening]);
      const made = this.contextFor();
      context = await open(made, 'opening a browser context').catch((error: unknown) => {
        // A context that opens after all would be nobody's: close it then.
        if (options.session === 'new') made.then((late) => late.close()).catch(() => undefined);
        throw error;
      });
      context.setDefaultTimeout(options.timeout);
      if (options.trace) tracing = await open(this.startTrace(context, seq), 'starting the trace');
      page = await open(context.newPage(), 'opening a page');
      // The region of the last response that named one: the page the journey ended on.
      page.on('response', (response) => {
        const named = response.headers()['x-gameday-region'];
        if (named && settledAt === null) region = named;
      });
      const step = async <T>(name: string, run: () => T | Promise<T>): Promise<T> => {
        const started = now();
        current = { name, started };
        try {
          const value = await run();
          if (settledAt === null) steps.push([name, Math.round(now() - started), 1]);
          return value;
        } catch (error) {
          if (settledAt === null) steps.push([name, Math.round(now() - started), 0]);
          throw new StepFailure(name, error);
        } finally {
          current = null;
        }
      };
      journey = Promise.resolve().then(() =>
        options.journey({ page: page!, context: context!, step, baseURL: options.baseURL, seq, signal: abort.signal }),
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, due + options.timeout - now()));
      });
      let onStopped = () => undefined as void;
      const stopped = new Promise<'stopped'>((resolve) => {
        onStopped = () => resolve('stopped');
        if (this.stopping.signal.aborted) resolve('stopped');
        else this.stopping.signal.addEventListener('abort', onStopped, { once: true });
      });
      const settled = await Promise.race([
        journey.then(
          () => ({ ok: true as const }),
          (error: unknown) => ({
            ok: false as const,
            error: errorText(error),
            step: error instanceof StepFailure ? error.step : null,
          }),
        ),
        timeout,
        stopped,
        lost,
      ]);
      clearTimeout(timer);
      this.loseInFlight = null;
      this.stopping.signal.removeEventListener('abort', onStopped);
      settledAt = now();
      if (settled === 'stopped' || settled === 'lost') return await abandon(settled);
      if (settled === 'timeout') {
        timedOut = true;
        // Closing the context below ends what the journey was waiting for; its rejection is expected.
        journey.catch(() => undefined);
        const inStep = current as { name: string; started: number } | null;
        if (inStep) steps.push([inStep.name, Math.round(now() - inStep.started), 0]);
        abort.abort(new Error('timed out'));
        outcome = {
          ok: false,
          error: `timed out after ${options.timeout} ms${inStep ? ` in step '${inStep.name}'` : ''}`,
          step: inStep?.name ?? null,
        };
      } else outcome = settled;
    } catch (error) {
      if (error instanceof LostCall) return await abandon('lost');
      // Chromium itself failed (a context that would not open): the journey could not be made.
      outcome = { ok: false, error: errorText(error), step: null };
    }
    this.loseInFlight = null;
    // The journey's own time: what it took the customer, not what keeping its artifacts takes.
    const duration = Math.round(((settledAt ?? now()) - due) * 10) / 10;
    settledAt ??= now();

    let artifacts: JourneyRow[6] = null;
    if (!outcome.ok && context && this.failuresKept < options.keepFailures) {
      this.failuresKept++;
      artifacts = await this.keepArtifacts(context, page, tracing, seq, outcome.step, timedOut);
    } else if (tracing && context) await this.dropTrace(context);
    await this.release(context, page);
    this.stopping.signal.removeEventListener('abort', onStop);
    unlisten?.();
    return [
      Math.round(due * 10) / 10,
      duration,
      outcome.ok ? 1 : 0,
      outcome.ok ? '' : outcome.error.slice(0, maxErrorLength),
      region,
      steps,
      artifacts,
      options.doh ? lookups : null,
    ];
  }

  /** Stops the journey in flight (it is not recorded). */
  stop(): void {
    this.stopping.abort();
  }

  /**
   * Playwright dropped a message (playwright-guard.ts): the call it answered never returns. A journey still running may
   * be the one waiting on it, and would hang until its timeout, a failure the target did not cause: it ends now, not
   * recorded. True when there was such a journey; a journey already judged stands.
   */
  lose(): boolean {
    const lose = this.loseInFlight;
    this.loseInFlight = null;
    lose?.();
    return lose !== null;
  }

  /** Closes the kept context. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.dropKept();
  }

  private async dropKept(): Promise<void> {
    await settled(this.kept?.close(), cleanupMs);
    this.kept = null;
    this.keptTracing = false;
  }

  private async contextFor(): Promise<BrowserContext> {
    if (this.options.session === 'new') return this.browser.newContext({ baseURL: this.options.baseURL });
    this.kept ??= await this.browser.newContext({ baseURL: this.options.baseURL });
    return this.kept;
  }

  private async startTrace(context: BrowserContext, seq: number): Promise<boolean> {
    const title = `journey ${seq}`;
    if (this.options.session === 'new') await context.tracing.start({ snapshots: true, screenshots: true, title });
    else {
      // A kept context traces once; each journey is a chunk of it.
      if (!this.keptTracing) {
        await context.tracing.start({ snapshots: true, screenshots: true });
        this.keptTracing = true;
      }
      await context.tracing.startChunk({ title });
    }
    return true;
  }

  private async dropTrace(context: BrowserContext): Promise<void> {
    const stop = this.options.session === 'new' ? context.tracing.stop() : context.tracing.stopChunk();
    await settled(stop, cleanupMs);
  }

  private async keepArtifacts(
    context: BrowserContext,
    page: Page | null,
    tracing: boolean,
    seq: number,
    step: string | null,
    mayBeLoading: boolean,
  ): Promise<NonNullable<JourneyRow[6]>> {
    fs.mkdirSync(this.options.artifactsDir, { recursive: true });
    const base = `${String(seq).padStart(4, '0')}${step ? `-${slugOf(step, 'step')}` : ''}`;
    const file = (name: string) => ({
      absolute: path.join(this.options.artifactsDir, name),
      relative: `${this.options.artifactsPath}/${name}`,
    });
    const shot = file(`${base}.png`);
    const trace = file(`${base}-trace.zip`);
    let screenshot: string | null = null;
    // A navigation still waiting on a server that does not answer would hold the screenshot: stop it first, as the
    // customer's Stop button does, so the page is taken as it stood. Only then: stopping a page that has loaded,
    // Chromium's error page after a reset connection, left its screenshot hanging in 3 of 140 journeys (none of 140
    // without it).
    if (page && mayBeLoading)
      await settled(
        context.newCDPSession(page).then((cdp) => cdp.send('Page.stopLoading')),
        cleanupMs,
      );
    if (page)
      screenshot = await settled(
        screenshotOf(page, shot.absolute).then(() => shot.relative),
        cleanupMs,
        null,
      );
    let kept: string | null = null;
    if (tracing) {
      const stop =
        this.options.session === 'new'
          ? context.tracing.stop({ path: trace.absolute })
          : context.tracing.stopChunk({ path: trace.absolute });
      kept = await settled(
        stop.then(() => trace.relative),
        cleanupMs,
        null,
      );
    }
    return { screenshot, trace: kept };
  }

  private async release(context: BrowserContext | null, page: Page | null): Promise<void> {
    if (this.options.session === 'new') await settled(context?.close(), cleanupMs);
    else await settled(page?.close(), cleanupMs);
  }
}

async function screenshotOf(page: Page, file: string): Promise<void> {
  for (let tried = 1; ; tried++) {
    try {
      await page.screenshot({ path: file, timeout: screenshotTimeoutMs });
      return;
    } catch (error) {
      if (tried === screenshotTries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

class LostCall extends Error {}

class StepFailure extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`step '${step}': ${errorText(cause)}`);
  }
}

/** Playwright's messages carry a call log after the first line: the first line says what failed. */
function errorText(error: unknown): string {
  if (error instanceof StepFailure) return error.message;
  return describeError(error).split('\n')[0].trim();
}

/**
 * Waits for a Playwright call at most `ms`: whatever it gives, or `fallback` when it fails or takes longer (it is
 * left to finish or fail on its own).
 */
function settled<T, F = undefined>(promise: Promise<T> | undefined, ms: number, fallback?: F): Promise<T | F> {
  if (!promise) return Promise.resolve(fallback as F);
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.catch(() => fallback as F),
    new Promise<F>((resolve) => {
      timer = setTimeout(() => resolve(fallback as F), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The call's result, or an error saying what did not happen within `ms`. */
function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => undefined);
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than the journey's timeout`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
