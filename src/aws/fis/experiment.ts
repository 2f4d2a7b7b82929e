import type { CreateExperimentTemplateCommandInput, Experiment, FisClient } from '@aws-sdk/client-fis';
import { sdk } from '../sdk';
import { randomUUID } from 'node:crypto';
import { describeAwsError } from '../clients';
import { GamedayError } from '../../core/errors';

export const pollIntervalMs = 250;
const activeStates = new Set(['pending', 'initiating', 'running']);

export class FisExperimentError extends GamedayError {}

export async function createTemplate(fis: FisClient, input: CreateExperimentTemplateCommandInput): Promise<string> {
  try {
    const output = await fis.send(new sdk.fis.CreateExperimentTemplateCommand({ clientToken: randomUUID(), ...input }));
    return output.experimentTemplate!.id!;
  } catch (error) {
    throw new FisExperimentError(`FIS rejected the experiment template: ${describeAwsError(error)}`);
  }
}

export async function startExperiment(
  fis: FisClient,
  templateId: string,
  tags: Record<string, string>,
): Promise<string> {
  try {
    const output = await fis.send(
      new sdk.fis.StartExperimentCommand({ experimentTemplateId: templateId, clientToken: randomUUID(), tags }),
    );
    return output.experiment!.id!;
  } catch (error) {
    throw new FisExperimentError(`FIS could not start the experiment: ${describeAwsError(error)}`);
  }
}

/**
 * Polls until every action of the experiment is running (or done) and returns the
 * latest action start time: the moment the fault is in effect, which is t_fault. An
 * experiment that fails or stops first is an error carrying FIS's reason.
 */
