/**
 * Live notes (engine/notes.ts, analysis/notes.ts): what a note may be; how a run takes
 * notes from its inbox; the fold that lists them in summary.json; where report.md and
 * report.html show them, escaped; and the tolerant reader that follows a journal being
 * written (core/journal.ts JournalTail).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summarize } from '../../src/analysis/summarize';
import type { JournalEvent } from '../../src/core/events';
import { JournalTail, readJournal } from '../../src/core/journal';
import { maxNoteLength, NoteError, NoteInbox, validateNote } from '../../src/engine/notes';
import { timelineChart } from '../../src/report/html/charts';
import { renderRunPage, type RenderedCharts } from '../../src/report/html/page';
import { renderMarkdown } from '../../src/report/markdown';

function refusal(input: Parameters<typeof validateNote>[0]): string {
  try {
    validateNote(input);
  } catch (error) {
    assert.instance(error, NoteError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

test('a note is kept as written; only its size is bounded, and an action item has an owner', () => {
  const text = '  DNS answered the old region for 6s\n(TTL 5s + cache)  ';
  assert.equal(validateNote({ kind: 'note', text }), { kind: 'note', text, owner: null });
  assert.equal(validateNote({ kind: 'finding', text: 'x' }), { kind: 'finding', text: 'x', owner: null });
  assert.equal(validateNote({ kind: 'action', text: 'lower the TTL', owner: ' alice ' }), {
    kind: 'action',
    text: 'lower the TTL',
    owner: 'alice',
  });
  // Characters, not UTF-16 units: a thousand emoji is a thousand characters.
  assert.is(validateNote({ kind: 'note', text: '🔥'.repeat(maxNoteLength) }).text.length, 2 * maxNoteLength);

  assert.is(refusal({ kind: 'note', text: '' }), 'the note is empty: write what to note');
  assert.is(refusal({ kind: 'note', text: ' \n\t' }), 'the note is empty: write what to note');
  assert.is(
    refusal({ kind: 'note', text: 'a'.repeat(1001) }),
    'the note is 1001 characters; at most 1000 (note where the details are instead)',
  );
  assert.is(refusal({ kind: 'action', text: 'x' }), 'an action item needs an owner');
  assert.is(refusal({ kind: 'action', text: 'x', owner: '  ' }), 'an action item needs an owner');
  assert.is(refusal({ kind: 'action', text: 'x', owner: 'o'.repeat(101) }), 'the owner is 101 characters; at most 100');
  assert.is(refusal({ kind: 'finding', text: 'x', owner: 'alice' }), 'only an action item has an owner');
  assert.is(refusal({ kind: 'todo', text: 'x' }), 'a note\'s kind is note, finding or action, not "todo"');
});

test('a run takes its inbox notes oldest first; junk is reported, not journaled; close removes the inbox', () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-inbox-'));
  try {
    const inbox = new NoteInbox(runDir);
    const note = (id: string, extra: object) =>
      JSON.stringify({ version: 1, id, author: 'alice', host: 'h', owner: null, ...extra });
    fs.writeFileSync(path.join(inbox.dir, '1796000000002-0000000b.json'), note('b', { kind: 'finding', text: 'two' }));
    fs.writeFileSync(path.join(inbox.dir, '1796000000001-0000000a.json'), note('a', { kind: 'note', text: 'one' }));
    fs.writeFileSync(path.join(inbox.dir, '1796000000003-0000000c.json'), note('c', { kind: 'action', text: 'x' }));
    fs.writeFileSync(path.join(inbox.dir, '.1796000000004-0000000d.json.1.tmp'), 'half written');
    const taken: unknown[] = [];
    const problems: string[] = [];
    inbox.start(
      (event) => taken.push(event),
      (problem) => problems.push(problem),
      60_000,
    );
    inbox.close();
    assert.equal(taken, [
      { type: 'note', id: 'a', kind: 'note', text: 'one', owner: null, author: 'alice', host: 'h' },
      { type: 'note', id: 'b', kind: 'finding', text: 'two', owner: null, author: 'alice', host: 'h' },
    ]);
    assert.equal(problems, ['1796000000003-0000000c.json: an action item needs an owner']);
    assert.not.ok(fs.existsSync(inbox.dir), 'a closed inbox is gone: a late note finds no run to take it');
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});

const fixture = path.join(__dirname, '..', 'fixtures', 'journals', 'failover-passed.ndjson');

/** The fixture run with notes taken at +5s, +7s and +9s of its observation. */
function journalWithNotes(): JournalEvent[] {
  const events = readJournal(fixture);
  const t0 = events.find((event) => event.type === 'observe.started')!.t0 as number;
  const note = (seq: number, offset: number, fields: object) =>
    ({ seq, t: t0 + offset, type: 'note', author: 'root', host: 'h', owner: null, ...fields }) as JournalEvent;
  const notes = [
    note(9001, 5_000, { id: 'n1', kind: 'note', text: 'pager went off <script>alert(1)</script>' }),
    note(9002, 7_000, { id: 'n2', kind: 'finding', text: 'DNS TTL | cache kept\nclients on us-east-1' }),
    note(9003, 9_000, { id: 'n3', kind: 'action', text: 'lower the TTL to 1s', owner: '<b>alice</b>' }),
  ];
  return [...events.slice(0, -1), ...notes, events[events.length - 1]];
}

