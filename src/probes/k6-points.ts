/**
 * k6's `--out json` output, read as it is written: one JSON object a line, either a
 * `Metric` declaration (its type and thresholds) or a `Point` (a sample: metric, time,
 * value, tags). Pure: text in, records out, no clock and no I/O, so it is tested on real
 * k6 output split at any byte.
 *
 * One HTTP request is one k6 sample container, written whole and in this order
 * (k6 lib/netext/httpext/tracer.go and transport.go): http_reqs, http_req_duration,
 * http_req_blocked, …, http_req_receiving, then http_req_failed when the script has a
 * response callback (the default). Every point of a container carries the same time —
 * the request's end — and the same tags. A request is therefore complete at its
 * http_req_failed, or when anything else follows it (no response callback, or the file
 * ends mid-container).
 */

/** One HTTP request k6 made. Times are k6's wall clock, ms since the epoch. */
export interface K6Request {
  /** When it started: its end less http_req_blocked (waiting for a connection, DNS, connect, TLS) and the duration. */
  startedAt: number;
  /** When it ended: the time k6 stamps all of its points with. */
  endedAt: number;
  /** http_req_duration: sending, waiting and receiving, as k6 reports and judges it. */
  latencyMs: number;
  /** The HTTP status; 0 when no response came (refused, reset, timed out). */
  status: number;
  ok: boolean;
  /** k6's error code ('1404', '1212', …), '' when there was none. */
  error: string;
  /** The request's region tag, when the script sets one; '' otherwise. */
  region: string;
  scenario: string;
  /** The `name` tag: the URL unless the script names the request. */
  name: string;
  /** The group path ('::checkout::pay'), '' at the top level. */
  group: string;
}

/** One k6 check (`check(res, { 'status is 200': ... })`). */
export interface K6Check {
  at: number;
  ok: boolean;
  check: string;
  scenario: string;
  group: string;
}

export type K6Record =
  | ({ kind: 'request' } & K6Request)
  | ({ kind: 'check' } & K6Check)
  /** A metric declared with its thresholds (k6 writes this before the metric's first point). */
  | { kind: 'metric'; metric: string; thresholds: string[] }
  | { kind: 'malformed'; line: number; reason: string };

/** k6's default expected statuses (http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }))). */
const expectedStatus = (status: number) => status >= 200 && status <= 399;

interface OpenRequest {
  time: string;
  endedAt: number;
  tags: Record<string, string>;
  durationMs: number;
  blockedMs: number;
  failed: boolean | null;
}

type Tags = Record<string, string>;

export class K6PointParser {
  private buffer = '';
  private lineNumber = 0;
  private open: OpenRequest | null = null;

  /** `regionTag`: the tag whose value is the region a request went to. */
  constructor(private readonly options: { regionTag: string } = { regionTag: 'region' }) {}

  /** Takes the next piece of the file, which may end mid-line; returns the records completed by it. */
  write(text: string): K6Record[] {
    this.buffer += text;
    const records: K6Record[] = [];
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      this.line(this.buffer.slice(0, newline), records);
      this.buffer = this.buffer.slice(newline + 1);
      newline = this.buffer.indexOf('\n');
    }
    return records;
  }

  /** The file is complete (k6 exited): a last line without its newline, and a request still open, are read too. */
  end(): K6Record[] {
    const records: K6Record[] = [];
    if (this.buffer.trim()) this.line(this.buffer, records);
    this.buffer = '';
    this.close(records);
    return records;
  }

  private line(text: string, records: K6Record[]): void {
    this.lineNumber++;
    if (!text.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      records.push({ kind: 'malformed', line: this.lineNumber, reason: 'not JSON' });
      return;
    }
    const object = parsed as { type?: unknown; metric?: unknown; data?: Record<string, unknown> | null };
    if (object.type === 'Metric') {
      const data = object.data ?? {};
      const metric = typeof data.name === 'string' ? data.name : object.metric;
      if (typeof metric !== 'string') {
        records.push({ kind: 'malformed', line: this.lineNumber, reason: 'a Metric line without its name' });
        return;
      }
      const thresholds = Array.isArray(data.thresholds) ? data.thresholds.filter((t) => typeof t === 'string') : [];
      records.push({ kind: 'metric', metric, thresholds });
      return;
    }
    if (object.type !== 'Point') {
      records.push({
        kind: 'malformed',
        line: this.lineNumber,
        reason: `unknown line type ${JSON.stringify(object.type)}`,
      });
      return;
    }
    const data = object.data;
    const time = data?.time;
    const value = data?.value;
    const at = typeof time === 'string' ? parseK6Time(time) : null;
    if (typeof object.metric !== 'string' || at === null || typeof value !== 'number') {
      records.push({ kind: 'malformed', line: this.lineNumber, reason: 'a Point without metric, time or value' });
      return;
    }
    this.point(object.metric, time as string, at, value, tagsOf(data!.tags), records);
  }

  private point(metric: string, time: string, at: number, value: number, tags: Tags, records: K6Record[]): void {
    if (metric === 'http_reqs') {
      this.close(records);
      this.open = { time, endedAt: at, tags, durationMs: 0, blockedMs: 0, failed: null };
      return;
    }
    const open = this.open;
    if (metric.startsWith('http_req_') && open && open.time === time) {
      if (metric === 'http_req_duration') open.durationMs = value;
      else if (metric === 'http_req_blocked') open.blockedMs = value;
      else if (metric === 'http_req_failed') {
        open.failed = value !== 0;
        this.close(records);
      }
      return;
    }
    this.close(records);
    if (metric === 'checks')
      records.push({
        kind: 'check',
        at,
        ok: value !== 0,
        check: tags.check ?? '',
        scenario: tags.scenario ?? 'default',
        group: tags.group ?? '',
      });
  }

  private close(records: K6Record[]): void {
    const open = this.open;
    if (!open) return;
    this.open = null;
    const tags = open.tags;
    const status = Number(tags.status ?? 0) || 0;
    const ok =
      open.failed !== null
        ? !open.failed
        : tags.expected_response !== undefined
          ? tags.expected_response === 'true'
          : expectedStatus(status);
    records.push({
      kind: 'request',
      startedAt: open.endedAt - open.blockedMs - open.durationMs,
      endedAt: open.endedAt,
      latencyMs: open.durationMs,
      status,
      ok,
      error: tags.error_code ?? '',
      region: tags[this.options.regionTag] ?? '',
      scenario: tags.scenario ?? 'default',
      name: tags.name ?? tags.url ?? '',
      group: tags.group ?? '',
    });
  }
}

function tagsOf(value: unknown): Tags {
  if (value === null || typeof value !== 'object') return {};
  const tags: Tags = {};
  for (const [key, tag] of Object.entries(value)) if (typeof tag === 'string') tags[key] = tag;
  return tags;
}

const rfc3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/**
 * k6's RFC 3339 times carry nanoseconds ('2023-08-31T16:45:55.756998753+02:00'); Date.parse
 * keeps milliseconds only, so the fraction is added back. null for anything else.
 */
export function parseK6Time(text: string): number | null {
  const match = rfc3339.exec(text);
  if (!match) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return null;
  return seconds + (match[2] ? Number(match[2]) * 1000 : 0);
}
