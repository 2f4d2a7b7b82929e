/**
 * aws-sdk-client-mock for the AWS clients that are built on a newer @smithy/types than the
 * mock's typings see.
 *
 * The mock's .d.ts files import `Client`, `Command` and `MetadataBearer` from the top-level
 * `@smithy/types`, which is v2: it comes with `@aws-sdk/client-fis` 3.523.0, the last FIS
 * release. Route 53, RDS and STS are current releases, declared against @smithy/types v4.
 * The two declare the same shapes for what the mock touches (v4 only adds optional members),
 * but as two separate declarations TypeScript compares their generic methods
 * (`middlewareStack.concat`, `addRelativeTo`…) structurally and rejects them. At runtime the
 * mock only replaces `Client.prototype.send` with a sinon stub and matches commands by class,
 * so the smithy version plays no part there.
 *
 * These two functions are the one place the versions meet: each takes a v4 class, keeps what
 * the tests rely on (the client's config type; each command's own input and output types,
 * inferred from the command itself), and hands the mock its v2 view of it. FIS needs none of
 * this: it uses `mockClient` directly.
 */
import { mockClient, type AwsCommand, type AwsStub } from 'aws-sdk-client-mock';
// The v2 declaration: the one the mock's own typings import.
import type { MetadataBearer } from '@smithy/types';

/** A v4 command instance, described by shape so no smithy version is named. */
interface CurrentCommand<I extends object, O extends MetadataBearer> {
  readonly input: I;
  resolveMiddleware(stack: never, configuration: never, options: never): (args: never) => Promise<{ output: O }>;
}

/** `mockClient` for a client class built on @smithy/types v4. */
export function mockCurrentClient<TConfig>(client: {
  prototype: { readonly config: TConfig; send(...args: never[]): Promise<unknown> };
}): AwsStub<object, MetadataBearer, TConfig> {
  // Only a type mismatch between two @smithy/types declarations of the same Client shape (see above).
  return mockClient(client as unknown as Parameters<typeof mockClient<object, MetadataBearer, TConfig>>[0]);
}

/** A v4 command class as the mock's `on()` and `commandCalls()` expect it, with its input and output types kept. */
export function currentCommand<I extends object, O extends MetadataBearer>(
  command: new (input: I) => CurrentCommand<I, O>,
): new (input: I) => AwsCommand<I, O> {
  // Only a type mismatch between two @smithy/types declarations of the same Command shape (see above).
  return command as unknown as new (input: I) => AwsCommand<I, O>;
}