export async function waitUntilActive(
  fis: FisClient,
  experimentId: string,
  timeoutMs: number,
): Promise<{ startedAt: number; experiment: Experiment }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const experiment = await getExperiment(fis, experimentId);
    const status = experiment?.state?.status;
    const actions = Object.values(experiment?.actions ?? {});
    if (status === 'failed' || status === 'stopped') {
      throw new FisExperimentError(
        `FIS experiment ${experimentId} ${status}${experiment?.state?.reason ? `: ${experiment.state.reason}` : ''}`,
      );
    }
    const started =
      actions.length > 0 &&
      actions.every(
        (action) => action.startTime && action.state?.status !== 'pending' && action.state?.status !== 'initiating',
      );
    if (started || status === 'completed') {
      const startedAt = Math.max(...actions.map((action) => action.startTime?.getTime() ?? Date.now()));
      return { startedAt, experiment: experiment! };
    }
    if (Date.now() > deadline)
      throw new FisExperimentError(`FIS experiment ${experimentId} was still ${status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

/** Experiments started from a template (paged; FIS's list call has no filter). */
async function experimentsOf(fis: FisClient, templateId: string): Promise<Array<{ id: string; status: string }>> {
  const found: Array<{ id: string; status: string }> = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new sdk.fis.ListExperimentsCommand({ nextToken, maxResults: 100 }));
    for (const summary of page.experiments ?? []) {
      if (summary.experimentTemplateId === templateId && summary.id)
        found.push({ id: summary.id, status: summary.state?.status ?? 'unknown' });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** A FIS experiment gameday started (tag gameday:managed-by) that has not ended. */
export interface ManagedExperiment {
  id: string;
  status: string;
  runId: string;
  fault: string;
  createdAt: string | null;
}

/**
 * gameday's experiments still pending, initiating or running in the region: the marker
 * that another run (or one that died without `gameday recover`) is acting on the account.
 */
export async function activeManagedExperiments(fis: FisClient): Promise<ManagedExperiment[]> {
  const found: ManagedExperiment[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new sdk.fis.ListExperimentsCommand({ nextToken, maxResults: 100 }));
    for (const summary of page.experiments ?? []) {
      const status = summary.state?.status ?? 'unknown';
      if (summary.tags?.['gameday:managed-by'] !== 'gameday' || !activeStates.has(status)) continue;
      found.push({
        id: summary.id ?? '?',
        status,
        runId: summary.tags['gameday:run-id'] ?? 'unknown',
        fault: summary.tags['gameday:fault'] ?? 'unknown',
        createdAt: summary.creationTime?.toISOString() ?? null,
      });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/**
 * Stops whatever runs from the template and deletes it. Idempotent: an experiment that
 * already ended, or a template already deleted, is fine — that is the state undo wants.
 */
export async function stopAndDelete(
  fis: FisClient,
  templateId: string,
  timeoutMs: number,
): Promise<{ stopped: string[] }> {
  const stopped: string[] = [];
  for (const experiment of await experimentsOf(fis, templateId)) {
    if (!activeStates.has(experiment.status)) continue;
    await stopExperiment(fis, experiment.id, timeoutMs);
    stopped.push(experiment.id);
  }
  try {
    await fis.send(new sdk.fis.DeleteExperimentTemplateCommand({ id: templateId }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  return { stopped };
}

/** Stops one experiment and waits until it has ended; one that already ended (or is gone) is fine. */
export async function stopExperiment(fis: FisClient, experimentId: string, timeoutMs: number): Promise<void> {
  try {
    await fis.send(new sdk.fis.StopExperimentCommand({ id: experimentId }));
  } catch (error) {
    // Gone, or ended between the list and the stop: either way it is no longer running.
    const name = (error as { name?: string }).name;
    if (name !== 'ResourceNotFoundException' && name !== 'ConflictException') throw error;
  }
  await waitUntilEnded(fis, experimentId, timeoutMs);
}

async function getExperiment(fis: FisClient, experimentId: string): Promise<Experiment | undefined> {
  try {
    return (await fis.send(new sdk.fis.GetExperimentCommand({ id: experimentId }))).experiment;
  } catch (error) {
    // The SDK has already retried throttling with backoff; what reaches here is final.
    throw new FisExperimentError(`FIS GetExperiment ${experimentId}: ${describeAwsError(error)}`);
  }
}

async function waitUntilEnded(fis: FisClient, experimentId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const experiment = await getExperiment(fis, experimentId);
    const status = experiment?.state?.status ?? 'unknown';
    if (!activeStates.has(status) && status !== 'stopping') return;
    if (Date.now() > deadline)
      throw new FisExperimentError(
        `FIS experiment ${experimentId} still ${status} ${timeoutMs} ms after StopExperiment`,
      );
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

/**
 * Checks an action's parameters against the catalogue FIS publishes (GetAction): every
 * parameter we send is one FIS knows, every required one is there. A mismatch is said
 * before anything is created. An endpoint that does not serve GetAction is not an error:
 * CreateExperimentTemplate validates again.
 */
export async function checkActionParameters(
  fis: FisClient,
  actionId: string,
  parameters: Record<string, string>,
): Promise<void> {
  let known: Record<string, { required?: boolean }> | undefined;
  try {
    known = (await fis.send(new sdk.fis.GetActionCommand({ id: actionId }))).action?.parameters;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ResourceNotFoundException' || name === 'ValidationException') {
      throw new FisExperimentError(`FIS does not offer action ${actionId} here: ${describeAwsError(error)}`);
    }
    return;
  }
  if (!known) return;
  const unknown = Object.keys(parameters).filter((parameter) => !(parameter in known!));
  const missing = Object.entries(known)
    .filter(([parameter, definition]) => definition.required && !(parameter in parameters))
    .map(([parameter]) => parameter);
  if (unknown.length > 0 || missing.length > 0) {
    const problems = [
      unknown.length > 0 ? `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` : '',
      missing.length > 0 ? `missing required ${missing.join(', ')}` : '',
    ].filter(Boolean);
    throw new FisExperimentError(
      `FIS action ${actionId}: ${problems.join('; ')} (GetAction lists: ${Object.keys(known).join(', ') || 'none'})`,
    );
  }
}
