import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A stand-in for the part of Slack's Web API gameday calls — no Slack is reachable from
 * here — for the real @slack/web-api client pointed at it through `slackApiUrl`. It speaks
 * the shapes Slack documents (docs.slack.dev/reference/methods): every method a POST to
 * /api/<method> with a bearer token, form-encoded (or JSON) arguments, HTTP 200 with
 * `{ ok: true, … }` or `{ ok: false, error }`, 429 with Retry-After when rate limited; the
 * upload URL files.getUploadURLExternal hands out takes the bytes and answers 200.
 *
 * Implemented: chat.postMessage, chat.update, files.getUploadURLExternal, the upload URL,
 * files.completeUploadExternal. It keeps the channel's messages and threads as Slack would
 * show them, records every call, and lists anything a caller did that Slack's docs say it
 * must not (`violations`), so a test can assert there was none. Failures on demand: the
 * next call to a method rate limited (429 + Retry-After) or failed with an error; an
 * outage in which every request is answered 503 or never answered.
 */

export interface SlackFile {
  id: string;
  name: string;
  title: string;
  /** As declared to files.getUploadURLExternal. */
  length: number;
  bytes: Buffer | null;
}

export interface SlackMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
  files?: SlackFile[];
  /** What chat.update replaced, oldest first. */
  history: Array<{ text: string; blocks: unknown[] }>;
}

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  /** The HTTP status answered (0: never answered), and Slack's `error` when ok was false. */
  status: number;
  error: string | null;
  at: number;
}

type Failure = { status: 429; retryAfter: number } | { status: 200; error: string };

const botUser = 'U0GAMEDAYBOT';
const botId = 'B0GAMEDAYBOT';

export class SlackStandIn {
  readonly calls: SlackCall[] = [];
  readonly messages: SlackMessage[] = [];
  readonly violations: string[] = [];
  private readonly files = new Map<string, SlackFile>();
  private readonly failNext = new Map<string, Failure[]>();
  private outageMode: 'unavailable' | 'hang' | null = null;
  private readonly sockets = new Set<Socket>();
  private sequence = 0;
  private server: http.Server | null = null;
  private port = 0;

  constructor(
    readonly token: string = 'xoxb-0000000000-0000000000000-gamedaystandin0000000000',
    readonly channels: Array<{ id: string; name: string }> = [{ id: 'C0GAMEDAY01', name: 'gameday-drills' }],
  ) {}

  /** Where the client's slackApiUrl points: `http://127.0.0.1:<port>/api/`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      void this.handle(request, response).catch((error: Error) => {
        this.violations.push(`stand-in failed on ${request.url}: ${error.message}`);
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** The next call to `method` is answered with this instead (a 429 with Retry-After, or `{ ok: false, error }`). */
  fail(method: string, failure: Failure): void {
    this.failNext.set(method, [...(this.failNext.get(method) ?? []), failure]);
  }

  /** Slack down: every request answered 503, or accepted and never answered; null: back up. */
  outage(mode: 'unavailable' | 'hang' | null): void {
    this.outageMode = mode;
  }

  /** Top-level messages of the channel, oldest first. */
  roots(): SlackMessage[] {
    return this.messages.filter((message) => message.thread_ts === undefined);
  }

