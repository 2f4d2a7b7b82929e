import net from 'node:net';

// The lab gives every region the same port on its own loopback address, so tests need one port free on all of them.

/** A port free on every given address (the lab gives each region the same port). */
export async function freePortOn(hosts: string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await probePort(hosts[0], 0);
    const others = await Promise.all(
      hosts.slice(1).map((host) =>
        probePort(host, port).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (others.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}

/** Binds and releases `host:port` (0: any); resolves with the port bound, rejects if it is taken. */
export function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}
