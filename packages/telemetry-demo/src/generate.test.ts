import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  ACTIVE_TIME_TYPES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  METRIC_LABELS,
  METRIC_NAMES,
  METRICS,
  MetricName,
  modelLabel,
  OTLP_METRICS,
  pseudonymize,
  TOKEN_TYPES,
  TokenType,
  UNKNOWN_LANGUAGE,
} from '@fawkes/plugin-ai-telemetry-common';
import { CONTRACT_METRICS } from './activity';
import { AGENT_METRICS } from './agentActivity';
import {
  blockWindows,
  DEMO_JOB,
  DEVELOPMENT_PSEUDONYM_KEY,
  makePeriod,
  parseDuration,
  writeDemoMetrics,
} from './generate';
import { formatScaled, StringSink } from './openmetrics';
import { withGithubLogins } from './githubLogins';
import { buildOrg, GUEST_USER_NAME } from './org';
import { DEMO_PRICES, OtlpAssistant, otlpAssistantOf } from './otlpDevelopers';

// Friday 2026-11-27 18:00 UTC: the week before is a full working week and a weekend.
const END = Date.UTC(2026, 10, 27, 18) / 1000;
const org = buildOrg({ users: 48, seed: 42 });

async function generate(
  options: {
    seed?: number;
    days?: number;
    step?: number;
    cachedValues?: number;
  } = {},
) {
  const period = makePeriod(options.days ?? 14, options.step ?? 3600, END);
  const sink = new StringSink();
  const summary = await writeDemoMetrics(
    org,
    {
      seed: options.seed ?? 42,
      key: DEVELOPMENT_PSEUDONYM_KEY,
      period,
      cachedValues: options.cachedValues,
    },
    sink,
  );
  return { text: sink.toString(), summary, period };
}

