import { sdk } from './sdk';
import { clientConfig, describeAwsError, type AwsConnection } from './clients';
import { GamedayError } from '../core/errors';

export class AccountGuardError extends GamedayError {}

/**
 * The account the credentials act in must be on the experiment's allow-list: a drill
 * meant for staging must never run against production because of a stale AWS_PROFILE.
 */
export async function assertAllowedAccount(
  connection: AwsConnection,
  region: string,
  allowed: string[],
): Promise<string> {
  // Fewer retries than the fault clients: a wrong account should fail fast.
  const sts = new sdk.sts.STSClient({ ...clientConfig(connection, region), maxAttempts: 3 });
  try {
    const identity = await sts.send(new sdk.sts.GetCallerIdentityCommand({}));
    const account = identity.Account ?? '';
    if (!allowed.includes(account)) {
      throw new AccountGuardError(
        `the credentials act in account ${account} (${identity.Arn}), which is not in ` +
          `target.accountIds (${allowed.join(', ')}); nothing was injected`,
      );
    }
    return account;
  } catch (error) {
    if (error instanceof AccountGuardError) throw error;
    throw new AccountGuardError(
      `could not confirm the AWS account (STS GetCallerIdentity: ${describeAwsError(error)}); nothing was injected`,
    );
  } finally {
    sts.destroy();
  }
}
