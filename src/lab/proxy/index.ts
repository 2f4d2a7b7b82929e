export { FaultProxy, type FaultProxyEvents, type FaultProxyOptions, type ProxyStats } from './proxy';
export type { ConnectionInfo } from './connection';
export {
  createProxyApi,
  proxyJson,
  type ApiErrorJson,
  type ProxyApiHandler,
  type ProxyApiOptions,
  type ProxyJson,
} from './api';
export { ProxyApiError, ProxyClient } from './client';
export { formatHostPort, resolveHostPort, type HostPort } from './address';
export { resolveToxic, patchToxic } from './validate';
export { toxicKinds, toxicTypes, type ToxicType } from './toxics';
export type { ToxicAttributes, ToxicKind } from './toxics/kind';
export type { Toxic, ToxicInput, ToxicPatch } from './toxic';
export { streamDirections, type StreamDirection } from './stream-direction';
export * from './errors';
