import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { METRICS, pseudonymize } from '@fawkes/plugin-ai-telemetry-common';
import {
  blockWindows,
  DEMO_JOB,
  DEVELOPMENT_PSEUDONYM_KEY,
  makePeriod,
  parseDuration,
  writeDemoMetrics,
} from './generate';
import { StringSink } from './openmetrics';
import { buildOrg } from './org';

// Friday 2026-11-27 18:00 UTC: the week before is a full working week and a weekend.
const END = Date.UTC(2026, 10, 27, 18) / 1000;
const org = buildOrg({ users: 48, seed: 42 });

async function generate(
  options: { seed?: number; days?: number; step?: number } = {},
) {
  const period = makePeriod(options.days ?? 14, options.step ?? 3600, END);
  const sink = new StringSink();
  const summary = await writeDemoMetrics(
    org,
    { seed: options.seed ?? 42, key: DEVELOPMENT_PSEUDONYM_KEY, period },
    sink,
  );
  return { text: sink.toString(), summary, period };
}

type Sample = { t: number; v: number };
type Parsed = {
  series: Map<
    string,
    { name: string; labels: Record<string, string>; samples: Sample[] }
  >;
  order: string[];
};

/** Reads the OpenMetrics text back, checking each series is written in one contiguous run. */
function parse(text: string): Parsed {
  const series: Parsed['series'] = new Map();
  const order: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_]+)\{(.*)\} (\S+) (\d+)$/.exec(line);
    if (!match) throw new Error(`unexpected line: ${line}`);
    const key = `${match[1]}{${match[2]}}`;
    if (key !== current) {
      if (series.has(key))
        throw new Error(`series written in two runs: ${key}`);
      const labels = Object.fromEntries(
        [...match[2].matchAll(/([a-z_]+)="([^"]*)"/g)].map(m => [m[1], m[2]]),
      );
      series.set(key, { name: match[1], labels, samples: [] });
      order.push(key);
      current = key;
    }
    series.get(key)!.samples.push({ t: Number(match[4]), v: Number(match[3]) });
  }
  return { series, order };
}

