/**
 * A typed client for the proxy API (ours or a real Toxiproxy), over global fetch. Gameday
 * code that injects network faults into the lab speaks to the lab daemon through this.
 *
 *   const proxies = new ProxyClient('http://127.0.0.1:8474');
 *   await proxies.addToxic('replication', { type: 'latency', attributes: { latency: 200 } });
 */
import { formatHostPort, type HostPort } from './address';
import type { ApiErrorJson, ProxyJson } from './api';
import { ProxyError } from './errors';
import type { Toxic, ToxicInput, ToxicPatch } from './toxic';

/** The API answered with an error status, or could not be reached (`status` undefined). */
export class ProxyApiError extends ProxyError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${method} ${url}: ${status === undefined ? '' : `${status} `}${message}`, options);
  }
}

export class ProxyClient {
  private readonly baseUrl: string;

  /** `baseUrl` is the server's URL plus any base path the API is mounted under. */
  constructor(baseUrl: string | URL) {
    this.baseUrl = String(baseUrl).replace(/\/+$/, '');
  }

  proxies(): Promise<Record<string, ProxyJson>> {
    return this.call('GET', '/proxies');
  }

  proxy(name: string): Promise<ProxyJson> {
    return this.call('GET', proxyPath(name));
  }

  setEnabled(name: string, enabled: boolean): Promise<ProxyJson> {
    return this.call('POST', proxyPath(name), { enabled });
  }

  setUpstream(name: string, upstream: HostPort): Promise<ProxyJson> {
    return this.call('POST', proxyPath(name), { upstream: formatHostPort(upstream) });
  }

  toxics(proxy: string): Promise<Toxic[]> {
    return this.call('GET', `${proxyPath(proxy)}/toxics`);
  }

  toxic(proxy: string, toxic: string): Promise<Toxic> {
    return this.call('GET', toxicPath(proxy, toxic));
  }

  addToxic(proxy: string, toxic: ToxicInput): Promise<Toxic> {
    return this.call('POST', `${proxyPath(proxy)}/toxics`, toxic);
  }

  updateToxic(proxy: string, toxic: string, patch: ToxicPatch): Promise<Toxic> {
    return this.call('POST', toxicPath(proxy, toxic), patch);
  }

  async removeToxic(proxy: string, toxic: string): Promise<void> {
    await this.call('DELETE', toxicPath(proxy, toxic));
  }

  private async call<Result>(method: string, path: string, body?: unknown): Promise<Result> {
    const url = this.baseUrl + path;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ProxyApiError(method, url, undefined, `unreachable: ${reason}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw new ProxyApiError(method, url, response.status, errorMessage(text, response.statusText));
    return (text === '' ? undefined : JSON.parse(text)) as Result;
  }
}

function proxyPath(name: string): string {
  return `/proxies/${encodeURIComponent(name)}`;
}

function toxicPath(proxy: string, toxic: string): string {
  return `${proxyPath(proxy)}/toxics/${encodeURIComponent(toxic)}`;
}

function errorMessage(text: string, fallback: string): string {
  try {
    const parsed = JSON.parse(text) as Partial<ApiErrorJson>;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not our JSON (a proxy in between, a different server): the raw text says more.
  }
  return text.trim() === '' ? fallback : text.trim();
}
