import type { Experiment } from '../experiment/validate';
import { GamedayError } from '../core/errors';

/**
 * A drill against a real AWS account breaks real things, so it never starts by accident:
 * a person says `--yes`, or a pipeline (CI=true) runs an experiment that allows CI in
 * its own target (`allowCI: true`, reviewed with the file). The lab and endpoints
 * targets need none of this.
 */
export interface Consent {
  /** The operator passed --yes. */
  yes: boolean;
  /** The CI environment variable, as CI systems set it. */
  ci?: string;
}

/** Refused: nothing ran. The CLI maps this to exit 2, like any other invocation it will not carry out. */
export class ConsentRequiredError extends GamedayError {}

export function assertConsent(experiment: Experiment, consent: Consent, command: string): void {
  const target = experiment.target;
  if (target.kind !== 'aws' || consent.yes) return;
  const accounts = target.accountIds.join(', ');
  if (consent.ci === 'true') {
    if (target.allowCI) return;
    throw new ConsentRequiredError(
      `${experiment.file}: \`gameday ${command}\` acts on AWS account ${accounts}; in CI (CI=true) ` +
        `the experiment must allow it with target.allowCI: true, or pass --yes. Nothing was injected`,
    );
  }
  throw new ConsentRequiredError(
    `${experiment.file}: \`gameday ${command}\` acts on AWS account ${accounts} (regions ` +
      `${target.regions.join(', ')}); read \`gameday plan ${experiment.file}\`, then run again with ` +
      `--yes. Nothing was injected`,
  );
}
