import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import {
  isPanelError,
  isTooFewParticipants,
  METRICS,
  OTLP_METRICS,
  PanelError,
  PanelResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { UpstreamError } from '../upstream/errors';
import { ActivityIndex } from './ActivityIndex';
import { PrometheusSeries } from '../upstream/PrometheusClient';
import {
  activity,
  fakePrometheus,
  group,
  hash,
  NOW,
  participantsFrom,
  testQueryService,
  users,
} from './__testUtils__/testDoubles';

const credentials = mockCredentials.user();

/** Ten developers with data of every family, in Python with Copilot. */
const tenActive = participantsFrom(activity(users(1, 10)));

function figures<T extends object>(
  answer: T,
): Exclude<T, { tooFewParticipants: true }> {
  if (isTooFewParticipants(answer)) {
    throw new Error(`no figures: ${answer.reason}`);
  }
  return answer as Exclude<T, { tooFewParticipants: true }>;
}

/** A panel of a dashboard that must not have failed. */
function loaded<P extends PanelResponse>(panel: P | PanelError): P {
  if (isPanelError(panel)) throw new Error(panel.error.message);
  return panel;
}

const SEED_METRICS = Object.values(METRICS);
const USAGE_METRICS = Object.values(OTLP_METRICS);

describe('QueryService', () => {
  describe("the tiles' change against the previous window", () => {
    it('answers the tiles of the window before, shifted by its length, under its own threshold', async () => {
      const everyone = participantsFrom(activity(users(1, 10)));
      const prometheus = fakePrometheus(everyone);
      const service = testQueryService({ prometheus: prometheus.client });
      const body = figures(
        await service.dashboard(
          service.parseRequest({ range: '7d' }),
          credentials,
        ),
      );
      const overview = loaded(body.panels.overview);
      expect(overview.previous).toEqual({
        window: {
          start: body.window.start - 7 * 86_400_000,
          end: body.window.end - 7 * 86_400_000,
          asOf: body.window.asOf - 7 * 86_400_000,
          step: 3600,
        },
        tiles: { totalSuggestions: 0, acceptanceRate: null, activeUsers: 10 },
      });
      expect(loaded(body.panels.linesGenerated).previous).toMatchObject({
        tiles: { totalLines: 0 },
      });
      // Panels without tiles answer none.
      expect(loaded(body.panels.featureUsage).previous).toBeUndefined();
    });

    it('withholds the previous tiles when too few had data then, and before the retention', async () => {
      const previousTime = (query: string) => Number(query.split(' ').at(-1));
      const everyone = participantsFrom(activity(users(1, 10)));
      const asked: string[] = [];
      const prometheus = fakePrometheus();
      const client = {
        ...prometheus.client,
        instantQuery: async (query: string, time: number) => {
          asked.push(`${query} ${time}`);
          // The week before: nobody.
          return time < NOW - 3 * 86400 ? [] : everyone(query);
        },
        rangeQuery: async () => [],
        alertRules: async () => [],
      } as unknown as typeof prometheus.client;
      const service = testQueryService({ prometheus: client });
      const week = figures(
        await service.dashboard(
          service.parseRequest({ range: '7d' }),
          credentials,
        ),
      );
      expect(loaded(week.panels.overview).previous).toMatchObject({
        withheld: 'threshold',
      });
      expect(asked.some(q => previousTime(q) < NOW - 3 * 86400)).toBe(true);
      const quarter = figures(
        await service.dashboard(
          service.parseRequest({ range: '90d' }),
          credentials,
        ),
      );
      expect(loaded(quarter.panels.overview).previous).toMatchObject({
        withheld: 'retention',
      });
    });

    it("withholds the previous tiles without reading anyone's series when no counter has samples then", async () => {
      const everyone = participantsFrom(activity(users(1, 10)));
      const prometheus = fakePrometheus(everyone, { counterNames: [] });
      const service = testQueryService({ prometheus: prometheus.client });
      const body = figures(
        await service.dashboard(
          service.parseRequest({ range: '7d' }),
          credentials,
        ),
      );
      const start = body.window.start / 1000;
      expect(loaded(body.panels.overview).previous).toMatchObject({
        withheld: 'threshold',
      });
      // The index was asked once, over the week before up to its asOf; no query read anyone's
      // series in that week (the rule coverage reads the organisation's rules before the window).
      const lookups = prometheus.asked.filter(q => q.startsWith('labels'));
      expect(lookups).toEqual([
        `labels __name__ ${SEED_METRICS.join(' ')} ${start - 7 * 86400} ${
          body.window.asOf / 1000 - 7 * 86400 - 0.001
        }`,
      ]);
      const times = prometheus.asked
        .filter(q => q.startsWith('instant') && /ai_copilot_|per_user/.test(q))
        .map(q => Number(q.split(' ').at(-1)));
      expect(times.every(t => t > start)).toBe(true);
    });
  });

  describe('the usage panel (tokens and cost)', () => {
    it('is withheld alone when fewer than 5 developers report usage, and the ROI leaves their cost out', async () => {
      const data = [
        ...activity(users(1, 10), { metrics: SEED_METRICS }),
        ...activity(users(1, 3), {
          assistant: 'claude-code',
          metrics: USAGE_METRICS,
        }),
      ];
      const prometheus = fakePrometheus(participantsFrom(data));
      const service = testQueryService({ prometheus: prometheus.client });
      const body = figures(
        await service.dashboard(service.parseRequest({}), credentials),
      );
      expect(loaded(body.panels.usage).data).toEqual({
        withheld: true,
        reason: 'threshold',
        minGroupSize: 5,
      });
      expect(
        loaded(body.panels.timeSaved).data.roi.inputs.usageCostUsd,
      ).toBeNull();
      // Nothing but the participants was asked of the usage counters.
      expect(
        prometheus.asked.filter(
          q =>
            q.includes('ai_copilot_tokens_total') && !q.includes('user_hash'),
        ),
      ).toEqual([]);
      // The rest of the dashboard has figures.
      expect(loaded(body.panels.overview).data.activeUsers).toBe(10);
    });

    it('says no one reports usage when no usage counter has data', async () => {
      const service = testQueryService({
        prometheus: fakePrometheus(
          participantsFrom(activity(users(1, 10), { metrics: SEED_METRICS })),
        ).client,
      });
      const body = figures(
        await service.dashboard(service.parseRequest({}), credentials),
      );
      expect(loaded(body.panels.usage).data).toMatchObject({
        withheld: true,
        reason: 'noData',
      });
    });

    it('shows figures, with the developers reporting, when 5 or more report', async () => {
      const data = [
        ...activity(users(1, 10), { metrics: SEED_METRICS }),
        ...activity(users(1, 6), {
          assistant: 'claude-code',
          metrics: USAGE_METRICS,
        }),
      ];
      const service = testQueryService({
        prometheus: fakePrometheus(participantsFrom(data)).client,
      });
      const usage = figures(
        await service.panel('usage', service.parseRequest({}), credentials),
      );
      expect(usage.id).toBe('usage');
      expect(usage.step).toBe(86400);
      expect(usage.data).toMatchObject({
        withheld: false,
        reportingDevelopers: 6,
      });
      expect(usage.ignoredFilters).toEqual([]);
      const byLanguage = figures(
        await service.panel(
          'usage',
          service.parseRequest({ language: 'python' }),
          credentials,
        ),
      );
      expect(byLanguage.ignoredFilters).toEqual(['language']);
    });

    it('withholds a team’s usage that differs from the organisation’s by fewer than 5 developers', async () => {
      // dept (users 1-11) has 11 developers reporting usage; the organisation 13.
      const data = [
        ...activity(users(1, 25), { metrics: SEED_METRICS }),
        ...activity(users(1, 13), {
          assistant: 'codex',
          metrics: USAGE_METRICS,
        }),
      ];
      const service = testQueryService({
        prometheus: fakePrometheus(participantsFrom(data)).client,
        optedIn: users(1, 25).map(n => ({
          userEntityRef: `user:default/u${n}`,
          userHash: hash(n),
        })),
        entities: [
          group('dept', [], ['alpha', 'beta']),
          group('alpha', ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']),
          group('beta', ['u7', 'u8', 'u9', 'u10', 'u11']),
        ],
      });
      const team = figures(
        await service.teamDashboard(
          { namespace: 'default', name: 'dept' },
          service.parseRequest({}),
          credentials,
        ),
      );
      expect(loaded(team.panels.usage).data).toMatchObject({
        withheld: true,
        reason: 'differencing',
      });
      const organisation = figures(
        await service.dashboard(service.parseRequest({}), credentials),
      );
      expect(loaded(organisation.panels.usage).data).toMatchObject({
        withheld: false,
        reportingDevelopers: 13,
      });
    });
  });

  it('asks Prometheus each query once when identical dashboards are requested at the same moment', async () => {
    const prometheus = fakePrometheus(tenActive, { held: true });
    const service = testQueryService({ prometheus: prometheus.client });
    const request = service.parseRequest({ range: '30d' });

    const answers = Promise.all([
      service.dashboard(request, credentials),
      service.dashboard(request, credentials),
      service.dashboard(service.parseRequest({ range: '30d' }), credentials),
    ]);
    await new Promise(resolve => setTimeout(resolve, 50));
    prometheus.release();
    const [a, b, c] = await answers;

    expect(prometheus.asked.length).toBeGreaterThan(5);
    expect(new Set(prometheus.asked).size).toBe(prometheus.asked.length);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('answers the panels that worked when one fails, with the failure in its place', async () => {
    const prometheus = fakePrometheus(tenActive);
    prometheus.client.alertRules = () =>
      Promise.reject(
        new UpstreamError('Prometheus at http://p answered HTTP 500: boom'),
      );
    const service = testQueryService({ prometheus: prometheus.client });

    const body = figures(
      await service.dashboard(service.parseRequest({}), credentials),
    );

    expect(body.panels.alerts).toEqual({
      id: 'alerts',
      error: {
        name: 'UpstreamError',
        message: 'Prometheus at http://p answered HTTP 500: boom',
        statusCode: 502,
      },
    });
    expect(isPanelError(body.panels.overview)).toBe(false);
  });

  it('fails as a whole, with the upstream error, when every panel fails', async () => {
    const down = new ServiceUnavailableError(
      'Prometheus at http://p is unreachable: ECONNREFUSED',
    );
    const prometheus = fakePrometheus();
    prometheus.client.rangeQuery = () => Promise.reject(down);
    prometheus.client.instantQuery = () => Promise.reject(down);
    prometheus.client.alertRules = () => Promise.reject(down);
    const service = testQueryService({ prometheus: prometheus.client });

    await expect(
      service.dashboard(service.parseRequest({}), credentials),
    ).rejects.toBe(down);
  });

  it('names the offending field of a bad request', () => {
    const service = testQueryService({ prometheus: fakePrometheus().client });
    expect(() => service.parseRequest({ language: 'cobol' })).toThrow(
      new InputError(
        'Invalid language: language must be one of python, typescript, javascript, java, go, rust, csharp, cpp, ruby, kotlin, other',
      ),
    );
  });

  describe('the privacy threshold of the organisation', () => {
    const kotlinPair = [
      ...activity(users(1, 8)),
      ...activity([9, 10], { language: 'kotlin' }),
    ];

    it('answers no figures, and asks nothing more, when a filter leaves fewer than 5 developers', async () => {
      const prometheus = fakePrometheus(participantsFrom(kotlinPair));
      const service = testQueryService({ prometheus: prometheus.client });
      const request = service.parseRequest({
        range: '24h',
        language: 'kotlin',
      });

      const tooFew = {
        tooFewParticipants: true,
        reason: 'threshold',
        minGroupSize: 5,
        window: expect.objectContaining({ step: 900 }),
        filters: { language: 'kotlin' },
      };
      expect(await service.dashboard(request, credentials)).toEqual(tooFew);
      expect(await service.panel('overview', request, credentials)).toEqual(
        tooFew,
      );
      // One query per family, the pseudonyms by each filter and breakdown label it has. Besides
      // them, only whether the rules cover the counters (asked while the threshold counts,
      // counts of series that tell nothing of anyone): no panel's query.
      const coverage = /^(count\(|min_over_time\(timestamp\()/;
      expect(
        prometheus.asked
          .map(q => q.split(' ').slice(1, -1).join(' '))
          .filter(q => !coverage.test(q)),
      ).toEqual([
        `sum by (user_hash, language, assistant) (increase(${METRICS.suggestions}[84000s])) > 0`,
        `sum by (user_hash, language, assistant) (increase(${METRICS.linesGenerated}[84000s])) > 0`,
        `sum by (user_hash, assistant, activity) (increase(${METRICS.timeSaved}[84000s])) > 0`,
        `sum by (user_hash, assistant, feature) (increase(${METRICS.featureUsage}[84000s])) > 0`,
      ]);
    });

    it('applies the same threshold without filters, and with no data at all', async () => {
      const four = testQueryService({
        prometheus: fakePrometheus(participantsFrom(activity(users(1, 4))))
          .client,
      });
      expect(
        await four.dashboard(four.parseRequest({}), credentials),
      ).toMatchObject({ tooFewParticipants: true, reason: 'threshold' });
      const none = testQueryService({ prometheus: fakePrometheus().client });
      expect(
        await none.panel('timeSaved', none.parseRequest({}), credentials),
      ).toMatchObject({ tooFewParticipants: true, reason: 'threshold' });
    });

    it('counts each family under the filters it applies: time saved and features ignore the language', async () => {
      const data = [
        ...activity(users(1, 5), {
          language: 'kotlin',
          metrics: [METRICS.suggestions, METRICS.linesGenerated],
        }),
        ...activity(users(1, 10), {
          metrics: [METRICS.timeSaved, METRICS.featureUsage],
        }),
        ...activity(users(6, 10), {
          metrics: [METRICS.suggestions, METRICS.linesGenerated],
        }),
      ];
      const service = testQueryService({
        prometheus: fakePrometheus(participantsFrom(data)).client,
      });
      const body = await service.dashboard(
        service.parseRequest({ language: 'kotlin' }),
        credentials,
      );
      expect(figures(body)).toMatchObject({
        tooFewParticipants: false,
        minGroupSize: 5,
        filters: { language: 'kotlin' },
      });

      // Only 3 of them have time saved with Cody, though 5 have suggestions.
      const cody = [
        ...activity(users(1, 5), {
          assistant: 'cody',
          metrics: [METRICS.suggestions],
        }),
        ...activity(users(1, 3), {
          assistant: 'cody',
          metrics: [METRICS.timeSaved],
        }),
      ];
      const few = testQueryService({
        prometheus: fakePrometheus(participantsFrom(cody)).client,
      });
      expect(
        await few.dashboard(
          few.parseRequest({ assistant: 'cody' }),
          credentials,
        ),
      ).toMatchObject({ tooFewParticipants: true, reason: 'threshold' });
    });

    it('answers differencing when the developers outside a filter are fewer than 5', async () => {
      // Everyone writes Python; two of them also write Go: the unfiltered view minus the
      // Python view would be those two's Go.
      const data = [
        ...activity(users(1, 10)),
        ...activity([3, 4], { language: 'go', metrics: [METRICS.suggestions] }),
      ];
      const prometheus = fakePrometheus(participantsFrom(data));
      const service = testQueryService({ prometheus: prometheus.client });
      expect(
        await service.panel(
          'acceptanceRate',
          service.parseRequest({ language: 'python' }),
          credentials,
        ),
      ).toMatchObject({ tooFewParticipants: true, reason: 'differencing' });
      // The Go view itself is under the threshold; the unfiltered view shows figures.
      expect(
        await service.dashboard(
          service.parseRequest({ language: 'go' }),
          credentials,
        ),
      ).toMatchObject({ tooFewParticipants: true, reason: 'threshold' });
      figures(await service.dashboard(service.parseRequest({}), credentials));
      // Python, Go and the unfiltered view shared one participants query per family with
      // languages, and window (the unfiltered dashboard's tiles read the previous one too).
      expect(
        prometheus.asked.filter(q =>
          q.includes('by (user_hash, language, assistant)'),
        ),
      ).toHaveLength(4);
    });

    it('compares a view with two filters with each view of one filter fewer', async () => {
      // Python with Copilot: 8; Python with another assistant: 2 of them; Copilot in other
      // languages: 6; neither: 6. Python minus (Python and Copilot) would single out those 2.
      const data = [
        ...activity(users(1, 8)),
        ...activity([1, 2], { assistant: 'cody' }),
        ...activity(users(9, 14), { language: 'go' }),
        ...activity(users(15, 20), { language: 'java', assistant: 'cody' }),
      ];
      const service = testQueryService({
        prometheus: fakePrometheus(participantsFrom(data)).client,
      });
      expect(
        await service.dashboard(
          service.parseRequest({ language: 'python', assistant: 'copilot' }),
          credentials,
        ),
      ).toMatchObject({ tooFewParticipants: true, reason: 'differencing' });
      figures(
        await service.dashboard(
          service.parseRequest({ assistant: 'copilot' }),
          credentials,
        ),
      );
    });

    it('answers the alerts panel whatever the threshold, since it tells nothing about people', async () => {
      const service = testQueryService({ prometheus: fakePrometheus().client });
      const alerts = await service.panel(
        'alerts',
        service.parseRequest({ language: 'kotlin' }),
        credentials,
      );
      expect(figures(alerts).id).toBe('alerts');
    });
  });

  describe('for a team', () => {
    // dept: alpha (users 1-6) and beta (7-11); leads: users 12 and 13, and gamma (14-18);
    // users 19-25 belong to no group.
    const entities = [
      group('dept', [], ['alpha', 'beta']),
      group('alpha', ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']),
      group('beta', ['u7', 'u8', 'u9', 'u10', 'u11']),
      group('leads', ['u12', 'u13'], ['gamma']),
      group('gamma', ['u14', 'u15', 'u16', 'u17', 'u18']),
      group('everyone-but-two', [], ['dept', 'leads', 'rest']),
      group('rest', ['u19', 'u20', 'u21', 'u22', 'u23']),
    ];
    const optedIn = users(1, 25).map(n => ({
      userEntityRef: `user:default/u${n}`,
      userHash: hash(n),
    }));

    function serviceFor(
      data: ReturnType<typeof activity>,
      options: { optedIn?: typeof optedIn } = {},
    ) {
      const prometheus = fakePrometheus(participantsFrom(data));
      const service = testQueryService({
        prometheus: prometheus.client,
        optedIn: options.optedIn ?? optedIn,
        entities,
      });
      return { prometheus, service };
    }

    function teamDashboard(
      service: ReturnType<typeof testQueryService>,
      name: string,
      query: Record<string, string> = {},
    ) {
      return service.teamDashboard(
        { namespace: 'default', name },
        service.parseRequest(query),
        credentials,
      );
    }

    it('answers without asking Prometheus when fewer than 5 members opted in', async () => {
      const { prometheus, service } = serviceFor(activity(users(1, 25)), {
        optedIn: optedIn.slice(0, 4),
      });
      expect(await teamDashboard(service, 'alpha')).toMatchObject({
        tooFewParticipants: true,
        reason: 'threshold',
        minGroupSize: 5,
        team: { entityRef: 'group:default/alpha' },
      });
      expect(prometheus.asked).toEqual([]);
    });

    it("shows a department's figures over its teams' members, the organisation's queries serving the threshold", async () => {
      const { prometheus, service } = serviceFor(activity(users(1, 25)));
      const body = await teamDashboard(service, 'dept');
      expect(figures(body).tooFewParticipants).toBe(false);
      // The threshold read the organisation's participants, with no user_hash matcher (over
      // the whole window: adoption's running day is read per developer too).
      const { window } = figures(body);
      const whole = `[${(window.asOf - window.start) / 1000}s]`;
      const participants = prometheus.asked.filter(
        q =>
          q.startsWith('instant sum by (user_hash, ') &&
          q.includes(' > 0 ') &&
          q.includes(whole),
      );
      // One per family (the four of the dashboard, and the six the usage panel is checked on),
      // for this window and, for the tiles' change, the one before it.
      expect(participants).toHaveLength(20);
      expect(participants.every(q => !q.includes('user_hash='))).toBe(true);
      // The panels read the members of both teams.
      expect(
        prometheus.asked.some(
          q =>
            q.includes(hash(1)) &&
            q.includes(hash(11)) &&
            !q.includes(hash(12)),
        ),
      ).toBe(true);
    });

    it('shows no figures when one family has data from only 4 members', async () => {
      const data = [
        ...activity(users(1, 25), {
          metrics: [
            METRICS.suggestions,
            METRICS.linesGenerated,
            METRICS.timeSaved,
          ],
        }),
        ...activity(users(1, 4), { metrics: [METRICS.featureUsage] }),
      ];
      const { service } = serviceFor(data);
      expect(await teamDashboard(service, 'alpha')).toEqual({
        tooFewParticipants: true,
        reason: 'threshold',
        minGroupSize: 5,
        team: { entityRef: 'group:default/alpha', title: 'alpha' },
        window: expect.any(Object),
        filters: {},
      });
    });

    it('answers differencing for a parent whose child team shows figures and who has two more members', async () => {
      const { service } = serviceFor(activity(users(1, 25)));
      expect(await teamDashboard(service, 'leads')).toMatchObject({
        tooFewParticipants: true,
        reason: 'differencing',
        team: { entityRef: 'group:default/leads' },
      });
      figures(await teamDashboard(service, 'gamma'));
    });

    it('answers differencing when a sibling is small: the parent minus one child is the other', async () => {
      // Only 3 of beta are active: dept minus alpha would be them.
      const { service } = serviceFor(
        activity([...users(1, 9), ...users(12, 25)]),
      );
      expect(await teamDashboard(service, 'dept')).toMatchObject({
        tooFewParticipants: true,
        reason: 'differencing',
      });
      figures(await teamDashboard(service, 'alpha'));
      expect(await teamDashboard(service, 'beta')).toMatchObject({
        reason: 'threshold',
      });
    });

    it('does not subtract a subgroup that shows no figures itself', async () => {
      // gamma has only 4 active: its own view is empty, so leads (6 active) shows figures.
      const { service } = serviceFor(
        activity([...users(1, 17), ...users(19, 25)]),
      );
      expect(await teamDashboard(service, 'gamma')).toMatchObject({
        reason: 'threshold',
      });
      figures(await teamDashboard(service, 'leads'));
    });

    it('answers differencing for a Group that holds all but a few of the organisation', async () => {
      const { service } = serviceFor(activity(users(1, 25)));
      expect(await teamDashboard(service, 'everyone-but-two')).toMatchObject({
        tooFewParticipants: true,
        reason: 'differencing',
      });
    });

    it("answers differencing when a filter leaves out a few of the team's developers", async () => {
      const data = [
        ...activity(users(1, 25)),
        ...activity([2], { language: 'go', metrics: [METRICS.suggestions] }),
      ];
      const { service } = serviceFor(data);
      expect(
        await teamDashboard(service, 'alpha', { language: 'python' }),
      ).toMatchObject({ reason: 'differencing' });
      // For the organisation the same filter leaves out one as well.
      expect(
        await service.dashboard(
          service.parseRequest({ language: 'python' }),
          credentials,
        ),
      ).toMatchObject({ reason: 'differencing' });
      figures(await teamDashboard(service, 'beta', { language: 'python' }));
    });

    it('follows a cycle of groups in the catalog once', async () => {
      const prometheus = fakePrometheus(
        participantsFrom(activity(users(1, 25))),
      );
      const service = testQueryService({
        prometheus: prometheus.client,
        optedIn,
        entities: [
          group('ring-a', ['u1', 'u2', 'u3'], ['ring-b']),
          group('ring-b', ['u4', 'u5', 'u6'], ['ring-a']),
        ],
      });
      // Each contains the other: the same six people, no one apart.
      expect(await teamDashboard(service, 'ring-a')).toMatchObject({
        tooFewParticipants: false,
      });
    });

    it('answers 404 for an unknown group and 400 for a name that cannot be one', async () => {
      const { service } = serviceFor([]);
      const request = service.parseRequest({});
      await expect(
        service.teamDashboard(
          { namespace: 'default', name: 'nope' },
          request,
          credentials,
        ),
      ).rejects.toThrow('There is no Group group:default/nope in the catalog');
      await expect(
        service.teamDashboard(
          { namespace: 'default', name: 'a"b' },
          request,
          credentials,
        ),
      ).rejects.toBeInstanceOf(InputError);
    });
  });

  describe('a window that began before the daily rules', () => {
    // The rules recorded only the last three whole days of the 7-day window up to NOW.
    const DAY = 86_400;
    const midnight = Math.floor(NOW / DAY) * DAY;
    const ends = [2, 1, 0].map(n => midnight - n * DAY);
    const marker = (query: string): PrometheusSeries[] =>
      query.startsWith('count_over_time(ai_telemetry:per_user_daily_v3')
        ? [{ labels: {}, points: ends.map(t => [t, 1]) }]
        : [];
    const suggestionsParticipants = (asked: string[]) =>
      asked.filter(
        q =>
          q.startsWith('instant sum by (user_hash, language, assistant) (') &&
          q.includes('ai_copilot_suggestions_total'),
      );

    it('still counts a developer whose only activity lies before the rules: those days are read from the counters', async () => {
      // The counters have samples before the first recorded day (someone was active then).
      const prometheus = fakePrometheus(marker);
      const service = testQueryService({ prometheus: prometheus.client });
      const request = service.parseRequest({ range: '7d' });
      await service.dashboard(request, credentials);
      const [participants] = suggestionsParticipants(prometheus.asked);
      expect(participants).toContain(
        'ai_telemetry:suggestions_shown_per_user_by_label:increase1d',
      );
      expect(participants).toContain('"before"');
      // Asked of the index from the window's start to the first recorded day.
      expect(prometheus.asked).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^labels __name__ .* ${request.window.start} ${
              midnight - 3 * DAY - 0.001
            }$`,
          ),
        ),
      );
    });

    it('reads nothing before the recorded days where no counter has a sample there', async () => {
      const prometheus = fakePrometheus(marker, { counterNames: [] });
      const service = testQueryService({ prometheus: prometheus.client });
      await service.dashboard(
        service.parseRequest({ range: '7d' }),
        credentials,
      );
      const [participants] = suggestionsParticipants(prometheus.asked);
      expect(participants).toContain(
        'ai_telemetry:suggestions_shown_per_user_by_label:increase1d',
      );
      expect(participants).not.toContain('"before"');
    });
  });

  describe('the activity index', () => {
    // The 7-day window up to NOW (13:20 on Nov 28) starts at midnight on Nov 22; the daily rules
    // have recorded Nov 22 to Nov 27.
    const DAY = 86_400;
    const until = Math.floor(NOW / DAY) * DAY;
    const days = Array.from({ length: 6 }, (_, i) => until - (6 - i) * DAY);
    const MARKER = /^count_over_time\(ai_telemetry:per_user_daily_v3:evaluated/;
    const RULE = 'ai_telemetry:suggestions_shown_per_user_by_label:increase1d';
    /** Who had suggestions on each recorded day: developers 1 to 6, in Python with Copilot. */
    const rule = (query: string): PrometheusSeries[] =>
      MARKER.test(query)
        ? [{ labels: {}, points: days.map(d => [d + DAY, 1]) }]
        : [];
    const indexRange = async (query: string) =>
      query.includes(RULE)
        ? users(1, 6).map(n => ({
            labels: {
              user_hash: hash(n),
              language: 'python',
              assistant: 'copilot',
            },
            points: days.map(d => [d + DAY, 3] as [number, number]),
          }))
        : rule(query);

    async function setUp(
      erasures: () => Promise<Array<{ userHash: string; finishedAt?: Date }>>,
    ) {
      const index = new ActivityIndex({
        instant: async () => [],
        range: indexRange,
        rules: [{ rule: RULE, matchers: [], values: false }],
        days: 90,
        logger: mockServices.logger.mock(),
        now: () => NOW,
      });
      await index.refresh();
      const prometheus = fakePrometheus(rule);
      const service = testQueryService({
        prometheus: prometheus.client,
        activity: { index, erasures },
      });
      return { prometheus, service };
    }

    const suggestionsReadRaw = (asked: string[]) =>
      asked.some(
        q =>
          q.startsWith('instant sum by (user_hash, language, assistant)') &&
          q.includes(RULE),
      );

    it('counts who had data on the recorded days from the index, reading the rest only from Prometheus', async () => {
      const { prometheus, service } = await setUp(async () => []);
      const answer = await service.dashboard(
        service.parseRequest({ range: '7d' }),
        credentials,
      );
      // Six developers with suggestions (and no other family with data): figures.
      expect(isTooFewParticipants(answer)).toBe(false);
      expect(suggestionsReadRaw(prometheus.asked)).toBe(false);
      // The rest of the window (today, and the GitHub import's days) was asked.
      expect(
        prometheus.asked.some(
          q =>
            q.startsWith('instant sum by (user_hash, language, assistant') &&
            q.includes('"after"'),
        ),
      ).toBe(true);
      // The rest is read once for every read of the family the index answers, by every label
      // they need, and narrowed in memory: not by the participants' own labels.
      const startsWith = (prefix: string) =>
        prometheus.asked.filter(
          q =>
            q.startsWith(prefix) &&
            q.includes('ai_copilot_suggestions_total') &&
            q.includes('"after"'),
        );
      expect(
        startsWith(
          'instant sum by (user_hash, language, assistant, accepted) (',
        ),
      ).toHaveLength(1);
      expect(
        startsWith('instant sum by (user_hash, language, assistant) ('),
      ).toEqual([]);
    });

    it('forgets the pseudonyms of erasures once the cached results change generation', async () => {
      let erased: Array<{ userHash: string; finishedAt?: Date }> = [];
      const { service } = await setUp(async () => erased);
      const request = service.parseRequest({ range: '7d' });
      expect(
        isTooFewParticipants(await service.dashboard(request, credentials)),
      ).toBe(false);
      // Two of the six are erased (one job done, one running): four are left, too few.
      erased = [
        { userHash: hash(1), finishedAt: new Date(NOW * 1000) },
        { userHash: hash(2) },
      ];
      await service.dropCachedResults();
      const answer = await service.dashboard(request, credentials);
      expect(answer).toMatchObject({
        tooFewParticipants: true,
        reason: 'threshold',
      });
    });

    it('leaves every read to Prometheus while erasures cannot be listed', async () => {
      const { prometheus, service } = await setUp(async () => {
        throw new Error('database unreachable');
      });
      await service.dashboard(
        service.parseRequest({ range: '7d' }),
        credentials,
      );
      expect(suggestionsReadRaw(prometheus.asked)).toBe(true);
    });
  });

  describe('raw queries', () => {
    const body = {
      query: 'sum(increase(ai_copilot_feature_usage[1h]))',
      start: '2026-11-27T00:00:00Z',
      end: '2026-11-28T00:00:00Z',
      step: '1h',
    };
    const range = `${Date.UTC(2026, 10, 27) / 1000} ${
      Date.UTC(2026, 10, 28) / 1000
    } 3600`;
    const hourlyCounts =
      'count (count by (user_hash) (increase(ai_copilot_feature_usage{user_hash!=""}[1h]) != 0))';
    /** The hourly counts' queries, one per day from the hour before the first evaluation. */
    const hourlyDays = [26, 27].map(
      day =>
        `range ${hourlyCounts} ${Date.UTC(2026, 10, day, 1) / 1000} ${
          Date.UTC(2026, 10, day + 1) / 1000
        } 3600`,
    );
    /**
     * Answers `result` to the query, `pooled` people to each pooling count and `hourly` growing
     * counters to every hour of the hourly counts.
     */
    const answers =
      (result: PrometheusSeries[], pooled: number, hourly = 0) =>
      (query: string): PrometheusSeries[] => {
        if (query.startsWith('(count')) {
          return [{ labels: {}, points: [[1795824000, pooled]] }];
        }
        if (query === hourlyCounts) {
          const hours = Array.from({ length: 49 }, (_, i): [number, number] => [
            Date.UTC(2026, 10, 26) / 1000 + i * 3600,
            hourly,
          ]);
          return hourly > 0 ? [{ labels: {}, points: hours }] : [];
        }
        return result;
      };

    it('runs the query as checked, with the count of people in each group, and answers its series with times in ms', async () => {
      const prometheus = fakePrometheus(
        answers([{ labels: {}, points: [[1795824000, 7]] }], 5),
      );
      const service = testQueryService({ prometheus: prometheus.client });
      expect(await service.rawQuery(body)).toEqual({
        query: body.query,
        start: Date.UTC(2026, 10, 27) * 1,
        end: Date.UTC(2026, 10, 28) * 1,
        step: 3600,
        series: [{ labels: {}, points: [{ t: 1795824000000, v: 7 }] }],
      });
      expect(prometheus.asked).toEqual([
        `range ${body.query} ${range}`,
        ...hourlyDays,
        `range (count (count by (user_hash) ((increase(ai_copilot_feature_usage{user_hash!=""}[1h])) != 0))) or ` +
          '(count (count by (user_hash) (increase(ai_copilot_feature_usage{user_hash!=""}[1h]))) + 0.5) or ' +
          `(count (increase(ai_copilot_feature_usage[1h])) * 0) ${range}`,
      ]);
    });

    it('needs no count of people when the hourly counts of growing counters prove every group pooled, and keeps them for the next query', async () => {
      const prometheus = fakePrometheus(
        answers([{ labels: {}, points: [[1795824000, 7]] }], 0, 5),
      );
      const service = testQueryService({ prometheus: prometheus.client });
      expect((await service.rawQuery(body)).series).toEqual([
        { labels: {}, points: [{ t: 1795824000000, v: 7 }] },
      ]);
      await service.rawQuery({ ...body, start: '2026-11-27T01:00:00Z' });
      expect(prometheus.asked).toEqual([
        `range ${body.query} ${range}`,
        ...hourlyDays,
        `range ${body.query} ${Date.UTC(2026, 10, 27, 1) / 1000} ${
          Date.UTC(2026, 10, 28) / 1000
        } 3600`,
      ]);
    });

    it('refuses an answer with a group of fewer than minGroupSize people, naming it', async () => {
      const prometheus = fakePrometheus(
        answers([{ labels: {}, points: [[1795824000, 7]] }], 4, 4),
      );
      const service = testQueryService({ prometheus: prometheus.client });
      await expect(service.rawQuery(body)).rejects.toThrow(
        /^sum\(increase\(ai_copilot_feature_usage\[1h\]\)\) pools 4 people with data in the whole selection at 2026-11-28T00:00:00.000Z/,
      );
    });

    it('refuses a result that would carry user_hash all the same', async () => {
      const prometheus = fakePrometheus(
        answers([{ labels: { user_hash: hash(1) }, points: [[1, 1]] }], 5),
      );
      const service = testQueryService({ prometheus: prometheus.client });
      await expect(service.rawQuery(body)).rejects.toThrow(
        /would carry user_hash on 1 series; aggregate it away/,
      );
    });

    it('refuses per-person series, other metrics, windows longer than the step and too many points before asking Prometheus', async () => {
      const prometheus = fakePrometheus();
      const service = testQueryService({ prometheus: prometheus.client });
      await expect(
        service.rawQuery({ ...body, query: 'ai_copilot_feature_usage' }),
      ).rejects.toThrow(/answers per-person series; aggregate them/);
      const daily = 'sum(increase(ai_copilot_feature_usage[1d]))';
      await expect(service.rawQuery({ ...body, query: daily })).rejects.toThrow(
        /reads 1d windows every 1h: consecutive answers would overlap/,
      );

      await expect(service.rawQuery({ ...body, query: 'up' })).rejects.toThrow(
        /selects up/,
      );
      await expect(service.rawQuery({ ...body, step: 60 })).rejects.toThrow(
        /1441 points from start to end, more than 1100; use a step of at least 79 seconds/,
      );
      await expect(service.rawQuery({ ...body, step: 'soon' })).rejects.toThrow(
        /Invalid step/,
      );
      expect(prometheus.asked).toEqual([]);
    });

    it("turns Prometheus's refusal of the query into a 400", async () => {
      const prometheus = fakePrometheus();
      prometheus.client.rangeQuery = () =>
        Promise.reject(
          new UpstreamError(
            'Prometheus at http://p answered HTTP 400 (bad_data): bad',
            'bad_data',
          ),
        );
      const service = testQueryService({ prometheus: prometheus.client });
      await expect(service.rawQuery(body)).rejects.toBeInstanceOf(InputError);
    });
  });
});
