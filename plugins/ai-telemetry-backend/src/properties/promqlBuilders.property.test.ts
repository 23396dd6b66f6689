import { mockCredentials } from '@backstage/backend-test-utils';
import {
  DASHBOARD_RANGES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  FILTER_NAMES,
  PANEL_IDS,
  PanelFilters,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import fc from 'fast-check';
import { FamilySources, METRIC_FAMILIES, PanelParams } from '../query/families';
import { parsePanelRequest } from '../query/params';
import { PANELS } from '../query/panels';
import { quoteLabelValue, selector, userHashMatcher } from '../query/promql';
import { DAY } from '../query/window';
import {
  activity,
  fakePrometheus,
  group,
  hash,
  NOW,
  participantsFrom,
  testQueryService,
  users,
} from '../query/__testUtils__/testDoubles';
import { holds, hostileString, hostileStringOf } from './__testUtils__/hostile';
import {
  contractViolations,
  readPromql,
  selectorViolations,
} from './__testUtils__/promqlContract';

/**
 * The PromQL builders (src/query/promql.ts, panels/*.ts, families.ts and the QueryService that
 * runs them), over generated parameters: every query built, read back with Prometheus's own
 * grammar, selects only the contract's metrics and the plugin's recording rules, on their own
 * labels; a value from a request is one whole label value, whatever characters it holds, so it
 * can never add a matcher, close the selector or change the query's shape; and a team's view
 * never reads beyond the team's pseudonyms. The builders are driven with values validation
 * would refuse too, as a second line of defence.
 */

const RUNS = {
  labelValues: 12_000,
  teamMatchers: 4_000,
  panelPlans: 2_000,
  services: 200,
};

/**
 * A label value from a request: allowed, or anything at all but the empty string (which to
 * Prometheus is no label value: `label=""` matches series without the label).
 */
const filterValue = fc.oneof(
  fc.constantFrom(...DEFAULT_LANGUAGES, ...DEFAULT_ASSISTANTS),
  hostileStringOf(60).filter(value => value !== ''),
);
const hasLoneSurrogate = (value: string) =>
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(
    value,
  );
/** As {@link filterValue}, now and then thousands of characters long. */
const anyLabelValue = fc.oneof(
  { weight: 9, arbitrary: filterValue },
  { weight: 1, arbitrary: hostileString },
);
const pseudonym = fc.stringMatching(/^[0-9a-f]{64}$/);

describe('PromQL built from requests, read back with the PromQL grammar', () => {
  // Thousands of generated cases a test, on a shared CI machine.
  jest.setTimeout(120_000);

  it(`quotes any label value as one literal that reads back as itself (${RUNS.labelValues} values)`, () => {
    const benign = readPromql(
      selector('ai_copilot_suggestions_total', [
        { label: 'language', op: '=', value: 'x' },
        { label: 'assistant', op: '=', value: 'y' },
      ]),
    ).shape;
    let quoted = 0;
    fc.assert(
      fc.property(anyLabelValue, anyLabelValue, (language, assistant) => {
        let query;
        try {
          query = selector('ai_copilot_suggestions_total', [
            { label: 'language', op: '=', value: language },
            { label: 'assistant', op: '=', value: assistant },
          ]);
        } catch (error) {
          holds(
            (hasLoneSurrogate(language) || hasLoneSurrogate(assistant)) &&
              /lone surrogate/.test(String(error)),
            () => String(error),
          );
          return;
        }
        // Plain ASCII, whatever the value: nothing a terminal, a log or a proxy could misread.
        holds(/^[\x20-\x7e]*$/.test(query), () => `not ASCII: ${query}`);
        const read = readPromql(query);
        holds(read.shape === benign, () => `changed the shape: ${query}`);
        holds(
          JSON.stringify(read.selectors) ===
            JSON.stringify([
              {
                metric: 'ai_copilot_suggestions_total',
                matchers: [
                  { label: 'language', op: '=', value: language },
                  { label: 'assistant', op: '=', value: assistant },
                ],
              },
            ]),
          () => `reads back otherwise: ${query}`,
        );
        holds(
          query.includes(`{language=${quoteLabelValue(language)},`),
          () => `quoted otherwise in the selector: ${query}`,
        );
        quoted++;
      }),
      { numRuns: RUNS.labelValues },
    );
    // Only values with a lone surrogate, which no label value can hold, are refused.
    expect(quoted).toBeGreaterThan(RUNS.labelValues * 0.9);
  });

  it(`matches a team only on its exact pseudonyms (${RUNS.teamMatchers} teams)`, () => {
    const member = fc.oneof(
      { weight: 6, arbitrary: pseudonym },
      { weight: 1, arbitrary: hostileString },
      { weight: 1, arbitrary: pseudonym.map(h => `${h}|.*`) },
    );
    let matched = 0;
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), hashes => {
        let matcher;
        try {
          matcher = userHashMatcher(hashes);
        } catch (error) {
          holds(
            hashes.length === 0 || hashes.some(h => !/^[0-9a-f]{64}$/.test(h)),
            () => `refused ${JSON.stringify(hashes)}: ${error}`,
          );
          return;
        }
        const query = selector('ai_copilot_feature_usage', [matcher]);
        holds(contractViolations(query).length === 0, () => query);
        const [read] = readPromql(query).selectors;
        holds(
          read.matchers[0].value.split('|').sort().join() ===
            [...new Set(hashes)].sort().join(),
          () => `matches other pseudonyms: ${query}`,
        );
        matched++;
      }),
      { numRuns: RUNS.teamMatchers },
    );
    expect(matched).toBeGreaterThan(RUNS.teamMatchers / 10);
  });

  /** Parameters as the panels get them, with filter values validation would refuse, too. */
  const panelParams = fc
    .record({
      now: fc.integer({ min: NOW - 400 * DAY, max: NOW }),
      window: fc.oneof(
        fc.constantFrom(...DASHBOARD_RANGES).map(range => ({ range })),
        fc
          .tuple(
            fc.integer({ min: 1, max: 95 * 24 }),
            fc.integer({ min: 1, max: 95 * 24 }),
          )
          .map(([back, length]) => ({ back, length })),
      ),
      language: fc.option(filterValue, { freq: 2 }),
      assistant: fc.option(filterValue, { freq: 2 }),
      team: fc.option(fc.array(pseudonym, { minLength: 1, maxLength: 12 }), {
        freq: 3,
      }),
      sources: fc.tuple(
        ...METRIC_FAMILIES.map(() =>
          fc.constantFrom('raw' as const, 'recording-rule' as const),
        ),
      ),
      panel: fc.constantFrom(...PANEL_IDS),
    })
    .map(generated => {
      const { now, window } = generated;
      const query =
        'range' in window
          ? { range: window.range }
          : {
              from: String(now - window.back * 3600),
              to: String(now - window.back * 3600 + window.length * 3600),
            };
      let request;
      try {
        request = parsePanelRequest(query, {
          languages: DEFAULT_LANGUAGES,
          assistants: DEFAULT_ASSISTANTS,
          retentionDays: 90,
          now,
        });
      } catch {
        return undefined;
      }
      const filters: PanelFilters = {};
      if (generated.language !== null) filters.language = generated.language;
      if (generated.assistant !== null) {
        filters.assistant = generated.assistant;
      }
      const params: PanelParams = {
        ...request,
        filters,
        ...(generated.team && { team: { userHashes: generated.team } }),
      };
      const sources = Object.fromEntries(
        METRIC_FAMILIES.map((family, i) => [family, generated.sources[i]]),
      ) as FamilySources;
      return { params, sources, panel: generated.panel };
    })
    .filter((x): x is NonNullable<typeof x> => x !== undefined);

  it(`builds every panel's queries within the contract, the team's pseudonyms and the filters given (${RUNS.panelPlans} plans)`, () => {
    let queries = 0;
    fc.assert(
      fc.property(panelParams, ({ params, sources, panel }) => {
        const benignFilters = Object.fromEntries(
          Object.keys(params.filters).map(name => [name, 'x']),
        );
        const plan = (p: PanelParams) => PANELS[panel].plan(p, sources).queries;
        let specs;
        try {
          specs = plan(params);
        } catch (error) {
          holds(
            Object.values(params.filters).some(v => hasLoneSurrogate(v!)) &&
              /lone surrogate/.test(String(error)),
            () => String(error),
          );
          return;
        }
        const benign = plan({ ...params, filters: benignFilters });
        holds(specs.length === benign.length, () => 'a different plan');
        const team = params.team && [...new Set(params.team.userHashes)].sort();
        specs.forEach((spec, i) => {
          queries++;
          const read = readPromql(spec.query);
          const problems = [
            ...selectorViolations(read.selectors, {
              userHash: team ? 'pseudonyms' : 'none',
            }),
            ...(team
              ? contractViolations(spec.display, { userHash: 'placeholder' })
              : []),
          ];
          holds(problems.length === 0, () => `${problems}: ${spec.query}`);
          holds(
            read.shape === readPromql(benign[i].query).shape,
            () => `a value changed the query's shape: ${spec.query}`,
          );
          for (const { metric, matchers } of read.selectors) {
            for (const m of matchers) {
              if (FILTER_NAMES.includes(m.label as never)) {
                const given = params.filters[m.label as 'language'];
                holds(
                  given !== undefined && m.value === given,
                  () => `matches ${m.label} on another value: ${spec.query}`,
                );
              }
            }
            // A selector restricted to pseudonyms names exactly the team's (some queries of a
            // team's view read the whole organisation, by pseudonym, to compare in memory).
            const own = matchers.filter(m => m.label === USER_HASH_LABEL);
            holds(
              own.length === 0 ||
                (own.length === 1 && team && own[0].value === team.join('|')),
              () => `matches other pseudonyms: ${spec.query} (${metric})`,
            );
          }
        });
      }),
      { numRuns: RUNS.panelPlans },
    );
    expect(queries).toBeGreaterThan(RUNS.panelPlans);
  });

  it(`sends Prometheus only queries within the contract, for whole dashboards (${RUNS.services} dashboards)`, async () => {
    const optedIn = users(1, 16).map(n => ({
      userEntityRef: `user:default/u${n}`,
      userHash: hash(n),
    }));
    const known = new Set(optedIn.map(u => u.userHash));
    const entities = [
      group('dept', ['u1'], ['alpha', 'beta']),
      group('alpha', ['u2', 'u3', 'u4', 'u5', 'u6', 'u7']),
      group('beta', ['u8', 'u9', 'u10', 'u11', 'u12', 'u13']),
    ];
    const view = fc.oneof(
      fc.constant({ type: 'organisation' as const }),
      fc.constantFrom(...PANEL_IDS).map(id => ({ type: 'panel' as const, id })),
      fc
        .constantFrom('dept', 'alpha', 'beta')
        .map(name => ({ type: 'team' as const, name })),
    );
    const request = fc.record(
      {
        range: fc.constantFrom(...DASHBOARD_RANGES),
        language: fc.constantFrom(...DEFAULT_LANGUAGES),
        assistant: fc.constantFrom(...DEFAULT_ASSISTANTS),
      },
      { requiredKeys: [] },
    );
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        view,
        request,
        fc.integer({ min: 2, max: 16 }),
        fc.boolean(),
        async (shown, query, active, rulesCover) => {
          const data = activity(users(1, active), {
            language: query.language ?? 'python',
            assistant: query.assistant ?? 'copilot',
          });
          const participants = participantsFrom(data);
          const prometheus = fakePrometheus(q =>
            q.includes(' unless on() ') && !rulesCover
              ? [{ labels: {}, points: [[NOW, 1]] }]
              : participants(q),
          );
          const service = testQueryService({
            prometheus: prometheus.client,
            optedIn,
            entities,
          });
          const parsed = service.parseRequest(query);
          const credentials = mockCredentials.user();
          if (shown.type === 'organisation') {
            await service.dashboard(parsed, credentials, async refs =>
              refs.map(() => true),
            );
          } else if (shown.type === 'panel') {
            await service.panel(shown.id, parsed, credentials, async refs =>
              refs.map(() => true),
            );
          } else {
            await service.teamDashboard(
              { namespace: 'default', name: shown.name },
              parsed,
              credentials,
            );
          }
          for (const asked of prometheus.asked) {
            if (asked === 'rules') continue;
            if (asked.startsWith('labels ')) {
              // "labels <label> <selector>... <start> <end>": an index lookup's selectors.
              for (const looked of asked.split(' ').slice(2, -2)) {
                sent++;
                const problems = selectorViolations(
                  readPromql(looked).selectors,
                );
                holds(problems.length === 0, () => `${problems}: ${looked}`);
              }
              continue;
            }
            // "range <query> <start> <end> <step>" or "instant <query> <time>".
            const [type, ...words] = asked.split(' ');
            const promql = words.slice(0, type === 'range' ? -3 : -1).join(' ');
            sent++;
            const { selectors } = readPromql(promql);
            const problems = selectorViolations(selectors);
            holds(problems.length === 0, () => `${problems}: ${promql}`);
            for (const { matchers } of selectors) {
              for (const m of matchers) {
                if (m.label !== USER_HASH_LABEL) continue;
                holds(
                  m.value.split('|').every(h => known.has(h)),
                  () => `matches pseudonyms nobody opted in with: ${promql}`,
                );
              }
            }
          }
        },
      ),
      { numRuns: RUNS.services },
    );
    expect(sent).toBeGreaterThan(RUNS.services * 5);
  });
});
