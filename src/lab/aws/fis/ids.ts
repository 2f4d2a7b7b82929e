import { randomInt } from 'node:crypto';
import { labAccountId } from '../resources';

/**
 * FIS identifiers: templates are `EXT` + random characters, experiments `EXP` + random
 * characters, and both have regional ARNs in the lab's account.
 */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomChars(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export const newTemplateId = (): string => `EXT${randomChars(14)}`;
export const newExperimentId = (): string => `EXP${randomChars(15)}`;

export const templateArn = (region: string, id: string): string =>
  `arn:aws:fis:${region}:${labAccountId}:experiment-template/${id}`;
export const experimentArn = (region: string, id: string): string =>
  `arn:aws:fis:${region}:${labAccountId}:experiment/${id}`;
export const actionArn = (region: string, id: string): string => `arn:aws:fis:${region}:${labAccountId}:action/${id}`;

/** What a FIS ARN names, or undefined when it is not one. */
export function parseFisArn(
  arn: string,
): { region: string; kind: 'experiment-template' | 'experiment'; id: string } | undefined {
  const match = /^arn:aws:fis:([^:]+):(\d{12}):(experiment-template|experiment)\/([A-Za-z0-9]+)$/.exec(arn);
  if (!match || match[2] !== labAccountId) return undefined;
  return { region: match[1], kind: match[3] as 'experiment-template' | 'experiment', id: match[4] };
}

/** Seconds since the epoch, with milliseconds: how restJson1 sends FIS timestamps. */
export const epochSeconds = (ms: number): number => ms / 1000;
