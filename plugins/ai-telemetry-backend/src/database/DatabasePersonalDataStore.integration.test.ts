import { METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { DatabaseCounterStore } from './DatabaseCounterStore';
import { DatabaseOptInStore } from './DatabaseOptInStore';
import { DatabasePersonalDataStore } from './DatabasePersonalDataStore';
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

describe.each(STORE_DATABASE_IDS)(
  'DatabasePersonalDataStore on %s',
  databaseId => {
    const databases = createStoreTestDatabases();

    async function createStores() {
      const database = await initStoreDatabase(databases, databaseId);
      const optIns = await DatabaseOptInStore.create({ database });
      const counters = await DatabaseCounterStore.create({ database });
      const personal = await DatabasePersonalDataStore.create({ database });
      for (const [ref, hash] of [
        [JANE, JANE_HASH],
        [JOHN, JOHN_HASH],
      ]) {
        await optIns.optIn({
          userEntityRef: ref,
          userHash: hash,
          tokenHash: `token-${hash.slice(0, 8)}`,
          source: 'portal',
        });
        await counters.applyBatch({
          userHash: hash,
          batchId: 'b1',
          eventCount: 2,
          increments: [
            {
              metric: METRICS.featureUsage,
              labels: { feature: 'chat', assistant: 'copilot' },
              valueMilli: 2000,
            },
            {
              metric: METRICS.timeSaved,
              labels: { activity: 'code_completion', assistant: 'copilot' },
              valueMilli: 10_125,
            },
          ],
        });
      }
      return { optIns, counters, personal };
    }

    it('reads and deletes one pseudonym’s running totals and batch ids, and nobody else’s', async () => {
      const { counters, personal } = await createStores();

      const jane = await personal.countersOf(JANE_HASH);
      const deleted = await personal.deleteCountersOf(JANE_HASH);

      expect(jane.map(c => [c.metric, c.labels, c.valueMilli])).toEqual([
        [METRICS.featureUsage, { feature: 'chat', assistant: 'copilot' }, 2000],
        [
          METRICS.timeSaved,
          { activity: 'code_completion', assistant: 'copilot' },
          10_125,
        ],
      ]);
      expect(jane[0].firstSeen).toBeInstanceOf(Date);
      expect(deleted).toEqual({ counters: 2, batchIds: 1 });
      expect(await personal.countersOf(JANE_HASH)).toEqual([]);
      expect(await personal.countersOf(JOHN_HASH)).toHaveLength(2);
      const served = await counters.readForScrape({ newSince: new Date(0) });
      expect(new Set(served.map(r => r.userHash))).toEqual(
        new Set([JOHN_HASH]),
      );
    });

    it('forgets opt-in history older than the retention', async () => {
      const { optIns, personal } = await createStores();
      await optIns.optOut({ userEntityRef: JANE, source: 'portal' });

      expect(await personal.pruneOptInHistory(new Date(0))).toBe(0);
      expect(
        await personal.pruneOptInHistory(new Date(Date.now() + 60_000)),
      ).toBe(3);
      expect(await optIns.history(JANE)).toEqual([]);
      expect((await optIns.get(JANE))?.optedIn).toBe(false);
    });
  },
);
