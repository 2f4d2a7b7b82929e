import { z } from 'zod';
import { duration, name, serviceName, staleAfter, type ReportIssue } from '../core/fields';
import type { ExperimentConfig } from '../experiment/schema';
import { notifySchema } from '../experiment/notify';
import { scheduleSchema } from '../experiment/schedule';
import { parseThreshold, type Threshold } from '../experiment/thresholds';
import { targetKindOf, targetSchema } from '../targets';

/**
 * The GameDay scenario schema: one target for the whole day, the people, the day's
 * objectives and the steps in order. `z.input` of it is what users write, `z.output` what
 * validation resolves further (each experiment step's file loaded and checked against the
 * day's target, in validate.ts).
 */

export const participantRoles = ['facilitator', 'operator', 'observer', 'approver'] as const;
export type ParticipantRole = (typeof participantRoles)[number];

const participantSchema = z.strictObject({
  name,
  role: z.enum(participantRoles),
  /** A Slack member ID: mentioned in the day's Slack thread, at its start and at the checkpoints they may answer. */
  slack: z
    .string({ error: "expected a Slack member id like 'U024BE7LH'" })
    .regex(/^[UW][A-Z0-9]{2,20}$/, { error: "expected a Slack member id like 'U024BE7LH'" })
    .optional(),
});

export type Participant = z.output<typeof participantSchema>;

/** An objective of the whole day: every experiment passed, or a bound on what the day cost. */
export type ScenarioObjective = { metric: 'passed'; text: 'passed' } | Threshold<'budget' | 'rto' | 'rpo'>;

export const objectiveHint =
  "'passed' (every experiment of the day passed), 'budget<5%' (each SLO's error budget burned, summed over the " +
  "day's experiments), 'rto<60s' (the worst RTO of the day) or 'rpo<=1s' (the worst RPO of the day)";

const objectiveSchema = z.string({ error: `expected ${objectiveHint}` }).transform((text, ctx): ScenarioObjective => {
  if (text.trim() === 'passed') return { metric: 'passed', text: 'passed' };
  const threshold = parseThreshold(text);
  if (typeof threshold === 'string') {
    ctx.addIssue({ code: 'custom', message: `expected ${objectiveHint}, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  if (threshold.journey !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message:
        `a day's objectives are not per journey; set '${threshold.text}' in that experiment's hypothesis, or use ` +
        objectiveHint,
    });
    return z.NEVER;
  }
  if (threshold.metric === 'burn' || threshold.metric === 'alerts') {
    ctx.addIssue({
      code: 'custom',
      message:
        `${threshold.metric} is judged per experiment (an SLO's expect), not over a day; a day's objectives ` +
        `are ${objectiveHint}`,
    });
    return z.NEVER;
  }
  return threshold as Threshold<'budget' | 'rto' | 'rpo'>;
});

const stepName = name.optional();

const inlineOrFile =
  "expected an experiment file path (relative to the scenario, e.g. './latency.ts') or an inline " +
  'defineExperiment({...})';

const experimentStepSchema = z.strictObject({
  kind: z.literal('experiment'),
  /** Default: the experiment's name. */
  name: stepName,
  /** A file path, relative to the scenario's file, or an inline `defineExperiment({...})`. */
  experiment: z.custom<string | ExperimentConfig>(
    (value) =>
      (typeof value === 'string' && value.trim() !== '') ||
      (value !== null && typeof value === 'object' && !Array.isArray(value)),
    { error: inlineOrFile },
  ),
  /** A failed (or aborted) experiment does not end the day; the day's objectives still judge it. */
  continueOnFailure: z.boolean().default(false),
});

const checkpointStepSchema = z
  .strictObject({
    kind: z.literal('checkpoint'),
    /** Default: the question. */
    name: stepName,
    question: z
      .string({ error: "expected the go/no-go question, e.g. 'Go on to the region outage?'" })
      .trim()
      .min(1, { error: "expected the go/no-go question, e.g. 'Go on to the region outage?'" }),
    /** Without one, the day waits for an answer as long as it takes. */
    timeout: duration({ max: '24h' }).optional(),
    /** The answer when the timeout passes; 'no' unless said. */
    default: z.enum(['yes', 'no']).optional(),
  })
  .superRefine((step, ctx) => {
    if (step.default !== undefined && step.timeout === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: "is the answer given when the timeout passes; give a timeout too (e.g. timeout: '5m')",
      });
  });

const waitStepSchema = z.strictObject({
  kind: z.literal('wait'),
  /** Default: 'wait <duration>'. */
  name: stepName,
  duration: duration({ max: '1h' }),
  /** Why the day pauses (let replication catch up), printed and journaled. */
  reason: z.string().default(''),
});

const noteStepSchema = z.strictObject({
  kind: z.literal('note'),
  /** Default: the message's first line. */
  name: stepName,
  /** Said to the team: printed, journaled, shown in the report. */
  message: z
    .string({ error: 'expected the text to say to the team' })
    .trim()
    .min(1, { error: 'expected the text to say to the team' }),
});

const checkStepSchema = z.strictObject({
  kind: z.literal('check'),
  /** Default: 'readiness check'. */
  name: stepName,
  /** A failed check does not end the day (the experiments after it run on a target found not ready). */
  continueOnFailure: z.boolean().default(false),
});

export const stepSchema = z.discriminatedUnion('kind', [
  experimentStepSchema,
  checkpointStepSchema,
  waitStepSchema,
  noteStepSchema,
  checkStepSchema,
]);

export type StepConfig = z.input<typeof stepSchema>;
export type ParsedStep = z.output<typeof stepSchema>;

export const scenarioSchema = z
  .strictObject({
    name,
    description: z.string().default(''),
    /** The one target every step runs on; default: the embedded lab (an ephemeral one unless a lab is up). */
    target: targetSchema.prefault({ kind: 'lab' }),
    participants: z.array(participantSchema).default([]),
    /** What decides the day's verdict once every step has run; default: every experiment passed. */
    objectives: z.array(objectiveSchema).prefault(['passed']),
    steps: z
      .array(stepSchema)
      .min(1, { error: 'a GameDay needs at least one step' })
      .max(100, { error: 'at most 100 steps' }),
    tags: z.array(z.string().min(1)).default([]),
    /**
     * One thread (or POST series) per notifier for the whole day, its experiments' updates included; the experiments'
     * own notify lists are not used in a GameDay. Absent: the environment's default.
     */
    notify: notifySchema.optional(),
    /** The service the day is evidence for; each experiment step without a service of its own takes it. */
    service: serviceName.optional(),
    /** How long the day's runs stay current evidence; each experiment step without its own takes it. */
    staleAfter: staleAfter.optional(),
    /** When `gameday schedule run` starts the day on its own (the experiments' own schedules are not used in it). */
    schedule: scheduleSchema.optional(),
  })
  .superRefine((scenario, ctx) => {
    const report: ReportIssue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
    targetKindOf(scenario.target).validate?.(scenario.target, (path, message) => report(['target', ...path], message));
    const people = new Set<string>();
    scenario.participants.forEach((participant, index) => {
      if (people.has(participant.name))
        report(['participants', index, 'name'], `duplicate participant ${JSON.stringify(participant.name)}`);
      people.add(participant.name);
    });
    const metrics = new Set<string>();
    scenario.objectives.forEach((objective, index) => {
      if (metrics.has(objective.metric)) report(['objectives', index], `${objective.metric} is given twice`);
      metrics.add(objective.metric);
    });
  });

export type ScenarioConfig = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;
