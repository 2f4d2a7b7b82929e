import yargs from 'yargs';
import { gamedayVersion } from '../core/version';
import { planCommand } from './commands/plan';
import { runCommand } from './commands/run';
import { gateCommand } from './commands/gate';
import { reportCommand } from './commands/report';
import { failoverCommand } from './commands/failover';
import { recoverCommand } from './commands/recover';
import { haltCommand } from './commands/halt';
import { noteCommand } from './commands/note';
import { validateCommand } from './commands/validate';
import { compareCommand } from './commands/compare';
import { approveCommand } from './commands/approve';
import { verifyCommand } from './commands/verify';
import { checkCommand } from './commands/check';
import { scheduleExportCommand } from './commands/schedule-export';
import { scheduleListCommand } from './commands/schedule-list';
import { scheduleRunCommand } from './commands/schedule-run';
import { labDownCommand, labPromoteCommand, labResetCommand, labStatusCommand, labUpCommand } from './commands/lab';
import { exportFormats, type ExportFormat } from '../schedule/export';
import { exitCodes } from './exit-codes';
import { reportFailure, UsageError } from './output';
import { redactProcessOutput } from './redacted-output';

/**
 * The CLI: parses arguments and calls one library function per command. Exit codes:
 * 0 passed, 1 failed, 2 invalid input or usage, 3 aborted, 4 error, 5 halted.
 */
