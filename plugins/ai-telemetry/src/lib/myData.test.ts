import { increases, labelText, personalDaily } from './myData';
import { myData, START } from '../testing/fixtures';

describe('increases', () => {
  it('counts increases between samples, a drop as a reset from zero', () => {
    expect(
      increases([
        [1, 5],
        [2, 7],
        [3, 7],
        [4, 2],
      ]),
    ).toEqual([
      { t: 2, v: 2 },
      { t: 4, v: 2 },
    ]);
  });
});

describe('personalDaily', () => {
  it('computes the daily acceptance rate, lines and hours from cumulative series', () => {
    const daily = personalDaily(myData.series);
    // Day 1: 1 accepted of 4 shown; day 2: 2 accepted of 3 shown.
    expect(daily.acceptanceRate).toEqual([
      { t: START, v: 0.25 },
      { t: START + 86_400_000, v: 2 / 3 },
    ]);
    expect(daily.lines.map(p => p.v)).toEqual([12, 18]);
    expect(daily.hoursSaved.map(p => p.v)).toEqual([0.04, 0.06]);
    expect(daily.totals).toEqual({
      suggestions: 7,
      accepted: 3,
      lines: 30,
      hoursSaved: 0.1,
    });
  });
});

describe('labelText', () => {
  it('lists labels with user_hash last', () => {
    expect(
      labelText({ user_hash: 'abc', language: 'go', accepted: 'true' }),
    ).toBe('accepted="true", language="go", user_hash="abc"');
  });
});
