import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// The client runs against the real backend plugin, which only a test may import.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import aiTelemetryPlugin from '@fawkes/plugin-ai-telemetry-backend';
import {
  TelemetryEvent,
  TelemetryTokenResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { TelemetryClient } from './TelemetryClient';
import { TelemetryClientOptions } from './settings';

/**
 * The client against the real backend plugin, in a test backend on a real HTTP port (in this
 * process: nothing here needs a backend of its own), with a per-developer budget of 120 events
 * a minute (`aiTelemetry.limits.ingestion.eventsPerMinute`) and the real clock: the backend
 * answers 429 with Retry-After, and the client keeps its queue, waits as told (within a flush
 * when the wait is short, in a later flush when it is longer than `retry.maxDelayMs`) and sends
 * again, until every event is counted exactly once. The client's own fetch and sleep are
 * wrapped only to watch them: every request goes over HTTP to the backend, every wait happens.
 */

const SCRAPE_SUBJECT = 'prometheus-scrape';
const EVENTS_PER_MINUTE = 120;

/** A feature invocation standing for `count` of them: the budget counts each event's count. */
const chat = (count: number): TelemetryEvent => ({
  kind: 'feature',
  feature: 'chat',
  assistant: 'copilot',
  count,
});

/** One request of the client, as it went over the wire. */
type Exchange = {
  at: number;
  batchId: string;
  status: number;
  retryAfter?: number;
  duplicate?: boolean;
};

describe('the client under the backend’s rate limit', () => {
  let dir: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let endpoint: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fawkes-client-limit-'));
    backend = await startTestBackend({
      features: [
        aiTelemetryPlugin,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            aiTelemetry: {
              prometheus: { baseUrl: 'http://127.0.0.1:9' },
              pushgateway: { baseUrl: 'http://127.0.0.1:9' },
              pseudonymKey: 'client-limit-test-pseudonym-key',
              metrics: {
                scrapeSubject: SCRAPE_SUBJECT,
                newSeriesZeroSeconds: 0,
              },
              limits: { ingestion: { eventsPerMinute: EVENTS_PER_MINUTE } },
            },
          },
        }),
      ],
    });
    endpoint = `http://127.0.0.1:${backend.server.port()}/api/ai-telemetry`;
  });

  afterAll(async () => {
    await backend?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function optIn(user: string): Promise<TelemetryTokenResponse> {
    const res = await request(backend.server)
      .put('/api/ai-telemetry/v1/me/opt-in')
      .set('Authorization', mockCredentials.user.header(user))
      .send({ enabled: true });
    expect(res.status).toBe(200);
    return res.body;
  }

  /** The developer's total of chat invocations and the events ingested, as Prometheus scrapes them. */
  async function scraped(userHash: string) {
    const scrape = () =>
      request(backend.server)
        .get('/api/ai-telemetry/v1/metrics')
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service(SCRAPE_SUBJECT),
            targetPluginId: 'ai-telemetry',
          }),
        );
    let text = '';
    for (let i = 0; i < 20 && !text.includes(userHash); i++) {
      // A new series is served at 0 first; the next scrape carries its total.
      await scrape();
      text = (await scrape()).text;
    }
    const line = new RegExp(
      `^ai_copilot_feature_usage\\{user_hash="${userHash}",feature="chat",assistant="copilot"\\} (\\S+)$`,
      'm',
    ).exec(text);
    return Number(line?.[1]);
  }

  /** A client of `user`'s token, one event a batch, its requests and waits recorded. */
  function clientOf(
    token: string,
    name: string,
    retry: TelemetryClientOptions['retry'],
  ) {
    const exchanges: Exchange[] = [];
    const waits: number[] = [];
    const watchedFetch: typeof fetch = async (input, init) => {
      const at = Date.now();
      const response = await fetch(input, init);
      const { batchId } = JSON.parse(String(init?.body));
      const body = await response.clone().json();
      exchanges.push({
        at,
        batchId,
        status: response.status,
        retryAfter: response.headers.has('retry-after')
          ? Number(response.headers.get('retry-after'))
          : undefined,
        duplicate: body.duplicate,
      });
      return response;
    };
    const client = new TelemetryClient({
      env: {},
      enabled: true,
      endpoint,
      token,
      queueDir: path.join(dir, name),
      flushIntervalMs: 0,
      flushAtEvents: 0,
      maxBatchEvents: 1,
      retry,
      fetch: watchedFetch,
      sleep: ms => {
        waits.push(ms);
        return new Promise(resolve => setTimeout(resolve, ms));
      },
    });
    return { client, exchanges, waits };
  }

  /** Every batch accepted once and never as a duplicate; after a 429, nothing sent before Retry-After. */
  function expectWaitedAndCountedOnce(exchanges: Exchange[], batches: number) {
    const accepted = exchanges.filter(e => e.status === 202);
    expect(accepted.map(e => e.duplicate)).toEqual(Array(batches).fill(false));
    expect(new Set(accepted.map(e => e.batchId)).size).toBe(batches);
    const refused = exchanges.filter(e => e.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) {
      expect(e.retryAfter).toBeGreaterThanOrEqual(1);
      const next = exchanges.find(x => x.at > e.at && x.batchId === e.batchId);
      expect(next).toBeDefined();
      expect(next!.at - e.at).toBeGreaterThanOrEqual(e.retryAfter! * 1000);
    }
    expect(exchanges.every(e => e.status === 202 || e.status === 429)).toBe(
      true,
    );
  }

  it('waits out a short Retry-After within the flush and sends again, losing and doubling nothing', async () => {
    const { token, userHash } = await optIn('user:default/ada');
    const { client, exchanges, waits } = clientOf(token, 'short', {
      maxAttempts: 5,
      baseDelayMs: 10,
      maxDelayMs: 3000,
    });
    // A minute's worth at once, then three more that each fit a second later.
    const counts = [100, 20, 2, 2, 2];
    for (const count of counts) {
      expect(await client.record(chat(count))).toBe('queued');
    }

    const result = await client.flush();
    await client.close();

    expect(result).toMatchObject({
      outcome: 'delivered',
      sentEvents: counts.length,
      duplicateBatches: 0,
      remainingEvents: 0,
    });
    expectWaitedAndCountedOnce(exchanges, counts.length);
    // It waited as long as the backend asked, no more than a little longer.
    expect(waits.filter(ms => ms >= 1000).length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(3000);
    expect(await scraped(userHash)).toBe(126);
  }, 30_000);

  it('keeps its queue past a Retry-After longer than it waits within a flush, and sends it then', async () => {
    const { token, userHash } = await optIn('user:default/grace');
    const { client, exchanges } = clientOf(token, 'long', {
      maxAttempts: 5,
      baseDelayMs: 10,
      // Shorter than the backend's Retry-After: the flush ends and a later one sends.
      maxDelayMs: 500,
    });
    for (const count of [100, 20, 2]) {
      expect(await client.record(chat(count))).toBe('queued');
    }

    const first = await client.flush();
    expect(first).toMatchObject({
      outcome: 'retrying',
      sentEvents: 2,
      remainingEvents: 1,
    });
    const refused = exchanges[exchanges.length - 1];
    expect(refused.status).toBe(429);
    expect(first.nextAttemptAt).toBeGreaterThanOrEqual(
      refused.at + refused.retryAfter! * 1000,
    );
    expect(first.message).toMatch(/Too many events.*the events stay queued/);
    expect((await client.status()).queuedEvents).toBe(1);

    // Too early: nothing is sent.
    const sent = exchanges.length;
    expect((await client.flush()).outcome).toBe('backing-off');
    expect(exchanges.length).toBe(sent);

    await new Promise(resolve =>
      setTimeout(resolve, first.nextAttemptAt! - Date.now() + 20),
    );
    const later = await client.flush();
    await client.close();

    expect(later).toMatchObject({
      outcome: 'delivered',
      sentEvents: 1,
      remainingEvents: 0,
    });
    expectWaitedAndCountedOnce(exchanges, 3);
    expect(await scraped(userHash)).toBe(122);
  }, 30_000);
});
