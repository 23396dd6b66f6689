import { mockCredentials } from '@backstage/backend-test-utils';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { isPanelError } from '@fawkes/plugin-ai-telemetry-common';
import { UpstreamError } from '../upstream/errors';
import {
  fakePrometheus,
  group,
  hash,
  testQueryService,
} from './__testUtils__/testDoubles';

const credentials = mockCredentials.user();

describe('QueryService', () => {
  it('asks Prometheus each query once when identical dashboards are requested at the same moment', async () => {
    const prometheus = fakePrometheus(() => [], { held: true });
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
    const prometheus = fakePrometheus();
    prometheus.client.alertRules = () =>
      Promise.reject(
        new UpstreamError('Prometheus at http://p answered HTTP 500: boom'),
      );
    const service = testQueryService({ prometheus: prometheus.client });

    const body = await service.dashboard(service.parseRequest({}), credentials);

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

  describe('for a team', () => {
    const members = ['a', 'b', 'c', 'd', 'e', 'f'];
    const entities = [
      group('parent', ['a'], ['child']),
      group('child', ['b', 'c', 'd', 'e', 'f']),
    ];
    const optedIn = members.map((m, i) => ({
      userEntityRef: `user:default/${m}`,
      userHash: hash(i + 1),
    }));

    it('answers without asking Prometheus when fewer than 5 members opted in', async () => {
      const prometheus = fakePrometheus();
      const service = testQueryService({
        prometheus: prometheus.client,
        optedIn: optedIn.slice(0, 4),
        entities,
      });
      const body = await service.teamDashboard(
        { namespace: 'default', name: 'parent' },
        service.parseRequest({}),
        credentials,
      );
      expect(body).toMatchObject({
        tooFewParticipants: true,
        minGroupSize: 5,
        team: { entityRef: 'group:default/parent' },
      });
      expect(prometheus.asked).toEqual([]);
    });

    function participants(counts: Record<string, number>) {
      return (query: string) => {
        const metric = /increase\((ai_copilot_\w+)/.exec(query)?.[1] ?? '';
        if (
          !query.startsWith('count(sum by (user_hash)') ||
          !(metric in counts)
        )
          return [];
        return [
          {
            labels: {},
            points: [[0, counts[metric]]] as Array<[number, number]>,
          },
        ];
      };
    }

    it('shows figures when every family with data has at least 5 members with data', async () => {
      const prometheus = fakePrometheus(
        participants({
          ai_copilot_suggestions_total: 6,
          ai_copilot_lines_generated: 5,
          ai_copilot_time_saved_seconds: 5,
        }),
      );
      const service = testQueryService({
        prometheus: prometheus.client,
        optedIn,
        entities,
      });
      const body = await service.teamDashboard(
        { namespace: 'default', name: 'parent' },
        service.parseRequest({}),
        credentials,
      );
      expect(body.tooFewParticipants).toBe(false);
      expect(
        prometheus.asked.some(q => q.includes(hash(6)) && q.includes(hash(1))),
      ).toBe(true);
    });

    it('shows no figures when one family has data from only 4 members', async () => {
      const prometheus = fakePrometheus(
        participants({
          ai_copilot_suggestions_total: 6,
          ai_copilot_lines_generated: 6,
          ai_copilot_time_saved_seconds: 6,
          ai_copilot_feature_usage: 4,
        }),
      );
      const service = testQueryService({
        prometheus: prometheus.client,
        optedIn,
        entities,
      });
      const body = await service.teamDashboard(
        { namespace: 'default', name: 'parent' },
        service.parseRequest({}),
        credentials,
      );
      expect(body).toEqual({
        tooFewParticipants: true,
        minGroupSize: 5,
        team: { entityRef: 'group:default/parent', title: 'parent' },
        window: expect.any(Object),
        filters: {},
      });
    });

    it('answers 404 for an unknown group and 400 for a name that cannot be one', async () => {
      const service = testQueryService({
        prometheus: fakePrometheus().client,
        optedIn,
        entities,
      });
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

  describe('raw queries', () => {
    const body = {
      query: 'sum(ai_copilot_feature_usage)',
      start: '2026-11-27T00:00:00Z',
      end: '2026-11-28T00:00:00Z',
      step: '1h',
    };

    it('runs a guarded query and answers its series with times in ms', async () => {
      const prometheus = fakePrometheus(() => [
        { labels: {}, points: [[1795824000, 7]] },
      ]);
      const service = testQueryService({ prometheus: prometheus.client });
      expect(await service.rawQuery(body)).toEqual({
        query: body.query,
        start: Date.UTC(2026, 10, 27) * 1,
        end: Date.UTC(2026, 10, 28) * 1,
        step: 3600,
        series: [{ labels: {}, points: [{ t: 1795824000000, v: 7 }] }],
      });
      expect(prometheus.asked).toEqual([
        `range ${body.query} ${Date.UTC(2026, 10, 27) / 1000} ${
          Date.UTC(2026, 10, 28) / 1000
        } 3600`,
      ]);
    });

    it('refuses a result that would carry user_hash', async () => {
      const prometheus = fakePrometheus(() => [
        { labels: { user_hash: hash(1) }, points: [[1, 1]] },
      ]);
      const service = testQueryService({ prometheus: prometheus.client });
      await expect(
        service.rawQuery({ ...body, query: 'ai_copilot_feature_usage' }),
      ).rejects.toThrow(/would carry user_hash on 1 series; aggregate it away/);
    });

    it('refuses other metrics before asking Prometheus, and too many points', async () => {
      const prometheus = fakePrometheus();
      const service = testQueryService({ prometheus: prometheus.client });
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
