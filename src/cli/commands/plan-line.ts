/** One line of an experiment's timeline: its offset from the start of observation, its phase, what it does. */
export function timelineLine(step: { atMs: number; phase: string; action: string }): string {
  const at = `${step.atMs < 0 ? '-' : '+'}${(Math.abs(step.atMs) / 1000).toFixed(1)}s`.padStart(8);
  return `${at}  ${step.phase.padEnd(12)} ${step.action}`;
}
