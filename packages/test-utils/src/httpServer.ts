import { createServer, RequestListener, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** An HTTP server a test started on 127.0.0.1. */
export type TestHttpServer = {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Cuts open connections (keep-alive ones included) and closes the server. */
  close(): Promise<void>;
};

/** Serves `handler` on 127.0.0.1, on `port` or (by default) a port the system picks. */
export async function startHttpServer(
  handler: RequestListener,
  listenPort = 0,
): Promise<TestHttpServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
