import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  GITHUB_USER_LOGIN_ANNOTATION,
  GithubImportError,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  optIn,
  serviceAuthorization,
  startAiTelemetryTestBackend,
  userAuthorization,
} from '../__testUtils__/testBackend';
import { ImportStatusState, STATE } from './GithubImporter';
import { SeatSnapshot } from './seats';

jest.setTimeout(30_000);

const ADA = 'user:default/ada';
const DEE = 'user:default/dee';
const GITHUB = {
  organization: 'fawkes',
  host: 'github.test',
  // Not during the test: the routes read what the task would have stored.
  schedule: { frequency: { hours: 24 }, initialDelay: { hours: 24 } },
};
const INTEGRATIONS = {
  integrations: {
    github: [
      { host: 'github.test', apiBaseUrl: 'http://127.0.0.1:1', token: 'ghp_x' },
    ],
  },
};
const catalog = catalogServiceMock.factory({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: {
        name: 'ada',
        annotations: { [GITHUB_USER_LOGIN_ANNOTATION]: 'Ada-GH' },
      },
      spec: {},
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'dee' },
      spec: {},
    },
  ],
});
const LAST_ERROR: GithubImportError = {
  reason: 'credentials',
  message: 'GitHub answered 401 Bad credentials to GET /orgs/fawkes/…',
  status: 401,
  at: '2026-11-30T10:00:00.000Z',
  consecutiveFailures: 2,
};

describe('the GitHub import routes', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function start(options: { github?: boolean; admin?: boolean } = {}) {
    const backend = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: options.github === false ? {} : { github: GITHUB },
      config: INTEGRATIONS,
      features: [
        catalog,
        mockServices.permissions.factory({
          result: options.admin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        }),
      ],
    });
    const write = async (name: string, value: unknown) =>
      backend
        .knex('github_import_state')
        .insert({ name, value: JSON.stringify(value), updated_at: new Date() })
        .onConflict('name')
        .merge();
    return { ...backend, write };
  }

  it('says the import is off, and withholds the seats, without aiTelemetry.github', async () => {
    const { api } = await start({ github: false });
    const status = await api
      .get('/api/ai-telemetry/v1/github/status')
      .set('Authorization', userAuthorization(ADA));
    expect(status.body).toEqual({
      enabled: false,
      reason: 'not_configured',
      message: expect.stringContaining('off'),
    });
    const seats = await api
      .get('/api/ai-telemetry/v1/github/seats')
      .set('Authorization', serviceAuthorization('weekly-report'));
    expect(seats.body).toMatchObject({ withheld: 'not_configured' });
    const me = await api
      .get('/api/ai-telemetry/v1/me/github')
      .set('Authorization', userAuthorization(ADA));
    expect(me.body).toMatchObject({
      imported: false,
      reason: 'not_configured',
      login: 'ada-gh',
      days: [],
    });
  });

  it('tells telemetry admins why the import fails, and everyone else only that it does', async () => {
    const state: ImportStatusState = {
      failing: true,
      consecutiveFailures: 2,
      lastError: LAST_ERROR,
      lastRun: {
        startedAt: '2026-11-30T10:00:00.000Z',
        finishedAt: '2026-11-30T10:00:01.000Z',
        outcome: 'failed',
        daysImported: 0,
        daysNotPublished: 0,
      },
    };
    for (const admin of [true, false]) {
      const { api, write } = await start({ admin });
      await write(STATE.status, state);
      const asUser = await api
        .get('/api/ai-telemetry/v1/github/status')
        .set('Authorization', userAuthorization(ADA));
      expect(asUser.body).toMatchObject({
        enabled: true,
        scope: { kind: 'organization', name: 'fawkes' },
        sourceOfTruth: 'import',
        usageImported: true,
        backfillDays: 28,
        importedDevelopers: 0,
        failing: true,
        lastRun: state.lastRun,
      });
      expect(asUser.body.lastError).toEqual(admin ? LAST_ERROR : undefined);
      // Services pass every permission check, so they never count as admins.
      const asService = await api
        .get('/api/ai-telemetry/v1/github/status')
        .set('Authorization', serviceAuthorization('weekly-report'));
      expect(asService.body.failing).toBe(true);
      expect(asService.body.lastError).toBeUndefined();
    }
  });

  it('answers seat counts and the idle seats’ cost, withheld below the privacy threshold', async () => {
    const { api, write } = await start();
    const counts = {
      total: 12,
      activeLast7Days: 6,
      activeLast14Days: 7,
      activeLast28Days: 8,
      neverUsed: 2,
      pendingCancellation: 1,
      idle: 4,
      pendingInvitation: 1,
    };
    const snapshot: SeatSnapshot = {
      scope: { kind: 'organization', name: 'fawkes' },
      fetchedAt: '2026-11-30T10:00:00.000Z',
      counts,
    };
    await write(STATE.seats, snapshot);
    const res = await api
      .get('/api/ai-telemetry/v1/github/seats')
      .set('Authorization', userAuthorization(DEE));
    expect(res.body).toEqual({
      scope: snapshot.scope,
      fetchedAt: snapshot.fetchedAt,
      seats: counts,
      seatCostPerMonth: 19,
      idleCostPerMonth: 76,
      totalCostPerMonth: 228,
    });

    await write(STATE.seats, { ...snapshot, counts: { ...counts, total: 3 } });
    const few = await api
      .get('/api/ai-telemetry/v1/github/seats')
      .set('Authorization', userAuthorization(DEE));
    expect(few.body).toMatchObject({ withheld: 'threshold', minGroupSize: 5 });
    expect(few.body.seats).toBeUndefined();
  });

  it('tells a developer whether their usage is imported and why not, and refuses to name anyone else', async () => {
    const { api } = await start();
    const me = (user: string) =>
      api
        .get('/api/ai-telemetry/v1/me/github')
        .set('Authorization', userAuthorization(user));
    expect((await me(ADA)).body).toMatchObject({
      imported: false,
      reason: 'not_opted_in',
      login: 'ada-gh',
    });
    await optIn(api, ADA);
    await optIn(api, DEE);
    expect((await me(ADA)).body).toMatchObject({
      imported: true,
      login: 'ada-gh',
      scope: { kind: 'organization', name: 'fawkes' },
      days: [],
    });
    expect((await me(DEE)).body).toMatchObject({
      imported: false,
      reason: 'no_login',
    });
    expect((await me('user:default/nobody')).body).toMatchObject({
      reason: 'not_opted_in',
    });
    const named = await api
      .get('/api/ai-telemetry/v1/me/github?userEntityRef=user:default/dee')
      .set('Authorization', userAuthorization(ADA));
    expect(named.status).toBe(403);
    const service = await api
      .get('/api/ai-telemetry/v1/me/github')
      .set('Authorization', serviceAuthorization('weekly-report'));
    expect(service.status).toBe(403);
  });
});
