import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { readBody, type AwsServiceFactory } from '../handler';
import { labAccountId } from '../resources';
import { evaluate, type AttachedPolicy } from './evaluate';
import { labFisPolicies, labFisRoleName } from './policies';

const namespace = 'https://iam.amazonaws.com/doc/2010-05-08/';
const apiVersion = '2010-05-08';

class IamError extends Error {
  constructor(
    readonly code: 'NoSuchEntity' | 'InvalidInput' | 'InvalidAction' | 'LimitExceeded',
    message: string,
    readonly status = code === 'NoSuchEntity' ? 404 : 400,
  ) {
    super(message);
  }
}

type Params = URLSearchParams;

/** A Query list: `<name>.member.1`, `.2`, … in order. */
function list(params: Params, name: string): string[] {
  const values: string[] = [];
  for (let index = 1; params.has(`${name}.member.${index}`); index++)
    values.push(params.get(`${name}.member.${index}`)!);
  return values;
}

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (!value) throw new IamError('InvalidInput', `The request must contain the parameter ${name}`);
  return value;
}

/**
 * The IAM Query API the readiness check uses, served from the lab (an AwsServiceFactory):
 * SimulatePrincipalPolicy, evaluating the policies attached to the lab's FIS role with
 * IAM's evaluation logic (evaluate.ts), and AttachRolePolicy / DetachRolePolicy /
 * ListAttachedRolePolicies so a role can lose a permission the way it does in an account.
 * One EvaluationResult per action and resource asked. The official `@aws-sdk/client-iam`
 * pointed at the lab's control endpoint drives it as it drives IAM.
 */
export const createIamHandler: AwsServiceFactory = () => {
  const known = labFisPolicies();
  const attached = new Map<string, AttachedPolicy>(known.map((policy) => [policy.arn, policy]));
  const roleArn = `arn:aws:iam::${labAccountId}:role/${labFisRoleName}`;
  const role = (name: string) => {
    if (name !== labFisRoleName)
      throw new IamError('NoSuchEntity', `The role with name ${name} cannot be found. The lab has ${labFisRoleName}.`);
  };
  const policy = (arn: string) => {
    const found = known.find((candidate) => candidate.arn === arn);
    if (!found) throw new IamError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
    return found;
  };
  const operations: Record<string, (params: Params) => string> = {
    SimulatePrincipalPolicy: (params) => {
      const source = required(params, 'PolicySourceArn');
      if (source !== roleArn)
        throw new IamError('NoSuchEntity', `The principal ${source} cannot be found. The lab has ${roleArn}.`);
      const actions = list(params, 'ActionNames');
      if (actions.length === 0) throw new IamError('InvalidInput', 'ActionNames must name at least one action');
      const resources = list(params, 'ResourceArns');
      const context = new Map<string, string[]>();
      for (let index = 1; params.has(`ContextEntries.member.${index}.ContextKeyName`); index++) {
        const prefix = `ContextEntries.member.${index}`;
        context.set(params.get(`${prefix}.ContextKeyName`)!, list(params, `${prefix}.ContextKeyValues`));
      }
      const results = actions.flatMap((action) =>
        (resources.length > 0 ? resources : ['*']).map((resource) => {
          const evaluation = evaluate([...attached.values()], action, resource, context);
          const matched = evaluation.matched
            .map(
              (statement) =>
                `<member><SourcePolicyId>${xml(statement.policyArn.split('/').pop()!)}</SourcePolicyId>` +
                `<SourcePolicyType>user-managed</SourcePolicyType></member>`,
            )
            .join('');
          const missing = evaluation.missingContext.map((key) => `<member>${xml(key)}</member>`).join('');
          return (
            `<member><EvalActionName>${xml(action)}</EvalActionName><EvalResourceName>${xml(resource)}` +
            `</EvalResourceName><EvalDecision>${evaluation.decision}</EvalDecision>` +
            `<MatchedStatements>${matched}</MatchedStatements><MissingContextValues>${missing}` +
            `</MissingContextValues></member>`
          );
        }),
      );
      return `<EvaluationResults>${results.join('')}</EvaluationResults><IsTruncated>false</IsTruncated>`;
    },
    AttachRolePolicy: (params) => {
      role(required(params, 'RoleName'));
      const found = policy(required(params, 'PolicyArn'));
      attached.set(found.arn, found);
      return '';
    },
    DetachRolePolicy: (params) => {
      role(required(params, 'RoleName'));
      const arn = required(params, 'PolicyArn');
      if (!attached.delete(arn))
        throw new IamError('NoSuchEntity', `Policy ${arn} was not found attached to role ${labFisRoleName}.`);
      return '';
    },
    ListAttachedRolePolicies: (params) => {
      role(required(params, 'RoleName'));
      const members = [...attached.values()]
        .map(
          (entry) =>
            `<member><PolicyName>${xml(entry.arn.split('/').pop()!)}</PolicyName>` +
            `<PolicyArn>${xml(entry.arn)}</PolicyArn></member>`,
        )
        .join('');
      return `<AttachedPolicies>${members}</AttachedPolicies><IsTruncated>false</IsTruncated>`;
    },
  };
  return async (request, response) => {
    const requestId = randomUUID();
    try {
      const params = new URLSearchParams((await readBody(request)).toString('utf8'));
      for (const [name, value] of new URL(request.url ?? '/', 'http://lab').searchParams)
        if (!params.has(name)) params.set(name, value);
      const action = params.get('Action') ?? '';
      const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (!operation || (params.has('Version') && params.get('Version') !== apiVersion))
        throw new IamError(
          'InvalidAction',
          `Could not find operation ${action || '(no Action)'} for version ${params.get('Version') ?? '(none)'}. ` +
            `The lab serves IAM ${apiVersion}: ${Object.keys(operations).join(', ')}`,
        );
      const result = operation(params);
      const body = result === '' ? '' : `<${action}Result>${result}</${action}Result>`;
      const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
      send(response, 200, `<${action}Response xmlns="${namespace}">${body}${metadata}</${action}Response>`, requestId);
    } catch (error) {
      const iamError =
        error instanceof IamError
          ? error
          : new IamError('InvalidInput', `the lab failed to serve the request: ${(error as Error).message}`, 500);
      const type = iamError.status >= 500 ? 'Receiver' : 'Sender';
      const body =
        `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${iamError.code}</Code>` +
        `<Message>${xml(iamError.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      send(response, iamError.status, body, requestId);
    }
  };
};

function send(response: ServerResponse, status: number, body: string, requestId: string): void {
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  response.end(body);
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
