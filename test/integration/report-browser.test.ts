import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { withBrowser } from '../../src/report/browser';
import { fileReporters } from '../../src/report/files';
import { Reporters } from '../../src/report/reporter';
import { runInline } from '../support/run';

/**
 * The reports as a reader gets them: report.html opened in real Chromium (through
 * playwright-core), offline, and the one-page PDF. The service loses the last writes it
 * acknowledged when it goes down, so the ledger has something to show.
 */
const artifacts = path.resolve(__dirname, '..', 'artifacts');

async function startService() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-report-'));
  const downFile = path.join(dir, 'down');
  const seqs = new Map<string, number[]>();
  let wasDown = false;
  const server = http.createServer((request, response) => {
    const down = fs.existsSync(downFile);
    // Going down forgets the last three acknowledged writes, as an unreplicated tail would be.
    if (down && !wasDown) for (const list of seqs.values()) list.splice(-3);
    wasDown = down;
    const url = new URL(request.url ?? '/', 'http://service');
    const headers = {
      'x-gameday-region': 'eu-test-1',
      'x-gameday-writer': 'writer-1',
      'content-type': 'application/json',
    };
    if (down) {
      response.writeHead(503, headers).end('{}');
      return;
    }
    if (url.pathname === '/ledger' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const { client, seq } = JSON.parse(body) as { client: string; seq: number };
        const list = seqs.get(client) ?? [];
        list.push(seq);
        seqs.set(client, list);
        response.writeHead(201, headers).end('{}');
      });
      return;
    }
    if (url.pathname === '/ledger') {
      response
        .writeHead(200, headers)
        .end(JSON.stringify({ seqs: seqs.get(url.searchParams.get('client') ?? '') ?? [] }));
      return;
    }
    response.writeHead(200, headers).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    downFile,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function experiment(url: string, downFile: string): ExperimentConfig {
  return {
    name: 'report in a browser <checked>',
    description: 'The service fails for 1.5 s & forgets its last writes.',
    target: { kind: 'endpoints', endpoints: { api: url } },
    steadyState: { duration: '500ms', recoveryTimeout: '5s' },
    traffic: { kind: 'http', endpoint: 'api', path: '/orders', rate: 20, timeout: '1s' },
    probes: [{ kind: 'ledger', endpoint: 'api', rate: 10 }],
    hypothesis: { rto: '5s', rpo: '2s', recovery: { window: '1s' } },
    slos: [
      { name: 'availability', sli: 'availability', objective: 99.9, window: '30d', expect: ['budget<50%'] },
      { name: 'latency', sli: 'latency', objective: 99, threshold: '250ms', window: '7d', expect: ['budget<0.0001%'] },
    ],
    faults: [
      {
        kind: 'exec',
        name: 'service-down',
        after: '1s',
        duration: '1500ms',
        inject: `touch '${downFile}'`,
        rollback: `rm -f '${downFile}'`,
      },
    ],
    duration: '5s',
  } as ExperimentConfig;
}

