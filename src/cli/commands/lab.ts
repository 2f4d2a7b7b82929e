import { LabApiError, LabClient } from '../../lab/client';
import { findRunningLab, startLab, stopLab } from '../../lab/manager';
import type { LabStatus } from '../../lab/lab';
import { resolveLabDir, type LabState } from '../../lab/state';
import { labStrategy } from '../../lab/strategies';
import { LabConfigError, labNames, resolveRegions } from '../../lab/topology';
import { UsageError } from '../output';

export interface LabCommandOptions {
  dir?: string;
  json: boolean;
}

export async function labUpCommand(
  options: LabCommandOptions & { regions?: string[]; primary?: string; prometheus?: boolean; strategy?: string },
): Promise<number> {
  // A bad --regions/--primary/--strategy is a usage error (exit 2), caught before any daemon starts.
  try {
    labStrategy(options.strategy);
    resolveRegions({ regions: options.regions, primary: options.primary });
  } catch (error) {
    if (error instanceof LabConfigError) throw new UsageError(`lab up: ${error.message}`);
    throw error;
  }
  const labDir = resolveLabDir(options.dir);
  const running = await findRunningLab(labDir);
  if (running) {
    process.stderr.write(
      `a lab is already running in ${labDir} (pid ${running.state.daemonPid}); \`gameday lab down\` first\n`,
    );
    printEndpoints(running.state, options.json);
    return 0;
  }
  await stopLab(labDir); // leftovers of a daemon that died
  const lab = await startLab({
    labDir,
    ephemeral: false,
    strategy: options.strategy,
    regions: options.regions,
    primary: options.primary,
    preferredPort: 18080,
    prometheus: options.prometheus,
  });
  printEndpoints(lab.state, options.json);
  return 0;
}

