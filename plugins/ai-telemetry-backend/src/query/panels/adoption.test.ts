import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AdoptionPanel,
  isPanelError,
  isTooFewParticipants,
  OverviewPanel,
} from '@fawkes/plugin-ai-telemetry-common';
import { eventsPrometheus, TestEvent } from '../__testUtils__/eventsPrometheus';
import {
  group,
  hash,
  testQueryService,
  users,
} from '../__testUtils__/testDoubles';
import { DAY } from '../window';
import { periodsOf, regularDaysOf, withheldCohorts } from './adoption';

const credentials = mockCredentials.user();
/** The first day of the 7-day window at the test's now (2026-11-28 13:20 UTC). */
const FIRST_DAY = Date.UTC(2026, 10, 22) / 1000;

/** `shown` suggestions (a third accepted) for each of `who`, at noon of each of `days`. */
function shown(who: number[], days: number[], count: number): TestEvent[] {
  return who.flatMap(user =>
    days.map(day => ({
      user,
      t: FIRST_DAY + day * DAY + 12 * 3600,
      accepted: Math.round(count / 3),
      rejected: count - Math.round(count / 3),
    })),
  );
}

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

function optedIn(n: number) {
  return users(1, n).map(u => ({
    userEntityRef: `user:default/u${u}`,
    userHash: hash(u),
  }));
}

function figures<T extends object>(
  answer: T,
): Exclude<T, { tooFewParticipants: true }> {
  if (isTooFewParticipants(answer)) {
    throw new Error(`no figures: ${answer.reason}`);
  }
  return answer as Exclude<T, { tooFewParticipants: true }>;
}

async function adoptionOf(
  service: ReturnType<typeof testQueryService>,
  query: Record<string, string> = { range: '7d' },
): Promise<AdoptionPanel> {
  const body = figures(
    await service.dashboard(service.parseRequest(query), credentials),
  );
  const panel = body.panels.adoption;
  if (isPanelError(panel)) throw new Error(panel.error.message);
  return panel;
}

