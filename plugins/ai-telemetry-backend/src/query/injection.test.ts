import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { PanelParams, QuerySource } from './families';
import { parsePanelRequest } from './params';
import { PANELS } from './panels';
import { QuerySpec } from './panels/queries';
import { userHashMatcher } from './promql';
import { PanelParameterError } from './window';
import { parser } from '@prometheus-io/lezer-promql';
import { createRandom } from '@fawkes/ai-telemetry-test-utils';
import { fakePrometheus, testQueryService } from './__testUtils__/testDoubles';
import { memoryAuditLog } from '../__testUtils__/memoryAuditLog';
import { createQueryRouter } from './createQueryRouter';
import { unquote } from '../properties/__testUtils__/promqlContract';
import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import express from 'express';
import request from 'supertest';

const VALUES_PER_PARAMETER = 10_000;

const FRAGMENTS = [
  '"} or up{x="',
  '"}) or vector(1) or sum(up{a="',
  '"',
  "'",
  '`',
  '\\',
  '\\"',
  '\\\\"',
  '{',
  '}',
  '[5m]',
  ')',
  '(',
  ',',
  '=~',
  '!=',
  '.*',
  '|',
  '#',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '\u00e9',
  'e\u0301',
  '\u202e',
  '\ufeff',
  '日本語',
  '🙂',
  '\ud83d',
  '\udc00',
  'python',
  'copilot',
  'claude-code',
  'or',
  'user_hash',
  '__name__',
  ' ',
  '${team}',
  '$team',
  '%22',
  '7d',
  '1794096000',
  '2026-11-01T00:00:00Z',
];

/** Hostile values: fragments, glued, repeated, now and then very long. */
function hostileValues(seed: number): string[] {
  const random = createRandom(seed);
  const values: string[] = [];
  while (values.length < VALUES_PER_PARAMETER) {
    const parts = random.int(1, 6);
    let value = '';
    for (let i = 0; i < parts; i++) {
      value += random.pick(FRAGMENTS);
      if (random.chance(0.2))
        value += String.fromCharCode(random.int(0, 0x2fff));
    }
    if (random.chance(0.01)) value = value.repeat(random.int(50, 149));
    values.push(value);
  }
  return values;
}

type Selector = { metric: string; matchers: Array<[string, string, string]> };

/** The query's shape (every node's name, in order) and what each selector selects. */
function analyse(query: string): { shape: string; selectors: Selector[] } {
  const tree = parser.parse(query);
  const names: string[] = [];
  const selectors: Selector[] = [];
  tree.iterate({
    enter: node => {
      if (node.type.isError)
        throw new Error(`parse error at ${node.from} in ${query}`);
      names.push(node.name);
      if (node.name === 'VectorSelector') {
        const metric = node.node.getChild('Identifier');
        const matchers = (
          node.node
            .getChild('LabelMatchers')
            ?.getChildren('UnquotedLabelMatcher') ?? []
        ).map(m => {
          const text = (n: { from: number; to: number } | null) =>
            n ? query.slice(n.from, n.to) : '';
          return [
            text(m.getChild('LabelName')),
            text(m.getChild('MatchOp')),
            unquote(text(m.getChild('StringLiteral'))),
          ] as [string, string, string];
        });
        selectors.push({
          metric: metric ? query.slice(metric.from, metric.to) : '',
          matchers,
        });
      }
      return undefined;
    },
  });
  return { shape: names.join(' '), selectors };
}

const options = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  retentionDays: 90,
  now: Date.UTC(2026, 10, 28, 13) / 1000,
};
const base = parsePanelRequest({ range: '7d' }, options);

/** Every query of every panel, each with a key that tells it apart. */
function allQueries(
  params: PanelParams,
  source: QuerySource,
): Array<[string, QuerySpec]> {
  const sources = {
    suggestions: source,
    linesGenerated: source,
    timeSaved: source,
    featureUsage: source,
  };
  return Object.values(PANELS).flatMap(panel =>
    panel
      .plan(params, sources)
      .queries.map((spec, i): [string, QuerySpec] => [
        `${source} ${panel.id} ${i}`,
        spec,
      ]),
  );
}

