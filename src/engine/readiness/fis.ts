import type { AwsClients } from '../../aws/clients';
import { compileFisTemplate, FisMappingError } from '../../aws/fis/compile';
import { checkActionParameters } from '../../aws/fis/experiment';
import type { AwsModel } from '../../aws/model';
import { describeAwsError } from '../../aws/clients';
import { permissionQuestions, permissionsOf, targetTypePattern } from '../../aws/fis/permissions';
import { simulatePermissions } from '../../aws/iam';
import { errorMessage } from '../../core/errors';
import type { Experiment } from '../../experiment/validate';
import { fisSpecOf, type FisBackedFault } from '../../faults/fis';
import { targetKindOf } from '../../targets';
import { failed, ok, skipped, type ReadinessCheck } from './types';

type Aws = { model: AwsModel; clients: AwsClients };

interface FisAction {
  actionId: string;
  region: string;
  parameters: Record<string, string>;
  /** The resources it acts on: ARNs where the template names them, else any of their type in the region. */
  targetArns: string[];
  targetPattern: string;
}

/** The FIS actions the experiments' faults compile to, with the parameters they send and where. */
function fisActions(experiments: readonly Experiment[], model: AwsModel): FisAction[] {
  const actions = new Map<string, FisAction>();
  const accountId = model.accountId ?? accountOf(model.fisRoleArn);
  for (const experiment of experiments) {
    // Faults that reach the target through its own API (the lab's direct one) ask nothing of FIS.
    if (targetKindOf(experiment.target).faultApi(experiment.target) !== 'aws') continue;
    for (const fault of experiment.faults) {
      if (!('region' in fault) || fault.kind === 'healthCheckFailure') continue;
      try {
        const template = compileFisTemplate(fisSpecOf(fault as FisBackedFault, experiment.duration), model, {});
        for (const action of Object.values(template.actions ?? {})) {
          if (!action.actionId) continue;
          const key = `${fault.region} ${action.actionId}`;
          const known = actions.get(key);
          const targets = Object.values(action.targets ?? {}).map((name) => template.targets?.[name]);
          const targetArns = targets.flatMap((target) => target?.resourceArns ?? []);
          const resourceType = targets.find((target) => target?.resourceType)?.resourceType ?? '';
          actions.set(key, {
            actionId: action.actionId,
            region: fault.region,
            parameters: (action.parameters ?? {}) as Record<string, string>,
            targetArns: [...new Set([...(known?.targetArns ?? []), ...targetArns])],
            targetPattern: targetTypePattern(resourceType, fault.region, accountId),
          });
        }
      } catch (error) {
        // Validation said what a fault cannot do through FIS; nothing to ask FIS of it.
        if (!(error instanceof FisMappingError)) throw error;
      }
    }
  }
  return [...actions.values()];
}

/** The account of an ARN (`arn:aws:iam::123456789012:role/…`), '*' when it names none. */
function accountOf(arn: string): string {
  return arn.split(':')[4] || '*';
}

/**
 * What the experiments need of FIS: each action they inject through is offered in its
 * region with the parameters gameday sends (FIS GetAction), and the role FIS assumes may
 * do what those actions do, as IAM's policy simulator decides it (SimulatePrincipalPolicy:
 * the role's policies, its permissions boundary and the organization's SCPs).
 */
export async function fisChecks(aws: Aws, experiments: readonly Experiment[]): Promise<ReadinessCheck[]> {
  const actions = fisActions(experiments, aws.model);
  if (actions.length === 0) {
    const why = 'no experiment injects a fault through FIS';
    return [skipped('fis actions', why), skipped('fis role', why)];
  }
  const problems: string[] = [];
  for (const action of actions) {
    try {
      await checkActionParameters(aws.clients.fis(action.region), action.actionId, action.parameters);
    } catch (error) {
      problems.push(`${action.region}: ${errorMessage(error)}`);
    }
  }
  const where = actions.map((action) => `${action.actionId} in ${action.region}`).join(', ');
  const offered =
    problems.length > 0
      ? failed('fis actions', problems.join('; '), 'use an action and parameters FIS offers in that region')
      : ok('fis actions', `FIS offers ${where} with the parameters the faults send (GetAction)`);
  const role = aws.model.fisRoleArn;
  if (aws.model.connection.labCredentials)
    return [
      offered,
      skipped('fis role', `this target's FIS takes any credentials and assumes no role (${role} is a name only)`),
    ];
  return [offered, await roleCheck(aws, role, actions)];
}

async function roleCheck(aws: Aws, role: string, actions: readonly FisAction[]): Promise<ReadinessCheck> {
  const accountId = aws.model.accountId ?? accountOf(role);
  const unknown = actions.filter((action) => permissionsOf(action.actionId) === undefined);
  const denied: string[] = [];
  let asked = 0;
  try {
    for (const action of actions) {
      const questions = permissionQuestions(action.actionId, { ...action, accountId });
      if (!questions) continue;
      const refused: string[] = [];
      for (const decision of await simulatePermissions(aws.clients.iam(), role, questions)) {
        asked++;
        if (decision.decision === 'allowed') continue;
        const missing =
          decision.missingContext.length > 0 ? `, wants context ${decision.missingContext.join(', ')}` : '';
        refused.push(`${decision.action} on ${decision.resourceArn} (${decision.decision}${missing})`);
      }
      if (refused.length > 0) denied.push(`for ${action.actionId} in ${action.region}: ${refused.join(', ')}`);
    }
  } catch (error) {
    return failed(
      'fis role',
      `the IAM policy simulator could not judge ${role}: ${describeAwsError(error)}`,
      'let the identity running gameday call iam:SimulatePrincipalPolicy on the FIS role',
    );
  }
  const notJudged =
    unknown.length > 0
      ? `; gameday knows no permissions of ${unknown.map((action) => action.actionId).join(', ')} to ask about`
      : '';
  if (asked === 0) return skipped('fis role', `gameday knows no permissions of ${listed(actions)} to ask about`);
  if (denied.length > 0)
    return failed(
      'fis role',
      `${role} may not make requests the experiments' FIS actions need (${asked} asked): ${denied.join('; ')}` +
        notJudged,
      'attach the AWS managed FIS policies for these actions (README: IAM) or grant the actions listed',
    );
  return ok(
    'fis role',
    `${role} may make all ${asked} requests ${listed(actions)} need (iam:SimulatePrincipalPolicy)${notJudged}`,
  );
}

const listed = (actions: readonly FisAction[]) => actions.map((action) => action.actionId).join(', ');
