/**
 * The README's example Slack thread, from a real run: starts the Slack stand-in
 * (test/support/slack.ts, which speaks the Web API methods gameday calls in the shapes
 * Slack documents), runs the built CLI — `gameday run <file> [args…]` — with SLACK_BOT_TOKEN
 * and GAMEDAY_SLACK_API_URL pointing at it (and GAMEDAY_SLACK_CHANNEL=#gameday-drills for
 * a file without its own notify), then prints the channel as the stand-in received it, every
 * call it answered, and anything sent that Slack would have refused.
 *
 *   npm run example:slack -- experiments/region-failover.ts
 *   npm run example:slack -- scenarios/region-gameday.ts --yes --no-pdf
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../test/support/cli';
import { SlackStandIn, transcript } from '../test/support/slack';

async function main(args: string[]): Promise<number> {
  if (args.length === 0) {
    process.stderr.write('usage: slack-example.ts <experiment or scenario file> [gameday run options]\n');
    return 2;
  }
  const slack = await new SlackStandIn().start();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-slack-example-'));
  try {
    const run = await runCli(['run', ...args, '--out', path.join(out, 'run')], {
      env: {
        SLACK_BOT_TOKEN: slack.token,
        GAMEDAY_SLACK_API_URL: slack.apiUrl,
        GAMEDAY_SLACK_CHANNEL: '#gameday-drills',
      },
    });
    process.stdout.write(`$ gameday run ${args.join(' ')}   (exit ${run.code})\n${run.stdout}\n`);
    if (run.stderr.includes('not delivered')) process.stdout.write(`${run.stderr}\n`);
    process.stdout.write(`${transcript(slack)}\n`);
    process.stdout.write('calls the stand-in answered:\n');
    for (const call of slack.calls) {
      const thread = call.params.thread_ts ? ` thread_ts=${String(call.params.thread_ts)}` : '';
      const error = call.error ? ` error=${call.error}` : '';
      process.stdout.write(`  ${call.method} → ${call.status}${error}${thread}\n`);
    }
    const departures = slack.violations.length === 0 ? 'nothing' : slack.violations.join('; ');
    process.stdout.write(`departures from the shapes Slack documents: ${departures}\n`);
    return run.code ?? 4;
  } finally {
    await slack.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
