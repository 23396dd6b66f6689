import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TcpProxy } from '@fawkes/ai-telemetry-test-utils';
// The queue test runs against the real backend plugin, which only a test may import.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import aiTelemetryPlugin from '@fawkes/plugin-ai-telemetry-backend';
import {
  METRICS,
  TelemetryEvent,
  TelemetryTokenResponse,
  timeSavedSeconds,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { TelemetryClient } from './TelemetryClient';
import { TelemetryClientOptions } from './settings';

const USER = 'user:default/ada';
const SCRAPE_SUBJECT = 'prometheus-scrape';

/** A varied cycle of events: every kind, several languages and assistants, accepted or not. */
const EVENT_CYCLE: TelemetryEvent[] = [
  {
    kind: 'suggestion',
    language: 'python',
    accepted: true,
    lines: 3,
    waitMs: 640,
    activity: 'code_completion',
    assistant: 'copilot',
  },
  {
    kind: 'suggestion',
    language: 'typescript',
    accepted: false,
    assistant: 'copilot',
    count: 3,
  },
  { kind: 'feature', feature: 'chat', assistant: 'claude-code', count: 2 },
  {
    kind: 'suggestion',
    language: 'go',
    accepted: true,
    lines: 18,
    waitMs: 2300,
    activity: 'code_generation',
    assistant: 'cursor',
  },
  {
    kind: 'time_saved',
    activity: 'documentation',
    seconds: 240,
    assistant: 'copilot',
  },
  {
    kind: 'suggestion',
    language: 'python',
    accepted: false,
    assistant: 'cody',
  },
  { kind: 'feature', feature: 'test', count: 1 },
  {
    kind: 'suggestion',
    language: 'java',
    accepted: true,
    lines: 1,
    waitMs: 150,
    assistant: 'continue',
    count: 2,
  },
  {
    kind: 'time_saved',
    activity: 'code_generation',
    seconds: 75.5,
    assistant: 'cursor',
  },
];

/** Counter totals in thousandths, by metric and labels (without `user_hash`). */
type Totals = Map<string, number>;

function seriesKey(metric: string, labels: Record<string, string>): string {
  const rest = Object.entries(labels)
    .filter(([name]) => name !== USER_HASH_LABEL)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`);
  return `${metric}{${rest.join(',')}}`;
}

function add(totals: Totals, key: string, milli: number) {
  if (milli > 0) {
    totals.set(key, (totals.get(key) ?? 0) + milli);
  }
}

/** What the metric contract (docs/metric-contract.md) says the recorded events add up to. */
function expectedTotals(events: TelemetryEvent[]): Totals {
  const totals: Totals = new Map();
  for (const event of events) {
    const assistant = event.assistant ?? 'other';
    if (event.kind === 'suggestion') {
      const count = event.count ?? 1;
      const { language } = event;
      add(
        totals,
        seriesKey(METRICS.suggestions, {
          language,
          accepted: String(event.accepted),
          assistant,
        }),
        count * 1000,
      );
      if (event.accepted) {
        const lines = event.lines ?? 0;
        add(
          totals,
          seriesKey(METRICS.linesGenerated, { language, assistant }),
          count * lines * 1000,
        );
        const saved = Math.round(
          timeSavedSeconds(lines, (event.waitMs ?? 0) / 1000) * 1000,
        );
        add(
          totals,
          seriesKey(METRICS.timeSaved, {
            activity: event.activity ?? 'code_completion',
            assistant,
          }),
          count * saved,
        );
      }
    } else if (event.kind === 'feature') {
      add(
        totals,
        seriesKey(METRICS.featureUsage, { feature: event.feature, assistant }),
        (event.count ?? 1) * 1000,
      );
    } else {
      add(
        totals,
        seriesKey(METRICS.timeSaved, { activity: event.activity, assistant }),
        Math.round(event.seconds * 1000),
      );
    }
  }
  return totals;
}

/** The user's series of a scrape in the text exposition format, in thousandths. */
function scrapedTotals(body: string, userHash: string): Totals {
  const totals: Totals = new Map();
  for (const line of body.split('\n')) {
    const match = /^(ai_copilot_\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!match) {
      continue;
    }
    const labels = Object.fromEntries(
      [...match[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(m => [
        m[1],
        m[2],
      ]),
    );
    if (labels[USER_HASH_LABEL] === userHash) {
      add(
        totals,
        seriesKey(match[1], labels),
        Math.round(Number(match[3]) * 1000),
      );
    }
  }
  return totals;
}

describe('Client queue test', () => {
  let dir: string;
  let proxy: TcpProxy;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fawkes-client-backend-'));
    proxy = await new TcpProxy().start();
  });

  afterAll(async () => {
    await proxy.stop();
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  /** The real backend plugin on a SQLite database in files, which outlives a restart. */
  function startBackend() {
    return startTestBackend({
      features: [
        aiTelemetryPlugin,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: {
                client: 'better-sqlite3',
                connection: { directory: path.join(dir, 'database') },
              },
            },
            aiTelemetry: {
              prometheus: { baseUrl: 'http://127.0.0.1:9' },
              pushgateway: { baseUrl: 'http://127.0.0.1:9' },
              pseudonymKey: 'client-queue-test-pseudonym-key',
              metrics: {
                scrapeSubject: SCRAPE_SUBJECT,
                newSeriesZeroSeconds: 0,
              },
            },
          },
        }),
      ],
    });
  }

  it('the backend is down while events are recorded, comes back, and every event is counted once', async () => {
    let backend = await startBackend();
    proxy.target = backend.server.port();
    const optIn = await request(backend.server)
      .put('/api/ai-telemetry/v1/me/opt-in')
      .set('Authorization', mockCredentials.user.header(USER))
      .send({ enabled: true });
    expect(optIn.status).toBe(200);
    const { token, userHash } = optIn.body as TelemetryTokenResponse;

    const options: TelemetryClientOptions = {
      env: {},
      enabled: true,
      endpoint: `http://127.0.0.1:${proxy.port}/api/ai-telemetry`,
      token,
      queueDir: path.join(dir, 'queue'),
      flushIntervalMs: 0,
      flushAtEvents: 0,
      maxBatchEvents: 7,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10 },
    };
    const recorded: TelemetryEvent[] = [];
    const record = async (client: TelemetryClient, n: number) => {
      for (let i = 0; i < n; i++) {
        const event = EVENT_CYCLE[recorded.length % EVENT_CYCLE.length];
        expect(await client.record(event)).toBe('queued');
        recorded.push(event);
      }
    };

    // Up: delivered at once.
    let client = new TelemetryClient(options);
    await record(client, 10);
    expect(await client.flush()).toMatchObject({
      outcome: 'delivered',
      sentEvents: 10,
    });

    // The backend counts a batch but its answer is lost: the retry reuses the batch id.
    await record(client, 5);
    proxy.dropConnections();
    proxy.loseNextAnswer = true;
    expect(await client.flush()).toMatchObject({
      outcome: 'delivered',
      duplicateBatches: 1,
      remainingEvents: 0,
    });

    // Down: events are recorded and kept; the IDE even restarts in the meantime.
    await backend.stop();
    proxy.target = undefined;
    proxy.dropConnections();
    await record(client, 20);
    const whileDown = await client.flush();
    expect(whileDown).toMatchObject({
      outcome: 'retrying',
      remainingEvents: 20,
    });
    await client.close();
    client = new TelemetryClient(options);
    await record(client, 12);
    expect((await client.flush()).outcome).toBe('retrying');
    expect((await client.status()).queuedEvents).toBe(32);

    // Back, on the same database.
    backend = await startBackend();
    proxy.target = backend.server.port();
    const result = await client.flush({ force: true });
    expect(result).toMatchObject({
      outcome: 'delivered',
      sentEvents: 32,
      remainingEvents: 0,
    });
    await client.close();

    // A new series is served at 0 on its first scrape; the next scrape carries the totals.
    const scrape = async () => {
      const res = await request(backend.server)
        .get('/api/ai-telemetry/v1/metrics')
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service(SCRAPE_SUBJECT),
            targetPluginId: 'ai-telemetry',
          }),
        );
      expect(res.status).toBe(200);
      return res.text;
    };
    const first = await scrape();
    expect([...scrapedTotals(first, userHash).values()]).toEqual([]);
    let body = await scrape();
    for (let i = 0; i < 20 && scrapedTotals(body, userHash).size === 0; i++) {
      // The first scrape's hold is recorded after its response; ask again until it is.
      body = await scrape();
    }

    expect(recorded).toHaveLength(47);
    expect(Object.fromEntries(scrapedTotals(body, userHash))).toEqual(
      Object.fromEntries(expectedTotals(recorded)),
    );
    expect(body).toMatch(/^ai_telemetry_events_ingested_total 47$/m);
    await backend.stop();
  }, 60_000);
});