describe('the adoption panel', () => {
  it('counts the funnel and the cohorts per day, withholding a small cohort and the next smallest', async () => {
    const events = [
      // 10 developers every day, 100 suggestions a day: regular and moderate.
      ...shown(users(1, 10), EVERY_DAY, 100),
      // 6 on the first day only with 300 (heavy), 2 with 10 (light): not regular.
      ...shown(users(11, 16), [0], 300),
      ...shown([17, 18], [0], 10),
    ];
    const prometheus = eventsPrometheus(events);
    const service = testQueryService({
      prometheus: prometheus.client,
      optedIn: optedIn(20),
    });
    const body = figures(
      await service.dashboard(
        service.parseRequest({ range: '7d' }),
        credentials,
      ),
    );
    const adoption = body.panels.adoption as AdoptionPanel;
    const overview = body.panels.overview as OverviewPanel;

    expect(adoption.data.funnel).toEqual({
      optedIn: 20,
      active: 18,
      regular: 10,
    });
    expect(adoption.data.funnel.active).toBe(overview.data.activeUsers);
    expect(adoption.data.definitions).toEqual({
      windowDays: 7,
      regularDays: 2,
      moderateFrom: 50,
      heavyFrom: 200,
      period: 'day',
      minGroupSize: 5,
    });
    expect(adoption.step).toBe(DAY);
    expect(adoption.data.periods).toHaveLength(7);
    expect(adoption.data.periods[0]).toEqual({
      start: FIRST_DAY * 1000,
      end: (FIRST_DAY + DAY) * 1000,
      days: 1,
      // 2 light are too few; heavy (6, the smallest shown) goes too, or light would be the
      // day's active developers minus the others.
      cohorts: { light: null, moderate: 10, heavy: null },
    });
    // Today, up to now, from an instant query over its elapsed part.
    expect(adoption.data.periods[6].cohorts).toEqual({
      light: 0,
      moderate: 10,
      heavy: 0,
    });
    // (The tiles of other panels read the previous week too: left out here.)
    const previousWeek = ` ${FIRST_DAY + 6 * DAY + 48000 - 7 * DAY}`;
    expect(
      prometheus.asked.filter(
        q =>
          q.includes(
            'sum by (user_hash) (increase(ai_copilot_suggestions_total[',
          ) && !q.endsWith(previousWeek),
      ),
    ).toEqual([
      // The privacy threshold's participants, which are also the overview's active users...
      expect.stringMatching(/^instant .* > 0 /),
      // ... then the days that have ended, and today's part.
      `range sum by (user_hash) (increase(ai_copilot_suggestions_total[86400s])) ${
        FIRST_DAY + DAY
      } ${FIRST_DAY + 6 * DAY} 86400`,
      `instant sum by (user_hash) (increase(ai_copilot_suggestions_total[48000s])) ${
        FIRST_DAY + 6 * DAY + 48000
      }`,
    ]);
    expect(JSON.stringify(adoption)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('withholds the regular developers when the active ones who are not regular are a few', async () => {
    const service = testQueryService({
      prometheus: eventsPrometheus([
        ...shown(users(1, 10), EVERY_DAY, 100),
        ...shown([11, 12], [3], 100),
      ]).client,
      optedIn: optedIn(12),
    });
    const adoption = await adoptionOf(service);
    expect(adoption.data.funnel).toEqual({
      optedIn: 12,
      active: 12,
      regular: null,
    });
    // Day 3: 12 moderate, shown; the others 10.
    expect(adoption.data.periods.map(p => p.cohorts.moderate)).toEqual([
      10, 10, 10, 12, 10, 10, 10,
    ]);
  });

  it('withholds the regular developers of a filtered view a few apart from those without the filter', async () => {
    const goEveryDay = users(11, 12).flatMap(user =>
      EVERY_DAY.map(day => ({
        user,
        t: FIRST_DAY + day * DAY + 12 * 3600,
        language: 'go',
        rejected: 100,
      })),
    );
    const goOnce = users(13, 17).map(user => ({
      user,
      t: FIRST_DAY + 12 * 3600,
      language: 'go',
      rejected: 100,
    }));
    const service = testQueryService({
      prometheus: eventsPrometheus([
        ...shown(users(1, 10), EVERY_DAY, 100),
        ...goEveryDay,
        ...goOnce,
      ]).client,
      optedIn: optedIn(17),
    });
    // Python: 10 regular; without the filter 12, two of them in Go only.
    const python = await adoptionOf(service, {
      range: '7d',
      language: 'python',
    });
    expect(python.data.funnel).toEqual({
      optedIn: 17,
      active: 10,
      regular: null,
    });
    expect(python.queries[0].query).toBe(
      'sum by (user_hash, language) (increase(ai_copilot_suggestions_total[86400s]))',
    );
    const all = await adoptionOf(service);
    expect(all.data.funnel).toEqual({ optedIn: 17, active: 17, regular: 12 });
  });

  it("withholds a team's cells that differ by a few from the organisation's", async () => {
    // alpha (1-10): on day 0, 5 heavy and 5 moderate; 2 more heavy and 8 moderate elsewhere.
    const events = [
      ...shown(users(1, 5), [0], 300),
      ...shown(users(6, 10), [0], 100),
      ...shown([11, 12], [0], 300),
      ...shown(users(13, 20), [0], 100),
      ...shown(users(1, 20), [1, 2, 3, 4, 5, 6], 100),
    ];
    const prometheus = eventsPrometheus(events);
    const service = testQueryService({
      prometheus: prometheus.client,
      optedIn: optedIn(20),
      entities: [
        group(
          'alpha',
          users(1, 10).map(u => `u${u}`),
        ),
      ],
    });
    const team = figures(
      await service.teamDashboard(
        { namespace: 'default', name: 'alpha' },
        service.parseRequest({ range: '7d' }),
        credentials,
      ),
    );
    const adoption = team.panels.adoption as AdoptionPanel;
    expect(adoption.data.funnel).toEqual({
      optedIn: 10,
      active: 10,
      regular: 10,
    });
    // Heavy: 5 of the organisation's 7; withheld with the others of the day, whose sum would
    // otherwise differ from the organisation's by the same 2.
    expect(adoption.data.periods[0].cohorts).toEqual({
      light: null,
      moderate: null,
      heavy: null,
    });
    expect(adoption.data.periods[1].cohorts).toEqual({
      light: 0,
      moderate: 10,
      heavy: 0,
    });
    // The organisation's own cells are shown.
    const organisation = await adoptionOf(service);
    expect(organisation.data.periods[0].cohorts).toEqual({
      light: 0,
      moderate: 13,
      heavy: 7,
    });
    // The team's days were read for the whole organisation (no pseudonyms in the query), the
    // same query as the organisation's.
    expect(adoption.queries[0].query).toBe(organisation.queries[0].query);
  });

  it('counts weeks back from the end for 30 days, with configured bounds', async () => {
    const service = testQueryService({
      prometheus: eventsPrometheus(shown(users(1, 10), EVERY_DAY, 30)).client,
      optedIn: optedIn(10),
      adoption: {
        regularDays: 3,
        regularShare: 0.25,
        moderateFrom: 10,
        heavyFrom: 20,
      },
    });
    const adoption = await adoptionOf(service, { range: '30d' });
    expect(adoption.data.definitions).toMatchObject({
      windowDays: 30,
      regularDays: 3,
      period: 'week',
    });
    expect(adoption.step).toBe(7 * DAY);
    expect(adoption.data.periods.map(p => p.days)).toEqual([2, 7, 7, 7, 7]);
    // The last week holds the 7 days with data: 30 a day is heavy from 20.
    expect(adoption.data.periods[4].cohorts).toEqual({
      light: 0,
      moderate: 0,
      heavy: 10,
    });
  });
});

describe('the adoption panel’s rules', () => {
  it('makes a quarter of the days regular by default, rounded up, at least one', () => {
    const defaults = { regularShare: 0.25, moderateFrom: 50, heavyFrom: 200 };
    expect([1, 7, 14, 30, 90].map(d => regularDaysOf(d, defaults))).toEqual([
      1, 2, 4, 8, 23,
    ]);
    expect(regularDaysOf(7, { ...defaults, regularDays: 10 })).toBe(7);
  });

  it('shows days under 14 days, weeks from the end otherwise', () => {
    expect(periodsOf(3)).toEqual([
      { first: 0, count: 1 },
      { first: 1, count: 1 },
      { first: 2, count: 1 },
    ]);
    expect(periodsOf(14).map(p => p.count)).toEqual([7, 7]);
    expect(periodsOf(90).map(p => p.count)).toEqual([
      6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    ]);
  });

  it('never leaves a withheld cell alone, nor withheld cells that add up to a few', () => {
    const cells = (light: number, moderate: number, heavy: number) => ({
      light,
      moderate,
      heavy,
    });
    const set = (...c: string[]) => new Set(c);
    expect(withheldCohorts(cells(6, 8, 9), [], 5)).toEqual(set());
    expect(withheldCohorts(cells(0, 8, 0), [], 5)).toEqual(set());
    // One small: the next smallest goes with it.
    expect(withheldCohorts(cells(2, 8, 20), [], 5)).toEqual(
      set('light', 'moderate'),
    );
    // Two small adding up to 4: the third goes too.
    expect(withheldCohorts(cells(2, 2, 20), [], 5)).toEqual(
      set('light', 'moderate', 'heavy'),
    );
    // Two small adding up to 5: enough.
    expect(withheldCohorts(cells(2, 3, 20), [], 5)).toEqual(
      set('light', 'moderate'),
    );
    // A group below the team with 3 fewer heavy: heavy goes, with the next smallest...
    expect(withheldCohorts(cells(6, 8, 9), [cells(0, 8, 6)], 5)).toEqual(
      set('heavy', 'light'),
    );
    // ... and the third too when the two differ from the group's by 3 together.
    expect(withheldCohorts(cells(6, 8, 9), [cells(6, 8, 6)], 5)).toEqual(
      set('heavy', 'light', 'moderate'),
    );
  });
});
