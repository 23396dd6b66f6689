import {
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import { IncomingMessage } from 'node:http';

/**
 * A stand-in for Prometheus and the Pushgateway at one URL, for tests of the HTTP layer: every
 * query is answered with no data (held until `release()` when started `held`), every deletion
 * is accepted, and every PromQL query sent is kept, for the test to read back.
 */
export type FakeUpstream = TestHttpServer & {
  /** Every PromQL query received, in order. */
  queries: string[];
  /** Answers the queries held so far, and every later one at once. */
  release(): void;
};

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeUpstream(
  options: { held?: boolean } = {},
): Promise<FakeUpstream> {
  const queries: string[] = [];
  let release = () => {};
  const gate = options.held
    ? new Promise<void>(resolve => {
        release = resolve;
      })
    : Promise.resolve();
  const server = await startHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const form = new URLSearchParams(await bodyOf(req));
    const answer = (status: number, body?: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const path = url.pathname;
    if (path === '/-/ready' || path === '/-/healthy') {
      res.end('OK');
    } else if (path === '/api/v1/query' || path === '/api/v1/query_range') {
      queries.push(form.get('query') ?? url.searchParams.get('query') ?? '');
      await gate;
      answer(200, {
        status: 'success',
        data: {
          resultType: path === '/api/v1/query' ? 'vector' : 'matrix',
          result: [],
        },
      });
    } else if (path === '/api/v1/rules') {
      answer(200, { status: 'success', data: { groups: [] } });
    } else if (path.startsWith('/api/v1/admin/tsdb/')) {
      answer(204);
    } else if (path === '/api/v1/metrics') {
      answer(200, { status: 'success', data: [] });
    } else if (req.method === 'DELETE' && path.startsWith('/metrics/')) {
      answer(202);
    } else {
      answer(404, { status: 'error', error: `no ${path} here` });
    }
  });
  return Object.assign(server, { queries, release: () => release() });
}