describe('hostile parameter values', () => {
  it.each(['language', 'assistant', 'range', 'from', 'to'])(
    'are refused for %s by validation, with a message naming the field',
    field => {
      const range = { from: ['from', 'to'], to: ['from', 'to'] }[
        field as 'from'
      ] ?? [field];
      const problems: string[] = [];
      let accepted = 0;
      for (const value of hostileValues(field.length)) {
        try {
          const parsed = parsePanelRequest(
            {
              ...(field === 'from' ? { to: '1794096000' } : {}),
              ...(field === 'to' ? { from: '1793491200' } : {}),
              [field]: value,
            },
            options,
          );
          accepted++;
          // A value is accepted only when it is exactly one of the allowed ones.
          const ok =
            (field === 'language' &&
              DEFAULT_LANGUAGES.includes(parsed.filters.language as never)) ||
            (field === 'assistant' &&
              DEFAULT_ASSISTANTS.includes(parsed.filters.assistant as never)) ||
            (field === 'range' &&
              ['24h', '7d', '30d', '90d'].includes(value)) ||
            ((field === 'from' || field === 'to') &&
              /^\d+$|^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value));
          if (!ok) problems.push(`accepted ${JSON.stringify(value)}`);
        } catch (error) {
          if (
            !(error instanceof PanelParameterError) ||
            !range.includes(error.field)
          ) {
            problems.push(`${JSON.stringify(value)}: ${error}`);
          }
        }
      }
      expect(problems).toEqual([]);
      expect(accepted).toBeLessThan(VALUES_PER_PARAMETER / 10);
    },
  );

  it.each(['language', 'assistant'] as const)(
    'built into queries anyway (%s), select only what the parameter allowed: the PromQL parser finds the same selectors with the value as one label value',
    filter => {
      const benignValue = filter === 'language' ? 'python' : 'copilot';
      const benign = new Map<string, ReturnType<typeof analyse>>();
      for (const source of ['raw', 'recording-rule'] as const) {
        for (const [key, spec] of allQueries(
          { ...base, filters: { [filter]: benignValue } },
          source,
        )) {
          benign.set(key, analyse(spec.query));
        }
      }
      const problems: string[] = [];
      let built = 0;
      hostileValues(filter.length * 7).forEach((value, i) => {
        const source = i % 2 === 0 ? 'raw' : 'recording-rule';
        let specs: Array<[string, QuerySpec]>;
        try {
          specs = allQueries({ ...base, filters: { [filter]: value } }, source);
        } catch (error) {
          // Only a value that no label can hold (not well-formed Unicode) is refused here.
          if (!/lone surrogate/.test(String(error)))
            problems.push(`${JSON.stringify(value)}: ${error}`);
          return;
        }
        built++;
        // Every builder escapes through the same function: each value is checked in the first
        // query and in one other, in turn, so that every query meets about a thousand values.
        for (const [key, spec] of [
          specs[0],
          specs[1 + (i % (specs.length - 1))],
        ]) {
          const got = analyse(spec.query);
          const want = benign.get(key)!;
          const wanted = want.selectors.map(sel => ({
            metric: sel.metric,
            matchers: sel.matchers.map(([l, op, v]) => [
              l,
              op,
              l === filter ? value : v,
            ]),
          }));
          if (
            got.shape !== want.shape ||
            JSON.stringify(got.selectors) !== JSON.stringify(wanted)
          ) {
            problems.push(
              `${JSON.stringify(value)} changed ${key}: ${spec.query}`,
            );
          }
        }
      });
      expect(problems).toEqual([]);
      expect(built).toBeGreaterThan(VALUES_PER_PARAMETER / 2);
    },
  );

  it('cannot reach a team query as a pseudonym: only 64 hex characters are matched', () => {
    const accepted = hostileValues(64).filter(value => {
      try {
        userHashMatcher(['a'.repeat(64), value]);
        return true;
      } catch (error) {
        return !/64 lowercase hex/.test(String(error));
      }
    });
    expect(accepted).toEqual([]);
  });

  it('are answered 400 over HTTP, for the dashboard and the team routes alike', async () => {
    const app = express();
    app.use(
      createQueryRouter({
        httpAuth: mockServices.httpAuth(),
        permissions: mockServices.permissions(),
        queries: testQueryService({ prometheus: fakePrometheus().client }),
        audit: memoryAuditLog().audit,
      }),
    );
    app.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error(),
    );
    const api = request(app);
    const sample = hostileValues(99)
      .filter(
        v =>
          v.length < 500 &&
          !/[\ud800-\udfff]/.test(v) &&
          !DEFAULT_LANGUAGES.includes(v as never),
      )
      .slice(0, 100);
    for (const value of sample) {
      const q = encodeURIComponent(value);
      const language = await api.get(`/v1/dashboard?language=${q}`);
      expect(language.status).toBe(400);
      expect(language.body.error.message).toMatch(/^Invalid language: /);
      const team = await api.get(`/v1/teams/default/${q}/dashboard`);
      expect([400, 404]).toContain(team.status);
    }
  });
});
