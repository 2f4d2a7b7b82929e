import type { Experiment } from '../../experiment/validate';
import { targetKindOf } from '../../targets';

/** What the experiments to come ask of the target: where they fail over, and their strictest objectives. */
export interface ReadinessExpectations {
  /** Each region pair the experiments move clients between, as their runbooks (or region faults) do. */
  moves: Array<{ from: string; to: string }>;
  /** The strictest RTO objective, and whose. */
  rto: { ms: number; experiment: string } | null;
  rpo: { ms: number; experiment: string } | null;
  /** The longest a client keeps a DNS answer whatever its TTL (a sticky cache), and whose; null: clients honour it. */
  sticky: { ms: number; experiment: string } | null;
  /** The file of the first experiment, for fixes that name it. */
  file: string;
}

/**
 * From the experiments: each fails over from its runbook's `from` (else the target's
 * primary) to its `to` (else the next region); the objectives a check holds the target
 * to are the strictest among them.
 */
export function expectationsOf(experiments: readonly Experiment[]): ReadinessExpectations {
  const moves = new Map<string, { from: string; to: string }>();
  let rto: ReadinessExpectations['rto'] = null;
  let rpo: ReadinessExpectations['rpo'] = null;
  let sticky: ReadinessExpectations['sticky'] = null;
  for (const experiment of experiments) {
    const kind = targetKindOf(experiment.target);
    const regions = kind.regions(experiment.target);
    const from = experiment.failover?.from ?? kind.primary(experiment.target);
    const to = experiment.failover?.to ?? regions.find((region) => region !== from);
    if (from && to) moves.set(`${from}>${to}`, { from, to });
    const { hypothesis, traffic } = experiment;
    if (hypothesis.rto !== undefined && (rto === null || hypothesis.rto < rto.ms))
      rto = { ms: hypothesis.rto, experiment: experiment.name };
    if (hypothesis.rpo !== undefined && (rpo === null || hypothesis.rpo < rpo.ms))
      rpo = { ms: hypothesis.rpo, experiment: experiment.name };
    const dns = traffic.dns;
    if (dns.cache === 'sticky' && (sticky === null || dns.stickyFor > sticky.ms))
      sticky = { ms: dns.stickyFor, experiment: experiment.name };
  }
  return { moves: [...moves.values()], rto, rpo, sticky, file: experiments[0]?.file ?? '' };
}