export async function labStatusCommand(options: LabCommandOptions): Promise<number> {
  const lab = await requireLab(options.dir);
  const status = await lab.client.status();
  if (options.json) {
    process.stdout.write(JSON.stringify({ ...endpointsOf(lab.state), status }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(renderStatus(lab.state, status));
  return 0;
}

export async function labDownCommand(options: LabCommandOptions): Promise<number> {
  const labDir = resolveLabDir(options.dir);
  const result = await stopLab(labDir);
  if (!result.stopped) process.stdout.write(`no lab in ${labDir}\n`);
  else {
    const orphans = result.orphansKilled;
    const killed = orphans ? ` (${orphans} orphaned process${orphans === 1 ? '' : 'es'} killed)` : '';
    process.stdout.write(`lab stopped and removed${killed}\n`);
  }
  return 0;
}

export async function labResetCommand(options: LabCommandOptions): Promise<number> {
  const lab = await requireLab(options.dir);
  await lab.client.reset();
  process.stdout.write('lab reset to its initial topology\n');
  return 0;
}

export async function labPromoteCommand(region: string, options: LabCommandOptions): Promise<number> {
  const lab = await requireLab(options.dir);
  const result = await new LabClient(lab.state.controlUrl).promote(region).catch((error: unknown) => {
    // The lab refusing (unknown region, already the primary) is the user's input, not a failure.
    if (error instanceof LabApiError && error.status !== undefined && error.status < 500)
      throw new UsageError(error.message);
    throw error;
  });
  process.stdout.write(
    `${region} promoted to primary in ${result.promotedMs} ms (was ${result.previousPrimary}); ` +
      `${labNames.writer.replace(/\.$/, '')} now points at it\n`,
  );
  return 0;
}

async function requireLab(dir: string | undefined) {
  const labDir = resolveLabDir(dir);
  const lab = await findRunningLab(labDir);
  if (!lab) throw new UsageError(`no lab running in ${labDir}; start one with \`gameday lab up\``);
  return lab;
}

function endpointsOf(state: LabState) {
  return {
    labDir: state.labDir,
    strategy: state.layout.strategy,
    pid: state.daemonPid,
    controlUrl: state.controlUrl,
    dns: `${state.dns.host}:${state.dns.port}`,
    app: state.entry?.url ?? `http://${labNames.app.replace(/\.$/, '')}:${state.layout.ports.app}`,
    regions: Object.fromEntries(
      state.regions.map((region) => [
        region.name,
        {
          role: region.role,
          address: region.address,
          app: region.appUrl,
          postgres: `${region.address}:${state.layout.ports.pg}`,
        },
      ]),
    ),
    startupMs: state.startupMs,
    prometheus: state.prometheus?.url ?? null,
  };
}

function printEndpoints(state: LabState, json: boolean): void {
  const endpoints = endpointsOf(state);
  if (json) {
    process.stdout.write(JSON.stringify(endpoints, null, 2) + '\n');
    return;
  }
  const lines = [
    `lab up in ${state.labDir} (pid ${state.daemonPid}, ready in ${state.startupMs} ms)`,
    `  strategy ${state.layout.strategy}`,
    `  dns      ${endpoints.dns}   (dig @${state.dns.host} -p ${state.dns.port} ${labNames.app.replace(/\.$/, '')})`,
    `  control  ${state.controlUrl}`,
    `  app      ${endpoints.app}   ` +
      (state.entry?.kind === 'load-balancer' ? '(the global load balancer)' : '(resolve through the lab DNS)'),
    ...state.regions.map(
      (region) =>
        `  ${region.name.padEnd(14)} ${region.role.padEnd(8)} app ${region.appUrl}  postgres ` +
        `${region.address}:${state.layout.ports.pg}`,
    ),
  ];
  if (state.prometheus) lines.push(`  prometheus ${state.prometheus.url}   (scrapes every region every second)`);
  process.stdout.write(lines.join('\n') + '\n');
}

function renderStatus(state: LabState, status: LabStatus): string {
  const lines = [
    `lab in ${state.labDir} (pid ${state.daemonPid}); dns ${state.dns.host}:${state.dns.port}; ` +
      `control ${state.controlUrl}`,
    `strategy ${status.strategy.name}: ${status.strategy.summary}`,
    `entry ${status.entry.kind} ${status.entry.url} -> ${status.entry.routesTo.join(', ') || 'no region'}`,
    '',
  ];
  lines.push('region          role     db       app      health check        replication');
  for (const region of status.regions) {
    const replication = region.replication as {
      role?: string;
      standbys?: Array<{ applicationName: string; state: string; replayLagBytes: number | null }>;
      receiverStatus?: string;
      replayLagBytes?: number | null;
      replayDelayMs?: number | null;
      error?: string;
    } | null;
    let replicationText = '—';
    if (replication?.error) replicationText = `error: ${replication.error}`;
    else if (replication?.role === 'primary')
      replicationText =
        (replication.standbys ?? [])
          .map((s) => `${s.applicationName} ${s.state} lag ${s.replayLagBytes ?? '?'} B`)
          .join(', ') || 'no standbys connected';
    else if (replication?.role === 'standby')
      replicationText = `${replication.receiverStatus ?? 'not receiving'}, replay lag ${lagText(replication)}`;
    const check = region.healthCheck;
    const hc = check
      ? `${check.status}${check.inverted ? ' (inverted)' : ''}${check.disabled ? ' (disabled)' : ''}`
      : '—';
    const role =
      region.database.actualRole && region.database.actualRole !== region.role ? `${region.role}*` : region.role;
    lines.push(
      `${region.name.padEnd(15)} ${role.padEnd(8)} ${(region.database.running ? 'up' : 'DOWN').padEnd(8)} ` +
        `${(region.app.running ? 'up' : 'DOWN').padEnd(8)} ${hc.padEnd(19)} ${replicationText}`,
    );
    if (role.endsWith('*'))
      lines.push(
        `  * its database still runs as ${region.database.actualRole}: demoted by a promotion but ` +
          `not fenced (split brain possible)`,
      );
    else if (region.database.demoted && !region.database.running)
      lines.push('  demoted primary: rejoins as a standby (rebuilt from the current primary) when started');
    const faulty = region.proxies.filter((proxy) => !proxy.enabled || proxy.toxics.length > 0);
    for (const proxy of faulty)
      lines.push(`  proxy ${proxy.name}: ${proxy.enabled ? '' : 'DOWN '}${proxy.toxics.join(', ')}`);
  }
  lines.push('', 'DNS');
  for (const answer of status.dns.answers) lines.push(`  ${answer.why}`);
  const prometheus = status.prometheus;
  if (prometheus) {
    const rules = prometheus.ruleFiles.map((file) => file.name).join(', ') || 'none';
    lines.push(
      '',
      `Prometheus ${prometheus.url} (pid ${prometheus.pid}, since ${new Date(prometheus.startedAt).toISOString()}): ` +
        `scrapes every ${prometheus.scrapeIntervalMs} ms, evaluates every ${prometheus.evaluationIntervalMs} ms; ` +
        `rule files: ${rules}`,
    );
  }
  return lines.join('\n') + '\n';
}

function lagText(replication: { replayLagBytes?: number | null }): string {
  return `${replication.replayLagBytes ?? '?'} B`;
}
