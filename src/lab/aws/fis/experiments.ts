import type { Lab } from '../../lab';
import { withDefaults, type ActionDefinition } from './actions';
import type { Execution } from './executors/execution';
import { toxicName } from './executors/toxics';
import { epochSeconds } from './ids';
import type { LabResource } from './targets';
import type { TemplateBody } from './templates';

/**
 * One experiment and its state machine, as FIS runs it:
 *
 *   experiment  pending -> initiating -> running -> completed
 *                                     \-> stopping -> stopped     (StopExperiment, lab shutdown)
 *                                     \-> failed                  (an action failed)
 *   action      pending -> initiating -> running -> completed
 *                       \-> cancelled  (the experiment ended before it started)
 *                       \-> skipped    (its target resolved to nothing, emptyTargetResolutionMode skip)
 *               initiating|running -> stopping -> stopped
 *               initiating|running -> failed
 *
 * An action starts when every action in its startAfter has completed (or was skipped).
 * Its startTime is when its lab change is in effect, its endTime when the change is
 * reverted. Invariants: every lab change an action made is reverted before the action
 * (and so the experiment) reaches a final state; every timer ends when the experiment
 * does (they all listen to one AbortSignal).
 */

export type ExperimentStatus = 'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed';
export type ActionStatus =
  'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed' | 'cancelled' | 'skipped';

const finalExperimentStatuses: readonly ExperimentStatus[] = ['completed', 'stopped', 'failed'];

/** One state change, kept in order; `action` is absent for the experiment's own. */
export interface Transition {
  readonly at: number;
  readonly action?: string;
  readonly status: ExperimentStatus | ActionStatus;
  readonly reason: string;
}

export interface ActionRun {
  readonly name: string;
  readonly spec: TemplateBody['actions'][string];
  readonly definition: ActionDefinition;
  /** Selected resources by target key; empty lists only in skip mode. */
  readonly targets: Readonly<Record<string, readonly LabResource[]>>;
  status: ActionStatus;
  reason: string;
  startTime?: number;
  endTime?: number;
}

export interface ExperimentInit {
  readonly lab: Lab;
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly templateId: string;
  readonly body: TemplateBody;
  readonly tags: Record<string, string>;
  /** The resources each template target selected, by target name. */
  readonly resolvedTargets: ReadonlyMap<string, readonly LabResource[]>;
  readonly definitions: ReadonlyMap<string, ActionDefinition>;
}

export class Experiment {
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly templateId: string;
  readonly body: TemplateBody;
  readonly tags: Record<string, string>;
  readonly resolvedTargets: ReadonlyMap<string, readonly LabResource[]>;
  readonly creationTime = Date.now();
  readonly actions = new Map<string, ActionRun>();
  readonly history: Transition[] = [];
  status: ExperimentStatus = 'pending';
  reason = 'Experiment is pending.';
  startTime?: number;
  endTime?: number;
  /** Resolves when the experiment reaches a final state. */
  readonly done: Promise<void>;

  private readonly lab: Lab;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private ending: { status: 'stopped' | 'failed'; reason: string } | undefined;
  private resolveDone!: () => void;

  constructor(init: ExperimentInit) {
    this.lab = init.lab;
    this.id = init.id;
    this.arn = init.arn;
    this.region = init.region;
    this.templateId = init.templateId;
    this.body = init.body;
    this.tags = init.tags;
    this.resolvedTargets = init.resolvedTargets;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.history.push({ at: this.creationTime, status: 'pending', reason: this.reason });
    for (const [name, spec] of Object.entries(init.body.actions)) {
      const definition = init.definitions.get(spec.actionId)!;
      const targets: Record<string, readonly LabResource[]> = {};
      for (const [key, targetName] of Object.entries(spec.targets))
        targets[key] = init.resolvedTargets.get(targetName) ?? [];
      const action: ActionRun = { name, spec, definition, targets, status: 'pending', reason: 'Initial state' };
      this.actions.set(name, action);
      this.history.push({ at: this.creationTime, action: name, status: 'pending', reason: action.reason });
    }
  }

  get final(): boolean {
    return finalExperimentStatuses.includes(this.status);
  }

  /** pending -> initiating now; the actions start on the next turn of the event loop. */
  begin(): void {
    this.startTime = Date.now();
    this.set('initiating', 'Experiment is initiating.');
    setImmediate(() => this.launch());
  }

  /**
   * StopExperiment: pending actions are cancelled, running ones stopped (their lab change
   * reverted), then the experiment is stopped. False when it had already ended.
   */
  stop(reason = 'Experiment stopped by user.'): boolean {
    if (this.final) return false;
    if (this.ending) return true;
    this.ending = { status: 'stopped', reason };
    this.set('stopping', 'Experiment is stopping.');
    this.halt('the experiment was stopped');
    return true;
  }

  // ------------------------------------------------------------------ the machine

  private launch(): void {
    if (!this.ending) this.set('running', 'Experiment is running.');
    this.advance();
  }

