import { LoggerService } from '@backstage/backend-plugin-api';
import {
  BREAKDOWN_LABELS,
  CounterFamily,
  FAMILY_FILTERS,
  PER_USER_DAILY_EVALUATED,
  perUserDailyRule,
} from './families';
import { LabelMatcher, matchesEqual, selector } from './promql';
import { DAY_AHEAD, recordedDayEnds } from './RecordedDays';
import { DAY } from './window';
import { PrometheusSeries } from '../upstream/PrometheusClient';

/** What the index keeps of one per-developer daily rule. */
export type IndexedRule = {
  rule: string;
  /** Only the rule's series that match these (say, `accepted="true"`). */
  matchers: readonly LabelMatcher[];
  /** Whether each day's values are kept; otherwise only whether a series had any. */
  values: boolean;
};

/**
 * A read of a per-developer daily rule over whole recorded days, which the index may answer
 * instead of Prometheus: `sum by (by) (sum_over_time(rule{matchers}[days]))`, series with data
 * only. With `needs: 'presence'` the reader only asks who had data (each series' value is then
 * 1); with `'values'`, how much.
 */
export type IndexedRead = {
  rule: string;
  matchers: readonly LabelMatcher[];
  by: readonly string[];
  /** The midnight that starts the first day. */
  from: number;
  /** The midnight that ends the last day. */
  until: number;
  needs: 'presence' | 'values';
};

/** The same read, day by day and per series of the rule (values kept only). */
export type IndexedDailyRead = {
  rule: string;
  matchers: readonly LabelMatcher[];
  from: number;
  until: number;
};

/**
 * The answer to an {@link IndexedDailyRead}: per series of the rule with data, its amount on
 * each day, the first (index 0) starting at `from`.
 */
export type DailyAmounts = {
  from: number;
  series: Array<{
    labels: Readonly<Record<string, string>>;
    amounts: Float64Array;
  }>;
};

/**
 * The rules the organisation's dashboard reads per developer: for every family, the rule the
 * privacy threshold's participants read (every filter and breakdown label: who had data), and
 * the four per-developer totals without filters whose amounts the team comparison and adoption
 * add up (suggestions shown and accepted, lines, time saved).
 */
export function dashboardRules(
  families: readonly CounterFamily[],
): IndexedRule[] {
  const presence = families.map(family =>
    perUserDailyRule(family, [
      'user_hash',
      ...FAMILY_FILTERS[family],
      ...BREAKDOWN_LABELS[family],
    ]),
  );
  const values: IndexedRule[] = [
    {
      rule: perUserDailyRule('suggestions', ['user_hash']),
      matchers: [],
      values: true,
    },
    {
      rule: perUserDailyRule('suggestions', ['user_hash', 'accepted']),
      matchers: [{ label: 'accepted', op: '=', value: 'true' }],
      values: true,
    },
    {
      rule: perUserDailyRule('linesGenerated', ['user_hash']),
      matchers: [],
      values: true,
    },
    {
      rule: perUserDailyRule('timeSaved', ['user_hash']),
      matchers: [],
      values: true,
    },
  ];
  return [
    ...values,
    ...[...new Set(presence)]
      .filter(rule => !values.some(v => v.rule === rule))
      .map(rule => ({ rule, matchers: [], values: false })),
  ];
}

/** Days read in one range query while loading (a week of every developer's series). */
const CHUNK_DAYS = 7;

/**
 * While the rules' marker has a sample this recent, their group may still be evaluating: the
 * newest marked day is read once it is older (the marker is the group's first rule).
 */
const SETTLE = '15m';

function sameMatcher(a: LabelMatcher, b: LabelMatcher): boolean {
  return a.label === b.label && a.op === b.op && a.value === b.value;
}

function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .filter(name => name !== '__name__')
    .sort()
    .map(name => `${name}\u0000${labels[name]}`)
    .join('\u0001');
}

/** Spans of days whose totals a rule keeps (a window and the one before it, of a few ranges). */
const KEPT_SUMS = 8;

/** A rule's series grouped by some labels: each series' group, and each group's labels. */
type Projection = {
  groupOf: Int32Array;
  groups: ReadonlyArray<Readonly<Record<string, string>>>;
};

/** One rule's series and, per day, which of them had data (a bit each) or how much. */
class RuleDays {
  private readonly ids = new Map<string, number>();
  private readonly projections = new Map<string, Projection>();
  /** Totals over spans of days already added up, until a day is kept or a pseudonym forgotten. */
  private readonly sums = new Map<string, Float64Array>();
  /** Each series' labels (without the metric name), by id. */
  readonly labels: Array<Readonly<Record<string, string>>> = [];
  /** Per day (its midnight): a bit per series id, or a value per series id. */
  readonly days = new Map<number, Uint32Array | Float64Array>();

