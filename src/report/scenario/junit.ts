import type { ScenarioSummary } from '../../analysis/scenario-summary';
import { statusText } from './words';
import { junitDocument, junitTestcase as testcase, xmlAttr as attr, xmlText as text } from '../xml';

/**
 * The day's junit.xml: the GameDay is the testsuite; each readiness check step and each
 * experiment a testcase, in step order (one the day never reached is <skipped/>, with
 * why), then each objective of the day. A day that
 * was stopped (a no-go, an interrupt, an error) adds a `day` testcase with the reason, so
 * it never shows up green.
 */
export function renderScenarioJunit(summary: ScenarioSummary): string {
  const classname = `gameday.${summary.scenario}`;
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const checks = summary.steps.filter((step) => step.kind === 'check');
  const steps = [
    ...checks.map((step) => ({ step: step.step, check: step })),
    ...summary.experiments.map((experiment) => ({ step: experiment.step, experiment })),
  ].sort((a, b) => a.step - b.step);
  for (const entry of steps) {
    if ('check' in entry) {
      const { check } = entry;
      const time = (check.actual?.ms ?? 0) / 1000;
      let outcome = '';
      if (check.status === 'skipped' || check.status === 'pending') {
        skipped++;
        outcome = `<skipped message="${attr(check.reason ?? 'not reached')}"/>`;
      } else if (check.status !== 'passed') {
        failures++;
        const reason = `${statusText(check.status)}: ${check.reason ?? ''}`;
        outcome = `<failure message="${attr(reason)}" type="not-ready">${text(check.reason ?? '')}</failure>`;
      }
      cases.push(testcase(classname, `step ${check.step}: ${check.name}`, time, outcome));
      continue;
    }
    const { experiment } = entry;
    const name = `step ${experiment.step}: ${experiment.name}`;
    const time = (experiment.durationMs ?? 0) / 1000;
    const reason = `${statusText(experiment.status)}: ${experiment.reason}`;
    let outcome = '';
    if (experiment.status === 'skipped' || experiment.status === 'pending') {
      skipped++;
      outcome = `<skipped message="${attr(experiment.reason || 'not reached')}"/>`;
    } else if (experiment.status === 'failed') {
      failures++;
      outcome = `<failure message="${attr(reason)}" type="failed">${text(experiment.reason)}</failure>`;
    } else if (experiment.status !== 'passed') {
      errors++;
      outcome = `<error message="${attr(reason)}" type="${attr(experiment.status)}">${text(experiment.reason)}</error>`;
    }
    cases.push(testcase(classname, name, time, outcome));
  }
  for (const objective of summary.objectives) {
    let outcome = '';
    if (objective.met === false) {
      failures++;
      const message = `${objective.text}: ${objective.measured}`;
      outcome = `<failure message="${attr(message)}" type="objective-missed">${text(message)}</failure>`;
    } else if (objective.met === null) {
      errors++;
      outcome = `<error message="${attr(`${objective.text}: ${objective.measured}`)}" type="not-measured"/>`;
    }
    cases.push(testcase(`${classname}.objectives`, `objective ${objective.text}`, 0, outcome));
  }
  if (summary.status === 'aborted' || summary.status === 'error' || summary.status === 'running') {
    errors++;
    const message = `day ${statusText(summary.status)}: ${summary.reason}`;
    cases.push(testcase(classname, 'day', 0, `<error message="${attr(message)}" type="${summary.status}"/>`));
  }
  const seconds = (summary.durationMs ?? 0) / 1000;
  const tally = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}"`;
  const counts = `${tally} time="${seconds}"`;
  return junitDocument({
    name: summary.scenario,
    counts,
    timestamp: summary.startedAt,
    properties: [
      ['run-id', summary.runId],
      ['status', summary.status],
      ['reason', summary.reason],
      ['file', summary.file],
      ['target', summary.target.kind],
    ],
    cases,
  });
}
