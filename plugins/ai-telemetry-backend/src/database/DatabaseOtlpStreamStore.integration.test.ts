import { OTLP_METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { DatabaseCounterStore } from './DatabaseCounterStore';
import { DatabaseOptInStore } from './DatabaseOptInStore';
import { DatabaseOtlpStreamStore } from './DatabaseOtlpStreamStore';
import { DatabasePersonalDataStore } from './DatabasePersonalDataStore';
import { StoredStreamState, StreamState } from './OtlpStreamStore';
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
const STREAM_A = '1'.repeat(64);
const STREAM_B = '2'.repeat(64);

const sessions = {
  metric: OTLP_METRICS.sessions,
  labels: { assistant: 'claude-code' },
};

function cumulative(total: number, lastEnd = '2000'): StreamState {
  return {
    temporality: 'cumulative',
    runStart: '1000',
    lastEnd,
    total,
    intervals: [],
  };
}

describe.each(STORE_DATABASE_IDS)(
  'DatabaseOtlpStreamStore on %s',
  databaseId => {
    const databases = createStoreTestDatabases();

    async function createStores() {
      const database = await initStoreDatabase(databases, databaseId);
      const optIns = await DatabaseOptInStore.create({ database });
      const counters = await DatabaseCounterStore.create({ database });
      const streams = await DatabaseOtlpStreamStore.create({ database });
      const personal = await DatabasePersonalDataStore.create({ database });
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
      const totals = async (userHash: string) =>
        (await personal.countersOf(userHash)).map(row => [
          row.metric,
          JSON.stringify(row.labels),
          row.valueMilli,
        ]);
      return { optIns, counters, streams, personal, totals };
    }

    it('writes stream states, counters and dropped points in one go, and reads the states back', async () => {
      const { streams, totals } = await createStores();
      const seen: Array<ReadonlyMap<string, StoredStreamState>> = [];

      expect(
        await streams.applyExport({
          userHash: JANE_HASH,
          streamIds: [STREAM_A, STREAM_B],
          decide: states => {
            seen.push(states);
            return {
              writes: new Map([
                [STREAM_A, cumulative(2.5)],
                [
                  STREAM_B,
                  {
                    temporality: 'delta',
                    runStart: '1000',
                    lastEnd: '18446744073709551615',
                    total: 0.125,
                    intervals: [['1000', '18446744073709551615']],
                  },
                ],
              ]),
              increments: [
                { ...sessions, valueMilli: 2000 },
                { ...sessions, valueMilli: 500 },
              ],
              dropped: { unknown_metric: 3, negative_value: 1 },
            };
          },
        }),
      ).toBe('applied');
      await streams.applyExport({
        userHash: JANE_HASH,
        streamIds: [STREAM_A, STREAM_B, STREAM_A],
        decide: states => {
          seen.push(states);
          return {
            writes: new Map(),
            increments: [],
            dropped: { unknown_metric: 2 },
          };
        },
      });

      expect(seen[0].size).toBe(0);
      expect(seen[1].get(STREAM_A)).toEqual({
        ...cumulative(2.5),
        updatedAt: expect.any(Date),
      });
      expect(seen[1].get(STREAM_B)).toMatchObject({
        temporality: 'delta',
        lastEnd: '18446744073709551615',
        total: 0.125,
        intervals: [['1000', '18446744073709551615']],
      });
      expect(await totals(JANE_HASH)).toEqual([
        [OTLP_METRICS.sessions, '{"assistant":"claude-code"}', 2500],
      ]);
      expect(await streams.droppedPoints()).toEqual({
        unknown_metric: 5,
        negative_value: 1,
      });
    });

    it('stores nothing for a user who is not opted in', async () => {
      const { optIns, streams, totals } = await createStores();
      await optIns.optOut({ userEntityRef: JOHN, source: 'portal' });
      const decide = jest.fn(() => ({
        writes: new Map([[STREAM_A, cumulative(1)]]),
        increments: [{ ...sessions, valueMilli: 1000 }],
        dropped: { unknown_metric: 1 },
      }));

      expect(
        await streams.applyExport({
          userHash: JOHN_HASH,
          streamIds: [STREAM_A],
          decide,
        }),
      ).toBe('not_opted_in');
      expect(decide).not.toHaveBeenCalled();
      expect(await totals(JOHN_HASH)).toEqual([]);
      expect(await streams.droppedPoints()).toEqual({});
    });

    it('runs concurrent exports of one user one after the other', async () => {
      const { streams, totals } = await createStores();
      // Both exports count the stream once only if the second sees what the first wrote.
      const apply = () =>
        streams.applyExport({
          userHash: JANE_HASH,
          streamIds: [STREAM_A],
          decide: states =>
            states.has(STREAM_A)
              ? { writes: new Map(), increments: [], dropped: {} }
              : {
                  writes: new Map([[STREAM_A, cumulative(1)]]),
                  increments: [{ ...sessions, valueMilli: 1000 }],
                  dropped: {},
                },
        });
      await Promise.all([apply(), apply(), apply()]);
      expect(await totals(JANE_HASH)).toEqual([
        [OTLP_METRICS.sessions, '{"assistant":"claude-code"}', 1000],
      ]);
    });

    it('forgets streams idle for longer than the retention, and a user’s streams on erasure', async () => {
      const { streams, personal } = await createStores();
      for (const userHash of [JANE_HASH, JOHN_HASH]) {
        await streams.applyExport({
          userHash,
          streamIds: [STREAM_A],
          decide: () => ({
            writes: new Map([[STREAM_A, cumulative(1)]]),
            increments: [{ ...sessions, valueMilli: 1000 }],
            dropped: {},
          }),
        });
      }
      const statesOf = async (userHash: string) => {
        let found: ReadonlyMap<string, StoredStreamState> = new Map();
        await streams.applyExport({
          userHash,
          streamIds: [STREAM_A],
          decide: states => {
            found = states;
            return { writes: new Map(), increments: [], dropped: {} };
          },
        });
        return found;
      };

      expect(await streams.pruneStreams(new Date(Date.now() - 60_000))).toBe(0);
      expect(await personal.deleteCountersOf(JANE_HASH)).toEqual({
        counters: 1,
        batchIds: 0,
      });
      expect((await statesOf(JANE_HASH)).size).toBe(0);
      expect((await statesOf(JOHN_HASH)).size).toBe(1);
      expect(await streams.pruneStreams(new Date(Date.now() + 60_000))).toBe(1);
      expect((await statesOf(JOHN_HASH)).size).toBe(0);
    });
  },
);
