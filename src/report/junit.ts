import { objectivesOf } from '../analysis/judge';
import type { RunSummary } from '../analysis/summary';
import { junitDocument, junitTestcase, xmlAttr as attr, xmlText as text } from './xml';

/**
 * junit.xml for CI test reporters: the experiment is the testsuite, each objective a
 * testcase. A missed objective is a <failure>, one that could not be measured an <error>
 * (it did not pass, but nothing was shown to miss it either). A run that was aborted, halted or
 * errored adds a "run" testcase with the reason, so a gate that stopped early never shows
 * up green.
 */
export function renderJunit(summary: RunSummary): string {
  const seconds = summary.durationMs === null ? 0 : summary.durationMs / 1000;
  const classname = `gameday.${summary.experiment}`;
  const objectives = objectivesOf(summary);
  const cases = objectives.map((objective) => {
    const detail = `measured: ${objective.measured}\nobjective: ${objective.objective}`;
    const message = `${objective.name}: ${objective.measured} (objective ${objective.objective})`;
    const outcome =
      objective.met === true
        ? ''
        : objective.met === false
          ? `<failure message="${attr(message)}" type="objective-missed">${text(detail)}</failure>`
          : `<error message="${attr(`${objective.name}: not measured (objective ${objective.objective})`)}" ` +
            `type="not-measured">${text(`${detail}\nrun: ${summary.status}: ${summary.reason}`)}</error>`;
    return testcase(classname, objective.name, outcome);
  });
  const stoppedEarly = summary.status !== 'passed' && summary.status !== 'failed';
  if (stoppedEarly) {
    cases.push(
      testcase(
        classname,
        'run',
        `<error message="${attr(`run ${summary.status}: ${summary.reason}`)}" ` +
          `type="${summary.status}">${text(summary.errors.join('\n') || summary.reason)}</error>`,
      ),
    );
  }
  const failures = objectives.filter((objective) => objective.met === false).length;
  const errors = objectives.filter((objective) => objective.met === null).length + (stoppedEarly ? 1 : 0);
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds}"`;
  return junitDocument({
    name: summary.experiment,
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

/** A run is judged at its end: its testcases have no duration of their own. */
const testcase = (classname: string, name: string, outcome: string) => junitTestcase(classname, name, 0, outcome);
