import { PrometheusSeries } from '../upstream/PrometheusClient';
import {
  decideRows,
  FamilyRows,
  mergeSameLabels,
  POOLED_ROW,
} from './breakdownRows';
import { CounterFamily } from './families';

const MIN = 5;

/** Participants answers: one series per pseudonym and label set. */
function rows(
  family: CounterFamily,
  entries: Array<[users: number[], labels: Record<string, string>]>,
): FamilyRows {
  const series: PrometheusSeries[] = entries.flatMap(([users, labels]) =>
    users.map(u => ({
      labels: { user_hash: `u${u}`, ...labels },
      points: [[0, 1]] as Array<[number, number]>,
    })),
  );
  return { family, series };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('decideRows', () => {
  it('pools a value fewer than minGroupSize developers share, with the smallest row shown while the pool is a few', () => {
    // 20 on Copilot, 8 on Claude Code, 1 on Cody: Cody alone would be one person's figures,
    // and pooled alone it still is, so the smallest row shown (Claude Code) joins it.
    const suggestions = rows('suggestions', [
      [range(1, 20), { language: 'python', assistant: 'copilot' }],
      [range(21, 28), { language: 'python', assistant: 'claude-code' }],
      [[29], { language: 'python', assistant: 'cody' }],
    ]);
    const visibility = decideRows({
      families: [suggestions],
      filters: {},
      nested: [],
      minGroupSize: MIN,
    });
    expect([...visibility.pooled.get('assistant')!].sort()).toEqual([
      'claude-code',
      'cody',
    ]);
    expect(visibility.pooled.has('language')).toBe(false);
  });

  it('pools a value of one family for every family that lists it', () => {
    const visibility = decideRows({
      families: [
        rows('suggestions', [
          [range(1, 10), { language: 'go', assistant: 'copilot' }],
          [range(11, 20), { language: 'go', assistant: 'gemini-cli' }],
          [range(21, 30), { language: 'go', assistant: 'codex' }],
        ]),
        // Only two of Gemini CLI's developers report tokens.
        rows('tokens', [
          [range(11, 12), { assistant: 'gemini-cli', model: 'gemini-2.5-pro' }],
          [range(21, 30), { assistant: 'codex', model: 'gpt-5' }],
          [range(1, 10), { assistant: 'copilot', model: 'gpt-5' }],
        ]),
      ],
      filters: {},
      nested: [],
      minGroupSize: MIN,
    });
    expect([...visibility.pooled.get('assistant')!].sort()).toEqual([
      'codex',
      'gemini-cli',
    ]);
    // Gemini 2.5 Pro is two people's model; alone in the pool, GPT-5 joins it.
    expect([...visibility.pooled.get('model')!].sort()).toEqual([
      'gemini-2.5-pro',
      'gpt-5',
    ]);
  });

  it("pools a team's row that differs from the organisation's by a few developers", () => {
    // The team has 6 of the organisation's 8 Rust developers: the organisation's Rust row minus
    // the team's would be the other two's.
    const suggestions = rows('suggestions', [
      [range(1, 8), { language: 'rust', assistant: 'copilot' }],
      [range(1, 30), { language: 'python', assistant: 'copilot' }],
    ]);
    const team = new Set(['u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    const inTeam = decideRows({
      families: [suggestions],
      filters: {},
      members: new Set([...team, ...range(9, 30).map(u => `u${u}`)]),
      nested: [undefined],
      minGroupSize: MIN,
    });
    expect(inTeam.isPooled('language', 'rust')).toBe(true);
    // The organisation itself shows its Rust row (8 developers).
    const organisation = decideRows({
      families: [suggestions],
      filters: {},
      nested: [],
      minGroupSize: MIN,
    });
    expect(organisation.pooled.size).toBe(0);
  });

  it('pools a filtered view’s row that differs from the same row without the filter by a few', () => {
    // Under ?language=python, the Copilot row has 10 developers; without the filter 12: the two
    // who use Copilot for Go only would be the difference.
    const suggestions = rows('suggestions', [
      [range(1, 10), { language: 'python', assistant: 'copilot' }],
      [range(11, 12), { language: 'go', assistant: 'copilot' }],
      [range(13, 30), { language: 'python', assistant: 'claude-code' }],
    ]);
    const visibility = decideRows({
      families: [suggestions],
      filters: { language: 'python' },
      nested: [],
      minGroupSize: MIN,
    });
    expect(visibility.isPooled('assistant', 'copilot')).toBe(true);
    // The language is the filter itself: its one value is the view's own threshold's matter.
    expect(visibility.pooled.has('language')).toBe(false);
  });

  it('leaves every row of groups of at least minGroupSize as it is', () => {
    const visibility = decideRows({
      families: [
        rows('featureUsage', [
          [range(1, 5), { feature: 'chat' }],
          [range(3, 9), { feature: 'code_review' }],
        ]),
      ],
      filters: {},
      nested: [],
      minGroupSize: MIN,
    });
    expect(visibility.pooled.size).toBe(0);
  });
});

describe('RowVisibility.relabel', () => {
  const visibility = decideRows({
    families: [
      rows('linesGenerated', [
        [range(1, 10), { language: 'python', assistant: 'copilot' }],
        [[11], { language: 'zig', assistant: 'copilot' }],
        [[12, 13], { language: 'ocaml', assistant: 'copilot' }],
        [range(14, 20), { language: 'go', assistant: 'copilot' }],
      ]),
    ],
    filters: {},
    nested: [],
    minGroupSize: MIN,
  });

  it("adds up the pooled values' series under one row, point by point", () => {
    const relabelled = visibility.relabel('linesGenerated', [
      { labels: { language: 'python' }, points: [[100, 50]] },
      { labels: { language: 'zig' }, points: [[100, 7]] },
      {
        labels: { language: 'ocaml' },
        points: [
          [100, 3],
          [200, 4],
        ],
      },
      { labels: { language: 'go' }, points: [[200, 9]] },
    ]);
    // Zig and OCaml make three developers: Go (7) joins them.
    expect(relabelled).toEqual([
      { labels: { language: 'python' }, points: [[100, 50]] },
      {
        labels: { language: POOLED_ROW },
        points: [
          [100, 10],
          [200, 13],
        ],
      },
    ]);
  });

  it('pools the series of an empty value, which Prometheus answers without the label', () => {
    const legacy = decideRows({
      families: [
        rows('linesGenerated', [
          [range(1, 10), { language: 'python', assistant: 'copilot' }],
          [range(11, 20), { language: 'go', assistant: 'copilot' }],
          // Two legacy pushes without a language.
          [[21, 22], { assistant: 'copilot' }],
        ]),
      ],
      filters: {},
      nested: [],
      minGroupSize: MIN,
    });
    expect(legacy.isPooled('language', '')).toBe(true);
    const relabelled = legacy.relabel('linesGenerated', [
      { labels: { language: 'python' }, points: [[100, 5]] },
      { labels: { language: 'go' }, points: [[100, 4]] },
      { labels: {}, points: [[100, 1]] },
    ]);
    expect(relabelled.map(s => s.labels.language)).not.toContain(undefined);
    expect(
      relabelled.find(s => s.labels.language === POOLED_ROW)?.points,
    ).toBeDefined();
  });

  it("leaves per-pseudonym results and other families' labels alone", () => {
    const own = [{ labels: { user_hash: 'u11', language: 'zig' }, points: [] }];
    expect(visibility.relabel('linesGenerated', own)).toEqual(own);
    const features = [{ labels: { feature: 'zig' }, points: [] }];
    expect(visibility.relabel('featureUsage', features)).toBe(features);
  });
});

describe('mergeSameLabels', () => {
  it('adds series with the same labels in any order, keeping times in order', () => {
    expect(
      mergeSameLabels([
        { labels: { a: '1', b: '2' }, points: [[3, 1]] },
        {
          labels: { b: '2', a: '1' },
          points: [
            [1, 1],
            [3, 2],
          ],
        },
        { labels: { a: '2' }, points: [[1, 5]] },
      ]),
    ).toEqual([
      {
        labels: { a: '1', b: '2' },
        points: [
          [1, 1],
          [3, 3],
        ],
      },
      { labels: { a: '2' }, points: [[1, 5]] },
    ]);
  });
});
