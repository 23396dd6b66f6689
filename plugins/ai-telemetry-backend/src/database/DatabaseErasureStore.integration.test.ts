import { DatabaseErasureStore } from './DatabaseErasureStore';
import { pendingSteps } from '../privacy/ErasureService';
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
const ADMIN = 'user:default/privacy.officer';

const T0 = new Date('2026-11-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe.each(STORE_DATABASE_IDS)('DatabaseErasureStore on %s', databaseId => {
  const databases = createStoreTestDatabases();

  async function createStore() {
    return DatabaseErasureStore.create({
      database: await initStoreDatabase(databases, databaseId),
    });
  }

  const request = (userEntityRef: string, userHash: string, now = T0) => ({
    userEntityRef,
    userHash,
    requestedBy: userEntityRef,
    steps: pendingSteps(),
    now,
  });

  it('keeps one open job per user, even when requests race, and lists a user’s own jobs', async () => {
    const store = await createStore();

    const opened = await Promise.all(
      Array.from({ length: 6 }, () => store.open(request(JANE, JANE_HASH))),
    );
    const john = await store.open({
      ...request(JOHN, JOHN_HASH),
      requestedBy: ADMIN,
      reason: 'request by mail',
    });

    expect(opened.filter(o => o.created)).toHaveLength(1);
    expect(new Set(opened.map(o => o.job.id)).size).toBe(1);
    expect(opened[0].job).toMatchObject({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      requestedBy: JANE,
      state: 'pending',
      stepIndex: 0,
      failedAttempts: 0,
      nextAttemptAt: T0,
      createdAt: T0,
    });
    expect(opened[0].job.steps.map(s => s.state)).toEqual(
      Array(7).fill('pending'),
    );
    expect(john.job).toMatchObject({
      requestedBy: ADMIN,
      reason: 'request by mail',
    });
    expect((await store.listForUser(JANE)).map(j => j.id)).toEqual([
      opened[0].job.id,
    ]);
    expect(await store.hasOpenJob('USER:default/JOHN.ROE')).toBe(true);
  });

  it('lets exactly one of several instances claim a due job, and none claim it while its lease lives', async () => {
    const store = await createStore();
    const { job } = await store.open(request(JANE, JANE_HASH));

    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map(owner =>
        store.claimDue({ owner, now: at(1), leaseUntil: at(31) }),
      ),
    );

    expect(claims.filter(c => c !== undefined).map(c => c!.id)).toEqual([
      job.id,
    ]);
    expect(
      await store.claimDue({ owner: 'e', now: at(30), leaseUntil: at(60) }),
    ).toBeUndefined();
    // The holder died: once its lease has expired, another instance takes the job over.
    const takenOver = await store.claimDue({
      owner: 'e',
      now: at(32),
      leaseUntil: at(62),
    });
    expect(takenOver?.id).toBe(job.id);
  });

  it('writes progress only for the lease holder, and counts failed attempts across jobs', async () => {
    const store = await createStore();
    const { job } = await store.open(request(JANE, JANE_HASH));
    await store.claimDue({ owner: 'old', now: at(1), leaseUntil: at(2) });
    await store.claimDue({ owner: 'new', now: at(3), leaseUntil: at(33) });
    const steps = job.steps.map((s, i) =>
      i === 0
        ? { ...s, state: 'failed' as const, attempts: 1, lastError: 'x' }
        : s,
    );
    const progress = {
      state: 'retrying' as const,
      stepIndex: 0,
      steps,
      failedAttempts: 1,
      lastError: 'stop_ingestion: x',
      nextAttemptAt: at(10),
    };

    const stale = await store.update(job.id, progress, {
      owner: 'old',
      leaseUntil: null,
      failedAttempt: true,
    });
    const current = await store.update(job.id, progress, {
      owner: 'new',
      leaseUntil: null,
      failedAttempt: true,
    });

    expect([stale, current]).toEqual([false, true]);
    expect(await store.failureTotal()).toBe(1);
    const saved = await store.get(job.id);
    expect(saved).toMatchObject({
      state: 'retrying',
      failedAttempts: 1,
      lastError: 'stop_ingestion: x',
      nextAttemptAt: at(10),
    });
    expect(saved!.steps[0]).toEqual(steps[0]);
    // Released, it is due again at its next attempt, not before.
    expect(
      await store.claimDue({ owner: 'n', now: at(9), leaseUntil: at(40) }),
    ).toBeUndefined();
    expect(
      (await store.claimDue({ owner: 'n', now: at(10), leaseUntil: at(40) }))
        ?.id,
    ).toBe(job.id);
  });

  it('closes a done job, so that a new request opens a new one, and prunes it after the retention', async () => {
    const store = await createStore();
    const { job } = await store.open(request(JANE, JANE_HASH));
    await store.claimDue({ owner: 'w', now: at(1), leaseUntil: at(30) });
    await store.update(
      job.id,
      {
        state: 'done',
        stepIndex: 7,
        steps: job.steps.map(s => ({ ...s, state: 'done' as const })),
        failedAttempts: 0,
        nextAttemptAt: at(5),
        finishedAt: at(5),
      },
      { owner: 'w', leaseUntil: null },
    );

    expect(await store.hasOpenJob(JANE)).toBe(false);
    expect(
      await store.claimDue({ owner: 'x', now: at(100), leaseUntil: at(130) }),
    ).toBeUndefined();
    const again = await store.open(request(JANE, JANE_HASH, at(60)));
    expect(again.created).toBe(true);
    expect((await store.listForUser(JANE)).map(j => j.state)).toEqual([
      'pending',
      'done',
    ]);

    // Every job's pseudonym, and when it finished (the activity index forgets them by it).
    const pseudonyms = await store.listPseudonyms();
    expect(pseudonyms).toHaveLength(2);
    expect(pseudonyms).toEqual(
      expect.arrayContaining([
        { userHash: JANE_HASH, finishedAt: at(5) },
        { userHash: JANE_HASH, finishedAt: undefined },
      ]),
    );

    expect(await store.pruneFinished(at(5))).toBe(0);
    expect(await store.pruneFinished(at(6))).toBe(1);
    expect((await store.listForUser(JANE)).map(j => j.id)).toEqual([
      again.job.id,
    ]);
  });
});
