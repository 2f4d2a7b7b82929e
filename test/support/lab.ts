import { startControlServer, type ControlServer } from '../../src/lab/control/server';
import { Lab } from '../../src/lab/lab';
import type { AwsServiceFactory } from '../../src/lab/aws/handler';
import type { LabOptions } from '../../src/lab/topology';

/** An in-process lab with its control endpoint, for tests that talk to it over HTTP. */
export async function startTestLab(
  options: LabOptions & { awsServices?: Record<string, AwsServiceFactory> } = {},
): Promise<{ lab: Lab; control: ControlServer; endpoint: string; close: () => Promise<void> }> {
  const lab = await Lab.start({
    healthCheck: { requestIntervalMs: 200, failureThreshold: 3, timeoutMs: 500 },
    ttl: { app: 1, writer: 1, regional: 1 },
    ...options,
  });
  const control = await startControlServer(lab, {
    host: '127.0.0.1',
    port: 0,
    onChange: () => undefined,
    onShutdown: () => undefined,
    awsServices: options.awsServices,
  });
  return {
    lab,
    control,
    endpoint: control.url,
    close: async () => {
      await control.close();
      await lab.close();
    },
  };
}
