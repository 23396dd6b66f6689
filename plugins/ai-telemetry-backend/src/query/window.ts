import { DashboardRange } from '@fawkes/plugin-ai-telemetry-common';

/** Seconds in an hour and a day. */
export const HOUR = 3600;
export const DAY = 86400;

/** Seconds of each named range. */
export const RANGE_SECONDS: Record<DashboardRange, number> = {
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
  '90d': 90 * DAY,
};

/** Points a chart series aims at, at most: a step is the smallest that keeps to it. */
export const TARGET_POINTS = 250;

/**
 * The most points any one range query may return: a tenth of Prometheus's limit of 11,000, so
 * that no query comes near it.
 */
export const MAX_POINTS_PER_QUERY = 1100;

/** The steps a dashboard uses; each divides a day, so that days and hours align. */
export const STEPS = [
  300,
  900,
  1800,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
] as const;

/**
 * How finely `now` is read for a window that reaches the present: requests within the same 15
 * seconds ask the same queries (and share cached answers), and a counted event is on the
 * dashboard once Prometheus has scraped it and the next 15 seconds have begun.
 */
export const LIVE_RESOLUTION_SECONDS = 15;

/** The shortest range a dashboard shows. */
export const MIN_RANGE_SECONDS = HOUR;

/** How far back the acceptance rate's moving average reaches. */
export const MOVING_AVERAGE_SECONDS = 7 * DAY;

/**
 * The step for a range: the smallest of {@link STEPS} that gives at most {@link TARGET_POINTS}
 * points (24 h → 15 min, 7 d → 1 h, 30 d → 3 h, 90 d → 12 h), a day for longer ranges; and
 * never so small that the acceptance rate's query, which reads a week before the window for its
 * moving average, would return more than {@link MAX_POINTS_PER_QUERY} points (so an hour's
 * window has 15-minute steps, not 5-minute ones).
 */
export function chooseStep(rangeSeconds: number): number {
  for (const step of STEPS) {
    if (
      rangeSeconds / step <= TARGET_POINTS &&
      (rangeSeconds + MOVING_AVERAGE_SECONDS) / step < MAX_POINTS_PER_QUERY
    ) {
      return step;
    }
  }
  return DAY;
}

/** Bars (lines generated) are daily from three days on, hourly below. */
export function chooseBarStep(rangeSeconds: number): number {
  return rangeSeconds >= 3 * DAY ? DAY : HOUR;
}

/** A dashboard's window, in unix seconds, aligned as {@link resolveWindow} describes. */
export type WindowSpec = {
  /** First instant covered. */
  start: number;
  /** End of the last bucket, exclusive (after `asOf` when that bucket is still running). */
  end: number;
  /**
   * What the figures run to: now, for a window that reaches the present (its last bucket is
   * partial and fills as the day goes on); `end` for a window wholly in the past.
   */
  asOf: number;
  /** Seconds between the points of time series. */
  step: number;
  /** Seconds per bar of the lines-generated chart. */
  barStep: number;
};

/** Why a window cannot be made: the request's field and what is wrong with it. */
export class PanelParameterError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'PanelParameterError';
  }
}

/**
 * Turns a requested range into the window a dashboard covers. The step comes from the range;
 * the window is aligned to whole days (ranges of three days or more) or whole hours, and a
 * named range ends with the day (or hour) that holds `now`: today is on the dashboard, partial,
 * its figures running up to now (`asOf`). A custom range is aligned outwards and cut at the end
 * of the current day or hour. No window starts earlier than the retention allows. Aligned
 * windows make equal requests ask equal queries for every complete bucket, which is what the
 * cache is keyed on; only the running bucket's queries change with `now`.
 */
export function resolveWindow(
  request: { range: DashboardRange } | { from: number; to: number },
  options: { now: number; retentionDays: number },
): WindowSpec {
  const requested =
    'range' in request
      ? RANGE_SECONDS[request.range]
      : request.to - request.from;
  if (!(requested >= MIN_RANGE_SECONDS)) {
    throw new PanelParameterError(
      'to',
      `the range must be at least ${MIN_RANGE_SECONDS / HOUR} hour long`,
    );
  }
  const step = chooseStep(requested);
  const barStep = chooseBarStep(requested);
  const align = Math.max(step, barStep);
  const currentEnd = Math.ceil(options.now / align) * align;
  const earliestStart =
    Math.floor((options.now - options.retentionDays * DAY) / align) * align;

  let start: number;
  let end: number;
  if ('range' in request) {
    end = currentEnd;
    start = end - requested;
  } else {
    end = Math.min(Math.ceil(request.to / align) * align, currentEnd);
    start = Math.floor(request.from / align) * align;
  }
  start = Math.max(start, earliestStart);
  if (end - start < align || end <= earliestStart) {
    throw new PanelParameterError(
      'from',
      `the range holds no ${
        align === DAY ? 'day' : 'hour'
      } within the retention of ${options.retentionDays} days before now`,
    );
  }
  return { start, end, asOf: Math.min(end, options.now), step, barStep };
}

/** The start of every bucket of `step` seconds in the window that has begun by `asOf`. */
export function bucketStartsOf(window: WindowSpec, step: number): number[] {
  const starts: number[] = [];
  for (let t = window.start; t < window.asOf && t < window.end; t += step) {
    starts.push(t);
  }
  return starts;
}

/** Points a range query from `start` to `end` (inclusive) every `step` seconds returns. */
export function pointCount(start: number, end: number, step: number): number {
  return Math.floor((end - start) / step) + 1;
}