  /** The replies in a message's thread, oldest first. */
  thread(ts: string): SlackMessage[] {
    return this.messages.filter((message) => message.thread_ts === ts);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = await read(request);
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = url.pathname.replace(/^\/api\//, '');
    if (this.outageMode !== null) {
      // Recorded with status 0 when never answered: the socket stays open until close().
      this.record(method, {}, this.outageMode === 'hang' ? 0 : 503, null);
      if (this.outageMode === 'unavailable')
        response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    if (request.method !== 'POST') return this.answer(response, url.pathname, {}, 405, null);
    if (url.pathname.startsWith('/upload/v1/'))
      return this.upload(url.pathname.slice('/upload/v1/'.length), request, body, response);
    const params = await parse(request.headers['content-type'] ?? '', body);
    const failure = this.failNext.get(method)?.shift();
    if (failure?.status === 429) {
      this.record(method, params, 429, 'ratelimited');
      response
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(failure.retryAfter) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const auth = request.headers.authorization ?? (typeof params.token === 'string' ? `Bearer ${params.token}` : '');
    let result: Record<string, unknown>;
    if (!auth) result = { ok: false, error: 'not_authed' };
    else if (auth !== `Bearer ${this.token}`) result = { ok: false, error: 'invalid_auth' };
    else if (failure) result = { ok: false, error: failure.error };
    else result = this.call(method, params);
    this.answer(response, method, params, 200, result);
  }

  private call(method: string, params: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'chat.postMessage':
        return this.postMessage(params);
      case 'chat.update':
        return this.update(params);
      case 'files.getUploadURLExternal':
        return this.uploadUrl(params);
      case 'files.completeUploadExternal':
        return this.completeUpload(params);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private postMessage(params: Record<string, unknown>): Record<string, unknown> {
    const channel = this.channel(params.channel);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const content = this.content(params);
    if ('error' in content) return { ok: false, error: content.error };
    const threadTs = params.thread_ts === undefined ? undefined : String(params.thread_ts);
    if (
      threadTs !== undefined &&
      !this.messages.some((message) => message.ts === threadTs && message.thread_ts === undefined)
    )
      this.violations.push(`chat.postMessage: thread_ts ${threadTs} is no message of the channel`);
    const message: SlackMessage = { ts: this.ts(), channel: channel.id, ...content, history: [] };
    if (threadTs !== undefined) message.thread_ts = threadTs;
    this.messages.push(message);
    return { ok: true, channel: channel.id, ts: message.ts, message: this.shown(message) };
  }

  private update(params: Record<string, unknown>): Record<string, unknown> {
    const channel = this.channel(params.channel);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (params.channel !== channel.id)
      this.violations.push('chat.update: channel must be the ID chat.postMessage returned');
    const message = this.messages.find((candidate) => candidate.ts === params.ts && candidate.channel === channel.id);
    if (!message) return { ok: false, error: 'message_not_found' };
    const content = this.content(params);
    if ('error' in content) return { ok: false, error: content.error };
    message.history.push({ text: message.text, blocks: message.blocks });
    Object.assign(message, content);
    return { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: this.shown(message) };
  }

  private uploadUrl(params: Record<string, unknown>): Record<string, unknown> {
    const length = Number(params.length);
    if (typeof params.filename !== 'string' || !Number.isInteger(length) || length <= 0)
      return { ok: false, error: 'invalid_arguments' };
    const id = `F${String(++this.sequence).padStart(9, '0')}`;
    this.files.set(id, { id, name: params.filename, title: params.filename, length, bytes: null });
    return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/v1/${id}`, file_id: id };
  }

  private async upload(
    id: string,
    request: http.IncomingMessage,
    body: Buffer,
    response: http.ServerResponse,
  ): Promise<void> {
    const file = this.files.get(id);
    if (!file) return this.answer(response, `upload ${id}`, {}, 404, null);
    // The bytes come raw, or as the one file of a multipart form (what the client sends).
    const contentType = request.headers['content-type'] ?? '';
    let bytes = body;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
      const part = [...form.values()].find((value) => typeof value !== 'string') as Blob | undefined;
      bytes = part ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
    }
    if (bytes.length !== file.length)
      this.violations.push(
        `upload ${id}: ${bytes.length} bytes sent, ${file.length} declared to files.getUploadURLExternal`,
      );
    file.bytes = bytes;
    this.record(`upload ${id}`, { bytes: bytes.length }, 200, null);
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
  }

  private completeUpload(params: Record<string, unknown>): Record<string, unknown> {
    let listed: Array<{ id: string; title?: string }>;
    try {
      listed = JSON.parse(String(params.files));
    } catch {
      return { ok: false, error: 'invalid_arguments' };
    }
    const files = listed.map((entry) => this.files.get(entry.id));
    if (files.some((file) => !file?.bytes)) return { ok: false, error: 'file_not_found' };
    listed.forEach((entry, index) => entry.title && (files[index]!.title = entry.title));
    if (params.channel_id !== undefined) {
      const channel = this.channel(params.channel_id);
      if (!channel) return { ok: false, error: 'channel_not_found' };
      const threadTs = params.thread_ts === undefined ? undefined : String(params.thread_ts);
      const message: SlackMessage = {
        ts: this.ts(),
        channel: channel.id,
        text: typeof params.initial_comment === 'string' ? params.initial_comment : '',
        blocks: [],
        files: files as SlackFile[],
        history: [],
      };
      if (threadTs !== undefined) message.thread_ts = threadTs;
      this.messages.push(message);
    }
    return { ok: true, files: (files as SlackFile[]).map((file) => ({ id: file.id, title: file.title })) };
  }

  /** A channel by ID, or by name with or without '#'. */
  private channel(value: unknown): { id: string; name: string } | undefined {
    if (typeof value !== 'string') return undefined;
    return this.channels.find(
      (channel) => channel.id === value || `#${channel.name}` === value || channel.name === value,
    );
  }

  private content(params: Record<string, unknown>): { text: string; blocks: unknown[] } | { error: string } {
    const text = typeof params.text === 'string' ? params.text : '';
    let blocks: unknown[] = [];
    if (params.blocks !== undefined) {
      try {
        blocks = typeof params.blocks === 'string' ? JSON.parse(params.blocks) : (params.blocks as unknown[]);
      } catch {
        return { error: 'invalid_blocks' };
      }
      if (!Array.isArray(blocks) || blocks.length > 50 || blocks.some((block) => !validBlock(block)))
        return { error: 'invalid_blocks' };
    }
    if (!text && blocks.length === 0) return { error: 'no_text' };
    if (text.length > 40_000) return { error: 'msg_too_long' };
    return { text, blocks };
  }

  private shown(message: SlackMessage) {
    return {
      type: 'message',
      subtype: 'bot_message',
      user: botUser,
      bot_id: botId,
      text: message.text,
      blocks: message.blocks,
      ts: message.ts,
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    };
  }

  /** Slack's message timestamps: seconds, a dot, six digits; unique and increasing in a channel. */
  private ts(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.sequence).padStart(6, '0')}`;
  }

  private answer(
    response: http.ServerResponse,
    method: string,
    params: Record<string, unknown>,
    status: number,
    result: Record<string, unknown> | null,
  ): void {
    this.record(method, params, status, result && result.ok === false ? String(result.error) : null);
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(result ?? {}));
  }

  private record(method: string, params: Record<string, unknown>, status: number, error: string | null): void {
    this.calls.push({ method, params, status, error, at: Date.now() });
  }
}

/** What Block Kit requires of the blocks gameday sends (types and text limits), as Slack rejects them otherwise. */
function validBlock(block: unknown): boolean {
  const b = block as {
    type?: string;
    text?: { type?: string; text?: string };
    fields?: unknown[];
    elements?: unknown[];
  };
  const text = (t: { type?: string; text?: string } | undefined, max: number) =>
    t !== undefined &&
    (t.type === 'mrkdwn' || t.type === 'plain_text') &&
    typeof t.text === 'string' &&
    t.text.length <= max;
  switch (b?.type) {
    case 'header':
      return b.text?.type === 'plain_text' && text(b.text, 150);
    case 'section':
      return (
        (b.text === undefined || text(b.text, 3000)) &&
        (b.fields === undefined || (b.fields.length <= 10 && b.fields.every((field) => text(field as never, 2000)))) &&
        (b.text !== undefined || b.fields !== undefined)
      );
    case 'context':
      return Array.isArray(b.elements) && b.elements.length > 0 && b.elements.length <= 10;
    case 'divider':
      return true;
    default:
      return false;
  }
}

function read(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

async function parse(contentType: string, body: Buffer): Promise<Record<string, unknown>> {
  if (contentType.startsWith('application/json')) return JSON.parse(body.toString('utf8') || '{}');
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    return Object.fromEntries([...form.entries()].filter(([, value]) => typeof value === 'string'));
  }
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

/**
 * The channel as a reader sees it, in text: each top-level message (as last edited, with
 * its earlier version noted), then its thread indented — what the README's example thread
 * is. Block Kit is shown as its text: headers, sections, fields and context in order.
 */
export function transcript(standIn: SlackStandIn): string {
  const lines: string[] = [];
  for (const root of standIn.roots()) {
    const channel = standIn.channels.find((candidate) => candidate.id === root.channel);
    lines.push(
      `#${channel?.name ?? root.channel}` +
        (root.history.length > 0 ? '  (edited at the end; first posted as below)' : ''),
    );
    lines.push(...blockText(root).map((line) => `  ${line}`));
    if (root.history.length > 0) {
      lines.push('  ── as first posted ──');
      lines.push(...blockText(root.history[0]).map((line) => `  ${line}`));
    }
    for (const reply of standIn.thread(root.ts)) {
      const text = blockText(reply);
      lines.push(`  └ ${text[0] ?? ''}`, ...text.slice(1).map((line) => `    ${line}`));
    }
    lines.push('');
  }
  return lines.join('\n');
}

function blockText(message: { text: string; blocks: unknown[]; files?: SlackFile[] }): string[] {
  const lines: string[] = [];
  const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const block of message.blocks as Array<{
    type: string;
    text?: { text: string };
    fields?: Array<{ text: string }>;
    elements?: Array<{ text: string }>;
  }>) {
    if (block.type === 'header') lines.push(`# ${block.text!.text}`);
    if (block.type === 'section' && block.text) lines.push(...unescape(block.text.text).split('\n'));
    if (block.type === 'section' && block.fields)
      for (const field of block.fields) lines.push(`| ${unescape(field.text).replace(/\n/g, ' — ')}`);
    if (block.type === 'context')
      lines.push(`(${block.elements!.map((element) => unescape(element.text)).join(' · ')})`);
  }
  if (message.blocks.length === 0 && message.text) lines.push(message.text);
  for (const file of message.files ?? [])
    lines.push(`[file ${file.name}: ${file.title}, ${file.bytes?.length ?? 0} bytes]`);
  return lines;
}
