import * as assert from 'uvu/assert';
import { LabClient } from '../../src/lab/client';
import type { LabStatus } from '../../src/lab/lab';
import { readLabState } from '../../src/lab/state';
import { eventually } from './eventually';

export interface RegionStatus {
  name: string;
  role: string;
  healthCheck: { status: string; inverted: boolean };
  replication: { role: string; standbys?: Array<{ applicationName: string; state: string }>; receiverStatus?: string };
}

/**
 * The running lab's live status, what `gameday lab status --json` prints under `status`, asked
 * of its control API: tests poll it while the lab settles, and a CLI start costs about 0.9 s
 * of CPU (the command itself is tested in test/e2e/lab-cli.test.ts).
 */
export async function labStatus(labDir: string): Promise<LabStatus> {
  const state = readLabState(labDir);
  if (!state) throw new Error(`no lab running in ${labDir}`);
  return new LabClient(state.controlUrl).status();
}

/** The lab's regions by name. */
export async function labRegions(labDir: string): Promise<Record<string, RegionStatus>> {
  // The lab types replication as unknown (each role reports its own); these are the shapes they report.
  const list = (await labStatus(labDir)).regions as unknown as RegionStatus[];
  return Object.fromEntries(list.map((region) => [region.name, region]));
}

/**
 * The lab is back in its starting topology: us-east-1 the writer, eu-west-1 streaming from
 * it, every health check Healthy. A switchover's last moves (the old writer rebuilt, its
 * check recovering) settle asynchronously, so this waits for them, up to 30 s.
 */
export async function assertStartingTopology(labDir: string): Promise<void> {
  let lastMismatch = '';
  const settled = async () => {
    const now = await labRegions(labDir);
    assert.is(now['us-east-1'].role, 'primary', 'us-east-1 writes again');
    assert.is(now['eu-west-1'].role, 'standby');
    assert.equal(
      now['us-east-1'].replication.standbys?.map((standby) => [standby.applicationName, standby.state]),
      [['eu-west-1', 'streaming']],
      'eu-west-1 streams from it',
    );
    for (const region of Object.values(now)) assert.is(region.healthCheck.status, 'Healthy', `${region.name} check`);
  };
  const held = await eventually(
    async () => {
      try {
        await settled();
        return true;
      } catch (error) {
        lastMismatch = (error as Error).message;
        return undefined;
      }
    },
    30_000,
    500,
  ).catch(() => false);
  assert.ok(held, `the lab is back in its starting topology (last seen: ${lastMismatch})`);
}
