import path from 'node:path';
import { z } from 'zod';
import type { BaselineRecord } from '../core/events';
import { probeKindOf } from '../probes';
import { ExperimentValidationError, type ExperimentIssue } from './errors';
import { describeValue, formatPath, isThenable, issuesOf, notAnObjectHint } from './issues';
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
  /** The run `gameday gate --baseline` compares this one with (experiment/baseline.ts); never from the file. */
  baseline?: BaselineRecord;
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

function resolve(parsed: ParsedExperiment, file: string, ruleFiles: string[]): Experiment {
  const spec = { ...parsed, probes: probesBesideTheFile(parsed.probes, file) };
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

/** Files a probe names relative to the experiment file (a k6 script): made absolute, and each one checked to exist. */
function probesBesideTheFile(probes: ParsedExperiment['probes'], file: string): ParsedExperiment['probes'] {
  const issues: ExperimentIssue[] = [];
  const dir = path.dirname(path.resolve(file));
  const resolved = probes.map((probe, index) => {
    const kind = probeKindOf(probe);
    if (!kind?.resolveFiles) return probe;
    return kind.resolveFiles(probe, dir, (at, message) =>
      issues.push({ file, path: formatPath(['probes', index, ...at]), message }),
    );
  });
  if (issues.length > 0) throw new ExperimentValidationError(issues);
  return resolved;
}
