import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { DatabaseCounterStore } from '../database/DatabaseCounterStore';
import { DatabaseOptInStore } from '../database/DatabaseOptInStore';
import { MetricsService, Scrape } from './MetricsService';

const JANE = 'user:default/jane.doe';
const JANE_HASH = 'a'.repeat(64);
const JOHN = 'user:default/john.roe';
const JOHN_HASH = 'b'.repeat(64);
const T0 = new Date('2026-11-28T10:00:00Z');
const seconds = (s: number) => new Date(T0.getTime() + s * 1000);

function body(scrape: Scrape): string {
  return [...scrape.chunks()].join('');
}

/** The sample lines of the contract's metrics, without HELP and TYPE, sorted. */
function samples(scrape: Scrape): string[] {
  return body(scrape)
    .split('\n')
    .filter(line => line.startsWith('ai_copilot_'))
    .sort();
}

describe('MetricsService', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function setUp(newSeriesZeroSeconds = 60) {
    const database = mockServices.database({
      knex: await databases.init('SQLITE_3'),
    });
    const optIns = await DatabaseOptInStore.create({ database });
    const counters = await DatabaseCounterStore.create({ database });
    for (const [ref, userHash] of [
      [JANE, JANE_HASH],
      [JOHN, JOHN_HASH],
    ]) {
      await optIns.optIn({
        userEntityRef: ref,
        userHash,
        tokenHash: `token-${ref}`,
        source: 'portal',
      });
    }
    const service = () =>
      new MetricsService({ counters, optIns, newSeriesZeroSeconds });
    const add = (userHash: string, batchId: string, valueMilli: number) =>
      counters.applyBatch({
        userHash,
        batchId,
        eventCount: 1,
        increments: [
          {
            metric: METRICS.featureUsage,
            labels: { feature: 'chat', assistant: 'copilot' },
            valueMilli,
          },
        ],
      });
    return { optIns, counters, service, add };
  }

  it('serves the contract in the text format, with the self-metrics', async () => {
    const { service, add, counters } = await setUp(0);
    await add(JANE_HASH, 'b1', 2000);
    await counters.applyBatch({
      userHash: JOHN_HASH,
      batchId: 'b1',
      eventCount: 2,
      increments: [
        {
          metric: METRICS.timeSaved,
          labels: { activity: 'code_completion', assistant: 'copilot' },
          valueMilli: 10_125,
        },
      ],
    });
    const metrics = service();
    await (await metrics.scrape({ now: T0 })).delivered();

    expect(body(await metrics.scrape({ now: seconds(1) }))).toBe(
      [
        '# HELP ai_copilot_suggestions_total AI suggestions shown, by outcome (accepted="true"/"false").',
        '# TYPE ai_copilot_suggestions_total counter',
        '# HELP ai_copilot_lines_generated Lines accepted from an AI assistant.',
        '# TYPE ai_copilot_lines_generated counter',
        '# HELP ai_copilot_time_saved_seconds Estimated seconds saved by accepting AI output.',
        '# TYPE ai_copilot_time_saved_seconds counter',
        `ai_copilot_time_saved_seconds{user_hash="${JOHN_HASH}",activity="code_completion",assistant="copilot"} 10.125`,
        '# HELP ai_copilot_feature_usage AI assistant feature invocations.',
        '# TYPE ai_copilot_feature_usage counter',
        `ai_copilot_feature_usage{user_hash="${JANE_HASH}",feature="chat",assistant="copilot"} 2`,
        '# HELP ai_copilot_tokens_total Model tokens used by an AI assistant, by model and type (input, output, cache_read, cache_creation, reasoning).',
        '# TYPE ai_copilot_tokens_total counter',
        "# HELP ai_copilot_cost_usd_total AI assistant usage cost in US dollars: the assistant's own figure, else tokens times the configured price.",
        '# TYPE ai_copilot_cost_usd_total counter',
        '# HELP ai_copilot_sessions_total AI assistant sessions started.',
        '# TYPE ai_copilot_sessions_total counter',
        '# HELP ai_copilot_active_seconds_total Seconds an AI assistant was actively used, by the developer (user) or working itself (agent).',
        '# TYPE ai_copilot_active_seconds_total counter',
        '# HELP ai_copilot_commits_total Git commits made with an AI assistant.',
        '# TYPE ai_copilot_commits_total counter',
        '# HELP ai_copilot_pull_requests_total Pull requests created with an AI assistant.',
        '# TYPE ai_copilot_pull_requests_total counter',
        '# HELP ai_telemetry_events_ingested_total Events counted by the ingestion endpoint of every backend instance (retried batches count once).',
        '# TYPE ai_telemetry_events_ingested_total counter',
        'ai_telemetry_events_ingested_total 3',
        '# HELP ai_telemetry_opted_in_users Developers opted in to AI telemetry now.',
        '# TYPE ai_telemetry_opted_in_users gauge',
        'ai_telemetry_opted_in_users 2',
        '',
      ].join('\n'),
    );
  });

  it('serves a new label combination at 0 until the hold after its first delivered scrape', async () => {
    const { service, add } = await setUp(60);
    const metrics = service();
    await add(JANE_HASH, 'b1', 3000);

    const first = await metrics.scrape({ now: T0 });
    expect(samples(first)).toEqual([
      `ai_copilot_feature_usage{user_hash="${JANE_HASH}",feature="chat",assistant="copilot"} 0`,
    ]);
    await first.delivered();
    await add(JANE_HASH, 'b2', 1000);

    expect(samples(await metrics.scrape({ now: seconds(59) }))[0]).toMatch(
      / 0$/,
    );
    expect(samples(await metrics.scrape({ now: seconds(61) }))[0]).toMatch(
      / 4$/,
    );
  });

  it('a scrape that was not delivered does not start the hold', async () => {
    const { service, add } = await setUp(60);
    const metrics = service();
    await add(JANE_HASH, 'b1', 3000);

    expect(samples(await metrics.scrape({ now: T0 }))[0]).toMatch(/ 0$/);
    // That response never went out whole; an hour later the counter is still new.
    const later = await metrics.scrape({ now: seconds(3600) });
    expect(samples(later)[0]).toMatch(/ 0$/);
    await later.delivered();
    expect(samples(await metrics.scrape({ now: seconds(3630) }))[0]).toMatch(
      / 0$/,
    );
    expect(samples(await metrics.scrape({ now: seconds(3661) }))[0]).toMatch(
      / 3$/,
    );
  });

  it('every backend instance serves the same, whichever served the first scrape', async () => {
    const { service, add } = await setUp(60);
    const [a, b] = [service(), service()];
    await add(JANE_HASH, 'b1', 3000);

    await (await a.scrape({ now: T0 })).delivered();
    await add(JOHN_HASH, 'b1', 5000);

    expect(
      samples(await b.scrape({ now: seconds(30) })).map(l => l.slice(-2)),
    ).toEqual([' 0', ' 0']);
    const afterHold = await b.scrape({ now: seconds(61) });
    // Jane's hold began at T0 on instance a; John's counter is new to everyone.
    expect(samples(afterHold).map(l => l.slice(-2))).toEqual([' 3', ' 0']);
    await afterHold.delivered();
    expect(
      samples(await a.scrape({ now: seconds(122) })).map(l => l.slice(-2)),
    ).toEqual([' 3', ' 5']);
  });

  it('a counter that grows again later is served at its total at once: only new series start at 0', async () => {
    const { service, add } = await setUp(0);
    const metrics = service();
    await add(JANE_HASH, 'b1', 1000);
    await (await metrics.scrape({ now: T0 })).delivered();

    await add(JANE_HASH, 'b2', 1000);
    expect(samples(await metrics.scrape({ now: seconds(1) }))[0]).toMatch(
      / 2$/,
    );
  });

  it('splits the users into shards by pseudonym, the self-metrics in shard 0 only', async () => {
    const { service, add } = await setUp(0);
    await add(JANE_HASH, 'b1', 1000); // aaaa…: in the upper half
    await add(JOHN_HASH, 'b1', 1000); // bbbb…
    await add('1'.repeat(64), 'b1', 1000); // not opted in: served by no shard
    const metrics = service();
    const shard = async (index: number, count: 1 | 2 | 4 | 8 | 16) =>
      body(await metrics.scrape({ now: T0, shard: { index, count } }));

    const [lower, upper] = [await shard(0, 2), await shard(1, 2)];
    expect(lower).not.toMatch(/user_hash=/);
    expect(lower).toContain('ai_telemetry_opted_in_users 2\n');
    expect(upper).toContain(JANE_HASH);
    expect(upper).toContain(JOHN_HASH);
    expect(upper).not.toContain('ai_telemetry_');
    expect(await shard(10, 16)).toContain(JANE_HASH);
    expect(await shard(10, 16)).not.toContain(JOHN_HASH);
    expect(await shard(11, 16)).toContain(JOHN_HASH);
    expect(await shard(0, 1)).toContain(JOHN_HASH);
  });

  it('serves only opted-in users', async () => {
    const { service, add, optIns } = await setUp(0);
    await add(JANE_HASH, 'b1', 1000);
    await add(JOHN_HASH, 'b1', 1000);
    await optIns.optOut({ userEntityRef: JOHN, source: 'portal' });

    const text = body(await service().scrape({ now: T0 }));
    expect(text).toContain(JANE_HASH);
    expect(text).not.toContain(JOHN_HASH);
    expect(text).toContain('ai_telemetry_opted_in_users 1\n');
  });
});
