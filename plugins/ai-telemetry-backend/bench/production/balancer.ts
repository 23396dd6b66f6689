/**
 * The load balancer in front of several backend instances, as a Kubernetes Service with an
 * ingress controller runs it:
 *  - a readiness probe: every second each instance's `/.backstage/health/v1/readiness`
 *    (Backstage's own, 200 once every plugin has started; 2 s to answer, out after three
 *    failures); requests go only to ready instances, in turn, as a Service routes only to
 *    ready pods (to all, when none is ready);
 *  - nginx's `proxy_next_upstream error`: a request whose connection was refused never reached
 *    the instance and goes to the next one; a request that failed after it was sent (the
 *    instance died while working on it) goes to the next one only when it is idempotent (GET,
 *    HEAD), and is answered 502 naming the instance otherwise, since the instance may have done
 *    the work (an IDE client sends that batch again, with its batch id). An instance that
 *    refused a connection is out until its probe says it is ready.
 */
import {
  Agent,
  createServer,
  IncomingMessage,
  request as httpRequest,
  Server,
  ServerResponse,
} from 'http';

const IDEMPOTENT = new Set(['GET', 'HEAD']);
const READINESS_PATH = '/.backstage/health/v1/readiness';

export class Balancer {
  private server?: Server;
  private next = 0;
  private probe?: NodeJS.Timeout;
  private readonly ready: boolean[];
  private readonly failures: number[];
  // A new connection per request, as nginx's upstreams have by default: a kept-alive one may
  // be closed by the instance's idle time-out just as a request goes out on it.
  private readonly agent = new Agent({ keepAlive: false });
  /** Requests passed to another instance after a failure, and those answered 502. */
  readonly counts = { retried: 0, badGateway: 0 };
  /** Requests an instance took 10 s or more to answer (or to fail), for the report. */
  readonly slow: Array<{
    port: number;
    request: string;
    ms: number;
    outcome: string;
  }> = [];

  constructor(private readonly ports: number[]) {
    this.ready = ports.map(() => true);
    this.failures = ports.map(() => 0);
  }

  async listen(port: number): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.probe = setInterval(() => this.probeAll(), 1000);
    return this;
  }

  /**
   * Kubernetes' readiness probe with its usual settings: an answer within 2 s, ready again
   * after one success, not ready after three failures in a row (a busy instance that answers
   * late once stays in).
   */
  private probeAll() {
    this.ports.forEach((port, i) => {
      const failed = () => {
        this.failures[i]++;
        if (this.failures[i] >= 3) this.ready[i] = false;
      };
      fetch(`http://127.0.0.1:${port}${READINESS_PATH}`, {
        signal: AbortSignal.timeout(2000),
      })
        .then(async res => {
          await res.arrayBuffer();
          if (res.ok) {
            this.failures[i] = 0;
            this.ready[i] = true;
          } else {
            failed();
          }
        })
        .catch(failed);
    });
  }

  /** The instances to try, the ready ones first, starting with the next in turn. */
  private order(): number[] {
    const start = this.next++;
    const all = this.ports.map((_, k) => (start + k) % this.ports.length);
    const ready = all.filter(i => this.ready[i]);
    return ready.length > 0
      ? [...ready, ...all.filter(i => !this.ready[i])]
      : all;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const idempotent = IDEMPOTENT.has(req.method ?? '');
    let failure = '';
    const order = this.order();
    for (const [n, i] of order.entries()) {
      const port = this.ports[i];
      const started = Date.now();
      const outcome = await this.forward(req, res, body, port);
      const ms = Date.now() - started;
      if (ms >= 10_000) {
        this.slow.push({
          port,
          request: `${req.method} ${req.url?.split('?')[0]}`,
          ms,
          outcome: outcome.answered
            ? `answered ${res.statusCode}`
            : outcome.error,
        });
      }
      if (outcome.answered) return;
      // Nothing listens there (refused): out until its probe says it is ready.
      if (outcome.refused) this.ready[i] = false;
      failure = `the backend instance on port ${port} failed before answering (${outcome.error})`;
      if (!outcome.refused && !idempotent) break;
      if (n + 1 < order.length) this.counts.retried++;
    }
    this.counts.badGateway++;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { name: 'BadGatewayError', message: `Balancer: ${failure}` },
        response: { statusCode: 502 },
      }),
    );
  }

  /** Passes one request on: answered, or the error, and whether it was never sent. */
  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    port: number,
  ): Promise<
    { answered: true } | { answered: false; error: string; refused: boolean }
  > {
    return new Promise(resolve => {
      const upstream = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'content-length': String(body.length) },
          agent: this.agent,
        },
        answer => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('error', () => res.destroy());
          answer.on('end', () => resolve({ answered: true }));
          answer.on('aborted', () => {
            res.destroy();
            resolve({ answered: true });
          });
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (res.headersSent) {
          res.destroy();
          resolve({ answered: true });
        } else {
          resolve({
            answered: false,
            error: error.code ?? error.message,
            refused: error.code === 'ECONNREFUSED',
          });
        }
      });
      upstream.end(body);
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.probe);
    this.agent.destroy();
    await new Promise(resolve => {
      this.server?.closeAllConnections();
      this.server?.close(resolve);
    });
  }
}
