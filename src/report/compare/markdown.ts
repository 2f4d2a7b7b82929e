import type { CompareSummary } from '../../analysis/compare';
import {
  budgetText,
  comparisonInWords,
  conflictsText,
  idleText,
  latencyText,
  phasesText,
  rpoText,
  rtoText,
  staleText,
  writesText,
} from './words';

/** compare.md: the comparison table, each strategy linked to its run's report. */
export function renderCompareMarkdown(summary: CompareSummary): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    `# Failover strategies compared: ${summary.experiment}`,
    '',
    `Experiment \`${summary.file}\`, comparison \`${summary.runId}\`, started ${summary.startedAt}` +
      `${summary.endedAt ? `, ended ${summary.endedAt}` : ' (unfinished)'}. Every strategy ran the same ` +
      'experiment on a lab of its own.',
    '',
    ...comparisonInWords(summary.strategies).map((line) => `- ${line}`),
    '',
    '| strategy | verdict | RTO | RTO phases | RPO | writes | conflicting writes | error budget burned | ' +
      'steady-state p99 | stale reads | idle cost (standby vs active) | report |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of summary.strategies) {
    lines.push(
      `| ${[
        `\`${row.strategy}\``,
        row.status,
        rtoText(row),
        phasesText(row),
        rpoText(row),
        writesText(row),
        conflictsText(row),
        budgetText(row),
        latencyText(row),
        staleText(row),
        idleText(row),
        `[report](${row.report})`,
      ]
        .map(cell)
        .join(' | ')} |`,
    );
  }
  for (const skipped of summary.skipped) lines.push(`| \`${skipped.strategy}\` | not run: ${cell(skipped.reason)} |`);
  lines.push(
    '',
    'RTO: from the fault to the first request after which the traffic stayed recovered. RPO: acknowledged writes ' +
      'missing after the drill (the write ledger). Conflicting writes: where every region writes, the same row ' +
      'written in two regions that could not see each other, found by comparing both sides once replication ' +
      'caught up after the drill, and the updates that lost. Stale reads: a client wrote, then read its own ' +
      'write from the region that acknowledged it; how often the first read missed it, and how long until it ' +
      'showed. Idle cost: CPU-seconds and mean memory of the regions that stand by, against those that serve, ' +
      "while nothing was wrong (until the first fault; each region's processes, from /proc); compare.json also " +
      "has both sides' CPU over the whole drill.",
    '',
  );
  return lines.join('\n');
}
