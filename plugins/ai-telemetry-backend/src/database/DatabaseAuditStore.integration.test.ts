import { DatabaseAuditStore } from './DatabaseAuditStore';
import {
  createStoreTestDatabases,
  initStoreDatabase,
  STORE_DATABASE_IDS,
} from '../__testUtils__/storeTestDatabases';

jest.setTimeout(60_000);

const JANE = 'user:default/jane.doe';
const JOHN = 'user:default/john.roe';
const day = (n: number) => new Date(Date.UTC(2026, 10, n));

describe.each(STORE_DATABASE_IDS)('DatabaseAuditStore on %s', databaseId => {
  const databases = createStoreTestDatabases();

  async function createStore() {
    return DatabaseAuditStore.create({
      database: await initStoreDatabase(databases, databaseId),
    });
  }

  it('lists entries newest first, page by page and by subject, and forgets those past the retention', async () => {
    const store = await createStore();
    await store.add({
      at: day(1),
      action: 'opt_in',
      actor: JANE,
      subject: JANE,
    });
    await store.add({
      at: day(2),
      action: 'opt_in',
      actor: 'User:default/John.Roe',
      subject: JOHN,
    });
    await store.add({
      at: day(3),
      action: 'erasure_step',
      actor: 'system',
      subject: JANE,
      detail: 'job 1, step 1 stop_ingestion: telemetry turned off',
    });

    const first = await store.list({ limit: 2 });
    const second = await store.list({ limit: 2, before: first[1].id });

    expect(first.map(e => [e.action, e.subject])).toEqual([
      ['erasure_step', JANE],
      ['opt_in', JOHN],
    ]);
    expect(first[0]).toMatchObject({
      at: day(3),
      actor: 'system',
      detail: 'job 1, step 1 stop_ingestion: telemetry turned off',
    });
    expect(first[1].actor).toBe(JOHN);
    expect(second.map(e => [e.action, e.at])).toEqual([['opt_in', day(1)]]);
    expect((await store.list({ limit: 10, subject: JANE })).length).toBe(2);

    expect(await store.pruneOlderThan(day(2))).toBe(1);
    expect((await store.list({ limit: 10 })).map(e => e.at)).toEqual([
      day(3),
      day(2),
    ]);
  });
});
