/**
 * The import task against the GitHub stand-in as a real HTTP server (reports behind signed
 * download links, pages of seats, scripted failures) and the plugin's real SQLite database; the
 * samples it writes are caught in memory here (githubImport.integration.test.ts writes them into
 * a real Prometheus).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  copilotReportLine,
  createRandom,
  GithubReportLine,
  GithubStandIn,
  startGithubStandIn,
} from '@fawkes/ai-telemetry-test-utils';
import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  pseudonymize,
} from '@fawkes/plugin-ai-telemetry-common';
import { DEFAULT_GITHUB_SCHEDULE } from '../config/AiTelemetryConfig';
import { DatabaseGithubImportStore } from '../database/DatabaseGithubImportStore';
import { DatabaseOptInStore } from '../database/DatabaseOptInStore';
import { RemoteWriteSeries } from '../upstream/RemoteWriteClient';
import { GithubClient } from './GithubClient';
import { GithubImporter, ImportStatusState, STATE } from './GithubImporter';
import { mapReportLine } from './mapping';
import { SeatSnapshot } from './seats';

jest.setTimeout(60_000);

const KEY = 'importer-test-pseudonym-key-0123456789';
const TOKEN = 'ghp_stand_in_token';
const NOW = Date.parse('2026-11-30T12:00:00Z');
const DAYS = [
  '2026-11-25',
  '2026-11-26',
  '2026-11-27',
  '2026-11-28',
  '2026-11-29',
];
const MAPPING = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  secondsPerLine: 12,
};

/** A logger that keeps every message, to show that no login or line is ever logged. */
function keepingLogger(messages: string[]): LoggerService {
  const logger: LoggerService = {
    error: m => void messages.push(m),
    warn: m => void messages.push(m),
    info: m => void messages.push(m),
    debug: m => void messages.push(m),
    child: () => logger,
  };
  return logger;
}

/** The figures a ledger-true import must give: each covered login's lines of a day, summed. */
function expectedOf(lines: GithubReportLine[], login: string) {
  const sums = new Map<string, number>();
  for (const line of lines) {
    if (String(line.user_login).toLowerCase() !== login) continue;
    for (const i of mapReportLine(line, MAPPING)) {
      const key = `${i.metric}${JSON.stringify(i.labels)}`;
      sums.set(key, (sums.get(key) ?? 0) + i.valueMilli / 1000);
    }
  }
  return sums;
}

/** Per series of a pseudonym: the increase over a day, read from the written samples. */
function writtenIncrease(
  written: RemoteWriteSeries[],
  userHash: string,
  day: string,
) {
  const start = Date.parse(`${day}T00:00:00Z`);
  const end = start + 86_400_000;
  const sums = new Map<string, number>();
  for (const series of written) {
    if (series.labels.user_hash !== userHash) continue;
    const { __name__, user_hash: _u, source: _s, ...labels } = series.labels;
    const first = series.samples.find(([t]) => t === start);
    const last = series.samples.find(([t]) => t === end);
    if (!first || !last) continue;
    const key = `${__name__}${JSON.stringify(labels)}`;
    sums.set(key, (sums.get(key) ?? 0) + last[1] - first[1]);
  }
  return sums;
}