  constructor(readonly spec: IndexedRule) {}

  private idOf(labels: Record<string, string>): number {
    const key = labelKey(labels);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.labels.length;
      const kept: Record<string, string> = {};
      for (const [name, value] of Object.entries(labels)) {
        if (name !== '__name__') kept[name] = value;
      }
      this.labels.push(kept);
      this.ids.set(key, id);
    }
    return id;
  }

  /**
   * Keeps the days `days` (midnights) from a range result with a point at the end of each day;
   * a pseudonym `skip` names for a day is left out (erased).
   */
  put(
    days: readonly number[],
    series: readonly PrometheusSeries[],
    skip: (userHash: string, day: number) => boolean,
  ): void {
    const found = new Map<number, Array<[number, number]>>(
      days.map(day => [day, []]),
    );
    for (const s of series) {
      const id = this.idOf(s.labels);
      const hash = s.labels.user_hash ?? '';
      for (const [t, v] of s.points) {
        const entries = found.get(t - DAY);
        if (!entries || !(v > 0) || !Number.isFinite(v)) continue;
        if (skip(hash, t - DAY)) continue;
        entries.push([id, v]);
      }
    }
    const count = this.labels.length;
    this.sums.clear();
    for (const [day, entries] of found) {
      if (this.spec.values) {
        const values = new Float64Array(count);
        for (const [id, v] of entries) values[id] += v;
        this.days.set(day, values);
      } else {
        const bits = new Uint32Array(Math.ceil(count / 32));
        for (const [id] of entries) bits[id >>> 5] |= 1 << (id & 31);
        this.days.set(day, bits);
      }
    }
  }

  /** Drops a day (past the retention). */
  drop(day: number): void {
    this.days.delete(day);
    this.sums.clear();
  }

  /** Clears a pseudonym's data on the days up to `through` (a midnight). */
  forget(userHash: string, through: number): void {
    this.sums.clear();
    const ids: number[] = [];
    this.labels.forEach((labels, id) => {
      if (labels.user_hash === userHash) ids.push(id);
    });
    for (const [day, data] of this.days) {
      if (day > through) continue;
      for (const id of ids) {
        if (data instanceof Float64Array) {
          if (id < data.length) data[id] = 0;
        } else if (id >>> 5 < data.length) {
          data[id >>> 5] &= ~(1 << (id & 31));
        }
      }
    }
  }

  /** Whether series `id` matches `matchers` ('=' only). */
  matches(id: number, matchers: readonly LabelMatcher[]): boolean {
    return matchesEqual(this.labels[id], matchers);
  }

  /**
   * The series grouped by the labels `by` (as `sum by` groups them): each series' group, and each
   * group's labels; kept until the rule has new series.
   */
  projection(by: readonly string[]): Projection {
    const key = by.join(',');
    const known = this.projections.get(key);
    if (known && known.groupOf.length === this.labels.length) return known;
    const ids = new Map<string, number>();
    const groups: Array<Record<string, string>> = [];
    const groupOf = new Int32Array(this.labels.length);
    this.labels.forEach((labels, id) => {
      const values = by.map(name => labels[name] ?? '');
      const groupKey = values.join('\u0000');
      let group = ids.get(groupKey);
      if (group === undefined) {
        group = groups.length;
        ids.set(groupKey, group);
        const grouped: Record<string, string> = {};
        by.forEach((name, i) => {
          if (values[i]) grouped[name] = values[i];
        });
        groups.push(grouped);
      }
      groupOf[id] = group;
    });
    const projection = { groupOf, groups };
    this.projections.set(key, projection);
    return projection;
  }

  /** Whether every day from `from` to `until` is held. */
  holds(from: number, until: number): boolean {
    for (let day = from; day < until; day += DAY) {
      if (!this.days.has(day)) return false;
    }
    return until > from;
  }

  /**
   * Per series id, the sum over the days (or 1 where a series had data, without values); the
   * reads of one answer (by different labels, under different filters) share it. Read only.
   */
  totals(from: number, until: number): Float64Array {
    const key = `${from}:${until}`;
    const known = this.sums.get(key);
    if (known) return known;
    const totals = this.sum(from, until);
    for (const old of this.sums.keys()) {
      if (this.sums.size < KEPT_SUMS) break;
      this.sums.delete(old);
    }
    this.sums.set(key, totals);
    return totals;
  }

  private sum(from: number, until: number): Float64Array {
    const totals = new Float64Array(this.labels.length);
    for (let day = from; day < until; day += DAY) {
      const data = this.days.get(day)!;
      if (data instanceof Float64Array) {
        for (let id = 0; id < data.length; id++) totals[id] += data[id];
        continue;
      }
      for (let word = 0; word < data.length; word++) {
        let bits = data[word];
        while (bits !== 0) {
          const low = bits & -bits;
          totals[(word << 5) + (31 - Math.clz32(low))] = 1;
          bits ^= low;
        }
      }
    }
    return totals;
  }

  /** Bytes held by the days' arrays. */
  bytes(): number {
    let total = 0;
    for (const data of this.days.values()) total += data.byteLength;
    return total;
  }
}

