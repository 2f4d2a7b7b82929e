import { formatDuration } from '../../core/duration';
import { dayOffset } from '../../analysis/format';
import { targetKindOf } from '../../targets';
import { planScenario } from '../../scenario/plan';
import type { Scenario } from '../../scenario/validate';
import { timelineLine } from './plan-line';

/**
 * A GameDay's agenda: each step at its expected offset, each experiment with its own
 * timeline, and the length of the day — checkpoints counted as instant, since people take
 * what they take.
 */
export function printScenarioPlan(scenario: Scenario, options: { json: boolean }): number {
  const plan = planScenario(scenario);
  if (options.json) {
    process.stdout.write(
      JSON.stringify(
        {
          scenario: scenario.name,
          file: scenario.file,
          participants: scenario.participants,
          objectives: scenario.objectives.map((objective) => objective.text),
          ...plan,
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  const out: string[] = [`plan for GameDay ${scenario.name} (${scenario.file}); nothing has been run`, ''];
  for (const action of targetKindOf(scenario.target).planOpen(scenario.target))
    out.push(`target, opened once for the whole day: ${action}`);
  if (scenario.participants.length > 0)
    out.push(`participants: ${scenario.participants.map((person) => `${person.name} (${person.role})`).join(', ')}`);
  out.push(
    `objectives: ${scenario.objectives.length > 0 ? scenario.objectives.map((o) => o.text).join(', ') : 'none'}`,
  );
  const decisions = plan.checkpoints > 0 ? `, plus however long ${plan.checkpoints} checkpoint decisions take` : '';
  out.push(`expected length of the day: ${formatDuration(plan.expectedMs)}${decisions}`, '');
  for (const step of plan.steps) {
    const at = dayOffset(step.atMs);
    const length =
      step.kind === 'checkpoint' || step.kind === 'note' || step.kind === 'check'
        ? ''
        : ` (≈ ${formatDuration(step.expectedMs)})`;
    const lenient = step.continueOnFailure ? ', continues on failure' : '';
    out.push(`${at.padStart(6)}  step ${step.step}  ${step.kind.padEnd(10)} ${step.name}${length}${lenient}`);
    if (step.detail && step.detail !== step.name) out.push(`${' '.repeat(16)}${step.detail}`);
    if (step.timeout) out.push(`${' '.repeat(16)}${step.timeout}`);
    for (const line of step.timeline ?? []) out.push(`${' '.repeat(8)}${timelineLine(line)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
