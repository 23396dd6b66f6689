import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { RawQueryResponse } from '@fawkes/plugin-ai-telemetry-common';
import express from 'express';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { PrometheusClient } from '../upstream/PrometheusClient';
import { memoryAuditLog } from '../__testUtils__/memoryAuditLog';
import { createQueryRouter } from './createQueryRouter';
import {
  DemoSet,
  generateDemoSet,
  RawSeries,
  QueryEngine,
  readOpenMetrics,
  startEngineWithDemoSet,
} from './__testUtils__/demoData';
import { RawHistory, Scope } from './__testUtils__/expected';
import { GUARD_REFUSALS } from './__testUtils__/rawQueryAttempts';
import { testQueryService } from './__testUtils__/testDoubles';

jest.setTimeout(60_000);

const S = 'ai_copilot_suggestions_total';
const L = 'ai_copilot_lines_generated';
const RULE = 'ai_telemetry:suggestions:increase1h';
const HOUR = 3600;
const DAY = 86400;
const MIN_GROUP_SIZE = 5;
/** The languages most of the 40 demo developers write. */
const BIG_LANGUAGES = ['python', 'typescript', 'java', 'go'];

const escapeRegExp = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Answer = { status: number; body: RawQueryResponse; reason?: string };

describe('the raw PromQL console on generated data', () => {
  let dir: string;
  let demo: DemoSet;
  let series: RawSeries[];
  let history: RawHistory;
  /** A language that fewer than 5 developers write. */
  let small: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fawkes-raw-query-'));
    demo = await generateDemoSet({
      dir: join(dir, 'demo'),
      users: 40,
      days: 7,
      step: '15m',
      key: 'raw-query-test-key',
      end: Math.floor(Date.now() / 1000 / 900) * 900,
    });
    series = readOpenMetrics(demo.metricsFiles);
    history = new RawHistory(series);
    const developers = new Map<string, Set<string>>();
    for (const s of history.select(S, {})) {
      const language = developers.get(s.labels.language) ?? new Set();
      developers.set(s.labels.language, language.add(s.labels.user_hash));
    }
    small = [...developers].find(([, d]) => d.size < MIN_GROUP_SIZE)![0];
  }, 300_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Distinct pseudonyms of `selected` with data in (from, to], and with a series at all. */
  function poolOf(selected: RawSeries[], from: number, to: number) {
    const present = selected.filter(s => s.firstTime <= to);
    return {
      withData: history.activeUsers(present, from, to).size,
      present: new Set(present.map(s => s.labels.user_hash)).size,
    };
  }

  function pool(metric: string, scope: Scope, from: number, to: number) {
    return poolOf(history.select(metric, scope), from, to);
  }

  function expectClose(actual: number, expected: number, what: string) {
    if (!(Math.abs(actual - expected) <= 1e-9 * Math.max(1, expected))) {
      throw new Error(`${what}: got ${actual}, expected ${expected}`);
    }
  }

  describe.each(['prometheus', 'victoria-metrics'] as const)('on %s', kind => {
    let engine: QueryEngine;
    let api: ReturnType<typeof request>;

    beforeAll(async () => {
      engine = await startEngineWithDemoSet(kind, demo, dir);
      const app = express();
      app.use(
        createQueryRouter({
          httpAuth: mockServices.httpAuth(),
          permissions: mockServices.permissions(),
          queries: testQueryService({
            prometheus: new PrometheusClient(engine.url),
            minGroupSize: MIN_GROUP_SIZE,
          }),
          audit: memoryAuditLog().audit,
        }),
      );
      app.use(
        MiddlewareFactory.create({
          config: mockServices.rootConfig(),
          logger: mockServices.logger.mock(),
        }).error(),
      );
      api = request(app);
    }, 180_000);

    afterAll(async () => {
      await engine?.stop();
    });

    /** Asks over HTTP; by default for the one evaluation time `start`. */
    async function ask(
      query: string,
      start: number,
      end = start + 1,
      step = HOUR,
    ): Promise<Answer> {
      const res = await api.post('/v1/query').send({ query, start, end, step });
      return {
        status: res.status,
        body: res.body,
        reason: res.body.error?.message,
      };
    }

    async function answered(
      query: string,
      start: number,
      end = start + 1,
      step = HOUR,
    ): Promise<RawQueryResponse> {
      const answer = await ask(query, start, end, step);
      if (answer.status !== 200) {
        throw new Error(`${query} answered ${answer.status}: ${answer.reason}`);
      }
      return answer.body;
    }

    it('refuses every bypass attempt of the guard over HTTP, with its reason', async () => {
      for (const [what, query, reason] of GUARD_REFUSALS) {
        const answer = await ask(query, demo.end - DAY, demo.end);
        expect({ what, status: answer.status }).toEqual({ what, status: 400 });
        expect({ what, reason: answer.reason }).toEqual({
          what,
          reason: expect.stringMatching(reason),
        });
      }
    });

    it('answers a pooled breakdown with the figures of the raw samples, every series pooling at least 5 people', async () => {
      // Two 3-day windows, one after the other (every 3 days hold a working day).
      const start = demo.end - 3 * DAY;
      const query = `sum by (language) (increase(${S}{language=~"${BIG_LANGUAGES.join(
        '|',
      )}"}[3d]))`;
      const body = await answered(query, start, demo.end, 3 * DAY);
      expect(body.query).toBe(query);
      expect(body.series.map(s => s.labels.language).sort()).toEqual(
        [...BIG_LANGUAGES].sort(),
      );
      for (const s of body.series) {
        const { language } = s.labels;
        expect(s.points.map(p => p.t)).toEqual([start * 1000, demo.end * 1000]);
        for (const p of s.points) {
          const t = p.t / 1000;
          expect(
            pool(S, { language }, t - 3 * DAY, t).withData,
          ).toBeGreaterThanOrEqual(MIN_GROUP_SIZE);
          expectClose(
            p.v,
            history.sum(history.select(S, { language }), t - 3 * DAY, t),
            `${language} at ${t}`,
          );
        }
      }

      const ratio = await answered(
        `sum(increase(${S}{accepted="true"}[3d])) / sum(increase(${S}[3d]))`,
        demo.end,
      );
      const all = history.select(S, {});
      expectClose(
        ratio.series[0].points[0].v,
        history.sum(
          all.filter(s => s.labels.accepted === 'true'),
          demo.end - 3 * DAY,
          demo.end,
        ) / history.sum(all, demo.end - 3 * DAY, demo.end),
        'acceptance',
      );

      const filtered = await answered(`${query} > 1000`, demo.end);
      expect(filtered.series.length).toBeGreaterThan(0);

      // Read every day, the 3-day windows would overlap: consecutive answers would differ by
      // the few people of a single day at either end.
      const overlapping = await ask(query, start, demo.end, DAY);
      expect(overlapping.status).toBe(400);
      expect(overlapping.reason).toMatch(
        /reads 3d windows every 1d: consecutive answers would overlap/,
      );
    });

    it('refuses a group that pools fewer than 5 people, naming it, its count and what to change', async () => {
      const languageSizes = new Map<string, number>();
      for (const s of history.select(S, {})) {
        languageSizes.set(s.labels.language, 0);
      }
      for (const language of languageSizes.keys()) {
        languageSizes.set(
          language,
          pool(S, { language }, demo.end - 3 * DAY, demo.end).withData,
        );
      }
      const [smallest, size] = [...languageSizes].sort(
        (a, b) => a[1] - b[1],
      )[0];
      expect(size).toBeGreaterThan(0);
      expect(size).toBeLessThan(MIN_GROUP_SIZE);

      const alone = await ask(
        `sum(increase(${S}{language="${smallest}"}[3d]))`,
        demo.end,
      );
      expect(alone.status).toBe(400);
      expect(alone.reason).toBe(
        `sum(increase(${S}{language="${smallest}"}[3d])) pools ${size} ${
          size === 1 ? 'person' : 'people'
        } with data in the whole selection at ${new Date(
          demo.end * 1000,
        ).toISOString()}: every series must pool at least 5 people with data (or at least 5 ` +
          'people who all have none). To answer, widen its window (e.g. [1d] rather than [1h]) or drop a label filter.',
      );

      // The small group hidden among big ones, with an offset, a regular expression, a
      // subquery, another aggregation: each still refused.
      for (const query of [
        `sum by (language) (increase(${S}[3d]))`,
        `sum by (language) (increase(${S}{language=~"python|${smallest}"}[3d]))`,
        `sum(rate(${S}{language="${smallest}"}[3d] offset 1h))`,
        `count(increase(${S}{language="${smallest}"}[3d]))`,
        `avg by (language) (increase(${L}{language=~"${smallest}|python"}[3d]))`,
        `max_over_time(sum(increase(${S}{language="${smallest}"}[1h]))[3d:1h])`,
        `sum(increase(${S}{language="python"}[3d])) / sum(increase(${S}{language="${smallest}"}[3d]))`,
      ]) {
        const answer = await ask(query, demo.end);
        expect({ query, status: answer.status }).toEqual({
          query,
          status: 400,
        });
        expect({ query, reason: answer.reason }).toEqual({
          query,
          reason: expect.stringMatching(
            /pools [0-4] (person|people).* in (the whole selection|the group \{language="[a-z]+"\})/,
          ),
        });
      }
    });

    it('answers zeros for a group of enough people who all did nothing, but not when a few of them did something, nor for a small group', async () => {
      const python = { language: 'python' };
      const quarters = [...Array(4 * 24 * 3).keys()].map(
        i => demo.end - i * 900,
      );
      // A quarter hour in which none of the python developers did anything (a night)...
      const quiet = quarters.find(t => {
        const p = pool(S, python, t - 900, t);
        return p.withData === 0 && p.present >= MIN_GROUP_SIZE;
      })!;
      expect(quiet).toBeDefined();
      const query = `sum(increase(${S}{language="python"}[15m]))`;
      const body = await answered(query, quiet);
      expect(body.series.map(s => s.points)).toEqual([
        [{ t: quiet * 1000, v: 0 }],
      ]);
      const few = await ask(
        `sum(increase(${S}{language="${small}"}[15m]))`,
        quiet,
      );
      expect(few.status).toBe(400);
      expect(few.reason).toMatch(/pools [1-4] (person|people)/);

      // ...and one in which only a few of them did.
      const early = quarters.find(t => {
        const n = pool(S, python, t - 900, t).withData;
        return n > 0 && n < MIN_GROUP_SIZE;
      })!;
      expect(early).toBeDefined();
      const some = await ask(query, early);
      expect(some.status).toBe(400);
      expect(some.reason).toMatch(
        new RegExp(
          `^${escapeRegExp(query)} pools ${
            pool(S, python, early - 900, early).withData
          } (person|people) with data in the whole selection`,
        ),
      );

      // Within a subquery, every quarter counts, not only the one the query is evaluated at.
      const inner = quarters.filter(t => t > quiet - DAY && t <= quiet);
      expect(
        inner.some(t => {
          const n = pool(S, python, t - 900, t).withData;
          return n > 0 && n < MIN_GROUP_SIZE;
        }),
      ).toBe(true);
      const daily = await ask(`max_over_time((${query})[1d:15m])`, quiet);
      expect(daily.status).toBe(400);
      expect(daily.reason).toMatch(/pools [1-4] (person|people) with data/);
    });

    // VictoriaMetrics evaluates no recording rules.
    if (kind === 'prometheus') {
      it('answers recording rule outputs whose every group pools enough people, and refuses the others', async () => {
        const scope = { language: 'python', assistant: 'copilot' };
        const pooledAt = (t: number) =>
          ['true', 'false'].every(accepted => {
            const p = poolOf(
              history
                .select(S, scope)
                .filter(s => s.labels.accepted === accepted),
              t - HOUR,
              t,
            );
            return (
              p.withData >= MIN_GROUP_SIZE ||
              (p.withData === 0 && p.present >= MIN_GROUP_SIZE)
            );
          });
        const hours = [...Array(24 * 4).keys()].map(
          i => Math.floor(demo.end / HOUR) * HOUR - i * HOUR,
        );
        const busy = hours.find(t => pooledAt(t) && pooledAt(t - HOUR))!;
        expect(busy).toBeDefined();

        const selector = `${RULE}{language="python", assistant="copilot"}`;
        const body = await answered(
          // As the panels read the rules: one second less than 2h keeps the hour at the start out.
          `sum by (accepted) (sum_over_time(${selector}[7199s:1h]))`,
          busy,
        );
        expect(body.series.map(s => s.labels.accepted).sort()).toEqual([
          'false',
          'true',
        ]);
        for (const s of body.series) {
          expectClose(
            s.points[0].v,
            history.sum(
              history
                .select(S, scope)
                .filter(x => x.labels.accepted === s.labels.accepted),
              busy - 2 * HOUR,
              busy,
            ),
            `accepted=${s.labels.accepted}`,
          );
        }

        // The organisation's rules, in the same hour.
        const all = history.select(S, {});
        const accepted = all.filter(s => s.labels.accepted === 'true');
        expect(
          poolOf(accepted, busy - HOUR, busy).withData,
        ).toBeGreaterThanOrEqual(MIN_GROUP_SIZE);
        const ratio = await answered(
          'ai_telemetry:acceptance:ratio_rate1h',
          busy,
        );
        expectClose(
          ratio.series[0].points[0].v,
          history.sum(accepted, busy - HOUR, busy) /
            history.sum(all, busy - HOUR, busy),
          'acceptance',
        );
        const active = await answered(
          'ai_telemetry:active_users:count1h',
          busy,
        );
        expect(active.series[0].points[0].v).toBe(
          history.activeUsers(all, busy - HOUR, busy).size,
        );

        for (const query of [
          `${RULE}{language="${small}"}`,
          `sum(sum_over_time(${RULE}{language="${small}"}[1d:1h]))`,
          `sum(${RULE})`,
        ]) {
          const answer = await ask(query, demo.end - DAY, demo.end);
          expect({ query, status: answer.status }).toEqual({
            query,
            status: 400,
          });
          expect({ query, reason: answer.reason }).toEqual({
            query,
            reason: expect.stringMatching(
              /^the recording rule ai_telemetry:suggestions:increase1h.* pools [0-4] (person|people).* in the group \{[^}]*language="[a-z]+"[^}]*\} at .*To answer, read it over a wider window/,
            ),
          });
        }
      });
    }
  });
});
