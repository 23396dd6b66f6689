import { METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { DatabaseCounterStore } from './DatabaseCounterStore';
import { DatabaseGithubImportStore } from './DatabaseGithubImportStore';
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

const goLines = (n: number) => ({
  metric: METRICS.linesGenerated,
  labels: { language: 'go', assistant: 'copilot' },
  valueMilli: n * 1000,
});
const accepted = (n: number) => ({
  metric: METRICS.suggestions,
  labels: { language: 'go', accepted: 'true', assistant: 'copilot' },
  valueMilli: n * 1000,
});

describe.each(STORE_DATABASE_IDS)(
  'DatabaseGithubImportStore on %s',
  databaseId => {
    const databases = createStoreTestDatabases();

    async function createStores() {
      const database = await initStoreDatabase(databases, databaseId);
      const optIns = await DatabaseOptInStore.create({ database });
      const counters = await DatabaseCounterStore.create({ database });
      const store = await DatabaseGithubImportStore.create({ database });
      for (const [userEntityRef, userHash] of [
        [JANE, JANE_HASH],
        [JOHN, JOHN_HASH],
      ]) {
        await optIns.optIn({
          userEntityRef,
          userHash,
          tokenHash: `token-${userHash.slice(0, 8)}`,
          source: 'portal',
        });
      }
      return { optIns, counters, store };
    }

    it('keeps running totals per series, with each day’s totals before and after', async () => {
      const { store } = await createStores();
      const first = await store.importDay('2026-11-20', [
        {
          userHash: JANE_HASH,
          active: true,
          increments: [goLines(5), accepted(2)],
        },
        { userHash: JOHN_HASH, active: false, increments: [] },
      ]);
      expect(first.map(e => [e.userHash, e.active, e.changes.length])).toEqual([
        [JANE_HASH, true, 2],
        [JOHN_HASH, false, 0],
      ]);
      const second = await store.importDay('2026-11-21', [
        {
          userHash: JANE_HASH,
          active: true,
          increments: [goLines(3), goLines(4)],
        },
      ]);
      expect(second[0].changes).toEqual([
        {
          metric: METRICS.linesGenerated,
          labels: { language: 'go', assistant: 'copilot' },
          beforeMilli: 5000,
          afterMilli: 12_000,
        },
      ]);
      expect(await store.totalsOf(JANE_HASH)).toEqual([
        {
          metric: METRICS.linesGenerated,
          labels: { language: 'go', assistant: 'copilot' },
          valueMilli: 12_000,
          throughDay: '2026-11-21',
        },
        {
          metric: METRICS.suggestions,
          labels: { language: 'go', accepted: 'true', assistant: 'copilot' },
          valueMilli: 2000,
          throughDay: '2026-11-20',
        },
      ]);
      expect((await store.ledgerOf(JANE_HASH)).map(e => e.day)).toEqual([
        '2026-11-21',
        '2026-11-20',
      ]);
      expect(await store.latestDays([JANE_HASH, JOHN_HASH])).toEqual(
        new Map([
          [JANE_HASH, '2026-11-21'],
          [JOHN_HASH, '2026-11-20'],
        ]),
      );
      expect(await store.coverage()).toEqual({
        from: '2026-11-20',
        through: '2026-11-21',
        developers: 2,
      });
      expect(await store.coverage('2026-11-21')).toEqual({
        from: '2026-11-21',
        through: '2026-11-21',
        developers: 1,
      });
    });

    it('counts a day once, never one older than the latest, and nothing for someone not opted in', async () => {
      const { store, optIns } = await createStores();
      await store.importDay('2026-11-21', [
        { userHash: JANE_HASH, active: true, increments: [goLines(5)] },
      ]);
      expect(
        await store.importDay('2026-11-21', [
          { userHash: JANE_HASH, active: true, increments: [goLines(5)] },
        ]),
      ).toEqual([]);
      expect(
        await store.importDay('2026-11-19', [
          { userHash: JANE_HASH, active: true, increments: [goLines(1)] },
        ]),
      ).toEqual([]);
      await optIns.optOut({ userEntityRef: JOHN, source: 'portal' });
      expect(
        await store.importDay('2026-11-22', [
          { userHash: JOHN_HASH, active: true, increments: [goLines(1)] },
        ]),
      ).toEqual([]);
      expect(await store.totalsOf(JANE_HASH)).toEqual([
        expect.objectContaining({ valueMilli: 5000 }),
      ]);
      expect(await store.ledgerOf(JOHN_HASH)).toEqual([]);
    });

    it('hands back the days Prometheus has not taken, until they are marked written', async () => {
      const { store } = await createStores();
      await store.importDay('2026-11-20', [
        { userHash: JANE_HASH, active: true, increments: [goLines(1)] },
        { userHash: JOHN_HASH, active: true, increments: [goLines(2)] },
      ]);
      const pending = await store.unwritten(10);
      expect(pending.map(e => e.userHash)).toEqual([JANE_HASH, JOHN_HASH]);
      await store.markWritten([pending[0]], new Date());
      expect((await store.unwritten(10)).map(e => e.userHash)).toEqual([
        JOHN_HASH,
      ]);
    });

    it('covers developers from the backfill, or from tomorrow when their clients counted Copilot', async () => {
      const { store, counters } = await createStores();
      await counters.applyBatch({
        userHash: JOHN_HASH,
        batchId: 'b1',
        eventCount: 1,
        increments: [accepted(1)],
      });
      const options = {
        backfillFrom: '2026-11-01',
        clientsUntil: '2026-11-30',
      };
      expect(await store.cover([JANE_HASH, JOHN_HASH], options)).toEqual(
        new Map([
          [JANE_HASH, '2026-11-01'],
          [JOHN_HASH, '2026-11-30'],
        ]),
      );
      // Kept while covered; forgotten once not.
      expect(
        await store.cover([JANE_HASH], {
          backfillFrom: '2026-11-05',
          clientsUntil: '2026-12-01',
        }),
      ).toEqual(new Map([[JANE_HASH, '2026-11-01']]));
      expect(
        await store.cover([JANE_HASH, JOHN_HASH], {
          backfillFrom: '2026-11-05',
          clientsUntil: '2026-12-01',
        }),
      ).toEqual(
        new Map([
          [JANE_HASH, '2026-11-01'],
          [JOHN_HASH, '2026-12-01'],
        ]),
      );
    });

    it('forgets everything of a pseudonym on erasure, and keeps the state', async () => {
      const { store } = await createStores();
      await store.importDay('2026-11-20', [
        {
          userHash: JANE_HASH,
          active: true,
          increments: [goLines(1), accepted(1)],
        },
        { userHash: JOHN_HASH, active: true, increments: [goLines(2)] },
      ]);
      await store.cover([JANE_HASH, JOHN_HASH], {
        backfillFrom: '2026-11-01',
        clientsUntil: '2026-11-30',
      });
      await store.writeState('status', { failing: false });
      expect(await store.deleteUser(JANE_HASH)).toEqual({ days: 1, totals: 2 });
      expect(await store.ledgerOf(JANE_HASH)).toEqual([]);
      expect(await store.totalsOf(JANE_HASH)).toEqual([]);
      expect(await store.ledgerOf(JOHN_HASH)).toHaveLength(1);
      expect(await store.readState('status')).toEqual({ failing: false });
      // Covered again from scratch: the backfill again.
      expect(
        (
          await store.cover([JANE_HASH, JOHN_HASH], {
            backfillFrom: '2026-11-07',
            clientsUntil: '2026-12-01',
          })
        ).get(JANE_HASH),
      ).toBe('2026-11-07');
    });
  },
);
