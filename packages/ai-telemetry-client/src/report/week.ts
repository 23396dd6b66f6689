const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** A period of a report: `[from, to)`, UTC. */
export type ReportPeriod = {
  /** `2026-W47` for an ISO week, otherwise `<from> – <to>`. */
  label: string;
  from: Date;
  /** Exclusive. */
  to: Date;
};

/** Why a period cannot be made from the command line: the flag and what is wrong. */
export class PeriodError extends Error {
  name = 'PeriodError';
  constructor(readonly flag: string, message: string) {
    super(message);
  }
}

function startOfUtcDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

/** Monday 00:00 UTC of the ISO week that `time` lies in. */
function mondayOf(time: number): number {
  const day = startOfUtcDay(time);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return day - weekday * DAY_MS;
}

/** The ISO 8601 week of an instant: the week belongs to the year of its Thursday. */
export function isoWeekOf(time: Date): { year: number; week: number } {
  const thursday = mondayOf(time.getTime()) + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK_MS) + 1;
  return { year, week };
}

function weekLabel(from: number): string {
  const { year, week } = isoWeekOf(new Date(from));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function isIsoWeek(from: number, to: number): boolean {
  return mondayOf(from) === from && to - from === WEEK_MS;
}

function periodOf(from: number, to: number): ReportPeriod {
  return {
    label: isIsoWeek(from, to)
      ? weekLabel(from)
      : `${new Date(from).toISOString()} – ${new Date(to).toISOString()}`,
    from: new Date(from),
    to: new Date(to),
  };
}

/** An ISO week such as `2026-W47`: Monday 00:00 UTC to the next Monday. */
export function isoWeekPeriod(week: string): ReportPeriod {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) {
    throw new PeriodError(
      'week',
      `--week must be an ISO week such as 2026-W47, got "${week}"`,
    );
  }
  const year = Number(match[1]);
  const number = Number(match[2]);
  // Week 1 is the week of 4 January; a year has 53 weeks when 28 December is in week 53.
  const weeksInYear = isoWeekOf(new Date(Date.UTC(year, 11, 28))).week;
  if (number < 1 || number > weeksInYear) {
    throw new PeriodError(
      'week',
      `--week ${week}: ${year} has weeks 01 to ${weeksInYear}`,
    );
  }
  const from = mondayOf(Date.UTC(year, 0, 4)) + (number - 1) * WEEK_MS;
  return periodOf(from, from + WEEK_MS);
}

/** The last ISO week that has ended at `now`. */
export function lastCompleteIsoWeek(now: Date): ReportPeriod {
  const to = mondayOf(now.getTime());
  return periodOf(to - WEEK_MS, to);
}

function parseInstant(flag: string, value: string): number {
  // A date and time must say its offset: a local time would move the period with the machine.
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const withZone =
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(
      value,
    );
  const time = dateOnly || withZone ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) {
    throw new PeriodError(
      flag,
      `--${flag} must be an ISO 8601 date (2026-11-16, taken as 00:00 UTC) or date and time with its offset (2026-11-16T00:00:00Z), got "${value}"`,
    );
  }
  return time;
}

/** A period from `--from` and `--to` (ISO 8601). */
export function customPeriod(from: string, to: string): ReportPeriod {
  const start = parseInstant('from', from);
  const end = parseInstant('to', to);
  if (end <= start) {
    throw new PeriodError(
      'to',
      `--to (${to}) must be later than --from (${from})`,
    );
  }
  return periodOf(start, end);
}

/** The period of the same length that ends where `period` starts: the week before. */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  const from = period.from.getTime();
  return periodOf(from - (period.to.getTime() - from), from);
}

/** A period as the backend answered it (ms since the epoch). */
export function periodFromWindow(window: {
  start: number;
  end: number;
}): ReportPeriod {
  return periodOf(window.start, window.end);
}
