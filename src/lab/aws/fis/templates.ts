import { actions, type CheckContext } from './actions';
import { quotaError, validationError } from './errors';
import { epochSeconds } from './ids';
import { describeLabResources, resolveCandidates, validateTarget, type LabResource, type TargetSpec } from './targets';

/**
 * Experiment templates: what CreateExperimentTemplate accepts, validated as FIS does (and a
 * little earlier: target resolution and SSM document parameters are checked at creation,
 * where FIS would fail the experiment later), and how a template is returned.
 */

export const maxActionsPerTemplate = 20;
export const maxTargetsPerTemplate = 20;
export const maxTags = 50;

export interface ActionSpec {
  actionId: string;
  description?: string;
  parameters: Record<string, string>;
  targets: Record<string, string>;
  startAfter: string[];
}

export interface StopCondition {
  source: string;
  value?: string;
}

export interface ExperimentOptions {
  accountTargeting: 'single-account';
  emptyTargetResolutionMode: 'fail' | 'skip';
}

/** Everything a template says, validated; shared by templates and the experiments made from them. */
export interface TemplateBody {
  description: string;
  targets: Record<string, TargetSpec>;
  actions: Record<string, ActionSpec>;
  stopConditions: StopCondition[];
  roleArn: string;
  experimentOptions: ExperimentOptions;
  logConfiguration?: Record<string, unknown>;
}

export interface TemplateRecord extends TemplateBody {
  id: string;
  arn: string;
  region: string;
  tags: Record<string, string>;
  creationTime: number;
  lastUpdateTime: number;
}

