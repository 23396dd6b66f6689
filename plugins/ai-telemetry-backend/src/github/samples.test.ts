import { STEPS } from '../query/window';
import {
  dayStartMs,
  sampleOffsets,
  seriesOf,
  STEP_END_MS,
  STEP_START_MS,
} from './samples';

const MINUTE = 60_000;

describe('the samples of an imported day', () => {
  it('puts a sample at both ends of the bucket that holds the step, for every dashboard step', () => {
    const { before, after } = sampleOffsets();
    for (const step of STEPS) {
      const ms = step * 1000;
      const start = Math.floor(STEP_START_MS / ms) * ms;
      expect(before).toContain(start);
      expect(after).toContain(start + ms);
      expect(start + ms).toBeGreaterThanOrEqual(STEP_END_MS);
    }
    // Before the step only values before it, after it only values after it.
    expect(Math.max(...before)).toBe(STEP_START_MS);
    expect(Math.min(...after)).toBe(STEP_END_MS);
    expect(Math.max(...after)).toBe(24 * 60 * MINUTE);
  });

  it('refuses a step that does not divide the day', () => {
    expect(() => sampleOffsets([7 * 60])).toThrow(
      'a step of 420 s does not hold',
    );
  });

  it('writes each changed series with its pseudonym and source, the total before the step and after it', () => {
    const series = seriesOf({
      day: '2026-11-20',
      userHash: 'a'.repeat(64),
      active: true,
      importedAt: new Date(),
      changes: [
        {
          metric: 'ai_copilot_lines_generated',
          labels: { language: 'go', assistant: 'copilot' },
          beforeMilli: 5000,
          afterMilli: 12_500,
        },
      ],
    });
    expect(series).toHaveLength(1);
    expect(series[0].labels).toEqual({
      __name__: 'ai_copilot_lines_generated',
      language: 'go',
      assistant: 'copilot',
      user_hash: 'a'.repeat(64),
      source: 'github',
    });
    const midnight = dayStartMs('2026-11-20');
    const samples = series[0].samples;
    expect(samples[0]).toEqual([midnight, 5]);
    expect(samples[samples.length - 1]).toEqual([midnight + 86_400_000, 12.5]);
    expect(samples.map(([t]) => t)).toEqual(
      [...samples.map(([t]) => t)].sort((a, b) => a - b),
    );
    expect(
      samples.filter(([t]) => t <= midnight + STEP_START_MS).map(([, v]) => v),
    ).toEqual(expect.arrayContaining([5]));
    expect(
      new Set(
        samples.filter(([t]) => t > midnight + STEP_START_MS).map(([, v]) => v),
      ),
    ).toEqual(new Set([12.5]));
  });
});
