// The lab's STS through both STS clients gameday ships: the current one (the account
// allow-list check) and the 3.523.0 one inside @aws-sdk/client-fis's credential chain
// (assumed roles, web identity), whose fast-xml-parser package.json overrides from 4.2.5 to
// 4.5. Each must parse STS's XML answers, a success and an error, as before.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Lab } from '../../src/lab/lab';
import { createStsHandler } from '../../src/lab/aws/sts';

type Sts = typeof import('@aws-sdk/client-sts');

/** The STS package the FIS client's credential providers resolve, with its own fast-xml-parser. */
function fisChainSts(): { sts: Sts; xmlParserVersion: string } {
  const fisDir = path.dirname(require.resolve('@aws-sdk/client-fis/package.json'));
  const stsEntry = require.resolve('@aws-sdk/client-sts', { paths: [fisDir] });
  const stsDir = stsEntry.slice(0, stsEntry.lastIndexOf(`${path.sep}dist-cjs`));
  const parser = require.resolve('fast-xml-parser/package.json', { paths: [stsDir] });
  return { sts: require(stsEntry) as Sts, xmlParserVersion: (require(parser) as { version: string }).version };
}

async function withSts(body: (endpoint: string) => Promise<void>): Promise<void> {
  const handler = createStsHandler(undefined as unknown as Lab);
  const server = http.createServer(
    (request, response) => void handler(request, response, { service: 'sts', region: 'us-east-1' }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const config = (endpoint: string) => ({
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'gameday-lab', secretAccessKey: 'gameday-lab' },
  maxAttempts: 1,
});

test('the FIS client chain resolves its own STS 3.523.0, with fast-xml-parser 4.5 or later (4.2.5 is flagged)', () => {
  const { xmlParserVersion } = fisChainSts();
  const [major, minor] = xmlParserVersion.split('.').map(Number);
  assert.ok(major === 4 && minor >= 5, xmlParserVersion);
});

test('both STS clients read GetCallerIdentity from the lab: account 000000000000', () =>
  withSts(async (endpoint) => {
    const current = new STSClient(config(endpoint));
    const { sts } = fisChainSts();
    const old = new sts.STSClient(config(endpoint));
    // Each client with its own command class: the two smithy generations do not mix.
    for (const identity of [
      await current.send(new GetCallerIdentityCommand({})),
      await old.send(new sts.GetCallerIdentityCommand({})),
    ]) {
      assert.is(identity.Account, '000000000000');
      assert.is(identity.Arn, 'arn:aws:iam::000000000000:user/gameday-lab');
    }
    current.destroy();
    old.destroy();
  }));

test("the old client parses STS's XML error: the code and message reach the caller", () =>
  withSts(async (endpoint) => {
    const { sts } = fisChainSts();
    const client = new sts.STSClient(config(endpoint));
    try {
      await client.send(
        new sts.AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/x', RoleSessionName: 'gameday' }),
      );
      assert.unreachable('the lab serves only GetCallerIdentity');
    } catch (error) {
      const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      assert.is(failure.name, 'InvalidAction');
      assert.match(failure.message ?? '', /the lab serves only GetCallerIdentity, not AssumeRole/);
      assert.is(failure.$metadata?.httpStatusCode, 400);
    } finally {
      client.destroy();
    }
  }));

test.run();
