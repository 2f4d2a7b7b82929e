import { InvalidRequestError } from './errors';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Toxiproxy's wire form, "host:port", bracketing IPv6 hosts so the port stays unambiguous. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Reads an address from API input: Toxiproxy's "host:port" string or a `{host, port}`
 * object. Port 0 is refused because it only means something when listening.
 */
export function resolveHostPort(value: unknown, field: string): HostPort {
  if (typeof value === 'string') return parseHostPort(value, field);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { host, port } = value as Record<string, unknown>;
    if (typeof host !== 'string' || host === '') {
      throw new InvalidRequestError(`${field}.host`, 'must be a non-empty string');
    }
    return { host, port: resolvePort(port, `${field}.port`) };
  }
  throw new InvalidRequestError(field, 'must be "host:port" or {"host": string, "port": number}');
}

function parseHostPort(text: string, field: string): HostPort {
  const separator = text.lastIndexOf(':');
  const rawHost = separator > 0 ? text.slice(0, separator) : '';
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;
  const portText = text.slice(separator + 1);
  if (host === '' || !/^\d+$/.test(portText)) {
    throw new InvalidRequestError(field, `"${text}" is not "host:port" (for example "127.0.0.1:5432")`);
  }
  return { host, port: resolvePort(Number(portText), field) };
}

function resolvePort(port: unknown, field: string, lowest = 1): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < lowest || port > 65535) {
    throw new InvalidRequestError(
      field,
      `port must be an integer from ${lowest} to 65535, got ${JSON.stringify(port)}`,
    );
  }
  return port;
}

/** Checks an address given in code; `listening` allows port 0 (pick a free port). */
export function checkHostPort(address: HostPort, field: string, listening = false): HostPort {
  if (typeof address.host !== 'string' || address.host === '') {
    throw new InvalidRequestError(`${field}.host`, 'must be a non-empty string');
  }
  return { host: address.host, port: resolvePort(address.port, `${field}.port`, listening ? 0 : 1) };
}