/** The seed's four counters, which the IDE events feed. */
const IDE_NAMES = new Set<string>(Object.values(METRICS));
/** The counters that only OTLP metrics feed. */
const OTLP_ONLY_NAMES = new Set<string>(Object.values(OTLP_METRICS));

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
  /** The OTLP developers' assistants, by user_hash. */
  const otlpOf = new Map<string, OtlpAssistant>();
  /** Whether a series comes from its user's OTLP assistant's metrics. */
  const fromOtlp = (s: { labels: Record<string, string> }) =>
    otlpOf.get(s.labels.user_hash) === s.labels.assistant;
  const guestHash = () =>
    pseudonymize(`user:default/${GUEST_USER_NAME}`, DEVELOPMENT_PSEUDONYM_KEY);
  beforeAll(async () => {
    first = await generate();
    parsed = parse(first.text);
    for (const user of org.users) {
      const assistant = otlpAssistantOf(user.ref);
      if (assistant) {
        otlpOf.set(
          await pseudonymize(user.ref, DEVELOPMENT_PSEUDONYM_KEY),
          assistant,
        );
      }
    }
    // Two weeks of 48 developers: seconds on a quiet machine, more on a busy one.
  }, 60_000);

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
      '# TYPE ai_copilot_tokens counter',
      '# TYPE ai_copilot_cost_usd counter',
      '# TYPE ai_copilot_sessions counter',
      '# TYPE ai_copilot_active_seconds counter',
      '# TYPE ai_copilot_commits counter',
      '# TYPE ai_copilot_pull_requests counter',
    ]);
    // Every family's series come together, in the order of the TYPE lines: all ten counters
    // of the contract, the seed's four and the OTLP-fed ones.
    const names = parsed.order.map(k => parsed.series.get(k)!.name);
    const runs = names.filter((n, i) => i === 0 || names[i - 1] !== n);
    expect(runs).toEqual(METRIC_NAMES);
    expect(Object.values(CONTRACT_METRICS)).toEqual(METRIC_NAMES);
  });

  it('uses exactly the contract names and labels, with the demo job', () => {
    for (const s of parsed.series.values()) {
      expect(Object.keys(s.labels)).toEqual([
        ...METRIC_LABELS[s.name as MetricName],
        'job',
      ]);
      expect(s.labels.job).toBe(DEMO_JOB);
    }
  });

  it('keeps label values within the contract: assistants, languages, models, types', () => {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => ok || problems.push(what);
    for (const [key, s] of parsed.series) {
      const { assistant, language, model, type } = s.labels;
      check(DEFAULT_ASSISTANTS.includes(assistant as never), key);
      if (language !== undefined) {
        check(
          DEFAULT_LANGUAGES.includes(language as never) ||
            language === UNKNOWN_LANGUAGE,
          key,
        );
      }
      if (model !== undefined) {
        // Normalised, and within the default allow-list: the receiver keeps it as it is.
        check(model !== 'other' && modelLabel(model) === model, key);
      }
      if (s.name === OTLP_METRICS.tokens) {
        check(TOKEN_TYPES.includes(type as TokenType), key);
      }
      if (s.name === OTLP_METRICS.activeSeconds) {
        check(ACTIVE_TIME_TYPES.includes(type as never), key);
      }
    }
    expect(problems).toEqual([]);
    const models = new Set(
      [...parsed.series.values()].map(s => s.labels.model).filter(Boolean),
    );
    expect(models).toEqual(
      new Set([
        'claude-sonnet-4-5',
        'claude-haiku-4-5',
        'gemini-2.5-pro',
        'gemini-2.5-flash',
        'gpt-5-codex',
        'gpt-5',
      ]),
    );
  });

  it('puts each user under the pseudonym of their entity ref, with about 15 IDE series each', async () => {
    const expected = await Promise.all(
      org.users.map(u => pseudonymize(u.ref, DEVELOPMENT_PSEUDONYM_KEY)),
    );
    const hashes = new Set(
      [...parsed.series.values()].map(s => s.labels.user_hash),
    );
    expect(hashes).toEqual(new Set(expected));
    const ide = [...parsed.series.values()].filter(s => !fromOtlp(s));
    const perUser = ide.length / org.users.length;
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
        s.name !== 'ai_copilot_cost_usd_total' &&
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

  it('makes about 40 % of the developers, and the guest, OTLP reporters on Claude Code, Gemini CLI or Codex', async () => {
    const share = otlpOf.size / org.users.length;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.5);
    expect(new Set(otlpOf.values())).toEqual(
      new Set(['claude-code', 'gemini-cli', 'codex']),
    );
    expect(first.summary.otlpUsers).toEqual(
      [...otlpOf.values()].reduce<Record<string, number>>(
        (n, a) => ({ ...n, [a]: (n[a] ?? 0) + 1 }),
        {},
      ),
    );
    // The guest reports over OTLP from Claude Code, and keeps its IDE history.
    const guest = await guestHash();
    expect(otlpOf.get(guest)).toBe('claude-code');
    const guestSeries = [...parsed.series.values()].filter(
      s => s.labels.user_hash === guest,
    );
    expect(
      new Set(guestSeries.filter(s => !fromOtlp(s)).map(s => s.name)),
    ).toEqual(IDE_NAMES);
    expect(new Set(guestSeries.filter(fromOtlp).map(s => s.name))).toEqual(
      new Set(AGENT_METRICS['claude-code'].map(k => CONTRACT_METRICS[k])),
    );
  });

  it("gives each OTLP developer exactly the counters their assistant's metrics feed, and nobody else those", () => {
    const byUser = new Map<string, Set<string>>();
    const problems: string[] = [];
    for (const [key, s] of parsed.series) {
      // Tokens, cost, sessions, active time, commits and pull requests come from OTLP only.
      if (OTLP_ONLY_NAMES.has(s.name) && !fromOtlp(s)) {
        problems.push(`${key} without OTLP`);
      }
      if (!fromOtlp(s)) continue;
      const names = byUser.get(s.labels.user_hash) ?? new Set<string>();
      names.add(s.name);
      byUser.set(s.labels.user_hash, names);
      // Only Claude Code's edit decisions carry a language; lines never do.
      const knowsLanguage =
        s.name === METRICS.suggestions && s.labels.assistant === 'claude-code';
      if (
        s.labels.language !== undefined &&
        (s.labels.language === UNKNOWN_LANGUAGE) === knowsLanguage
      ) {
        problems.push(`${key}: language`);
      }
      if (
        s.name === METRICS.timeSaved &&
        s.labels.activity !== 'code_generation'
      ) {
        problems.push(`${key}: activity`);
      }
    }
    expect(problems).toEqual([]);
    expect(byUser.size).toBe(otlpOf.size);
    for (const [hash, names] of byUser) {
      const assistant = otlpOf.get(hash)!;
      expect({ assistant, names }).toEqual({
        assistant,
        names: new Set(AGENT_METRICS[assistant].map(k => CONTRACT_METRICS[k])),
      });
    }
  });

  it('counts cost consistent with the tokens at every sample, at realistic prices', () => {
    const tokens = new Map<
      string,
      Array<{ type: string; samples: Sample[] }>
    >();
    const key = (l: Record<string, string>) =>
      `${l.user_hash}/${l.assistant}/${l.model}`;
    for (const s of parsed.series.values()) {
      if (s.name !== OTLP_METRICS.tokens) continue;
      const list = tokens.get(key(s.labels)) ?? [];
      list.push({ type: s.labels.type, samples: s.samples });
      tokens.set(key(s.labels), list);
    }
    let costSeries = 0;
    const problems: string[] = [];
    const perDeveloperDay: number[] = [];
    const workingDays = 10; // two working weeks in the 14 days
    const costByUser = new Map<string, number>();
    for (const s of parsed.series.values()) {
      if (s.name !== OTLP_METRICS.costUsd) continue;
      costSeries++;
      const { model } = s.labels;
      const parts = tokens.get(key(s.labels)) ?? [];
      expect(parts.length).toBeGreaterThanOrEqual(2);
      s.samples.forEach((sample, i) => {
        let micros = 0;
        for (const part of parts) {
          if (part.samples[i].t !== sample.t) {
            problems.push(`${key(s.labels)}: tokens at other times`);
          }
          micros +=
            part.samples[i].v * DEMO_PRICES[model][part.type as TokenType]!;
        }
        // Written in whole millionths of a dollar.
        if (formatScaled(Math.round(micros), 1_000_000) !== String(sample.v)) {
          problems.push(`${key(s.labels)} at ${sample.t}: ${sample.v}`);
        }
      });
      const total = s.samples[s.samples.length - 1].v;
      costByUser.set(
        s.labels.user_hash,
        (costByUser.get(s.labels.user_hash) ?? 0) + total,
      );
    }
    expect(problems).toEqual([]);
    expect(costSeries).toBeGreaterThan(otlpOf.size);
    for (const total of costByUser.values()) {
      perDeveloperDay.push(total / workingDays);
    }
    // Agentic assistants cost a few dollars a developer a working day.
    const mean =
      perDeveloperDay.reduce((a, b) => a + b, 0) / perDeveloperDay.length;
    expect(mean).toBeGreaterThan(1);
    expect(mean).toBeLessThan(10);
    expect(Math.max(...perDeveloperDay)).toBeLessThan(40);
  });

  it('follows the working week in the OTLP counters too, with plausible daily figures', () => {
    const byHour = new Array(24).fill(0);
    const totals: Record<string, number> = {};
    for (const s of parsed.series.values()) {
      if (!OTLP_ONLY_NAMES.has(s.name)) continue;
      const name =
        s.name === OTLP_METRICS.activeSeconds
          ? `${s.name}/${s.labels.type}`
          : s.name;
      totals[name] = (totals[name] ?? 0) + s.samples[s.samples.length - 1].v;
      if (s.name !== OTLP_METRICS.sessions) continue;
      for (let i = 1; i < s.samples.length; i++) {
        const t = s.samples[i].t - 1;
        byHour[Math.floor((t % 86400) / 3600)] +=
          s.samples[i].v - s.samples[i - 1].v;
      }
    }
    const peak = Math.max(...byHour);
    expect(byHour[2]).toBeLessThan(peak * 0.15);
    expect(byHour[11]).toBeGreaterThan(peak * 0.4);

    const count = (a: OtlpAssistant[]) =>
      [...otlpOf.values()].filter(x => a.includes(x)).length * 10;
    const allDays = count(['claude-code', 'gemini-cli', 'codex']);
    const claudeDays = count(['claude-code']);
    // Per developer and working day: a few sessions; Claude Code's active time in minutes,
    // the agent working longer than the developer; a few commits, a pull request now and then.
    expect(totals[OTLP_METRICS.sessions] / allDays).toBeGreaterThan(1);
    expect(totals[OTLP_METRICS.sessions] / allDays).toBeLessThan(10);
    const user = totals[`${OTLP_METRICS.activeSeconds}/user`] / claudeDays;
    const agent = totals[`${OTLP_METRICS.activeSeconds}/agent`] / claudeDays;
    expect(user).toBeGreaterThan(5 * 60);
    expect(user).toBeLessThan(2 * 3600);
    expect(agent).toBeGreaterThan(user);
    expect(agent).toBeLessThan(4 * 3600);
    expect(totals[OTLP_METRICS.commits] / claudeDays).toBeGreaterThan(0.5);
    expect(totals[OTLP_METRICS.commits] / claudeDays).toBeLessThan(10);
    expect(totals[OTLP_METRICS.pullRequests]).toBeGreaterThan(0);
    expect(totals[OTLP_METRICS.pullRequests]).toBeLessThan(
      totals[OTLP_METRICS.commits],
    );
    expect(first.summary.tokens).toBe(totals[OTLP_METRICS.tokens]);
  });

  it('writes the same text whether or not the series are kept between the family passes', async () => {
    expect((await generate({ cachedValues: 0 })).text === first.text).toBe(
      true,
    );
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

  it('leaves out the Copilot history of users whose Copilot the GitHub import brings', async () => {
    const imported = withGithubLogins(org, 42);
    const sink = new StringSink();
    await writeDemoMetrics(
      imported,
      {
        seed: 42,
        key: DEVELOPMENT_PSEUDONYM_KEY,
        period: makePeriod(2, 3600, END),
      },
      sink,
    );
    const text = sink.toString();
    const hashes = await Promise.all(
      imported.users.map(async u => ({
        hash: await pseudonymize(u.ref, DEVELOPMENT_PSEUDONYM_KEY),
        login: u.githubLogin,
      })),
    );
    const copilotOf = (hash: string) =>
      text
        .split('\n')
        .some(
          line =>
            line.includes(`user_hash="${hash}"`) &&
            line.includes('assistant="copilot"'),
        );
    // Those with a login have no Copilot history here; nobody else has a login to lose it by.
    expect(
      hashes.filter(({ login, hash }) => login && copilotOf(hash)),
    ).toEqual([]);
    expect(hashes.filter(({ login }) => login).length).toBeGreaterThan(0);
  });
});
