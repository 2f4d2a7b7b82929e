import net from 'node:net';
import { maxRegions, type LabPorts } from './topology';

/** Whether a TCP port can be bound on an address right now. */
function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const portNames: Array<keyof LabPorts> = [
  'app',
  'appInternal',
  'pg',
  'db',
  'replication',
  'archive',
  'objects',
  'objectReplication',
];
/** objectReplication is the first of one port per possible destination region. */
const portCount = portNames.length - 1 + maxRegions;
/** Random blocks start this far apart, so two labs' blocks never overlap. */
const blockSpacing = 16;

/**
 * Finds port numbers free on every region address at once (each region uses the same
 * numbers on its own loopback address). `preferred` is tried first so a `lab up` lab
 * keeps familiar ports when it can; otherwise random blocks in the unprivileged range.
 */
export async function findLabPorts(addresses: string[], preferred?: number): Promise<LabPorts> {
  const candidates = preferred ? [preferred] : [];
  for (let i = 0; i < 60; i++) candidates.push(20_000 + Math.floor(Math.random() * 2_500) * blockSpacing);
  for (const base of candidates) {
    const numbers = Array.from({ length: portCount }, (_, i) => base + i);
    let free = true;
    for (const address of addresses) {
      for (const port of numbers) {
        if (!(await canBind(address, port))) {
          free = false;
          break;
        }
      }
      if (!free) break;
    }
    if (free) return Object.fromEntries(portNames.map((name, i) => [name, numbers[i]])) as unknown as LabPorts;
  }
  throw new Error(`no block of ${portCount} free ports on ${addresses.join(', ')} after ${candidates.length} tries`);
}