  /** Starts every action whose turn has come; finishes the experiment when nothing is left. */
  private advance(): void {
    if (this.final) return;
    let progressed = true;
    while (progressed && !this.ending) {
      progressed = false;
      for (const action of this.actions.values()) {
        if (action.status !== 'pending') continue;
        const ready = action.spec.startAfter.every((after) =>
          ['completed', 'skipped'].includes(this.actions.get(after)!.status),
        );
        if (!ready) continue;
        progressed = true;
        const empty = Object.entries(action.targets).find(([, resources]) => resources.length === 0);
        if (empty) {
          this.setAction(
            action,
            'skipped',
            `Skipped: target ${action.spec.targets[empty[0]]} resolved to no resources ` +
              `(emptyTargetResolutionMode skip).`,
          );
          continue;
        }
        const run: Promise<void> = this.runAction(action).finally(() => {
          this.inFlight.delete(run);
          this.advance();
        });
        this.inFlight.add(run);
      }
    }
    const waiting = [...this.actions.values()].some((action) => action.status === 'pending');
    if (this.inFlight.size === 0 && (this.ending || !waiting)) this.finish();
  }

  private async runAction(action: ActionRun): Promise<void> {
    this.setAction(action, 'initiating', 'Action is initiating.');
    let execution: Execution | undefined;
    try {
      execution = action.definition.executor({
        lab: this.lab,
        region: this.region,
        targets: action.targets,
        parameters: withDefaults(action.definition, action.spec.parameters),
        faultName: toxicName(this.id, action.name),
      });
      await execution.inject();
    } catch (error) {
      await execution?.revert().catch(() => undefined);
      this.actionFailed(action, `could not start: ${message(error)}`);
      return;
    }
    action.startTime = Date.now();
    if (action.status === 'initiating') this.setAction(action, 'running', `Action is running: ${execution.summary}.`);
    try {
      await execution.settle(this.abort.signal);
    } catch (error) {
      await execution.revert().catch(() => undefined);
      this.actionFailed(action, message(error));
      return;
    }
    const stopping = action.status === 'stopping';
    try {
      await execution.revert();
    } catch (error) {
      this.actionFailed(action, `could not revert its change: ${message(error)}`);
      return;
    }
    action.endTime = Date.now();
    if (stopping) this.setAction(action, 'stopped', 'Action was stopped.');
    else this.setAction(action, 'completed', 'Action was completed.');
  }

  private actionFailed(action: ActionRun, why: string): void {
    action.endTime = Date.now();
    this.setAction(action, 'failed', why);
    if (this.ending) return;
    this.ending = { status: 'failed', reason: `Action ${action.name} (${action.definition.id}) failed: ${why}` };
    this.halt(`action ${action.name} failed`);
  }

  /** Ends every timer, cancels what has not started, and marks what runs as stopping. */
  private halt(why: string): void {
    this.abort.abort();
    for (const action of this.actions.values()) {
      if (action.status === 'pending') this.setAction(action, 'cancelled', `Action was cancelled: ${why}.`);
      else if (action.status === 'initiating' || action.status === 'running')
        this.setAction(action, 'stopping', 'Action is stopping.');
    }
    // Runs that are in flight call advance() when they end; with none, finish now.
    queueMicrotask(() => this.advance());
  }

  private finish(): void {
    if (this.final) return;
    this.endTime = Date.now();
    if (this.ending) this.set(this.ending.status, this.ending.reason);
    else this.set('completed', 'Experiment completed.');
    this.resolveDone();
  }

  private set(status: ExperimentStatus, reason: string): void {
    this.status = status;
    this.reason = reason;
    this.history.push({ at: Date.now(), status, reason });
  }

  private setAction(action: ActionRun, status: ActionStatus, reason: string): void {
    action.status = status;
    action.reason = reason;
    this.history.push({ at: Date.now(), action: action.name, status, reason });
  }

  // ------------------------------------------------------------------ wire shapes

  json(): Record<string, unknown> {
    const actions: Record<string, unknown> = {};
    for (const action of this.actions.values()) {
      actions[action.name] = {
        actionId: action.spec.actionId,
        description: action.spec.description,
        parameters: action.spec.parameters,
        targets: action.spec.targets,
        startAfter: action.spec.startAfter,
        state: { status: action.status, reason: action.reason },
        startTime: action.startTime === undefined ? undefined : epochSeconds(action.startTime),
        endTime: action.endTime === undefined ? undefined : epochSeconds(action.endTime),
      };
    }
    return {
      id: this.id,
      arn: this.arn,
      experimentTemplateId: this.templateId,
      roleArn: this.body.roleArn,
      state: { status: this.status, reason: this.reason },
      targets: this.body.targets,
      actions,
      stopConditions: this.body.stopConditions,
      creationTime: epochSeconds(this.creationTime),
      startTime: this.startTime === undefined ? undefined : epochSeconds(this.startTime),
      endTime: this.endTime === undefined ? undefined : epochSeconds(this.endTime),
      tags: this.tags,
      logConfiguration: this.body.logConfiguration,
      experimentOptions: this.body.experimentOptions,
      targetAccountConfigurationsCount: 0,
    };
  }

  summaryJson(): Record<string, unknown> {
    return {
      id: this.id,
      arn: this.arn,
      experimentTemplateId: this.templateId,
      state: { status: this.status, reason: this.reason },
      creationTime: epochSeconds(this.creationTime),
      tags: this.tags,
    };
  }

  resolvedTargetsJson(targetName?: string): Array<Record<string, unknown>> {
    return [...this.resolvedTargets.entries()]
      .filter(([name]) => targetName === undefined || name === targetName)
      .flatMap(([name, resources]) =>
        resources.map((resource) => ({
          resourceType: resource.type,
          targetName: name,
          targetInformation: { arn: resource.arn },
        })),
      );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
