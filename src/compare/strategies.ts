import { GamedayError } from '../core/errors';
import { labStrategyNames } from '../targets/lab';

/** `--strategies` names a strategy the lab does not build, or nothing at all. */
export class StrategyListError extends GamedayError {}

/**
 * The strategies a comparison runs, in the order given: `all` (every strategy the lab
 * builds, in its order) or names separated by commas; each at most once. An unknown name
 * is refused with the list of valid ones.
 */
export function parseStrategies(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0)
    throw new StrategyListError(`--strategies: name at least one, or all; valid: ${labStrategyNames.join(', ')}`);
  if (names.includes('all')) {
    if (names.length > 1) throw new StrategyListError('--strategies: all runs every strategy; give it alone');
    return [...labStrategyNames];
  }
  const unknown = names.filter((name) => !labStrategyNames.includes(name));
  if (unknown.length > 0) {
    const quoted = unknown.map((name) => JSON.stringify(name)).join(', ');
    throw new StrategyListError(
      `--strategies: unknown strateg${unknown.length === 1 ? 'y' : 'ies'} ${quoted}; ` +
        `valid: all, ${labStrategyNames.join(', ')}`,
    );
  }
  return [...new Set(names)];
}
