import type { AwsClients } from '../../aws/clients';
import { compileFisTemplate, FisMappingError } from '../../aws/fis/compile';
import { checkActionParameters } from '../../aws/fis/experiment';
import type { AwsModel } from '../../aws/model';
import { errorMessage } from '../../core/errors';
import type { Experiment } from '../../experiment/validate';
import { fisSpecOf, type FisBackedFault } from '../../faults/fis';
import { targetKindOf } from '../../targets';
import { failed, ok, skipped, type ReadinessCheck } from './types';

type Aws = { model: AwsModel; clients: AwsClients };

/** The FIS actions the experiments' faults compile to, with the parameters they send and where. */
function fisActions(experiments: readonly Experiment[], model: AwsModel) {
  const actions = new Map<string, { actionId: string; region: string; parameters: Record<string, string> }>();
  for (const experiment of experiments) {
    // Faults that reach the target through its own API (the lab's direct one) ask nothing of FIS.
    if (targetKindOf(experiment.target).faultApi(experiment.target) !== 'aws') continue;
    for (const fault of experiment.faults) {
      if (!('region' in fault) || fault.kind === 'healthCheckFailure') continue;
      try {
        const template = compileFisTemplate(fisSpecOf(fault as FisBackedFault, experiment.duration), model, {});
        for (const action of Object.values(template.actions ?? {}))
          if (action.actionId)
            actions.set(`${fault.region} ${action.actionId}`, {
              actionId: action.actionId,
              region: fault.region,
              parameters: (action.parameters ?? {}) as Record<string, string>,
            });
      } catch (error) {
        // Validation said what a fault cannot do through FIS; nothing to ask FIS of it.
        if (!(error instanceof FisMappingError)) throw error;
      }
    }
  }
  return [...actions.values()];
}

/**
 * What the experiments need of FIS: each action they inject through is offered in its
 * region with the parameters gameday sends (FIS GetAction), and the role FIS assumes may
 * do what those actions do — which only the IAM policy simulator can say, and gameday has
 * no IAM client: that check is skipped, and says what to run instead.
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
  const listed = actions.map((action) => `${action.actionId} in ${action.region}`).join(', ');
  const offered =
    problems.length > 0
      ? failed('fis actions', problems.join('; '), 'use an action and parameters FIS offers in that region')
      : ok('fis actions', `FIS offers ${listed} with the parameters the faults send (GetAction)`);
  const role = aws.model.fisRoleArn;
  const roleCheck = aws.model.connection.labCredentials
    ? skipped('fis role', `this target's FIS takes any credentials and assumes no role (${role} is a name only)`)
    : skipped(
        'fis role',
        `the IAM policy simulator (iam:SimulatePrincipalPolicy) needs @aws-sdk/client-iam, which is not installed: ` +
          `check that ${role} may carry out ${listed} (aws iam simulate-principal-policy --policy-source-arn ${role} ` +
          '--action-names …, with the actions of the AWS managed policies in README: IAM)',
      );
  return [offered, roleCheck];
}
