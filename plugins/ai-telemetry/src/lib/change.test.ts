import { tileChange } from './change';

const window = {
  start: Date.UTC(2026, 10, 14),
  end: Date.UTC(2026, 10, 21),
  asOf: Date.UTC(2026, 10, 20, 13),
  step: 3600,
};

describe('tileChange', () => {
  const panel = {
    previous: {
      window,
      tiles: { suggestions: 200, rate: 0.3, none: 0, unknown: null },
    },
  };

  it('says how much a count changed against the previous window of the same length', () => {
    expect(tileChange(panel, 'suggestions', 230)).toBe(
      '▲ 15 % on the previous 7 days',
    );
    expect(tileChange(panel, 'suggestions', 150)).toBe(
      '▼ 25 % on the previous 7 days',
    );
    expect(tileChange(panel, 'suggestions', 200.4)).toBe(
      'same as the previous 7 days',
    );
    expect(tileChange(panel, 'none', 5)).toBe('none in the previous 7 days');
  });

  it('gives a ratio’s change in percentage points', () => {
    expect(tileChange(panel, 'rate', 0.321, 'ratio')).toBe(
      '▲ 2.1 pts on the previous 7 days',
    );
  });

  it('says nothing without figures to compare, and why when they were withheld', () => {
    expect(tileChange({}, 'suggestions', 1)).toBeUndefined();
    expect(tileChange(panel, 'unknown', 1)).toBeUndefined();
    expect(tileChange(panel, 'rate', null, 'ratio')).toBeUndefined();
    expect(
      tileChange(
        { previous: { window, withheld: 'retention' } },
        'suggestions',
        1,
      ),
    ).toBeUndefined();
    expect(
      tileChange(
        {
          previous: {
            window: { ...window, start: window.end - 86_400_000 },
            withheld: 'threshold',
          },
        },
        'suggestions',
        1,
      ),
    ).toBe('no change shown: too little data in the previous 24 hours');
  });
});