export async function main(argv: string[]): Promise<number> {
  redactProcessOutput();
  // The AWS SDK warns on Node 20 about its releases of 2027; gameday pins its SDK versions,
  // so the warning is about nothing gameday runs, and would sit in every aws run's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let exitCode: number = exitCodes.passed;
  const guard = (work: () => number | Promise<number>) => async () => {
    try {
      exitCode = await work();
    } catch (error) {
      exitCode = reportFailure(error);
    }
  };

  try {
    await parser(argv, guard).parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gameday: ${error.message}\nrun 'gameday --help' for usage\n`);
      return exitCodes.invalid;
    }
    return reportFailure(error);
  }
  return exitCode;
}

type Guard = (work: () => number | Promise<number>) => () => Promise<void>;

/** Consent to act on a real AWS account: run, gate and failover all ask for it the same way. */
const yesOption = {
  type: 'boolean',
  default: false,
  describe: 'act on a real AWS account (target kind aws); CI=true with target.allowCI also does',
} as const;

const notifyOption = {
  type: 'boolean',
  default: true,
  describe: "tell the file's notifiers (Slack, webhooks), or the environment's default (--no-notify: nobody)",
} as const;

/** What `run` and `gate` share: a gate is a run judged for CI. */
const runOptions = {
  out: { type: 'string', describe: 'run directory (default: <reports>/<run-id>)' },
  reports: { type: 'string', default: 'reports', describe: 'where run directories are created' },
  json: { type: 'boolean', default: false, describe: 'print summary.json to stdout and nothing else there' },
  approve: { type: 'boolean', default: false, describe: 'approve a manual failover up front (no prompt)' },
  yes: yesOption,
  pdf: { type: 'boolean', default: true, describe: 'print report.pdf with Chromium (--no-pdf: skip it)' },
  notify: notifyOption,
} as const;

function parser(argv: string[], guard: Guard) {
  return yargs(argv)
    .scriptName('gameday')
    .usage('$0 <command> [options]\n\nChaos experiments and GameDay drills for multi-region failover.')
    .command(
      'validate <files..>',
      'check experiment and GameDay scenario files; print OK or every problem',
      (y) =>
        y.positional('files', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'experiment or scenario files',
        }),
      (args) => guard(() => validateCommand(args.files as string[]))(),
    )
    .command(
      'plan <file>',
      "print the timeline a run would follow (a GameDay's agenda, each experiment's timeline); runs nothing",
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'experiment or scenario file' })
          .option('json', { type: 'boolean', default: false, describe: 'machine-readable plan' }),
      (args) => guard(() => planCommand(args.file, { json: args.json }))(),
    )
    .command(
      'run <file>',
      'run an experiment (steady state, faults, rollback, verdict, report) or a GameDay scenario (its steps in order)',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true })
          .options(runOptions)
          .option('yes', {
            ...yesOption,
            describe: `${yesOption.describe}; for a GameDay, also answers every checkpoint yes`,
          }),
      (args) =>
        guard(() =>
          runCommand(args.file, {
            out: args.out,
            reports: args.reports,
            json: args.json,
            approve: args.approve,
            yes: args.yes,
            pdf: args.pdf,
            notify: args.notify,
          }),
        )(),
    )
    .command(
      'gate <file>',
      'run an experiment as a release gate: exit 0 when every objective is met, 1 when one is missed; writes junit.xml',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true })
          .option('max-rto', { type: 'string', describe: "RTO objective, overriding the file's (e.g. 60s)" })
          .option('max-rpo', {
            type: 'string',
            describe: "RPO objective, overriding the file's (e.g. 1s; needs a write ledger)",
          })
          .option('max-budget', {
            type: 'string',
            describe: 'error budget each SLO may burn, replacing its budget threshold (e.g. 10%)',
          })
          .option('baseline', {
            type: 'string',
            describe: "fail when worse than this run (a run dir, or a dir of runs: this experiment's latest there)",
          })
          .option('tolerance', {
            type: 'string',
            describe: 'how much worse than the baseline: rto=20%,rpo=20%,budget=20%,p99=30% (or amounts: rto=1s)',
          })
          .options(runOptions),
      (args) =>
        guard(() =>
          gateCommand(args.file, {
            out: args.out,
            reports: args.reports,
            json: args.json,
            approve: args.approve,
            yes: args.yes,
            pdf: args.pdf,
            notify: args.notify,
            maxRto: args['max-rto'],
            maxRpo: args['max-rpo'],
            maxBudget: args['max-budget'],
            baseline: args.baseline,
            tolerance: args.tolerance,
          }),
        )(),
    )
    .command(
      'report [runDir]',
      "re-render a run's reports from its journal; --history <dir>: the trend page across runs",
      (y) =>
        y
          .positional('runDir', { type: 'string', describe: 'run directory (reports/<run-id>)' })
          .option('history', {
            type: 'string',
            describe: 'directory of run directories: write history.html and history.json',
          })
          .option('out', { type: 'string', describe: 'with --history: where to write them (default: that directory)' })
          .option('pdf', {
            type: 'boolean',
            default: true,
            describe: 'print report.pdf with Chromium (--no-pdf: skip it)',
          })
          .option('json', { type: 'boolean', default: false, describe: 'print the summary (or the history) as JSON' }),
      (args) =>
        guard(() =>
          reportCommand(args.runDir, { history: args.history, out: args.out, pdf: args.pdf, json: args.json }),
        )(),
    )
    .command(
      'failover <file>',
      "run the experiment's failover runbook alone (a real DR action): fence, promote, shift traffic, warm, verify",
      (y) =>
        y
          .positional('file', {
            type: 'string',
            demandOption: true,
            describe: 'experiment file with a failover runbook',
          })
          .option('dry-run', { type: 'boolean', default: false, describe: 'print the steps; do nothing' })
          .option('failback', {
            type: 'boolean',
            describe: 'undo a failover done for real: the old writer rejoins, a planned switchover moves it back',
          })
          .option('shift', {
            choices: ['dns', 'invert-health-check'] as const,
            describe: "override the runbook's trafficShift (a healthy old region's check never fails by itself)",
            conflicts: 'failback',
          })
          .option('approve', {
            type: 'boolean',
            default: false,
            describe: 'approve a manual runbook up front (no prompt)',
          })
          .option('yes', yesOption)
          .option('out', { type: 'string', describe: 'run directory' })
          .option('reports', { type: 'string', default: 'reports' })
          .option('json', { type: 'boolean', default: false })
          .option('pdf', runOptions.pdf)
          .option('notify', notifyOption),
      (args) =>
        guard(() =>
          failoverCommand(args.file, {
            dryRun: args['dry-run'],
            approve: args.approve,
            out: args.out,
            reports: args.reports,
            json: args.json,
            shift: args.shift,
            yes: args.yes,
            failback: args.failback === true,
            pdf: args.pdf,
            notify: args.notify,
          }),
        )(),
    )
    .command(
      'recover [runDirs..]',
      'undo every fault a dead run (kill -9, crash) left injected, from its journal; idempotent',
      (y) =>
        y
          .positional('runDirs', { type: 'string', array: true, describe: 'run directories (reports/<run-id>)' })
          .option('all', { type: 'boolean', default: false, describe: 'every run under --reports' })
          .option('reports', { type: 'string', default: 'reports' })
          .option('json', { type: 'boolean', default: false }),
      (args) =>
        guard(() =>
          recoverCommand((args.runDirs as string[] | undefined) ?? [], {
            all: args.all,
            reports: args.reports,
            json: args.json,
          }),
        )(),
    )
    .command(
      'halt',
      'the safety lever: every run on this machine rolls back and ends halted; new runs are refused until --release',
      (y) =>
        y
          .option('reason', { type: 'string', describe: "why, for the runs' journals and whoever is refused" })
          // No defaults here: yargs counts a defaulted option as given when it checks conflicts.
          .option('release', { type: 'boolean', describe: 'lift the halt: runs may start again' })
          .option('wait', {
            type: 'string',
            describe: 'how long to wait for the runs to roll back and finish (default 60s)',
          })
          .option('json', { type: 'boolean', default: false })
          .conflicts('release', ['reason', 'wait']),
      (args) =>
        guard(() =>
          haltCommand({ reason: args.reason, release: args.release === true, wait: args.wait, json: args.json }),
        )(),
    )
    .command(
      'note <text>',
      "write a note, a finding or an action item into a running run's journal (and its reports)",
      (y) =>
        y
          .positional('text', { type: 'string', demandOption: true, describe: 'what to note' })
          .option('run', {
            type: 'string',
            default: 'latest',
            describe: "the run directory, or 'latest': the most recent run going on this machine",
          })
          .option('finding', { type: 'boolean', describe: 'something the drill taught' })
          .option('action', { type: 'boolean', describe: 'something to do (needs --owner)' })
          .option('owner', { type: 'string', describe: "an action item's owner" })
          .option('json', { type: 'boolean', default: false })
          .conflicts('finding', 'action'),
      (args) =>
        guard(() =>
          noteCommand(args.text, {
            run: args.run,
            finding: args.finding === true,
            action: args.action === true,
            owner: args.owner,
            json: args.json,
          }),
        )(),
    )
    .command(
      'approve <run>',
      'answer the checkpoint a running GameDay waits at (from another terminal): go on, or --no to end the day',
      (y) =>
        y
          .positional('run', {
            type: 'string',
            demandOption: true,
            describe: "the GameDay's run directory, or latest (the newest under --reports)",
          })
          .option('no', { type: 'boolean', default: false, describe: 'answer no: the day ends, the rest is skipped' })
          .option('as', { type: 'string', describe: "who answers, as recorded (default: this terminal's user)" })
          .option('reports', { type: 'string', default: 'reports', describe: 'where latest is looked for' }),
      (args) => guard(() => approveCommand(args.run, { no: args.no, as: args.as, reports: args.reports }))(),
    )
    .command(
      'compare <file>',
      'run the experiment against each failover strategy, one lab after another; compare.html, .md, .json',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'a lab experiment file' })
          .option('strategies', {
            type: 'string',
            default: 'all',
            describe: 'all, or strategies separated by commas (e.g. active-passive-dns,warm-standby)',
          })
          .option('out', { type: 'string', describe: 'the comparison directory (default: <reports>/<id>)' })
          .option('reports', { type: 'string', default: 'reports', describe: 'where the directory is created' })
          .option('json', { type: 'boolean', default: false, describe: 'print compare.json to stdout' })
          .option('pdf', { type: 'boolean', default: true, describe: "each run's report.pdf (--no-pdf: skip them)" }),
      (args) =>
        guard(() =>
          compareCommand(args.file as string, {
            strategies: args.strategies,
            out: args.out,
            reports: args.reports,
            json: args.json,
            pdf: args.pdf,
          }),
        )(),
    )
    .command(
      'check <file>',
      "read-only readiness checks of the file's target for its experiments; exit 1 when one fails",
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'experiment or scenario file' })
          .option('json', { type: 'boolean', default: false, describe: 'the checks as JSON' }),
      (args) => guard(() => checkCommand(args.file, { json: args.json }))(),
    )
    .command(
      'verify <dir>',
      'check run directories against their evidence.json: name any file changed since it was sealed; exit 1 if one was',
      (y) =>
        y
          .positional('dir', {
            type: 'string',
            demandOption: true,
            describe: 'a run directory, or a directory of runs (e.g. reports/)',
          })
          .option('json', { type: 'boolean', default: false, describe: 'the verification as JSON' }),
      (args) => guard(() => verifyCommand(args.dir, { json: args.json }))(),
    )
    .command('schedule', 'scheduled drills: run the scheduler, list the next runs, export to another scheduler', (y) =>
      y
        .command(
          'run [files..]',
          'the scheduler: runs each file on its schedule until SIGTERM/Ctrl-C, one log line per decision',
          (z) =>
            z
              .positional('files', {
                type: 'string',
                array: true,
                describe:
                  'scheduled experiment or scenario files (default: those with a schedule in experiments/, scenarios/)',
              })
              .option('once', {
                type: 'boolean',
                default: false,
                describe: 'one run now, for an external scheduler: window, blackout, precondition, overlap applied',
              })
              .option('reports', { type: 'string', default: 'reports', describe: 'where run directories are created' })
              .option('pdf', { type: 'boolean', default: true, describe: 'print report.pdf (--no-pdf: skip it)' })
              .option('json', { type: 'boolean', default: false, describe: 'each decision as a JSON line' })
              .option('approve', {
                type: 'boolean',
                default: false,
                describe: 'approve manual failovers up front (without it they are declined: nobody is at the terminal)',
              })
              .option('yes', {
                ...yesOption,
                describe: `${yesOption.describe}; a GameDay's checkpoints are answered yes`,
              })
              .option('notify', notifyOption),
          (args) =>
            guard(() =>
              scheduleRunCommand((args.files as string[] | undefined) ?? [], {
                once: args.once,
                reports: args.reports,
                pdf: args.pdf,
                json: args.json,
                approve: args.approve,
                yes: args.yes,
                notify: args.notify,
              }),
            )(),
        )
        .command(
          'list [files..]',
          "each scheduled file's schedule in words, its next runs after blackout, its last run and skip",
          (z) =>
            z
              .positional('files', {
                type: 'string',
                array: true,
                describe: 'scheduled files (default: those with a schedule in experiments/, scenarios/)',
              })
              .option('count', { type: 'number', default: 5, describe: 'how many next runs' })
              .option('json', { type: 'boolean', default: false }),
          (args) =>
            guard(() =>
              scheduleListCommand((args.files as string[] | undefined) ?? [], { count: args.count, json: args.json }),
            )(),
        )
        .command(
          'export [files..]',
          'write the configuration that hands the schedules to cron, systemd, GitHub Actions or Kubernetes',
          (z) =>
            z
              .positional('files', {
                type: 'string',
                array: true,
                describe: 'scheduled files (default: those with a schedule in experiments/, scenarios/)',
              })
              .option('format', {
                choices: Object.keys(exportFormats) as ExportFormat[],
                demandOption: true,
                describe: 'the scheduler to hand them to',
              })
              .option('out', { type: 'string', describe: 'write the files into this directory (default: print them)' })
              .option('workdir', { type: 'string', describe: 'the project directory the command runs in (default: .)' })
              .option('gameday', { type: 'string', default: 'npx gameday', describe: 'how gameday is invoked there' })
              .option('reports', { type: 'string', default: 'reports', describe: 'where run directories go there' })
              .option('image', { type: 'string', describe: 'k8s-cronjob: the container image with your project' }),
          (args) =>
            guard(() =>
              scheduleExportCommand((args.files as string[] | undefined) ?? [], {
                format: args.format as ExportFormat,
                out: args.out,
                workdir: args.workdir,
                gameday: args.gameday,
                reports: args.reports,
                image: args.image,
              }),
            )(),
        )
        .demandCommand(1, 'name a schedule command: run, list, export'),
    )
    .command('lab', 'the local multi-region lab: up, status, down, reset, promote', (y) =>
      y
        .option('dir', { type: 'string', describe: 'lab directory (default .gameday/lab, or $GAMEDAY_LAB_DIR)' })
        .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
        .command(
          'up',
          'start a lab that keeps running (detached); prints its endpoints',
          (z) =>
            z
              .option('regions', { type: 'string', describe: 'comma-separated, 2 to 4 (default us-east-1,eu-west-1)' })
              .option('primary', { type: 'string', describe: 'primary region (default: the first)' })
              .option('prometheus', {
                type: 'boolean',
                default: false,
                describe: "also start the lab's Prometheus (else runs start it when they need it)",
              })
              .option('strategy', {
                type: 'string',
                describe: 'the failover strategy the lab is built as (default active-passive-dns)',
              }),
          (args) =>
            guard(() =>
              labUpCommand({
                dir: args.dir,
                json: args.json,
                regions: args.regions
                  ?.split(',')
                  .map((r) => r.trim())
                  .filter(Boolean),
                primary: args.primary,
                prometheus: args.prometheus,
                strategy: args.strategy,
              }),
            )(),
        )
        .command('status', 'roles, replication, health checks, DNS answers, faults', {}, (args) =>
          guard(() => labStatusCommand({ dir: args.dir as string | undefined, json: args.json as boolean }))(),
        )
        .command('down', 'stop every lab process and remove its data', {}, (args) =>
          guard(() => labDownCommand({ dir: args.dir as string | undefined, json: args.json as boolean }))(),
        )
        .command('reset', 'back to the initial topology (faults removed, data rebuilt)', {}, (args) =>
          guard(() => labResetCommand({ dir: args.dir as string | undefined, json: args.json as boolean }))(),
        )
        .command(
          'promote <region>',
          'promote a standby region to primary and point the writer name at it (a lab helper)',
          (z) => z.positional('region', { type: 'string', demandOption: true }),
          (args) =>
            guard(() =>
              labPromoteCommand(args.region as string, {
                dir: args.dir as string | undefined,
                json: args.json as boolean,
              }),
            )(),
        )
        .demandCommand(1, 'name a lab command: up, status, down, reset, promote'),
    )
    .demandCommand(1, 'name a command; see gameday --help')
    .strict()
    .version(gamedayVersion)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      // Throwing stops yargs from running the command handler after a usage error.
      throw error ?? new UsageError(message);
    });
}
