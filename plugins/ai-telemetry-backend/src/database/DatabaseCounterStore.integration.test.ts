import { METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { CounterIncrement, counterLabelsKey } from './CounterStore';
import { DatabaseCounterStore } from './DatabaseCounterStore';
import { DatabaseOptInStore } from './DatabaseOptInStore';
import {
  createStoreTestDatabases,
  initStoreDatabase,
  STORE_DATABASE_IDS,
} from '../__testUtils__/storeTestDatabases';

jest.setTimeout(60_000);

const JANE = 'user:default/jane.doe';
const JANE_HASH = 'a'.repeat(64);
const JOHN = 'user:default/john.roe';
const JOHN_HASH = 'b'.repeat(64);

const pythonAccepted: CounterIncrement = {
  metric: METRICS.suggestions,
  labels: { language: 'python', accepted: 'true', assistant: 'copilot' },
  valueMilli: 1000,
};
const chatUse: CounterIncrement = {
  metric: METRICS.featureUsage,
  labels: { feature: 'chat', assistant: 'copilot' },
  valueMilli: 3000,
};
const timeSaved: CounterIncrement = {
  metric: METRICS.timeSaved,
  labels: { activity: 'code_completion', assistant: 'copilot' },
  valueMilli: 10_125,
};

describe('counterLabelsKey', () => {
  it('orders the labels as the contract does, whatever order they come in', () => {
    expect(
      counterLabelsKey(METRICS.suggestions, {
        assistant: 'copilot',
        accepted: 'true',
        language: 'go',
      }),
    ).toBe('{"language":"go","accepted":"true","assistant":"copilot"}');
  });

  it('refuses a missing or foreign label', () => {
    expect(() =>
      counterLabelsKey(METRICS.featureUsage, { feature: 'chat' }),
    ).toThrow(/needs a value for its label assistant/);
    expect(() =>
      counterLabelsKey(METRICS.featureUsage, {
        feature: 'chat',
        assistant: 'copilot',
        date: 'today',
      }),
    ).toThrow(/has no label date/);
  });
});

describe.each(STORE_DATABASE_IDS)('DatabaseCounterStore on %s', databaseId => {
  const databases = createStoreTestDatabases();

  async function createStores() {
    const database = await initStoreDatabase(databases, databaseId);
    const optIns = await DatabaseOptInStore.create({ database });
    const counters = await DatabaseCounterStore.create({ database });
    await optIns.optIn({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      tokenHash: 'token-jane',
      source: 'portal',
    });
    await optIns.optIn({
      userEntityRef: JOHN,
      userHash: JOHN_HASH,
      tokenHash: 'token-john',
      source: 'portal',
    });
    return { optIns, counters };
  }

  /** The running totals, sorted: every counter marked as served long ago, then read. */
  async function totals(counters: DatabaseCounterStore) {
    const now = new Date();
    const fresh = await counters.readForScrape({ newSince: now });
    await counters.markZeroServed(
      fresh.flatMap(r => (r.unservedId === undefined ? [] : [r.unservedId])),
      new Date(0),
    );
    return (await counters.readForScrape({ newSince: now }))
      .map(r => [r.userHash, r.metric, r.labels, r.valueMilli] as const)
      .sort((a, b) =>
        `${a[0]}${a[1]}${a[2]}`.localeCompare(`${b[0]}${b[1]}${b[2]}`),
      );
  }

  it('adds a batch to the running totals, merging increments of one counter', async () => {
    const { counters } = await createStores();

    const result = await counters.applyBatch({
      userHash: JANE_HASH,
      batchId: 'b1',
      eventCount: 3,
      increments: [pythonAccepted, chatUse, pythonAccepted],
    });
    await counters.applyBatch({
      userHash: JANE_HASH,
      batchId: 'b2',
      eventCount: 2,
      increments: [pythonAccepted, timeSaved],
    });

    expect(result).toEqual({ status: 'applied', accepted: 3 });
    expect(await totals(counters)).toEqual([
      [
        JANE_HASH,
        METRICS.featureUsage,
        '{"feature":"chat","assistant":"copilot"}',
        3000,
      ],
      [
        JANE_HASH,
        METRICS.suggestions,
        '{"language":"python","accepted":"true","assistant":"copilot"}',
        3000,
      ],
      [
        JANE_HASH,
        METRICS.timeSaved,
        '{"activity":"code_completion","assistant":"copilot"}',
        10_125,
      ],
    ]);
    expect(await counters.ingestionTotals()).toEqual({ events: 5, batches: 2 });
  });

  it('counts a batch id once per user, and answers what the first delivery counted', async () => {
    const { counters } = await createStores();
    const batch = {
      userHash: JANE_HASH,
      batchId: 'same-id',
      eventCount: 1,
      increments: [pythonAccepted],
    };

    await counters.applyBatch(batch);
    const again = await counters.applyBatch({ ...batch, eventCount: 7 });
    const john = await counters.applyBatch({ ...batch, userHash: JOHN_HASH });

    expect(again).toEqual({ status: 'duplicate', accepted: 1 });
    expect(john).toEqual({ status: 'applied', accepted: 1 });
    expect(
      (await totals(counters)).map(([user, , , value]) => [user, value]),
    ).toEqual([
      [JANE_HASH, 1000],
      [JOHN_HASH, 1000],
    ]);
    expect(await counters.ingestionTotals()).toEqual({ events: 2, batches: 2 });
  });

  it('counts each of many concurrent deliveries of one batch exactly once', async () => {
    const { counters } = await createStores();

    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        counters.applyBatch({
          userHash: JANE_HASH,
          batchId: 'retried',
          eventCount: 2,
          increments: [pythonAccepted, chatUse],
        }),
      ),
    );

    expect(results.filter(r => r.status === 'applied')).toHaveLength(1);
    expect(results.filter(r => r.status === 'duplicate')).toHaveLength(7);
    expect((await totals(counters)).map(([, , , value]) => value)).toEqual([
      3000, 1000,
    ]);
  });

  it('stores nothing for a user who is not opted in', async () => {
    const { optIns, counters } = await createStores();
    await optIns.optOut({ userEntityRef: JOHN, source: 'portal' });

    const optedOut = await counters.applyBatch({
      userHash: JOHN_HASH,
      batchId: 'b1',
      eventCount: 1,
      increments: [pythonAccepted],
    });
    const stranger = await counters.applyBatch({
      userHash: 'c'.repeat(64),
      batchId: 'b1',
      eventCount: 1,
      increments: [pythonAccepted],
    });

    expect(optedOut).toEqual({ status: 'not_opted_in' });
    expect(stranger).toEqual({ status: 'not_opted_in' });
    expect(await totals(counters)).toEqual([]);
    expect(await counters.ingestionTotals()).toEqual({ events: 0, batches: 0 });
  });

  it('a half-applied batch leaves nothing behind: the batch id and every counter roll back together', async () => {
    const { counters } = await createStores();

    const outcome = await counters
      .applyBatch({
        userHash: JANE_HASH,
        batchId: 'broken',
        eventCount: 2,
        increments: [
          pythonAccepted,
          // Fails in the database (NOT NULL) after the batch id was written: a stand-in for a
          // crash halfway through.
          { ...chatUse, valueMilli: null as unknown as number },
        ],
      })
      .then(
        resolved => ({ resolved }),
        error => ({ rejected: String(error) }),
      );
    expect(outcome).toEqual({
      rejected: expect.stringMatching(/value_milli/),
    });
    const retried = await counters.applyBatch({
      userHash: JANE_HASH,
      batchId: 'broken',
      eventCount: 1,
      increments: [pythonAccepted],
    });

    expect(retried).toEqual({ status: 'applied', accepted: 1 });
    expect((await totals(counters)).map(([, , , value]) => value)).toEqual([
      1000,
    ]);
  });

  it('serves only opted-in users', async () => {
    const { optIns, counters } = await createStores();
    for (const userHash of [JOHN_HASH, JANE_HASH]) {
      await counters.applyBatch({
        userHash,
        batchId: 'b1',
        eventCount: 2,
        increments: [pythonAccepted, chatUse],
      });
    }

    expect(
      (await totals(counters)).map(([user, metric]) => [user, metric]),
    ).toEqual([
      [JANE_HASH, METRICS.featureUsage],
      [JANE_HASH, METRICS.suggestions],
      [JOHN_HASH, METRICS.featureUsage],
      [JOHN_HASH, METRICS.suggestions],
    ]);

    await optIns.optOut({ userEntityRef: JOHN, source: 'portal' });
    expect((await totals(counters)).map(([user]) => user)).toEqual([
      JANE_HASH,
      JANE_HASH,
    ]);
  });

  it('reads a counter as 0 until its first serving is older than newSince, and remembers only the first', async () => {
    const { counters } = await createStores();
    await counters.applyBatch({
      userHash: JANE_HASH,
      batchId: 'b1',
      eventCount: 2,
      increments: [pythonAccepted, chatUse],
    });
    const t0 = new Date('2026-01-01T00:00:00Z');
    const seconds = (s: number) => new Date(t0.getTime() + s * 1000);

    const fresh = await counters.readForScrape({ newSince: seconds(3600) });
    expect(fresh.map(r => r.valueMilli)).toEqual([0, 0]);
    const ids = fresh.map(r => r.unservedId!);
    expect(ids.every(id => typeof id === 'number')).toBe(true);

    await counters.markZeroServed([ids[0]], t0);
    await counters.markZeroServed(ids, seconds(60));

    const byMetric = async (newSince: Date) =>
      Object.fromEntries(
        (await counters.readForScrape({ newSince })).map(r => [
          r.metric,
          [r.valueMilli, r.unservedId],
        ]),
      );
    expect(await byMetric(seconds(-1))).toEqual({
      [pythonAccepted.metric]: [0, undefined],
      [chatUse.metric]: [0, undefined],
    });
    const firstMarked =
      fresh[0].metric === chatUse.metric ? chatUse : pythonAccepted;
    const secondMarked = firstMarked === chatUse ? pythonAccepted : chatUse;
    expect(await byMetric(seconds(30))).toEqual({
      [firstMarked.metric]: [firstMarked.valueMilli, undefined],
      [secondMarked.metric]: [0, undefined],
    });
    expect(await byMetric(seconds(60))).toEqual({
      [firstMarked.metric]: [firstMarked.valueMilli, undefined],
      [secondMarked.metric]: [secondMarked.valueMilli, undefined],
    });
  });

  it('forgets old batch ids, after which a batch id may count again', async () => {
    const { counters } = await createStores();
    await counters.applyBatch({
      userHash: JANE_HASH,
      batchId: 'old',
      eventCount: 1,
      increments: [pythonAccepted],
    });

    expect(await counters.pruneBatchIds(new Date(Date.now() - 60_000))).toBe(0);
    expect(await counters.pruneBatchIds(new Date(Date.now() + 60_000))).toBe(1);
    expect(
      await counters.applyBatch({
        userHash: JANE_HASH,
        batchId: 'old',
        eventCount: 1,
        increments: [pythonAccepted],
      }),
    ).toEqual({ status: 'applied', accepted: 1 });
  });
});