test('summary.json lists every note with when, kind, text, owner and author; the timeline has them', () => {
  const summary = summarize(journalWithNotes());
  const t0 = readJournal(fixture).find((event) => event.type === 'observe.started')!.t0 as number;
  assert.equal(summary.notes, [
    {
      at: new Date(t0 + 5_000).toISOString(),
      offsetMs: 5_000,
      kind: 'note',
      text: 'pager went off <script>alert(1)</script>',
      owner: null,
      author: 'root',
    },
    {
      at: new Date(t0 + 7_000).toISOString(),
      offsetMs: 7_000,
      kind: 'finding',
      text: 'DNS TTL | cache kept\nclients on us-east-1',
      owner: null,
      author: 'root',
    },
    {
      at: new Date(t0 + 9_000).toISOString(),
      offsetMs: 9_000,
      kind: 'action',
      text: 'lower the TTL to 1s',
      owner: '<b>alice</b>',
      author: 'root',
    },
  ]);
  assert.equal(
    summary.timeline.filter((entry) => entry.offsetMs !== null && [5_000, 7_000, 9_000].includes(entry.offsetMs)),
    [
      { t: t0 + 5_000, offsetMs: 5_000, event: 'note (root): pager went off <script>alert(1)</script>' },
      { t: t0 + 7_000, offsetMs: 7_000, event: 'finding (root): DNS TTL | cache kept\nclients on us-east-1' },
      { t: t0 + 9_000, offsetMs: 9_000, event: 'action for <b>alice</b> (root): lower the TTL to 1s' },
    ],
  );
  assert.equal(summarize(readJournal(fixture)).notes, [], 'a run without notes lists none');
});

test('report.md: findings and action items (with owner) in their own section, notes on the timeline, escaped', () => {
  const markdown = renderMarkdown(summarize(journalWithNotes()));
  const section = markdown.slice(markdown.indexOf('## Findings and action items'), markdown.indexOf('## Timeline'));
  assert.is(
    section,
    [
      '## Findings and action items',
      '',
      '| finding | +s | by |',
      '|---|---|---|',
      '| DNS TTL \\| cache kept clients on us-east-1 | 7.00 | root |',
      '',
      '| action item | owner | +s | by |',
      '|---|---|---|---|',
      '| lower the TTL to 1s | &lt;b>alice&lt;/b> | 9.00 | root |',
      '',
      '',
    ].join('\n'),
  );
  assert.ok(markdown.includes('| 5.00 | note (root): pager went off &lt;script>alert(1)&lt;/script> |'), markdown);
  assert.not.ok(markdown.includes('<script>'));
  assert.ok(markdown.includes('budget<2%'), "a '<' that opens no tag is left as it is");
});

test('report.html: every note in its table, numbered as the timeline marks them, and escaped', () => {
  const summary = summarize(journalWithNotes());
  const none: RenderedCharts = {
    timeline: null,
    journeys: null,
    regions: null,
    phases: null,
    ledger: null,
    budget: null,
    burn: null,
  };
  const html = renderRunPage(summary, none);
  const section = html.slice(html.indexOf('<section id="notes">'), html.indexOf('<section id="regions">'));
  assert.ok(section.includes('1 finding, 1 action item'), section);
  assert.ok(section.includes('<td>#1</td><td>5.00</td><td>note</td><td>pager went off &lt;script&gt;'), section);
  assert.ok(section.includes('<td>action item</td><td>lower the TTL to 1s</td><td>&lt;b&gt;alice&lt;/b&gt;</td>'));
  assert.not.ok(html.includes('<script>') || html.includes('<b>alice'), 'nothing typed at a terminal is markup');

  const layers = JSON.stringify(timelineChart(summary));
  assert.ok(layers.includes('"label":"#3"') && layers.includes('"text":"#3 action (owner <b>alice</b>)'), layers);
  assert.is(html.includes('<section id="notes">'), true);
  assert.is(renderRunPage(summarize(readJournal(fixture)), none).includes('<section id="notes">'), false);
});

test('following a journal being written: whole lines only, each once, a character split across reads kept', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-tail-'));
  const file = path.join(dir, 'journal.ndjson');
  try {
    const tail = new JournalTail(file);
    assert.equal(tail.read(), [], 'no journal yet');
    const line = (seq: number, text: string) => JSON.stringify({ seq, t: seq, type: 'note', text }) + '\n';
    const bytes = Buffer.from(line(1, 'first') + line(2, 'ünïcödé 🔥'));
    const split = bytes.indexOf(Buffer.from('🔥')) + 2; // inside the emoji's four bytes
    fs.writeFileSync(file, bytes.subarray(0, split));
    assert.equal(
      tail.read().map((event) => event.seq),
      [1],
    );
    fs.appendFileSync(file, bytes.subarray(split));
    const [second] = tail.read();
    assert.equal(second as unknown, { seq: 2, t: 2, type: 'note', text: 'ünïcödé 🔥' });
    assert.equal(tail.read(), [], 'nothing new');
    fs.appendFileSync(file, '{"seq":3,"t":3,"type":"not jso\n' + line(4, 'after a torn line'));
    assert.equal(
      tail.read().map((event) => event.seq),
      [4],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
