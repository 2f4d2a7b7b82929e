/**
 * IAM's policy evaluation logic for identity policies, as the lab's policy simulator runs
 * it: an explicit Deny wins, then any Allow, else the request is implicitly denied. A
 * statement applies when its Action (or NotAction), Resource (or NotResource) and every
 * Condition match. Actions match case-insensitively, resources case-sensitively, both with
 * the `*` and `?` wildcards; condition keys are case-insensitive. Within a condition
 * operator every key must match, and a key matches when any of its values does.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface AttachedPolicy {
  arn: string;
  document: PolicyDocument;
}

export type EvaluationDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface Evaluation {
  decision: EvaluationDecision;
  /** The statements that decided it: the denying ones, or the allowing ones. */
  matched: { policyArn: string; sid: string | undefined }[];
  /** Condition keys a statement that would otherwise have applied asked for and the request lacked. */
  missingContext: string[];
}

/** The request's context: condition key (any case) → its values. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

const operators = {
  StringEquals: (value: string, pattern: string) => value === pattern,
  StringNotEquals: (value: string, pattern: string) => value !== pattern,
  StringEqualsIgnoreCase: (value: string, pattern: string) => value.toLowerCase() === pattern.toLowerCase(),
  StringLike: (value: string, pattern: string) => wildcard(pattern, false).test(value),
  StringNotLike: (value: string, pattern: string) => !wildcard(pattern, false).test(value),
  ArnEquals: (value: string, pattern: string) => value === pattern,
  ArnLike: (value: string, pattern: string) => wildcard(pattern, false).test(value),
  Bool: (value: string, pattern: string) => value.toLowerCase() === pattern.toLowerCase(),
} as const;

type Operator = keyof typeof operators;

/** The operators the lab evaluates, with or without IfExists. */
export const supportedOperators = Object.keys(operators) as Operator[];

/** Throws for a document the lab could not evaluate faithfully (an operator it does not know). */
export function assertEvaluable(document: PolicyDocument, where: string): void {
  for (const statement of document.Statement)
    for (const name of Object.keys(statement.Condition ?? {})) {
      const base = name.replace(/IfExists$/, '');
      if (!(base in operators))
        throw new Error(`${where}: condition operator ${name} is not one the lab evaluates (${supportedOperators})`);
    }
}

export function evaluate(
  policies: readonly AttachedPolicy[],
  action: string,
  resource: string,
  context: RequestContext,
): Evaluation {
  const allows: Evaluation['matched'] = [];
  const denies: Evaluation['matched'] = [];
  const missing = new Set<string>();
  const lowered = new Map([...context].map(([key, values]) => [key.toLowerCase(), values]));
  for (const policy of policies) {
    for (const statement of policy.document.Statement) {
      if (!appliesTo(statement, action, resource)) continue;
      const condition = conditionHolds(statement.Condition ?? {}, lowered);
      condition.missing.forEach((key) => missing.add(key));
      if (!condition.holds) continue;
      (statement.Effect === 'Deny' ? denies : allows).push({ policyArn: policy.arn, sid: statement.Sid });
    }
  }
  if (denies.length > 0) return { decision: 'explicitDeny', matched: denies, missingContext: [...missing] };
  if (allows.length > 0) return { decision: 'allowed', matched: allows, missingContext: [] };
  return { decision: 'implicitDeny', matched: [], missingContext: [...missing] };
}

function appliesTo(statement: PolicyStatement, action: string, resource: string): boolean {
  const list = (value: string | string[] | undefined) => (value === undefined ? undefined : [value].flat());
  const actions = list(statement.Action);
  const notActions = list(statement.NotAction);
  const actionMatches = actions
    ? actions.some((pattern) => wildcard(pattern, true).test(action))
    : notActions !== undefined && !notActions.some((pattern) => wildcard(pattern, true).test(action));
  if (!actionMatches) return false;
  const resources = list(statement.Resource);
  const notResources = list(statement.NotResource);
  return resources
    ? resources.some((pattern) => wildcard(pattern, false).test(resource))
    : notResources !== undefined && !notResources.some((pattern) => wildcard(pattern, false).test(resource));
}

function conditionHolds(
  condition: NonNullable<PolicyStatement['Condition']>,
  context: ReadonlyMap<string, readonly string[]>,
): { holds: boolean; missing: string[] } {
  const missing: string[] = [];
  let holds = true;
  for (const [name, keys] of Object.entries(condition)) {
    const ifExists = name.endsWith('IfExists');
    const operator = name.replace(/IfExists$/, '') as Operator;
    const test = operators[operator];
    const negated = operator.includes('Not');
    for (const [key, expected] of Object.entries(keys)) {
      const values = context.get(key.toLowerCase());
      if (values === undefined || values.length === 0) {
        // An absent key satisfies IfExists and the negated operators, and nothing else.
        if (!ifExists && !negated) {
          missing.push(key);
          holds = false;
        }
        continue;
      }
      const patterns = [expected].flat();
      const matches = negated
        ? values.every((value) => patterns.every((pattern) => test(value, pattern)))
        : values.some((value) => patterns.some((pattern) => test(value, pattern)));
      if (!matches) holds = false;
    }
  }
  return { holds, missing };
}

function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
}
