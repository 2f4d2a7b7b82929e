export {
  AppConfigError,
  defaultAppTimeouts,
  isWriterByDns,
  parseAppConfig,
  type AppCapacity,
  type AppConfig,
  type AppConfigInput,
  type AppDbConfig,
  type AppTimeouts,
  type AppWriterByDns,
  type AppWriterConfig,
  type AppWriterFixed,
} from './config';
export { AppStartError, startApp, type AppProcess, type StartAppOptions } from './process';
export { startAppServer, type AppEvent, type AppServer } from './server';
export { schemaSql } from './schema';
export { WriterDirectory, WriterResolutionError, type CurrentWriter, type WriterChange } from './writer';
