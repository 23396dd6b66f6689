import { StreamState } from '../database/OtlpStreamStore';
import {
  MAX_REMEMBERED_INTERVALS,
  StreamPoint,
  StreamStep,
  incrementMilli,
  streamStep,
} from './temporality';

const S = 1_700_000_000_000_000_000n;
const MIN = 60_000_000_000n;

function delta(from: number, to: number, value: number): StreamPoint {
  return {
    temporality: 'delta',
    startNanos: S + BigInt(from) * MIN,
    timeNanos: S + BigInt(to) * MIN,
    value,
  };
}

function cumulative(start: number, at: number, value: number): StreamPoint {
  return {
    temporality: 'cumulative',
    startNanos: S + BigInt(start) * MIN,
    timeNanos: S + BigInt(at) * MIN,
    value,
  };
}

/** Feeds points through one stream as the receiver does; returns the total counted. */
function run(points: StreamPoint[]): {
  total: number;
  steps: StreamStep['kind'][];
  state?: StreamState;
} {
  let state: StreamState | undefined;
  let total = 0;
  const steps: StreamStep['kind'][] = [];
  for (const point of points) {
    const step = streamStep(state, point);
    steps.push(step.kind);
    if (step.kind === 'count') {
      total += step.after - step.before;
      state = step.state;
    }
  }
  return { total, steps, state };
}

describe('delta points', () => {
  it('add their value once per interval: a retried export changes nothing', () => {
    const result = run([
      delta(0, 1, 5),
      delta(1, 2, 3),
      delta(1, 2, 3), // the export of [1, 2] again, after a lost answer
      delta(0, 1, 5),
      delta(2, 3, 4),
    ]);
    expect(result.total).toBe(12);
    expect(result.steps).toEqual([
      'count',
      'count',
      'unchanged',
      'unchanged',
      'count',
    ]);
  });

  it('count an interval that arrives late, before one already counted', () => {
    expect(run([delta(0, 1, 5), delta(2, 3, 4), delta(1, 2, 3)]).total).toBe(
      12,
    );
  });

  it('refuse an interval that overlaps one counted: it cannot be counted exactly once', () => {
    const result = run([delta(0, 2, 5), delta(1, 3, 4)]);
    expect(result.total).toBe(5);
    expect(result.steps).toEqual(['count', 'refused']);
  });

  it('refuse an interval older than every interval still remembered', () => {
    const points = [delta(1000, 1001, 1)];
    for (let i = 0; i < MAX_REMEMBERED_INTERVALS; i++) {
      points.push(delta(i + 2, i + 3, 1));
    }
    points.push(delta(0, 1, 7));
    const result = run(points);
    expect(result.state?.intervals).toHaveLength(MAX_REMEMBERED_INTERVALS);
    expect(result.steps.at(-1)).toBe('refused');
    expect(result.total).toBe(1 + MAX_REMEMBERED_INTERVALS);
  });

  it('skip zero values without writing anything', () => {
    expect(streamStep(undefined, delta(0, 1, 0))).toEqual({
      kind: 'unchanged',
    });
  });
});

describe('cumulative points', () => {
  it('add their increase over the last point of their run', () => {
    const result = run([
      cumulative(0, 1, 5),
      cumulative(0, 2, 8),
      cumulative(0, 3, 8),
      cumulative(0, 4, 20),
    ]);
    expect(result.total).toBe(20);
    expect(result.steps).toEqual(['count', 'count', 'unchanged', 'count']);
  });

  it('add nothing for a retried or late point of the run', () => {
    const result = run([
      cumulative(0, 1, 5),
      cumulative(0, 2, 8),
      cumulative(0, 2, 8),
      cumulative(0, 1, 5),
    ]);
    expect(result.total).toBe(8);
    expect(result.steps.slice(2)).toEqual(['unchanged', 'unchanged']);
  });

  it('start a new run on a new start time (the process restarted)', () => {
    const result = run([
      cumulative(0, 1, 5),
      cumulative(0, 2, 9),
      cumulative(10, 11, 2),
      cumulative(10, 12, 6),
    ]);
    expect(result.total).toBe(15);
  });

  it('start a new run on a lower value with the same start time, zero included', () => {
    expect(
      run([cumulative(0, 1, 10), cumulative(0, 2, 3), cumulative(0, 3, 4)])
        .total,
    ).toBe(14);
    expect(
      run([cumulative(0, 1, 10), cumulative(0, 2, 0), cumulative(0, 3, 12)])
        .total,
    ).toBe(22);
  });

  it('refuse a late point of a run older than the current one', () => {
    const result = run([
      cumulative(0, 1, 5),
      cumulative(10, 11, 2),
      cumulative(0, 2, 9),
    ]);
    expect(result.total).toBe(7);
    expect(result.steps.at(-1)).toBe('refused');
  });

  it('start a new run when the stream changes temporality', () => {
    expect(run([cumulative(0, 1, 5), delta(1, 2, 3)]).total).toBe(8);
  });
});

describe('incrementMilli', () => {
  it('adds up to the rounded run total, however many points it takes', () => {
    let total = 0;
    let counted = 0;
    for (let i = 0; i < 1000; i++) {
      const before = total;
      total += 0.0004;
      counted += incrementMilli(before, total, 1);
    }
    expect(counted).toBe(Math.round(total * 1000));
    expect(counted).toBe(400);
  });

  it('applies the factor to the run totals', () => {
    expect(incrementMilli(0, 10, 12)).toBe(120_000);
    expect(incrementMilli(1000, 1500, 3 / 1_000_000)).toBe(2);
  });
});
