import net, { AddressInfo, Server, Socket } from 'node:net';

/**
 * A local TCP proxy with a fixed address in front of a backend whose port changes when it
 * restarts, so that one client keeps one endpoint throughout a test. Without a target
 * it resets every connection, as a stopped backend would; with `loseNextAnswer` it
 * forwards the next request and cuts the connection when the answer comes, as a
 * network that fails after the backend has done the work.
 */
export class TcpProxy {
  target?: number;
  loseNextAnswer = false;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<this> {
    this.server = net.createServer(client => this.connect(client));
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  private track(socket: Socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private connect(client: Socket) {
    this.track(client);
    if (this.target === undefined) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target, '127.0.0.1');
    this.track(upstream);
    const lose = this.loseNextAnswer;
    this.loseNextAnswer = false;
    client.pipe(upstream);
    if (lose) {
      upstream.once('data', () => {
        client.resetAndDestroy();
        upstream.destroy();
      });
    } else {
      upstream.pipe(client);
    }
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  }

  /** Cuts every open connection (keep-alive ones included). */
  dropConnections() {
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise(resolve => this.server?.close(resolve));
  }
}
