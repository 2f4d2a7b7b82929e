import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';

import type { DnsServer } from './resolver';
import { GamedayError } from '../core/errors';

/** What a dns check records as its value. */
export interface DnsValue {
  rcode: string;
  ttl: number | null;
  answers: string[];
}

export class DnsQueryError extends GamedayError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * One query over UDP with recursion desired, as a stub resolver asks: the response's
 * rcode, the answers of the asked type and their smallest TTL (what a cache would keep
 * them for). No retries: a lost packet is what the probe should see.
 */
export function queryDns(server: DnsServer, name: string, type: 'A' | 'AAAA', signal: AbortSignal): Promise<DnsValue> {
  return new Promise((resolve, reject) => {
    const id = randomInt(0, 0x10000);
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const finish = (error: Error | null, value?: DnsValue) => {
      signal.removeEventListener('abort', onAbort);
      socket.close();
      if (error) reject(error);
      else resolve(value!);
    };
    const onAbort = () => finish(new DnsQueryError(`no answer from ${server.host}:${server.port}`, 'TIMEOUT'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) => finish(error));
    socket.on('message', (message, from) => {
      let packet: dnsPacket.Packet;
      try {
        packet = dnsPacket.decode(message);
      } catch {
        return; // not a DNS response; keep waiting for ours
      }
      // Anything but the answer to our question from the server asked is ignored, as a resolver would.
      if (packet.id !== id || from.port !== server.port || packet.type !== 'response') return;
      const answers = (packet.answers ?? []).filter((answer): answer is dnsPacket.StringAnswer => answer.type === type);
      finish(null, {
        rcode: (packet as { rcode?: string }).rcode ?? 'NOERROR',
        ttl: answers.length > 0 ? Math.min(...answers.map((answer) => answer.ttl ?? 0)) : null,
        answers: answers.map((answer) => answer.data),
      });
    });
    const query = dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type, name, class: 'IN' }],
    });
    socket.send(query, server.port, server.host, (error) => error && finish(error));
  });
}

/** 'host', 'host:port', '[v6]:port' or a bare IPv6 address; port 53 unless given. */
export function parseDnsServer(text: string): DnsServer | null {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return net.isIPv6(bracketed[1]) ? withPort(bracketed[1], bracketed[2]) : null;
  if (net.isIPv6(text)) return { host: text, port: 53 };
  const plain = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(text);
  return plain ? withPort(plain[1], plain[2]) : null;
}

function withPort(host: string, port: string | undefined): DnsServer | null {
  const number = port === undefined ? 53 : Number(port);
  return number >= 1 && number <= 65_535 ? { host, port: number } : null;
}