export type ActivityIndexOptions = {
  /** An instant query straight to Prometheus. */
  instant(query: string, time: number): Promise<PrometheusSeries[]>;
  /** A range query straight to Prometheus (not through the query cache: the answers are large). */
  range(
    query: string,
    start: number,
    end: number,
    step: number,
  ): Promise<PrometheusSeries[]>;
  rules: readonly IndexedRule[];
  /** How many days back from today the index holds (the plugin: `privacy.retentionDays`). */
  days: number;
  logger: LoggerService;
  /** Now, in unix seconds (tests fix it). */
  now?: () => number;
};

/**
 * Who had data, and for a few totals how much, per developer and whole UTC day, as the
 * per-developer daily rules recorded it (deploy/prometheus/rules/ai-telemetry-per-user.yml),
 * kept in this backend's memory for the last `days` days, so that the organisation's dashboard
 * counts developers (the privacy threshold and its rows, active developers, adoption, the team
 * comparison) without reading every developer's series over the whole window from Prometheus
 * (docs/architecture.md#the-activity-index).
 *
 * It is filled by {@link refresh} (on start, then every few minutes) with the days the rules'
 * marker says are recorded, a week per range query, each day once its rules have run; it holds
 * pseudonyms only, never leaves the backend, and forgets a pseudonym as soon as its erasure is
 * known ({@link forget}). A read it cannot answer in full (a day it does not hold, a rule or
 * matcher it does not keep, values of a rule it keeps only presence of) is left to Prometheus.
 */
export class ActivityIndex {
  private readonly stores = new Map<string, RuleDays>();
  private readonly now: () => number;
  /** Pseudonyms erased, with the last day (midnight) whose data is gone. */
  private readonly erased = new Map<string, number>();
  private refreshing?: Promise<void>;
  private loadedOnce = false;
  private changes = 0;

  constructor(private readonly options: ActivityIndexOptions) {
    this.now = options.now ?? (() => Date.now() / 1000);
    for (const rule of options.rules) {
      this.stores.set(rule.rule, new RuleDays(rule));
    }
  }