test('report.html renders offline in Chromium with every chart; report.pdf is one page', async () => {
  const service = await startService();
  try {
    const result = await runInline(experiment(service.url, service.downFile), { reports: { pdf: true } });
    assert.equal(result.reports.problems, [], 'every report written');
    assert.is(result.status, 'failed', 'the latency SLO budget is set to be missed');
    assert.ok(result.summary.rpo!.lostWrites >= 1, `lost ${result.summary.rpo!.lostWrites}`);

    const pdf = fs.readFileSync(path.join(result.runDir, 'report.pdf'));
    assert.is(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.is((pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length, 1, 'one page');

    fs.mkdirSync(artifacts, { recursive: true });
    await withBrowser(async (context) => {
      const page = await context.newPage();
      const leaving: string[] = [];
      const consoleErrors: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        leaving.push(url);
        return route.abort();
      });
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(error.message));
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.goto(`file://${path.join(result.runDir, 'report.html')}`, { waitUntil: 'load' });

      assert.is(await page.title(), 'GameDay: report in a browser <checked> — FAILED', 'text escaped, not markup');
      const charts = await page.locator('figure.chart svg').count();
      assert.is(charts, 6, 'timeline, regions, RTO phases, ledger, budget, burn');
      for (const chart of ['timeline', 'regions', 'rto', 'ledger', 'budget', 'burn'])
        assert.is(await page.locator(`figure[data-chart="${chart}"] svg`).count(), 1, chart);
      // The fault window is drawn on the timeline (vega draws rects as paths with the fill).
      assert.ok(
        (await page.locator('figure[data-chart="timeline"] svg [fill="#ffcdd2"]').count()) >= 1,
        'fault window marked',
      );
      const box = await page.locator('figure[data-chart="timeline"] svg').boundingBox();
      assert.ok(box && box.width > 500 && box.height > 250, `timeline drawn at ${JSON.stringify(box)}`);
      // RTO, RPO, the two SLO budgets, steady state.
      assert.is(await page.locator('table.verdict tbody tr').count(), 5);
      assert.match(
        (await page.locator('p.plain').textContent()) ?? '',
        new RegExp(
          String.raw`^During service-down: customers saw [\d.]+m?s of errors \(objective 5s\), ` +
            String.raw`[\d.]+m?s of writes were lost \(\d+ of \d+ acknowledged writes; objective 2s\), ` +
            '.*% of the monthly error budget of availability burned',
        ),
      );
      assert.match((await page.locator('.assumption').first().textContent()) ?? '', /Assumption: outside the drill/);
      await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
      assert.equal(consoleErrors, [], 'no console errors');
      assert.equal(leaving, [], 'no request leaves the page');
    });
  } finally {
    await service.close();
  }
});

/** The experiment without SLOs, its outage 500 ms long and 2 s observed: for what the reporters do with any run. */
function shortRun(url: string, downFile: string): ExperimentConfig {
  const config = experiment(url, downFile);
  config.slos = [];
  config.faults = config.faults!.map((fault) => ({ ...fault, after: '500ms', duration: '500ms' }));
  config.duration = '2s';
  return config;
}

test('no browser for the PDF: one clear problem, every other report written, the verdict unchanged', async () => {
  const service = await startService();
  const saved = process.env.GAMEDAY_CHROMIUM;
  process.env.GAMEDAY_CHROMIUM = '/nonexistent/chromium';
  try {
    const config = shortRun(service.url, service.downFile);
    const result = await runInline(config, { reports: { pdf: true } });
    assert.is(result.status, 'passed', result.summary.reason);
    assert.equal(result.reports.problems, [
      'report.pdf not written: no browser for the PDF (GAMEDAY_CHROMIUM=/nonexistent/chromium does ' +
        'not exist): install Chromium (apt-get install chromium) or set GAMEDAY_CHROMIUM=/path/to/chromium',
    ]);
    for (const file of ['summary.json', 'report.md', 'report.html', 'junit.xml'])
      assert.ok(fs.existsSync(path.join(result.runDir, file)), file);
    assert.not.ok(fs.existsSync(path.join(result.runDir, 'report.pdf')));

    // A reporter that throws (here: the run directory is gone) is reported, never thrown.
    const gone = path.join(result.runDir, 'gone');
    const outcome = await new Reporters(fileReporters(gone, { pdf: false })).onEnd({
      status: result.status,
      reason: result.summary.reason,
      summary: result.summary,
      runDir: gone,
    });
    assert.ok(
      outcome.problems.length >= 4 && outcome.problems.every((problem) => problem.includes('ENOENT')),
      outcome.problems.join('\n'),
    );
  } finally {
    if (saved === undefined) delete process.env.GAMEDAY_CHROMIUM;
    else process.env.GAMEDAY_CHROMIUM = saved;
    await service.close();
  }
});

test('the job summary gets report.md appended when GITHUB_STEP_SUMMARY names a file', async () => {
  const service = await startService();
  const stepSummary = path.join(os.tmpdir(), `gameday-step-summary-${process.pid}.md`);
  fs.writeFileSync(stepSummary, '# earlier step\n');
  try {
    const result = await runInline(shortRun(service.url, service.downFile), { reports: { pdf: false, stepSummary } });
    const text = fs.readFileSync(stepSummary, 'utf8');
    assert.ok(text.startsWith('# earlier step\n# GameDay: report in a browser <checked>'), text.slice(0, 200));
    assert.ok(text.includes(fs.readFileSync(path.join(result.runDir, 'report.md'), 'utf8')));
  } finally {
    fs.rmSync(stepSummary, { force: true });
    await service.close();
  }
});

test.run();
