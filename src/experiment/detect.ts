/**
 * Which kind of file a default export is: `validate`, `plan` and `run` take either. The
 * fields only a scenario has decide, so a scenario that forgot its steps is still read (and
 * told so) as a scenario, and anything else as an experiment, whose messages are the old ones.
 */
const scenarioOnlyFields = ['steps', 'participants', 'objectives'] as const;

export function isScenarioDefinition(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  try {
    return scenarioOnlyFields.some((field) => field in value);
  } catch {
    // A proxy that throws on `in`: the experiment validator says what it threw.
    return false;
  }
}
