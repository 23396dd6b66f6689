import { InputError } from '@backstage/errors';
import { PrometheusSeries } from '../upstream/PrometheusClient';
import { checkRawQuery } from './rawQueryGuard';
import {
  assertPooled,
  PoolingCheck,
  poolingChecks,
  unpooledReason,
} from './rawQueryPooling';

const S = 'ai_copilot_suggestions_total';
const T = Date.UTC(2026, 10, 30, 12) / 1000;

function checksOf(query: string): PoolingCheck[] {
  return poolingChecks(checkRawQuery(query).units);
}

function counts(
  ...groups: Array<[Record<string, string>, number[]]>
): PrometheusSeries[] {
  return groups.map(([labels, values]) => ({
    labels,
    points: values.map((v, i) => [T + i * 3600, v]),
  }));
}

describe('poolingChecks', () => {
  it('counts, per group of an aggregation, the pseudonyms with a non-zero term, else those in the group, else 0', () => {
    expect(
      checksOf(`sum by (language) (increase(${S}{accepted="true"}[1d]) * 2)`),
    ).toEqual([
      {
        unit: `sum by (language) (increase(${S}{accepted="true"}[1d]) * 2)`,
        query:
          `(count by (language) (count by (language, user_hash) ((increase(${S}{accepted="true", user_hash!=""}[1d]) * 2) != 0))) or ` +
          `(count by (language) (count by (language, user_hash) (increase(${S}{accepted="true", user_hash!=""}[1d]) * 2)) + 0.5) or ` +
          `(count by (language) (increase(${S}{accepted="true"}[1d]) * 2) * 0)`,
        hint: 'widen its window (e.g. [1d] rather than [1h]), group by fewer labels or drop a label filter',
      },
    ]);
  });

  it('evaluates an aggregation inside subqueries where it is evaluated, keeping the smallest count', () => {
    const [check] = checksOf(
      `max_over_time(avg_over_time(sum(rate(${S}[5m] offset 1h))[1h:5m])[1d:1h] offset 1d)`,
    );
    const inner =
      `(count (count by (user_hash) ((rate(${S}{user_hash!=""}[5m] offset 1h)) != 0))) or ` +
      `(count (count by (user_hash) (rate(${S}{user_hash!=""}[5m] offset 1h))) + 0.5) or ` +
      `(count (rate(${S}[5m] offset 1h)) * 0)`;
    expect(check.query).toBe(
      `min_over_time((min_over_time((${inner})[1h:5m]))[1d:1h] offset 1d)`,
    );
  });

  it("counts a recording rule's groups from the per-person counters it is computed from, with its matchers and modifiers", () => {
    const [check] = checksOf(
      'ai_telemetry:lines_generated:increase1h{language=~"go|rust"} @ 1795824000 offset 1d',
    );
    const source =
      'increase(ai_copilot_lines_generated{language=~"go|rust", user_hash!=""}[1h] @ 1795824000 offset 1d)';
    expect(check).toEqual({
      unit: 'the recording rule ai_telemetry:lines_generated:increase1h{language=~"go|rust"} @ 1795824000 offset 1d',
      query:
        `(count by (language, assistant) (count by (language, assistant, user_hash) ((${source}) != 0))) or ` +
        `(count by (language, assistant) (count by (language, assistant, user_hash) (${source})) + 0.5) or ` +
        '((ai_telemetry:lines_generated:increase1h{language=~"go|rust"} @ 1795824000 offset 1d) * 0)',
      hint: expect.stringMatching(/^read it over a wider window/),
    });
  });

  it('checks each term of a rule that divides two sums, and each distinct aggregation once', () => {
    expect(
      checksOf('ai_telemetry:acceptance:ratio_rate1h').map(
        c => /rate\([^)]*\)/.exec(c.query)?.[0],
      ),
    ).toEqual([
      `rate(${S}{accepted="true", user_hash!=""}[1h])`,
      `rate(${S}{user_hash!=""}[1h])`,
    ]);
    expect(
      checksOf(
        `sum(rate(${S}[5m])) / sum(rate(${S}[5m])) + sum(rate(${S}[1h]))`,
      ),
    ).toHaveLength(2);
    expect(checksOf('vector(1) * time()')).toEqual([]);
  });
});

describe('unpooledReason', () => {
  const [check] = checksOf(`sum by (language) (increase(${S}[1d]))`);

  it('lets through groups of at least minGroupSize pseudonyms with data, or of minGroupSize without any', () => {
    expect(
      unpooledReason(
        check,
        counts([{ language: 'go' }, [5, 12]], [{ language: 'rust' }, [5.5]]),
        5,
      ),
    ).toBeUndefined();
  });

  it('names the first group and time under the threshold, the count, and what to change', () => {
    expect(
      unpooledReason(
        check,
        counts([{ language: 'go' }, [7, 7]], [{ language: 'rust' }, [9, 2]]),
        5,
      ),
    ).toBe(
      `sum by (language) (increase(${S}[1d])) pools 2 people with data in the group ` +
        '{language="rust"} at 2026-11-30T13:00:00.000Z: every series must pool at least 5 people ' +
        'with data (or at least 5 people who all have none). To answer, widen its window ' +
        '(e.g. [1d] rather than [1h]), group by fewer labels or drop a label filter.',
    );
    expect(unpooledReason(check, counts([{}, [3.5]]), 5)).toMatch(
      /pools 3 people, none of them with data in the whole selection at/,
    );
    expect(unpooledReason(check, counts([{}, [1]]), 5)).toMatch(
      /pools 1 person with data/,
    );
    expect(unpooledReason(check, counts([{}, [0]]), 5)).toMatch(
      /pools 0 people with data/,
    );
  });
});

describe('assertPooled', () => {
  const units = checkRawQuery(
    `sum(increase(${S}[1d])) / sum(increase(${S}{accepted="true"}[1d]))`,
  ).units;

  it('asks for every count at once and refuses the first group under the threshold', async () => {
    const asked: string[] = [];
    const run = (query: string) => {
      asked.push(query);
      return Promise.resolve(
        counts([{}, [query.includes('accepted') ? 4 : 40]]),
      );
    };
    const refusal = assertPooled(units, run, 5);
    expect(asked).toHaveLength(2);
    await expect(refusal).rejects.toThrow(InputError);
    await expect(refusal).rejects.toThrow(
      /accepted="true".* pools 4 people with data/,
    );
    await expect(assertPooled(units, run, 4)).resolves.toBeUndefined();
  });
});
