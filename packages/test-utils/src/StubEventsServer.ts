import { IngestEventsRequest } from '@fawkes/plugin-ai-telemetry-common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { startHttpServer, TestHttpServer } from './httpServer';

/** One request the stub received. */
export type StubRequest = {
  authorization?: string;
  contentType?: string;
  body: IngestEventsRequest;
};

/** How the stub answers one request: a status and a JSON body, or a dropped connection. */
export type StubAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'hang-up-after-counting';

/**
 * A stand-in for the backend's `POST /v1/events` on a local port: it counts each batch id once,
 * like the backend, and answers 202 unless a test scripts other answers.
 */
export class StubEventsServer {
  readonly requests: StubRequest[] = [];
  /** Events counted, each batch id once. */
  readonly counted = new Map<string, number>();
  private readonly scripted: Array<
    (request: StubRequest) => StubAnswer | undefined
  > = [];
  private http?: TestHttpServer;
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  /** The plugin's base URL on the stub: `http://127.0.0.1:<port>/api/ai-telemetry`. */
  url = '';

  /** Resolves once the stub has received `count` requests in all. */
  waitForRequests(count: number): Promise<void> {
    if (this.requests.length >= count) {
      return Promise.resolve();
    }
    return new Promise(resolve => this.waiters.push({ count, resolve }));
  }

  /** Answers the next request(s) this way instead of 202; `undefined` means 202. */
  answerNext(
    ...answers: Array<
      StubAnswer | ((request: StubRequest) => StubAnswer | undefined)
    >
  ) {
    for (const answer of answers) {
      this.scripted.push(typeof answer === 'function' ? answer : () => answer);
    }
  }

  get countedEvents(): number {
    return [...this.counted.values()].reduce((a, b) => a + b, 0);
  }

  async start(): Promise<this> {
    this.http = await startHttpServer((req, res) => this.handle(req, res));
    this.url = `${this.http.url}/api/ai-telemetry`;
    return this;
  }

  async stop(): Promise<void> {
    await this.http?.close();
  }

  private count(body: IngestEventsRequest): {
    accepted: number;
    duplicate: boolean;
  } {
    const known = this.counted.get(body.batchId);
    if (known !== undefined) {
      return { accepted: known, duplicate: true };
    }
    this.counted.set(body.batchId, body.events.length);
    return { accepted: body.events.length, duplicate: false };
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/ai-telemetry/v1/events') {
        res.writeHead(404).end();
        return;
      }
      const request: StubRequest = {
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      };
      this.requests.push(request);
      const due = this.waiters.filter(w => this.requests.length >= w.count);
      this.waiters = this.waiters.filter(w => !due.includes(w));
      due.forEach(w => w.resolve());
      const answer = this.scripted.shift()?.(request);
      if (answer === 'hang-up-after-counting') {
        this.count(request.body);
        req.socket.destroy();
        return;
      }
      if (answer === undefined || answer.status === 202) {
        const counted = this.count(request.body);
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer?.body ?? counted));
        return;
      }
      res.writeHead(answer.status, {
        'Content-Type': 'application/json',
        ...answer.headers,
      });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  }
}

/** A Backstage error body, as the backend's error handler writes it. */
export function errorBody(name: string, message: string) {
  return { error: { name, message } };
}
