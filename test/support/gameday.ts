import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import type { ScenarioSummary } from '../../src/analysis/scenario-summary';
import { repoRoot, runCli } from './cli';
import { assertStartingTopology, labStatus } from './lab-topology';

/**
 * A place to run GameDays from the CLI as a user would: a project directory whose
 * node_modules/gameday is this repository, a lab kept running in it for the file's tests,
 * and scenario files written into it.
 */
export class GamedayProject {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-scenario-'));
  readonly labDir = path.join(this.dir, 'lab');
  readonly reports = path.join(this.dir, 'reports');

  async up(): Promise<void> {
    fs.mkdirSync(path.join(this.dir, 'node_modules'));
    fs.symlinkSync(repoRoot, path.join(this.dir, 'node_modules', 'gameday'));
    const up = await runCli(['lab', 'up', '--dir', this.labDir]);
    assert.is(up.code, 0, up.stderr);
  }

  async down(): Promise<void> {
    await runCli(['lab', 'down', '--dir', this.labDir]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Writes a scenario file whose `steps` (TypeScript source) may use `drill(...)`, and returns its path. */
  scenario(name: string, body: string): string {
    const file = path.join(this.dir, `${name}.ts`);
    fs.writeFileSync(
      file,
      `import { defineExperiment, defineScenario, faults, probes } from 'gameday';
/** A short latency drill on us-east-1's ingress, read straight from us-east-1. */
const drill = (name: string, options: { latency?: string; timeout?: string; rto?: string; hold?: string } = {}) =>
  defineExperiment({
    name,
    steadyState: { duration: '1s' },
    hypothesis: { rto: options.rto ?? '5s', recovery: { window: '1s' } },
    traffic: probes.http({ endpoint: 'app-us-east-1', path: '/health', rate: 10, timeout: options.timeout ?? '2s' }),
    faults: [
      faults.latency({
        name: 'slow-us-east-1',
        region: 'us-east-1',
        latency: options.latency ?? '50ms',
        after: '500ms',
        duration: options.hold ?? '2s',
      }),
    ],
    duration: options.hold ? '10m' : '3s',
  });
void drill;
export default defineScenario({
  name: ${JSON.stringify(name)},
  target: { kind: 'lab', dir: ${JSON.stringify(this.labDir)}, api: 'direct' },
  ${body}
});
`,
    );
    return file;
  }

  /** The one GameDay run directory under reports/. */
  dayDir(): string {
    const days = fs.readdirSync(this.reports).map((entry) => path.join(this.reports, entry));
    assert.is(days.length, 1, days.join(', '));
    return days[0];
  }

  summary(dayDir: string): ScenarioSummary {
    return JSON.parse(fs.readFileSync(path.join(dayDir, 'summary.json'), 'utf8')) as ScenarioSummary;
  }

  journalTypes(dayDir: string): string[] {
    return readJournal(path.join(dayDir, 'journal.ndjson')).map((event) => event.type);
  }

  /** No fault is left on any proxy, and the lab is in its starting topology with every check healthy. */
  async assertLabClean(): Promise<void> {
    for (const region of (await labStatus(this.labDir)).regions) {
      assert.is(region.healthCheck?.inverted, false, `${region.name} check not inverted`);
      for (const proxy of region.proxies) assert.equal(proxy.toxics, [], `${proxy.name} has no toxic`);
    }
    await assertStartingTopology(this.labDir);
  }

  reset(): void {
    fs.rmSync(this.reports, { recursive: true, force: true });
  }
}
