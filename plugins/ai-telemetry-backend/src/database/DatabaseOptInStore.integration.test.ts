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

describe.each(STORE_DATABASE_IDS)('DatabaseOptInStore on %s', databaseId => {
  const databases = createStoreTestDatabases();

  async function createStore() {
    return DatabaseOptInStore.create({
      database: await initStoreDatabase(databases, databaseId),
    });
  }

  it('knows nothing of a user who never chose', async () => {
    const store = await createStore();

    expect(await store.get(JANE)).toBeUndefined();
    expect(await store.history(JANE)).toEqual([]);
    expect(await store.optOut({ userEntityRef: JANE, source: 'portal' })).toBe(
      undefined,
    );
    expect(await store.get(JANE)).toBeUndefined();
    expect(await store.listOptedIn()).toEqual([]);
  });

  it('registers an opt-in with its pseudonym, its history and a working token', async () => {
    const store = await createStore();

    const record = await store.optIn({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      tokenHash: 'token-1',
      source: 'portal',
    });

    expect(record).toMatchObject({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      optedIn: true,
    });
    expect(record.since).toBeInstanceOf(Date);
    expect(await store.get(JANE)).toEqual(record);
    expect(await store.history(JANE)).toEqual([
      { enabled: true, source: 'portal', at: record.since },
    ]);
    expect(await store.findToken('token-1')).toMatchObject({
      userEntityRef: JANE,
      issuedBy: 'portal',
      revokedAt: undefined,
    });
    expect(await store.listOptedIn()).toEqual([
      { userEntityRef: JANE, userHash: JANE_HASH },
    ]);
    expect(await store.countOptedIn()).toBe(1);
  });

  it('keeps entity refs in lower case, so every spelling finds the same user', async () => {
    const store = await createStore();

    await store.optIn({
      userEntityRef: 'User:Default/Jane.Doe',
      userHash: JANE_HASH,
      tokenHash: 'token-1',
      source: 'portal',
    });

    expect((await store.get(JANE))?.userEntityRef).toBe(JANE);
    expect(await store.listOptedIn()).toEqual([
      { userEntityRef: JANE, userHash: JANE_HASH },
    ]);
  });

  it('revokes every token on opt-out and records the change', async () => {
    const store = await createStore();
    await store.optIn({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      tokenHash: 'token-1',
      source: 'portal',
    });
    await store.optIn({
      userEntityRef: JOHN,
      userHash: JOHN_HASH,
      tokenHash: 'token-john',
      source: 'demo',
    });

    const record = await store.optOut({
      userEntityRef: JANE,
      source: 'portal',
    });

    expect(record).toMatchObject({ optedIn: false, since: undefined });
    expect(await store.findToken('token-1')).toMatchObject({
      revokedReason: 'opted_out',
    });
    expect((await store.findToken('token-1'))?.revokedAt).toBeInstanceOf(Date);
    expect(await store.activeToken(JANE)).toBeUndefined();
    expect((await store.history(JANE)).map(h => h.enabled)).toEqual([
      true,
      false,
    ]);
    expect(await store.listOptedIn()).toEqual([
      { userEntityRef: JOHN, userHash: JOHN_HASH },
    ]);
    expect(await store.findToken('token-john')).toMatchObject({
      issuedBy: 'demo',
      revokedAt: undefined,
    });
  });

  it('changes its registry version with every opt-in and opt-out, and only then', async () => {
    const store = await createStore();
    const versions = [await store.registryVersion()];
    const optIn = (tokenHash: string) =>
      store.optIn({
        userEntityRef: JANE,
        userHash: JANE_HASH,
        tokenHash,
        source: 'portal',
      });

    await optIn('token-1');
    versions.push(await store.registryVersion());
    await optIn('token-2');
    await store.rotateToken({
      userEntityRef: JANE,
      tokenHash: 'token-3',
      source: 'portal',
    });
    expect(await store.registryVersion()).toBe(versions[1]);
    await store.optOut({ userEntityRef: JANE, source: 'portal' });
    versions.push(await store.registryVersion());
    await optIn('token-4');
    versions.push(await store.registryVersion());

    expect(new Set(versions).size).toBe(4);
  });

  it('opting in again starts a new period, keeps the pseudonym and adds to the history', async () => {
    const store = await createStore();
    await store.optIn({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      tokenHash: 'token-1',
      source: 'portal',
    });
    await store.optOut({ userEntityRef: JANE, source: 'portal' });

    const again = await store.optIn({
      userEntityRef: JANE,
      userHash: 'c'.repeat(64),
      tokenHash: 'token-2',
      source: 'portal',
    });

    expect(again).toMatchObject({ optedIn: true, userHash: JANE_HASH });
    expect((await store.history(JANE)).map(h => h.enabled)).toEqual([
      true,
      false,
      true,
    ]);
    expect(await store.findToken('token-1')).toMatchObject({
      revokedReason: 'opted_out',
    });
    expect(await store.activeToken(JANE)).toMatchObject({
      revokedAt: undefined,
    });
  });

  it('opting in while opted in only replaces the token', async () => {
    const store = await createStore();
    const first = await store.optIn({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      tokenHash: 'token-1',
      source: 'portal',
    });

    const second = await store.optIn({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      tokenHash: 'token-2',
      source: 'portal',
    });

    expect(second.since).toEqual(first.since);
    expect(await store.history(JANE)).toHaveLength(1);
    expect(await store.findToken('token-1')).toMatchObject({
      revokedReason: 'rotated',
    });
    expect(await store.findToken('token-2')).toMatchObject({
      revokedAt: undefined,
    });
  });

  it('rotates the token of an opted-in user only', async () => {
    const store = await createStore();
    await store.optIn({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      tokenHash: 'token-1',
      source: 'portal',
    });

    expect(
      await store.rotateToken({
        userEntityRef: JANE,
        tokenHash: 'token-2',
        source: 'portal',
      }),
    ).toBe(true);
    expect(await store.findToken('token-1')).toMatchObject({
      revokedReason: 'rotated',
    });
    expect(await store.activeToken(JANE)).toMatchObject({
      createdAt: expect.any(Date),
      revokedAt: undefined,
    });

    await store.optOut({ userEntityRef: JANE, source: 'portal' });
    expect(
      await store.rotateToken({
        userEntityRef: JANE,
        tokenHash: 'token-3',
        source: 'portal',
      }),
    ).toBe(false);
    expect(await store.findToken('token-3')).toBeUndefined();
    expect(
      await store.rotateToken({
        userEntityRef: JOHN,
        tokenHash: 'token-4',
        source: 'portal',
      }),
    ).toBe(false);
  });

  it('lets concurrent first opt-ins of one user end with exactly one working token', async () => {
    const store = await createStore();

    await Promise.all(
      ['token-a', 'token-b', 'token-c'].map(tokenHash =>
        store.optIn({
          userEntityRef: JANE,
          userHash: JANE_HASH,
          tokenHash,
          source: 'portal',
        }),
      ),
    );

    const working = [];
    for (const hash of ['token-a', 'token-b', 'token-c']) {
      if (!(await store.findToken(hash))?.revokedAt) working.push(hash);
    }
    expect(working).toHaveLength(1);
    expect(await store.history(JANE)).toHaveLength(1);
  });
});
