import type { Lab } from '../../lab';
import type { AwsServiceFactory, AwsServiceHandler } from '../handler';
import { fisRequestHandler } from './server';
import { FisService, type FisServiceOptions } from './service';

/**
 * The lab's AWS Fault Injection Service: the FIS API subset gameday uses, served on the
 * control endpoint for requests signed for `fis`, so the official SDK drives the lab as it
 * drives a real account. Actions are carried out by the lab's fault proxies and process
 * control (see actions.ts for the catalogue).
 */

/** The handler, with the service behind it and `close()`, which stops every experiment (reverting its changes). */
export type FisHandler = AwsServiceHandler & { readonly service: FisService; close(): Promise<void> };

export function createFisService(lab: Lab, options?: FisServiceOptions): FisHandler {
  const service = new FisService(lab, options);
  return Object.assign(fisRequestHandler(service), { service, close: () => service.close() });
}

export const createFisHandler = ((lab: Lab): FisHandler => createFisService(lab)) satisfies AwsServiceFactory;

export { FisService, type FisServiceOptions } from './service';
export { actions, type ActionDefinition, type ParameterDefinition } from './actions';
export { FisError, type FisErrorCode } from './errors';
export type { Experiment, ExperimentStatus, ActionStatus, Transition } from './experiments';
export { parseIsoDuration } from './duration';