describe('GithubImporter', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let standIn: GithubStandIn;

  beforeEach(async () => {
    standIn = await startGithubStandIn({
      organization: 'fawkes',
      token: TOKEN,
      filesPerDay: 2,
    });
  });
  afterEach(() => standIn.close());

  async function setUp(
    options: { backfillDays?: number; failWrites?: () => boolean } = {},
  ) {
    const knex = await databases.init('SQLITE_3');
    const database = mockServices.database({ knex });
    const store = await DatabaseGithubImportStore.create({ database });
    const optIns = await DatabaseOptInStore.create({ database });
    const logins = new Map<string, string>();
    const hashes = new Map<string, string>();
    const cover = async (name: string, login?: string) => {
      const ref = `user:default/${name}`;
      const userHash = await pseudonymize(ref, KEY);
      await optIns.optIn({
        userEntityRef: ref,
        userHash,
        tokenHash: `token-${name}-${hashes.size}-${Date.now()}`,
        source: 'portal',
      });
      hashes.set(name, userHash);
      if (login) logins.set(ref, login);
    };
    const written: RemoteWriteSeries[] = [];
    const messages: string[] = [];
    const waits: number[] = [];
    let now = NOW;
    const importer = new GithubImporter({
      client: new GithubClient({
        scope: { kind: 'organization', name: 'fawkes' },
        apiBaseUrl: standIn.url,
        credentials: async () => ({ Authorization: `Bearer ${TOKEN}` }),
        sleep: async ms => void waits.push(ms),
        now: () => now,
      }),
      store,
      optIns,
      logins: { all: async () => logins },
      writer: {
        write: async series => {
          if (options.failWrites?.()) throw new Error('Prometheus is down');
          written.push(...series);
        },
      },
      settings: {
        scope: { kind: 'organization', name: 'fawkes' },
        host: 'github.com',
        schedule: DEFAULT_GITHUB_SCHEDULE,
        backfillDays: options.backfillDays ?? 5,
        sourceOfTruth: 'import',
      },
      mapping: MAPPING,
      logger: keepingLogger(messages),
      now: () => now,
    });
    return {
      knex,
      store,
      optIns,
      importer,
      cover,
      hashes,
      written,
      messages,
      waits,
      setNow: (ms: number) => {
        now = ms;
      },
    };
  }

  /** Each day: lines of ada and bob (covered), cy (opted in, no login) and two strangers. */
  function publishDays(days: readonly string[]) {
    const random = createRandom('importer-test');
    const all = new Map<string, GithubReportLine[]>();
    for (const day of days) {
      const lines = [
        'Ada-GH',
        'bob-gh',
        'cy-gh',
        'stranger-1',
        'stranger-2',
      ].map((login, userId) =>
        copilotReportLine(random, { login, userId: userId + 1, day }),
      );
      // A second line of ada's the same day: its figures add up.
      lines.push(
        copilotReportLine(random, { login: 'ada-gh', userId: 1, day }),
      );
      standIn.publish(day, lines);
      all.set(day, lines);
    }
    return all;
  }

  it('imports every published day of the covered developers exactly, and nothing of anyone else', async () => {
    const t = await setUp();
    await t.cover('ada', 'ada-gh');
    await t.cover('bob', 'bob-gh');
    await t.cover('cy');
    const published = publishDays(DAYS.slice(0, 4));

    const state = await t.importer.run();

    expect(state.failing).toBe(false);
    expect(state.lastRun).toMatchObject({
      outcome: 'succeeded',
      daysImported: 4,
      daysNotPublished: 1,
    });
    expect(state.latestPublishedDay).toBe('2026-11-28');
    for (const [day, lines] of published) {
      for (const [name, login] of [
        ['ada', 'ada-gh'],
        ['bob', 'bob-gh'],
      ]) {
        expect(writtenIncrease(t.written, t.hashes.get(name)!, day)).toEqual(
          expectedOf(lines, login),
        );
      }
    }
    // Only ada's and bob's pseudonyms anywhere: the ledger, the totals, the samples.
    const covered = [t.hashes.get('ada'), t.hashes.get('bob')];
    const ledger = await t.knex('github_import_ledger').select('user_hash');
    expect(new Set(ledger.map(r => r.user_hash))).toEqual(new Set(covered));
    const totals = await t.knex('github_counters').select('user_hash');
    expect(new Set(totals.map(r => r.user_hash))).toEqual(new Set(covered));
    expect(new Set(t.written.map(s => s.labels.user_hash))).toEqual(
      new Set(covered),
    );
    const everything = JSON.stringify([
      await t.knex('github_import_ledger').select(),
      await t.knex('github_counters').select(),
      await t.knex('github_import_state').select(),
      t.messages,
    ]);
    for (const login of ['ada-gh', 'Ada-GH', 'bob-gh', 'cy-gh', 'stranger-1']) {
      expect(everything).not.toContain(login);
    }
    // The report links are signed: the token never goes with them.
    expect(
      standIn.requestsTo(/^\/download\//).every(r => !r.authorization),
    ).toBe(true);
  });

  it('imports a day once it is published, and counts nothing twice when run again', async () => {
    const t = await setUp();
    await t.cover('ada', 'ada-gh');
    const published = publishDays(DAYS.slice(0, 3));
    await t.importer.run();
    const firstWrites = t.written.length;

    await t.importer.run();
    expect(t.written).toHaveLength(firstWrites);
    expect(await t.knex('github_import_ledger').count({ n: '*' })).toEqual([
      { n: 3 },
    ]);

    const later = publishDays(DAYS.slice(3));
    await t.importer.run();
    expect(await t.knex('github_import_ledger').count({ n: '*' })).toEqual([
      { n: 5 },
    ]);
    for (const [day, lines] of [...published, ...later]) {
      expect(writtenIncrease(t.written, t.hashes.get('ada')!, day)).toEqual(
        expectedOf(lines, 'ada-gh'),
      );
    }
    const days = (await t.store.ledgerOf(t.hashes.get('ada')!)).map(e => e.day);
    expect(days).toEqual([...DAYS].reverse());
  });

  it('imports the back days of a developer covered later, and none of one who opted out', async () => {
    const t = await setUp();
    await t.cover('ada', 'ada-gh');
    await t.cover('bob');
    publishDays(DAYS.slice(0, 2));
    await t.importer.run();
    await t.optIns.optOut({
      userEntityRef: 'user:default/ada',
      source: 'portal',
    });
    // bob's login appears in the catalog: the next run imports his back days too.
    await t.cover('bob', 'bob-gh');
    publishDays(DAYS.slice(2));
    await t.importer.run();

    const ada = await t.store.ledgerOf(t.hashes.get('ada')!);
    const bob = await t.store.ledgerOf(t.hashes.get('bob')!);
    expect(ada.map(e => e.day)).toEqual(['2026-11-26', '2026-11-25']);
    expect(bob.map(e => e.day)).toEqual([...DAYS].reverse());
  });

  it('imports a developer whose clients already counted Copilot only from the day after, so no day counts twice', async () => {
    const t = await setUp();
    await t.cover('ada', 'ada-gh');
    await t.cover('bob', 'bob-gh');
    await t.knex('counters').insert({
      user_hash: t.hashes.get('bob'),
      metric: 'ai_copilot_suggestions_total',
      labels: JSON.stringify({
        language: 'go',
        accepted: 'true',
        assistant: 'copilot',
      }),
      value_milli: 3000,
      first_seen: new Date(NOW - 3 * 86_400_000),
      updated_at: new Date(NOW - 86_400_000),
    });
    publishDays(DAYS);
    await t.importer.run();
    expect(await t.store.ledgerOf(t.hashes.get('bob')!)).toEqual([]);
    expect(await t.store.ledgerOf(t.hashes.get('ada')!)).toHaveLength(5);

    publishDays(['2026-11-30', '2026-12-01']);
    t.setNow(NOW + 2 * 86_400_000);
    await t.importer.run();
    expect(
      (await t.store.ledgerOf(t.hashes.get('bob')!)).map(e => e.day),
    ).toEqual(['2026-12-01']);
  });

  it('waits as GitHub asks: a short Retry-After within the run, a long one until a later run', async () => {
    const t = await setUp();
    await t.cover('ada', 'ada-gh');
    publishDays(DAYS);
    standIn.answerNext(/users-1-day/, {
      status: 429,
      headers: { 'Retry-After': '2' },
      body: { message: 'API rate limit exceeded' },
    });
    let state = await t.importer.run();
    expect(t.waits).toContain(2000);
    expect(state.failing).toBe(false);

    publishDays(['2026-11-30']);
    t.setNow(NOW + 86_400_000);
    standIn.answerNext(/users-1-day/, {
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(
          Math.floor((NOW + 86_400_000) / 1000) + 3600,
        ),
      },
      body: { message: 'You have exceeded a secondary rate limit.' },
    });
    state = await t.importer.run();
    expect(state.failing).toBe(true);
    expect(state.lastError).toMatchObject({
      reason: 'rate_limited',
      status: 403,
      retryAt: new Date(NOW + 86_400_000 + 3_600_000).toISOString(),
      day: '2026-11-30',
      consecutiveFailures: 1,
    });
    const asked = standIn.requests.length;
    state = await t.importer.run();
    expect(standIn.requests).toHaveLength(asked);
    t.setNow(NOW + 86_400_000 + 3_600_001);
    state = await t.importer.run();
    expect(state.failing).toBe(false);
    expect(state.lastError).toBeUndefined();
    expect(
      (await t.store.ledgerOf(t.hashes.get('ada')!)).map(e => e.day)[0],
    ).toBe('2026-11-30');
  });

  it.each([
    [401, { message: 'Bad credentials' }, 'credentials', /401 Bad credentials/],
    [
      403,
      { message: 'Resource not accessible by integration' },
      'forbidden',
      /permissions/,
    ],
    [404, { message: 'Not Found' }, 'not_found', /not enabled/],
  ])(
    'keeps a %s from GitHub for admins, with its reason',
    async (status, body, reason, message) => {
      const t = await setUp();
      await t.cover('ada', 'ada-gh');
      publishDays(DAYS);
      standIn.answerNext(/users-1-day/, { status, body }, 10);
      const state = await t.importer.run();
      expect(state.failing).toBe(true);
      expect(state.lastError?.reason).toBe(reason);
      expect(state.lastError?.status).toBe(status);
      expect(state.lastError?.message).toMatch(message);
      expect(state.lastRun?.outcome).toBe('failed');
    },
  );

  it('shows admins no database text of an unexpected error: it can hold pseudonyms', async () => {
    const t = await setUp();
    await t.cover('ada', 'ada-gh');
    publishDays(DAYS);
    const hash = t.hashes.get('ada')!;
    jest
      .spyOn(t.store, 'importDay')
      .mockRejectedValue(
        new Error(
          `insert into "github_ledger" ("user_hash") values ('${hash}') - SQLITE_BUSY`,
        ),
      );
    const state = await t.importer.run();
    expect(state.lastError?.reason).toBe('internal');
    expect(state.lastError?.message).toMatch(/unexpected Error/);
    expect(JSON.stringify(state)).not.toContain(hash);
    expect(JSON.stringify(state)).not.toContain('github_ledger');
  });

  it('fetches fresh links for an expired one, and says so when they keep expiring', async () => {
    const t = await setUp();
    await t.cover('ada', 'ada-gh');
    const published = publishDays(DAYS.slice(0, 1));
    standIn.expireNextLinks(1);
    let state = await t.importer.run();
    expect(state.failing).toBe(false);
    expect(standIn.requestsTo(/users-1-day\?day=2026-11-25/)).toHaveLength(2);
    expect(
      writtenIncrease(t.written, t.hashes.get('ada')!, '2026-11-25'),
    ).toEqual(expectedOf(published.get('2026-11-25')!, 'ada-gh'));

    publishDays(DAYS.slice(1, 2));
    standIn.expireNextLinks(100);
    state = await t.importer.run();
    expect(state.lastError).toMatchObject({
      reason: 'link_expired',
      day: '2026-11-26',
    });
  });

  it('keeps a day it could not write to Prometheus, and writes the same samples on the next run', async () => {
    let down = true;
    const t = await setUp({ failWrites: () => down });
    await t.cover('ada', 'ada-gh');
    const published = publishDays(DAYS.slice(0, 2));
    let state = await t.importer.run();
    expect(state.lastError?.reason).toBe('prometheus');
    expect(t.written).toHaveLength(0);

    down = false;
    state = await t.importer.run();
    expect(state.failing).toBe(false);
    for (const [day, lines] of published) {
      expect(writtenIncrease(t.written, t.hashes.get('ada')!, day)).toEqual(
        expectedOf(lines, 'ada-gh'),
      );
    }
    expect(await t.store.unwritten(10)).toEqual([]);
  });

  it('reads every page of seats into counts, keeping no login', async () => {
    const t = await setUp();
    const day = 86_400_000;
    standIn.setSeats(
      Array.from({ length: 230 }, (_, i) => ({
        login: `seat-holder-${i}`,
        lastActivityAt:
          i % 10 === 0 ? null : new Date(NOW - (i % 40) * day).toISOString(),
        pendingCancellationDate: i % 50 === 1 ? '2026-12-31' : null,
      })),
      3,
    );
    await t.importer.run();
    const snapshot = await t.store.readState<SeatSnapshot>(STATE.seats);
    const activeWithin = (days: number) =>
      Array.from({ length: 230 }, (_, i) => i).filter(
        i => i % 10 !== 0 && i % 40 <= days,
      ).length;
    expect(snapshot?.counts).toEqual({
      total: 230,
      activeLast7Days: activeWithin(7),
      activeLast14Days: activeWithin(14),
      activeLast28Days: activeWithin(28),
      neverUsed: 23,
      pendingCancellation: 5,
      idle: 230 - activeWithin(28),
      pendingInvitation: 3,
    });
    expect(standIn.requestsTo(/billing\/seats/)).toHaveLength(3);
    const kept = JSON.stringify(await t.knex('github_import_state').select());
    expect(kept).not.toContain('seat-holder');
    const status = await t.store.readState<ImportStatusState>(STATE.status);
    expect(status?.failing).toBe(false);
  });
});
