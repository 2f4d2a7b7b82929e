import type { LabRequest, RollbackRecord } from '../core/events';
import type { DirectApi } from '../targets/session';
import type { FaultContext } from './types';
import { FaultError } from './types';
import { LabApiError, LabClient } from '../lab/client';

export const labRollbackTimeoutMs = 30_000;

/** The target's direct API; only the lab offers one. */
export function requireDirectApi(context: FaultContext, kind: string): DirectApi {
  if (!context.target.direct) throw new FaultError(`${kind} needs the lab target`);
  return context.target.direct;
}

/** Toxics a fault adds are named after it, so its rollback removes exactly those. */
export function toxicNameFor(faultName: string): string {
  return `gameday-${faultName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

export function labRollback(
  direct: DirectApi,
  requests: LabRequest[],
  description: string,
): Extract<RollbackRecord, { kind: 'lab' }> {
  return {
    kind: 'lab',
    labDir: direct.labDir,
    controlUrl: direct.controlUrl,
    requests,
    description,
    timeoutMs: labRollbackTimeoutMs,
  };
}

/** Performs control-API calls; a 404 on a DELETE means the thing is already gone, which is what undo wants. */
export async function performLabRequests(controlUrl: string, requests: LabRequest[]): Promise<void> {
  const client = new LabClient(controlUrl);
  for (const request of requests) {
    try {
      await client.call(request.method, request.path, request.body);
    } catch (error) {
      if (error instanceof LabApiError && error.status === 404 && request.method === 'DELETE') continue;
      throw error;
    }
  }
}

export async function injectLabRequests(controlUrl: string, requests: LabRequest[]): Promise<void> {
  try {
    await performLabRequests(controlUrl, requests);
  } catch (error) {
    throw new FaultError((error as Error).message);
  }
}