  /** Reads the recorded days it does not hold yet; concurrent calls share one run. */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const started = performance.now();
    const now = this.now();
    const today = Math.floor(now / DAY) * DAY;
    const first = today - this.options.days * DAY;
    for (const store of this.stores.values()) {
      for (const day of store.days.keys()) {
        if (day < first) {
          store.drop(day);
          this.changes++;
        }
      }
    }
    const days = [
      ...(await recordedDayEnds(this.options.range, first + DAY, today)),
    ]
      .map(t => t - DAY)
      .sort((a, b) => a - b);
    // A day is read once its rules have surely run: the marker is recorded first of the group,
    // so while the last evaluation is recent, the newest day waits for the next refresh.
    const evaluating = (
      await this.options.instant(
        `count_over_time(${PER_USER_DAILY_EVALUATED}[${SETTLE}])`,
        now,
      )
    ).some(s => (s.points[0]?.[1] ?? 0) > 0);
    const newest = days[days.length - 1];
    const settled = days.filter(day => day < newest || !evaluating);
    let read = 0;
    for (const store of this.stores.values()) {
      const missing = settled.filter(day => !store.days.has(day));
      for (const run of runsOf(missing, CHUNK_DAYS)) {
        const series = await this.options.range(
          `last_over_time(${selector(store.spec.rule, [
            ...store.spec.matchers,
          ])}${DAY_AHEAD})`,
          run[0] + DAY,
          run[run.length - 1] + DAY,
          DAY,
        );
        this.changes++;
        store.put(run, series, (hash, day) => {
          const through = this.erased.get(hash);
          return through !== undefined && day <= through;
        });
        read += run.length;
      }
    }
    if (read > 0 || !this.loadedOnce) {
      this.options.logger.info(
        `activity index: read ${read} rule-days in ${Math.round(
          performance.now() - started,
        )} ms; holds ${this.describe()}`,
      );
    }
    this.loadedOnce = true;
  }

  /** Changes whenever what it holds changes (days read or dropped, a pseudonym forgotten). */
  get version(): number {
    return this.changes;
  }

  /** What it holds, for the log: days per rule and memory. */
  describe(): string {
    const days = [...this.stores.values()].map(s => s.days.size);
    const bytes = [...this.stores.values()].reduce((n, s) => n + s.bytes(), 0);
    const series = [...this.stores.values()].reduce(
      (n, s) => n + s.labels.length,
      0,
    );
    return `${Math.min(...days)}–${Math.max(...days)} days of ${
      this.stores.size
    } rules, ${series} series, ${(bytes / 1e6).toFixed(1)} MB`;
  }

  /**
   * Forgets a pseudonym's data up to the day that holds `at` (unix seconds): its erasure has
   * deleted its series from Prometheus by then, and any day read later holds only what came after.
   */
  forget(userHash: string, at: number): void {
    const through = Math.floor(at / DAY) * DAY;
    if ((this.erased.get(userHash) ?? -Infinity) >= through) return;
    this.erased.set(userHash, through);
    this.changes++;
    for (const store of this.stores.values()) store.forget(userHash, through);
  }

  /** The answer to `read` over the days it holds, or undefined when it cannot answer it all. */
  answer(read: IndexedRead, time: number): PrometheusSeries[] | undefined {
    const store = this.usable(read, read.needs === 'values');
    if (!store) return undefined;
    const totals = store.totals(read.from, read.until);
    const extra = extraMatchers(store.spec, read);
    const { groupOf, groups } = store.projection(read.by);
    const sums = new Float64Array(groups.length);
    const values = read.needs === 'values';
    for (let id = 0; id < totals.length; id++) {
      const value = totals[id];
      if (!(value > 0)) continue;
      if (extra.length > 0 && !store.matches(id, extra)) continue;
      sums[groupOf[id]] += values ? value : 1;
    }
    const out: PrometheusSeries[] = [];
    sums.forEach((sum, group) => {
      // The labels are shared by every answer: readers must not change them.
      if (sum > 0) {
        out.push({
          labels: groups[group] as Record<string, string>,
          points: [[time, values ? sum : 1]],
        });
      }
    });
    return out;
  }

  /**
   * Day by day, each series of the rule with data and its amount on each day (as
   * `last_over_time(rule[1d] offset -1d)` with a daily step reads it), or undefined. The amounts
   * stay in one array per series: a reader that adds them up per day (adoption) needs no point
   * per developer and day (900,000 of them at 10,000 developers over 90 days).
   */
  answerDaily(read: IndexedDailyRead): DailyAmounts | undefined {
    const store = this.usable(read, true);
    if (!store) return undefined;
    const extra = extraMatchers(store.spec, read);
    const days: Float64Array[] = [];
    for (let day = read.from; day < read.until; day += DAY) {
      days.push(store.days.get(day) as Float64Array);
    }
    const series: DailyAmounts['series'] = [];
    for (let id = 0; id < store.labels.length; id++) {
      if (extra.length > 0 && !store.matches(id, extra)) continue;
      let amounts: Float64Array | undefined;
      for (let i = 0; i < days.length; i++) {
        const value = days[i][id] ?? 0;
        if (!(value > 0)) continue;
        amounts ??= new Float64Array(days.length);
        amounts[i] = value;
      }
      // The labels are shared by every answer: readers must not change them.
      if (amounts) series.push({ labels: store.labels[id], amounts });
    }
    return { from: read.from, series };
  }

  private usable(
    read: IndexedDailyRead,
    values: boolean,
  ): RuleDays | undefined {
    const store = this.stores.get(read.rule);
    if (!store || (values && !store.spec.values)) return undefined;
    const fixed = store.spec.matchers;
    if (!fixed.every(f => read.matchers.some(m => sameMatcher(f, m)))) {
      return undefined;
    }
    if (extraMatchers(store.spec, read).some(m => m.op !== '=')) {
      return undefined;
    }
    return store.holds(read.from, read.until) ? store : undefined;
  }
}

/** The read's matchers besides those the index applied when it read the rule. */
function extraMatchers(
  spec: IndexedRule,
  read: { matchers: readonly LabelMatcher[] },
): LabelMatcher[] {
  return read.matchers.filter(m => !spec.matchers.some(f => sameMatcher(f, m)));
}

/** Consecutive days in runs of at most `size`. */
function runsOf(days: readonly number[], size: number): number[][] {
  const runs: number[][] = [];
  for (const day of days) {
    const last = runs[runs.length - 1];
    if (last && last.length < size && day === last[last.length - 1] + DAY) {
      last.push(day);
    } else {
      runs.push([day]);
    }
  }
  return runs;
}
