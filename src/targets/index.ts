import { z } from 'zod';
import { awsTarget, awsTargetSchema } from './aws';
import { endpointsTarget, endpointsTargetSchema } from './endpoints';
import type { TargetKind } from './kind';
import { labTarget, labTargetSchema } from './lab';
import type { LockRequest } from './lock';
import type { TargetSession } from './session';

/** Every kind of target by its `kind`; the schema's union lists the same. */
export const targetKinds = { endpoints: endpointsTarget, lab: labTarget, aws: awsTarget };

export const targetSchema = z.discriminatedUnion('kind', [endpointsTargetSchema, labTargetSchema, awsTargetSchema]);

export type Target = z.output<typeof targetSchema>;
export type TargetConfig = z.input<typeof targetSchema>;

/** The adapter of a target, typed for it. */
export function targetKindOf<T extends Target>(target: T): TargetKind<z.ZodType<T>> {
  return targetKinds[target.kind] as unknown as TargetKind<z.ZodType<T>>;
}

/**
 * Opens the target for one run, or for a whole GameDay, and takes it: a second run
 * against the same target is refused (LockHeldError, AwsTargetBusyError) before anything
 * is injected.
 */
export function openTarget(
  target: Target,
  lock: Omit<LockRequest, 'target'>,
  onProgress: (message: string) => void,
): Promise<TargetSession> {
  return targetKindOf(target).open(target, lock, onProgress);
}

export type { TargetSession, DnsServer, DirectApi } from './session';
export { TargetError, formatDnsServer } from './session';
export type { TargetKind } from './kind';
export { descriptionReader, type DescriptionReader, type DnsFailoverConfig } from './descriptions';
export type { LabTarget } from './lab';
export type { AwsTarget } from './aws';
export type { EndpointsTarget } from './endpoints';
