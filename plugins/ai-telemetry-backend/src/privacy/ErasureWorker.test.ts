import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ERASURE_STEPS, METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { DatabaseCounterStore } from '../database/DatabaseCounterStore';
import { DatabaseOptInStore } from '../database/DatabaseOptInStore';
import { AuditLog } from '../audit/AuditLog';
import { DatabaseAuditStore } from '../database/DatabaseAuditStore';
import { DatabaseErasureStore } from '../database/DatabaseErasureStore';
import { DatabasePersonalDataStore } from '../database/DatabasePersonalDataStore';
import { ErasureService, pendingSteps } from './ErasureService';
import { ErasureWorker } from './ErasureWorker';
import {
  FakePrometheus,
  FakePushgateway,
  legacyGroup,
  recordingAuditor,
} from './__testUtils__/fakeUpstreams';

const JANE = 'user:default/jane.doe';
const JANE_HASH = 'a'.repeat(64);
const JOHN = 'user:default/john.roe';
const JOHN_HASH = 'b'.repeat(64);

const SETTINGS = {
  workerIntervalSeconds: 1,
  scrapeGraceSeconds: 45,
  retryBaseSeconds: 5,
  retryMaxSeconds: 300,
  leaseSeconds: 120,
  retentionDays: 90,
};