export interface ValidationContext extends CheckContext {
  readonly resources: readonly LabResource[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates a CreateExperimentTemplate body; throws a ValidationException naming the field. */
export function validateTemplate(
  input: Record<string, unknown>,
  context: ValidationContext,
): TemplateBody & { tags: Record<string, string> } {
  const known = [
    'clientToken',
    'description',
    'stopConditions',
    'targets',
    'actions',
    'roleArn',
    'tags',
    'logConfiguration',
    'experimentOptions',
  ];
  for (const key of Object.keys(input)) {
    if (!known.includes(key))
      throw validationError(`${key} is not a field of CreateExperimentTemplate; valid: ${known.join(', ')}`);
  }
  if (typeof input.description !== 'string')
    throw validationError('description is required (a string of at most 512 characters)');
  if (input.description.length > 512)
    throw validationError(`description is ${input.description.length} characters long; at most 512`);
  if (typeof input.roleArn !== 'string' || !input.roleArn.startsWith('arn:')) {
    throw validationError(
      `roleArn is required: the ARN of the IAM role FIS acts as (the lab accepts any ARN), got ` +
        `${JSON.stringify(input.roleArn)}`,
    );
  }
  const experimentOptions = validateExperimentOptions(input.experimentOptions);
  const stopConditions = validateStopConditions(input.stopConditions);
  const tags = validateTags(input.tags, 'tags');
  const logConfiguration =
    input.logConfiguration === undefined ? undefined : validateObject(input.logConfiguration, 'logConfiguration');

  const targetsInput = input.targets === undefined ? {} : validateObject(input.targets, 'targets');
  if (Object.keys(targetsInput).length > maxTargetsPerTemplate) {
    throw quotaError(
      `a template may have at most ${maxTargetsPerTemplate} targets, this one has ${Object.keys(targetsInput).length}`,
    );
  }
  const targets: Record<string, TargetSpec> = {};
  for (const [name, target] of Object.entries(targetsInput)) {
    checkName(name, 'targets');
    targets[name] = validateTarget(name, target);
    // Resolving now reports unknown ARNs and empty selections at creation, not at start.
    const candidates = resolveCandidates(name, targets[name], context.region, context.resources);
    if (candidates.length === 0 && experimentOptions.emptyTargetResolutionMode === 'fail')
      throw emptyTarget(name, targets[name], context);
  }

  const actionsInput = validateObject(input.actions, 'actions');
  const actionNames = Object.keys(actionsInput);
  if (actionNames.length === 0) throw validationError('actions must name at least one action');
  if (actionNames.length > maxActionsPerTemplate)
    throw quotaError(
      `a template may have at most ${maxActionsPerTemplate} actions, this one has ${actionNames.length}`,
    );
  const actionSpecs: Record<string, ActionSpec> = {};
  for (const [name, action] of Object.entries(actionsInput)) {
    checkName(name, 'actions');
    actionSpecs[name] = validateAction(name, action, targets, actionNames, context);
  }
  checkNoCycle(actionSpecs);
  return {
    description: input.description,
    targets,
    actions: actionSpecs,
    stopConditions,
    roleArn: input.roleArn,
    experimentOptions,
    logConfiguration,
    tags,
  };
}

/** What an experiment copies from its template. */
export function templateBody(template: TemplateRecord): TemplateBody {
  const {
    description,
    targets,
    actions: actionSpecs,
    stopConditions,
    roleArn,
    experimentOptions,
    logConfiguration,
  } = template;
  return { description, targets, actions: actionSpecs, stopConditions, roleArn, experimentOptions, logConfiguration };
}

export function emptyTarget(name: string, spec: TargetSpec, context: ValidationContext): Error {
  return validationError(
    `targets.${name} resolves to no ${spec.resourceType} in ${context.region}; the lab has there: ` +
      `${describeLabResources(spec.resourceType, context.region, context.resources)}`,
  );
}

function validateAction(
  name: string,
  input: unknown,
  targets: Record<string, TargetSpec>,
  actionNames: string[],
  context: CheckContext,
): ActionSpec {
  const where = `actions.${name}`;
  if (!isObject(input)) throw validationError(`${where} must be an object with actionId`);
  const known = ['actionId', 'description', 'parameters', 'targets', 'startAfter'];
  for (const key of Object.keys(input)) {
    if (!known.includes(key))
      throw validationError(`${where}.${key} is not an action field; valid: ${known.join(', ')}`);
  }
  const definition = typeof input.actionId === 'string' ? actions.get(input.actionId) : undefined;
  if (!definition) {
    const got =
      input.actionId === undefined
        ? 'is required'
        : `${JSON.stringify(input.actionId)} is not an action the lab carries out`;
    throw validationError(`${where}.actionId ${got}; valid: ${[...actions.keys()].join(', ')}`);
  }
  if (input.description !== undefined && typeof input.description !== 'string')
    throw validationError(`${where}.description must be a string`);

  const parameters = input.parameters === undefined ? {} : validateStringMap(input.parameters, `${where}.parameters`);
  const valid = Object.keys(definition.parameters);
  for (const [parameter, value] of Object.entries(parameters)) {
    const spec = definition.parameters[parameter];
    if (!spec)
      throw validationError(
        `${where}.parameters.${parameter} is not a parameter of ${definition.id}; valid: ${valid.join(', ') || 'none'}`,
      );
    const problem = spec.check?.(value, context);
    if (problem) throw validationError(`${where}.parameters.${parameter}: ${problem}`);
  }
  for (const [parameter, spec] of Object.entries(definition.parameters)) {
    if (spec.required && parameters[parameter] === undefined)
      throw validationError(`${where}.parameters.${parameter} is required by ${definition.id}: ${spec.description}`);
  }

  const actionTargets = input.targets === undefined ? {} : validateStringMap(input.targets, `${where}.targets`);
  const expected = definition.target;
  for (const [key, targetName] of Object.entries(actionTargets)) {
    if (!expected) throw validationError(`${where}.targets: ${definition.id} takes no targets`);
    if (key !== expected.key)
      throw validationError(`${where}.targets.${key} is not a target of ${definition.id}; valid: ${expected.key}`);
    const target = targets[targetName];
    if (!target)
      throw validationError(
        `${where}.targets.${key} names target ${JSON.stringify(targetName)}, which the template does ` +
          `not define; defined: ${Object.keys(targets).join(', ') || 'none'}`,
      );
    if (target.resourceType !== expected.resourceType) {
      throw validationError(
        `${where}.targets.${key} must be a target of type ${expected.resourceType}; ` +
          `targets.${targetName} is of type ${target.resourceType}`,
      );
    }
  }
  if (expected && actionTargets[expected.key] === undefined) {
    throw validationError(
      `${where}.targets.${expected.key} is required by ${definition.id}: a target of type ${expected.resourceType}`,
    );
  }

  let startAfter: string[] = [];
  if (input.startAfter !== undefined) {
    if (!Array.isArray(input.startAfter) || !input.startAfter.every((after) => typeof after === 'string')) {
      throw validationError(`${where}.startAfter must be a list of action names`);
    }
    startAfter = [...new Set(input.startAfter as string[])];
    for (const after of startAfter) {
      if (after === name) throw validationError(`${where}.startAfter names the action itself`);
      if (!actionNames.includes(after))
        throw validationError(
          `${where}.startAfter names ${JSON.stringify(after)}, which is not an action of the ` +
            `template; actions: ${actionNames.join(', ')}`,
        );
    }
  }
  const spec: ActionSpec = { actionId: definition.id, parameters, targets: actionTargets, startAfter };
  if (input.description !== undefined) spec.description = input.description as string;
  return spec;
}

function checkNoCycle(specs: Record<string, ActionSpec>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw validationError(`actions: startAfter makes a cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const after of specs[name].startAfter) visit(after, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(specs)) visit(name, []);
}

function validateStopConditions(input: unknown): StopCondition[] {
  if (!Array.isArray(input) || input.length === 0)
    throw validationError('stopConditions is required: a list such as [{"source": "none"}]');
  return input.map((condition, i) => {
    const where = `stopConditions[${i}]`;
    if (!isObject(condition) || typeof condition.source !== 'string')
      throw validationError(`${where} must be {source, value?}`);
    if (condition.source === 'aws:cloudwatch:alarm') {
      throw validationError(
        `${where}: the lab has no CloudWatch alarms, so source aws:cloudwatch:alarm cannot be used; ` +
          `use {"source": "none"}`,
      );
    }
    if (condition.source !== 'none')
      throw validationError(
        `${where}.source ${JSON.stringify(condition.source)} is not valid; valid: none, ` +
          `aws:cloudwatch:alarm (real accounts only)`,
      );
    if (condition.value !== undefined) throw validationError(`${where}.value must be left out when source is none`);
    return { source: 'none' };
  });
}

function validateExperimentOptions(input: unknown): ExperimentOptions {
  const options = input === undefined ? {} : validateObject(input, 'experimentOptions');
  for (const key of Object.keys(options)) {
    if (!['accountTargeting', 'emptyTargetResolutionMode'].includes(key))
      throw validationError(
        `experimentOptions.${key} is not valid; valid: accountTargeting, emptyTargetResolutionMode`,
      );
  }
  if (options.accountTargeting !== undefined && options.accountTargeting !== 'single-account') {
    throw validationError(
      `experimentOptions.accountTargeting ${JSON.stringify(options.accountTargeting)} is not valid: ` +
        `the lab is one account; valid: single-account`,
    );
  }
  const mode = options.emptyTargetResolutionMode ?? 'fail';
  if (mode !== 'fail' && mode !== 'skip')
    throw validationError(
      `experimentOptions.emptyTargetResolutionMode ${JSON.stringify(mode)} is not valid; valid: fail, skip`,
    );
  return { accountTargeting: 'single-account', emptyTargetResolutionMode: mode };
}

export function validateTags(input: unknown, where: string): Record<string, string> {
  if (input === undefined) return {};
  const tags = validateStringMap(input, where);
  if (Object.keys(tags).length > maxTags)
    throw validationError(`${where}: at most ${maxTags} tags, got ${Object.keys(tags).length}`);
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128)
      throw validationError(`${where}: tag key ${JSON.stringify(key)} must be 1 to 128 characters`);
    if (value.length > 256) throw validationError(`${where}.${key}: tag value must be at most 256 characters`);
  }
  return tags;
}

function validateObject(input: unknown, where: string): Record<string, unknown> {
  if (!isObject(input)) throw validationError(`${where} ${input === undefined ? 'is required' : 'must be an object'}`);
  return input;
}

function validateStringMap(input: unknown, where: string): Record<string, string> {
  const object = validateObject(input, where);
  for (const [key, value] of Object.entries(object)) {
    if (typeof value !== 'string')
      throw validationError(`${where}.${key} must be a string, got ${JSON.stringify(value)}`);
  }
  return { ...(object as Record<string, string>) };
}

function checkName(name: string, where: string): void {
  if (!/^[\S]{1,64}$/.test(name))
    throw validationError(`${where}: name ${JSON.stringify(name)} must be 1 to 64 characters without spaces`);
}

// ------------------------------------------------------------------ wire shapes

export function templateJson(template: TemplateRecord): Record<string, unknown> {
  return {
    id: template.id,
    arn: template.arn,
    description: template.description,
    targets: template.targets,
    actions: template.actions,
    stopConditions: template.stopConditions,
    creationTime: epochSeconds(template.creationTime),
    lastUpdateTime: epochSeconds(template.lastUpdateTime),
    roleArn: template.roleArn,
    tags: template.tags,
    logConfiguration: template.logConfiguration,
    experimentOptions: template.experimentOptions,
    targetAccountConfigurationsCount: 0,
  };
}

export function templateSummaryJson(template: TemplateRecord): Record<string, unknown> {
  return {
    id: template.id,
    arn: template.arn,
    description: template.description,
    creationTime: epochSeconds(template.creationTime),
    lastUpdateTime: epochSeconds(template.lastUpdateTime),
    tags: template.tags,
  };
}
