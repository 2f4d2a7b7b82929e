import type { EvaluationResult, IAMClient } from '@aws-sdk/client-iam';
import { sdk } from './sdk';
import type { PermissionQuestion } from './fis/permissions';

/** One IAM action on one resource as the policy simulator decided it. */
export interface SimulatedDecision {
  action: string;
  resourceArn: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** Context keys a statement conditions on that the question did not carry. */
  missingContext: string[];
}

/**
 * Asks IAM's policy simulator (SimulatePrincipalPolicy) whether a principal — a role, with
 * its identity policies, permissions boundary and the organization's SCPs — may make these
 * requests. Read-only, and what AWS itself evaluates; the caller needs
 * iam:SimulatePrincipalPolicy on the principal.
 */
export async function simulatePermissions(
  iam: IAMClient,
  principalArn: string,
  questions: readonly PermissionQuestion[],
): Promise<SimulatedDecision[]> {
  const decisions: SimulatedDecision[] = [];
  for (const question of questions) {
    let marker: string | undefined;
    do {
      const page = await iam.send(
        new sdk.iam.SimulatePrincipalPolicyCommand({
          PolicySourceArn: principalArn,
          ActionNames: question.actions,
          ResourceArns: [question.resourceArn],
          ContextEntries: Object.entries(question.context).map(([key, value]) => ({
            ContextKeyName: key,
            ContextKeyValues: [value],
            ContextKeyType: 'string',
          })),
          ...(marker ? { Marker: marker } : {}),
        }),
      );
      for (const result of page.EvaluationResults ?? []) decisions.push(decisionOf(result, question.resourceArn));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  }
  return decisions;
}

function decisionOf(result: EvaluationResult, resourceArn: string): SimulatedDecision {
  const decision = result.EvalDecision;
  return {
    action: result.EvalActionName ?? '?',
    resourceArn: result.EvalResourceName ?? resourceArn,
    // Anything but an explicit allow is a denial as far as FIS is concerned.
    decision: decision === 'allowed' || decision === 'explicitDeny' ? decision : 'implicitDeny',
    missingContext: result.MissingContextValues ?? [],
  };
}
