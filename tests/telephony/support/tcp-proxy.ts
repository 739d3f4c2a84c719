/**
 * A loopback TCP proxy in front of the simulator, so a test can cut the adapter off Asterisk
 * without losing the simulator's calls: `stop()` refuses and cuts connections, `start()` listens
 * again on the same port, `blackHole()` keeps connections open but forwards nothing (a hung peer).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  blackHole(on: boolean): void;
  close(): Promise<void>;
}

export async function createTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let holed = false;
  let server: Server | undefined;
  let port = 0;

  function listen(): Promise<void> {
    const next = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('data', (chunk) => void (holed || upstream.write(chunk)));
      upstream.on('data', (chunk) => void (holed || client.write(chunk)));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server = next;
    return new Promise((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        const address = next.address();
        if (typeof address === 'object' && address) port = address.port;
        resolve();
      });
    });
  }

  async function stop(): Promise<void> {
    const current = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    stop,
    start: listen,
    blackHole(on) {
      holed = on;
    },
    close: stop,
  };
}