describe('ErasureWorker', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function setUp() {
    const database = mockServices.database({
      knex: await databases.init('SQLITE_3'),
    });
    const optIns = await DatabaseOptInStore.create({ database });
    const counters = await DatabaseCounterStore.create({ database });
    const store = await DatabaseErasureStore.create({ database });
    const personalData = await DatabasePersonalDataStore.create({ database });
    const auditStore = await DatabaseAuditStore.create({ database });
    const auditor = recordingAuditor();
    const audit = new AuditLog({ store: auditStore, auditor });
    const prometheus = new FakePrometheus();
    const pushgateway = new FakePushgateway();
    const queries = { dropCachedResults: jest.fn(async () => undefined) };
    let now = new Date('2026-11-01T10:00:00Z');
    const clock = {
      now: () => now,
      advance: (seconds: number) => {
        now = new Date(now.getTime() + seconds * 1000);
      },
    };
    const worker = () =>
      new ErasureWorker({
        store,
        optIns,
        personalData,
        pushgateway,
        prometheus,
        queries,
        audit,
        settings: SETTINGS,
        logger: mockServices.logger.mock(),
        now: clock.now,
      });

    for (const [ref, hash] of [
      [JANE, JANE_HASH],
      [JOHN, JOHN_HASH],
    ]) {
      await optIns.optIn({
        userEntityRef: ref,
        userHash: hash,
        tokenHash: `token-${hash.slice(0, 4)}`,
        source: 'portal',
      });
      await counters.applyBatch({
        userHash: hash,
        batchId: 'b1',
        eventCount: 1,
        increments: [
          {
            metric: METRICS.featureUsage,
            labels: { feature: 'chat', assistant: 'copilot' },
            valueMilli: 1000,
          },
        ],
      });
      pushgateway.groups.push(legacyGroup(hash));
      prometheus.series.push(
        {
          name: METRICS.featureUsage,
          labels: { user_hash: hash, feature: 'chat', assistant: 'copilot' },
          samples: 720,
        },
        {
          name: 'push_time_seconds',
          labels: { user_hash: hash, job: 'ai_telemetry' },
          samples: 30,
        },
      );
    }
    const { job } = await store.open({
      userEntityRef: JANE,
      userHash: JANE_HASH,
      requestedBy: JANE,
      steps: pendingSteps(),
      now: clock.now(),
    });
    const erasure = new ErasureService({
      store,
      pseudonyms: { of: async () => JANE_HASH } as never,
      audit,
      isKnownUser: async () => true,
    });
    const jobNow = async () => (await erasure.jobsOf(JANE))[0];
    return {
      job,
      jobNow,
      worker,
      clock,
      store,
      optIns,
      counters,
      prometheus,
      pushgateway,
      queries,
      auditStore,
      auditor,
    };
  }

  it('takes a job through every step in order, waiting for scrapes in flight, and is done only after verification', async () => {
    const t = await setUp();

    await t.worker().run();
    const waiting = await t.jobNow();
    expect(waiting.state).toBe('running');
    expect(waiting.steps.map(s => s.state)).toEqual([
      'done',
      'done',
      'done',
      'running',
      'pending',
      'pending',
      'pending',
    ]);
    expect(waiting.nextAttemptAt).toBe(
      new Date(t.clock.now().getTime() + 45_000).toISOString(),
    );
    // Ingestion is stopped, the database no longer serves Jane, her legacy group is gone...
    expect((await t.optIns.get(JANE))?.optedIn).toBe(false);
    expect(await t.optIns.activeToken(JANE)).toBeUndefined();
    const served = await t.counters.readForScrape({ newSince: new Date(0) });
    expect(served.map(r => r.userHash)).toEqual([JOHN_HASH]);
    expect(t.pushgateway.groups.map(g => g.labels.instance)).toEqual([
      JOHN_HASH,
    ]);
    // ...but nothing is deleted in Prometheus before the grace is over.
    expect(t.prometheus.deleteCalls).toEqual([]);
    t.clock.advance(44);
    await t.worker().run();
    expect(t.prometheus.deleteCalls).toEqual([]);

    t.clock.advance(1);
    await t.worker().run();

    const done = await t.jobNow();
    expect(done.state).toBe('done');
    expect(done.finishedAt).toBeDefined();
    expect(done.failedAttempts).toBe(0);
    expect(done.steps.map(s => [s.name, s.state, s.attempts])).toEqual(
      ERASURE_STEPS.map(name => [name, 'done', 1]),
    );
    const times = done.steps.flatMap(s => [s.startedAt!, s.finishedAt!]);
    expect([...times].sort()).toEqual(times);
    expect(done.steps.map(s => s.detail)).toEqual([
      'telemetry turned off and every telemetry token revoked',
      'deleted 1 counters and 1 batch ids from the database',
      `deleted 1 Pushgateway group(s): {job="ai_telemetry",instance="${JANE_HASH}"}`,
      'waited 45 s',
      `deleted every series matching {user_hash="${JANE_HASH}"} and cleaned the tombstones`,
      'no series with the pseudonym over 99 days, and no Pushgateway group holds it',
      'dropped every cached query result',
    ]);
    expect(t.prometheus.series.map(s => s.labels.user_hash)).toEqual([
      JOHN_HASH,
      JOHN_HASH,
    ]);
    expect(t.queries.dropCachedResults).toHaveBeenCalledTimes(1);

    const audit = await t.auditStore.list({ limit: 20 });
    expect(audit.map(e => e.action).reverse()).toEqual([
      ...ERASURE_STEPS.map(() => 'erasure_step'),
      'erasure_done',
    ]);
    expect(audit.every(e => e.actor === 'system' && e.subject === JANE)).toBe(
      true,
    );
    expect(t.auditor.events.map(e => e.eventId)).toContain('erasure-done');
  });

  it('retries with a growing delay while Prometheus is down, counting each failure, and finishes once it is back', async () => {
    const t = await setUp();
    t.prometheus.down = true;
    await t.worker().run();
    t.clock.advance(45);

    await t.worker().run();
    const first = await t.jobNow();
    t.clock.advance(5);
    await t.worker().run();
    const second = await t.jobNow();

    expect(first).toMatchObject({
      state: 'retrying',
      failedAttempts: 1,
      lastError:
        'delete_prometheus_series: Prometheus at http://127.0.0.1:9 is unreachable: ECONNREFUSED',
      nextAttemptAt: new Date(t.clock.now().getTime()).toISOString(),
    });
    expect(first.steps[4]).toMatchObject({
      name: 'delete_prometheus_series',
      state: 'failed',
      attempts: 1,
      lastError:
        'Prometheus at http://127.0.0.1:9 is unreachable: ECONNREFUSED',
    });
    expect(second).toMatchObject({
      state: 'retrying',
      failedAttempts: 2,
      nextAttemptAt: new Date(t.clock.now().getTime() + 10_000).toISOString(),
    });
    expect(await t.store.failureTotal()).toBe(2);

    t.prometheus.down = false;
    t.clock.advance(9);
    await t.worker().run();
    expect((await t.jobNow()).state).toBe('retrying');
    t.clock.advance(1);
    await t.worker().run();

    const done = await t.jobNow();
    expect(done).toMatchObject({ state: 'done', failedAttempts: 2 });
    expect(done.lastError).toBeUndefined();
    expect(done.steps[4]).toMatchObject({ state: 'done', attempts: 3 });
    const failures = await t.auditStore.list({ limit: 50 });
    expect(
      failures.filter(e => e.action === 'erasure_attempt_failed'),
    ).toHaveLength(2);
  });

  it('goes back to deleting when verification still finds series, as when a scrape in flight brought them back', async () => {
    const t = await setUp();
    let resurrect = true;
    t.prometheus.afterDelete = () => {
      if (resurrect) {
        resurrect = false;
        t.prometheus.series.push({
          name: METRICS.featureUsage,
          labels: {
            user_hash: JANE_HASH,
            feature: 'chat',
            assistant: 'copilot',
          },
          samples: 1,
        });
      }
    };
    await t.worker().run();
    t.clock.advance(45);

    await t.worker().run();
    const sentBack = await t.jobNow();
    t.clock.advance(5);
    await t.worker().run();

    expect(sentBack.state).toBe('retrying');
    expect(sentBack.lastError).toBe(
      `verify: 1 series with the pseudonym remain in Prometheus over 99 days, e.g. ${METRICS.featureUsage} (1 samples)`,
    );
    expect(sentBack.steps.slice(4, 6).map(s => s.state)).toEqual([
      'pending',
      'failed',
    ]);
    expect(t.prometheus.deleteCalls).toHaveLength(2);
    const done = await t.jobNow();
    expect(done).toMatchObject({ state: 'done', failedAttempts: 1 });
    expect(done.steps[5].attempts).toBe(2);
    expect(
      t.prometheus.series.some(s => s.labels.user_hash === JANE_HASH),
    ).toBe(false);
  });

  it('never runs a step twice at once when two instances work at the same moment', async () => {
    const t = await setUp();

    await Promise.all([t.worker().run(), t.worker().run()]);
    t.clock.advance(45);
    await Promise.all([t.worker().run(), t.worker().run(), t.worker().run()]);

    const done = await t.jobNow();
    expect(done.state).toBe('done');
    expect(done.steps.map(s => s.attempts)).toEqual(ERASURE_STEPS.map(() => 1));
    expect(t.prometheus.deleteCalls).toHaveLength(1);
    expect(t.pushgateway.deleted).toHaveLength(1);
    expect(t.queries.dropCachedResults).toHaveBeenCalledTimes(1);
  });

  it('resumes a job whose instance died holding it, once its lease has expired', async () => {
    const t = await setUp();
    // An instance claims the job and dies before writing anything.
    await t.store.claimDue({
      owner: 'dead-instance',
      now: t.clock.now(),
      leaseUntil: new Date(t.clock.now().getTime() + 120_000),
    });

    t.clock.advance(119);
    await t.worker().run();
    expect((await t.jobNow()).state).toBe('pending');

    t.clock.advance(2);
    await t.worker().run();
    t.clock.advance(45);
    await t.worker().run();
    expect((await t.jobNow()).state).toBe('done');
  });

  it('fails the step loudly when a shared Pushgateway group holds the pseudonym among other users’ series', async () => {
    const t = await setUp();
    t.pushgateway.groups.push({
      labels: { job: 'team_push' },
      series: [
        {
          metric: METRICS.suggestions,
          labels: { job: 'team_push', user_hash: JANE_HASH },
        },
        {
          metric: METRICS.suggestions,
          labels: { job: 'team_push', user_hash: JOHN_HASH },
        },
      ],
    });

    await t.worker().run();

    const job = await t.jobNow();
    expect(job.state).toBe('retrying');
    expect(job.steps[2].lastError).toBe(
      'Pushgateway groups {job="team_push"} hold series with the pseudonym among other series; ' +
        'the Pushgateway deletes whole groups only, so push those groups again without them',
    );
    expect(t.pushgateway.groups.map(g => g.labels)).toEqual([
      { job: 'ai_telemetry', instance: JOHN_HASH },
      { job: 'team_push' },
    ]);
  });
});
