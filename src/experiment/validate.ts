import { z } from 'zod';
import { ExperimentValidationError } from './errors';
import { describeValue, isThenable, issuesOf, notAnObjectHint } from './issues';
import type { ResolvedFault } from '../faults';
import { resolveRuleFiles } from './rule-files';
import { experimentSchema } from './schema';

/** What the schema gives: defaults applied, durations in ms; faults not yet named, the duration not yet resolved. */
type ParsedExperiment = z.output<typeof experimentSchema>;

export type { ResolvedFault };

/** An experiment ready to run: validated, defaults applied, every duration in ms. */
export type Experiment = Omit<ParsedExperiment, 'faults' | 'duration' | 'alerts'> & {
  faults: ResolvedFault[];
  /** The rule files as absolute paths, and the SLO their windows are evaluated on (the only one, if not named). */
  alerts?: { rules: string[]; evaluationInterval?: number; slo?: string };
  /** Observation length in ms. */
  duration: number;
  /** The file it came from, for messages and reports. */
  file: string;
};

/** Observation continues this long after the last fault ends, unless the file says otherwise. */
export const defaultTailMs = 15_000;

/**
 * Validates an experiment definition. Returns the resolved experiment or throws
 * ExperimentValidationError carrying one issue per problem.
 */
export function validateExperiment(input: unknown, file: string): Experiment {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || isThenable(input)) {
    throw new ExperimentValidationError([
      {
        file,
        path: '',
        message:
          `expected an experiment object (export default defineExperiment({...})), got ` +
          `${describeValue(input)}${notAnObjectHint(input, 'experiments')}`,
      },
    ]);
  }
  let parsed: ReturnType<typeof experimentSchema.safeParse>;
  try {
    parsed = experimentSchema.safeParse(input);
  } catch (error) {
    // A getter or proxy in the file that throws while we read it: the file's fault, said as such.
    throw new ExperimentValidationError([
      {
        file,
        path: '',
        message: `reading the exported experiment threw: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  }
  if (!parsed.success) {
    throw new ExperimentValidationError(issuesOf(parsed.error.issues, input, file, experimentSchema));
  }
  // Files the experiment names are read only once the rest of it is valid.
  const rules = resolveRuleFiles(parsed.data.alerts?.rules ?? [], file);
  if (rules.issues.length > 0) throw new ExperimentValidationError(rules.issues);
  return resolve(parsed.data, file, rules.files);
}

function resolve(spec: ParsedExperiment, file: string, ruleFiles: string[]): Experiment {
  const faults = spec.faults.map((fault, index) => ({ ...fault, name: fault.name ?? `${fault.kind}-${index + 1}` }));
  const lastFaultEnd = Math.max(0, ...faults.map((fault) => fault.after + (fault.duration ?? 0)));
  const { alerts, ...rest } = spec;
  return {
    ...rest,
    ...(alerts
      ? {
          alerts: {
            ...alerts,
            rules: ruleFiles,
            ...(alerts.slo === undefined && spec.slos.length === 1 ? { slo: spec.slos[0].name } : {}),
          },
        }
      : {}),
    faults,
    duration: spec.duration ?? lastFaultEnd + defaultTailMs,
    file,
  };
}