describe('writeDemoMetrics', () => {
  let first: Awaited<ReturnType<typeof generate>>;
  let parsed: Parsed;
  beforeAll(async () => {
    first = await generate();
    parsed = parse(first.text);
  });

  it('is the same text for the same seed, and different for another seed', async () => {
    expect((await generate()).text).toBe(first.text);
    expect((await generate({ seed: 43 })).text).not.toBe(first.text);
  });

  it('writes OpenMetrics: families declared once, in order, ending with # EOF', () => {
    expect(first.text.endsWith('\n# EOF\n')).toBe(true);
    const types = first.text.split('\n').filter(l => l.startsWith('# TYPE'));
    expect(types).toEqual([
      '# TYPE ai_copilot_suggestions counter',
      '# TYPE ai_copilot_lines_generated unknown',
      '# TYPE ai_copilot_time_saved_seconds unknown',
      '# TYPE ai_copilot_feature_usage unknown',
    ]);
    // Every family's series come together, in the order of the TYPE lines.
    const names = parsed.order.map(k => parsed.series.get(k)!.name);
    const runs = names.filter((n, i) => i === 0 || names[i - 1] !== n);
    // The seed's four counters: the demo has no OTLP-fed metrics.
    expect(runs).toEqual(Object.values(METRICS));
  });

  it('uses exactly the contract names and labels, with the demo job', () => {
    const labelNames: Record<string, string[]> = {
      ai_copilot_suggestions_total: [
        'user_hash',
        'language',
        'accepted',
        'assistant',
        'job',
      ],
      ai_copilot_lines_generated: ['user_hash', 'language', 'assistant', 'job'],
      ai_copilot_time_saved_seconds: [
        'user_hash',
        'activity',
        'assistant',
        'job',
      ],
      ai_copilot_feature_usage: ['user_hash', 'feature', 'assistant', 'job'],
    };
    for (const s of parsed.series.values()) {
      expect(Object.keys(s.labels)).toEqual(labelNames[s.name]);
      expect(s.labels.job).toBe(DEMO_JOB);
    }
  });

  it('puts each user under the pseudonym of their entity ref, with about 15 series each', async () => {
    const expected = await Promise.all(
      org.users.map(u => pseudonymize(u.ref, DEVELOPMENT_PSEUDONYM_KEY)),
    );
    const hashes = new Set(
      [...parsed.series.values()].map(s => s.labels.user_hash),
    );
    expect(hashes).toEqual(new Set(expected));
    const perUser = parsed.series.size / org.users.length;
    expect(perUser).toBeGreaterThan(11);
    expect(perUser).toBeLessThan(19);
  });

  it('writes cumulative counters: time-ordered, non-decreasing, whole counts', () => {
    const { start, step, samples } = first.period;
    const last = start + (samples - 1) * step;
    const problems: string[] = [];
    for (const [key, s] of parsed.series) {
      if (s.samples[0].v !== 0)
        problems.push(`${key} starts at ${s.samples[0].v}`);
      if (s.samples[s.samples.length - 1].t !== last)
        problems.push(`${key} ends early`);
      for (let i = 1; i < s.samples.length; i++) {
        if (s.samples[i].t - s.samples[i - 1].t !== step) {
          problems.push(
            `${key} skips from ${s.samples[i - 1].t} to ${s.samples[i].t}`,
          );
        }
        if (s.samples[i].v < s.samples[i - 1].v) {
          problems.push(`${key} decreases at ${s.samples[i].t}`);
        }
      }
      if (
        s.name !== 'ai_copilot_time_saved_seconds' &&
        !s.samples.every(x => Number.isInteger(x.v))
      ) {
        problems.push(`${key} has fractional counts`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('accepts between 20 and 40 % of suggestions, varying by language and assistant', () => {
    const { accepted, suggestions } = first.summary;
    expect(accepted / suggestions).toBeGreaterThan(0.2);
    expect(accepted / suggestions).toBeLessThan(0.4);

    const byLanguage = new Map<string, { ok: number; all: number }>();
    for (const s of parsed.series.values()) {
      if (s.name !== 'ai_copilot_suggestions_total') continue;
      const total = s.samples[s.samples.length - 1].v;
      const entry = byLanguage.get(s.labels.language) ?? { ok: 0, all: 0 };
      entry.all += total;
      if (s.labels.accepted === 'true') entry.ok += total;
      byLanguage.set(s.labels.language, entry);
    }
    const rates = [...byLanguage.values()]
      .filter(e => e.all > 500)
      .map(e => e.ok / e.all);
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.02);
  });

  it('follows the working week: little at night and at weekends', () => {
    const byHour = new Array(24).fill(0);
    const byWeekday = new Array(7).fill(0);
    for (const s of parsed.series.values()) {
      if (s.name !== 'ai_copilot_suggestions_total') continue;
      for (let i = 1; i < s.samples.length; i++) {
        // The increase of a sample covers the hour before it.
        const t = s.samples[i].t - 1;
        const d = s.samples[i].v - s.samples[i - 1].v;
        byHour[Math.floor((t % 86400) / 3600)] += d;
        byWeekday[(Math.floor(t / 86400) + 4) % 7] += d;
      }
    }
    const peak = Math.max(...byHour);
    expect(byHour[2]).toBeLessThan(peak * 0.1);
    expect(byHour[11]).toBeGreaterThan(peak * 0.5);
    expect(byWeekday[0] + byWeekday[6]).toBeLessThan(byWeekday[3] * 0.3);
  });

  it('has teams whose use rises over the period', async () => {
    const rising = new Set(org.groups.filter(g => g.rising).map(g => g.name));
    const risingHashes = new Set(
      await Promise.all(
        org.users
          .filter(u => rising.has(u.team))
          .map(u => pseudonymize(u.ref, DEVELOPMENT_PSEUDONYM_KEY)),
      ),
    );
    const { start, step, samples } = first.period;
    const middle = start + Math.floor((samples - 1) / 2) * step;
    let firstHalf = 0;
    let secondHalf = 0;
    for (const s of parsed.series.values()) {
      if (
        s.name !== 'ai_copilot_suggestions_total' ||
        !risingHashes.has(s.labels.user_hash)
      ) {
        continue;
      }
      const atMiddle = s.samples.find(x => x.t === middle)?.v ?? 0;
      firstHalf += atMiddle;
      secondHalf += s.samples[s.samples.length - 1].v - atMiddle;
    }
    expect(secondHalf).toBeGreaterThan(firstHalf * 1.3);
  });

  it('splits into block windows that together hold exactly the same samples', async () => {
    const windows = blockWindows(first.period, 162);
    expect(windows.length).toBeGreaterThan(1);
    const sinks = windows.map(w => ({ ...w, sink: new StringSink() }));
    await writeDemoMetrics(
      org,
      { seed: 42, key: DEVELOPMENT_PSEUDONYM_KEY, period: first.period },
      sinks,
    );
    const lines = (text: string) =>
      text.split('\n').filter(l => l && !l.startsWith('#'));
    const parts = sinks.map(s => s.sink.toString());
    const misplaced = parts.flatMap((part, i) => {
      expect(part.endsWith('# EOF\n')).toBe(true);
      return lines(part).filter(line => {
        const t = Number(line.slice(line.lastIndexOf(' ') + 1));
        return t < windows[i].from || t >= windows[i].to;
      });
    });
    expect(misplaced).toEqual([]);
    const all = parts.flatMap(lines);
    expect(all.length).toBe(first.summary.samples);
    expect(all.sort().join('\n') === lines(first.text).sort().join('\n')).toBe(
      true,
    );
  });
});

describe('makePeriod and parseDuration', () => {
  it('ends at the last whole step and spans the days asked for', () => {
    const period = makePeriod(30, parseDuration('15m'), 1000 * 900 + 123);
    expect(period).toEqual({
      start: 1000 * 900 - 30 * 96 * 900,
      step: 900,
      samples: 2881,
    });
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('2d')).toBe(172800);
    expect(() => parseDuration('15 minutes')).toThrow(/not a duration/);
  });
});

// promtool, from Debian's prometheus package, is part of the development stack (scripts/stack.sh).
const promtool = spawnSync('promtool', ['--version']).status === 0;
(promtool ? describe : describe.skip)('with promtool', () => {
  it('backfills into TSDB blocks that keep the contract names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-telemetry-demo-'));
    try {
      const { text, summary } = await generate({ days: 2 });
      writeFileSync(join(dir, 'demo.om'), text);
      execFileSync('promtool', [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        '--quiet',
        '--max-block-duration=720h',
        join(dir, 'demo.om'),
        join(dir, 'data'),
      ]);
      const dump = execFileSync(
        'promtool',
        ['tsdb', 'list', join(dir, 'data')],
        { encoding: 'utf8' },
      );
      const samples = dump
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[4]), 0);
      expect(samples).toBe(summary.samples);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
