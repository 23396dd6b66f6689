const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
const money = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** 12,345 */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** 4.7 (at most one decimal) */
export function formatDecimal(value: number): string {
  return oneDecimal.format(value);
}

/** 0.321 → "32.1 %"; null → "—" (nothing shown, no ratio). */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—';
  return `${oneDecimal.format(ratio * 100)} %`;
}

/** An amount in the currency of the estimates (config), without a symbol. */
export function formatMoney(value: number): string {
  return money.format(value);
}

const dollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 2,
});
const largeDollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});

/** US dollars: "$12.34", "$1,235" from a thousand on. */
export function formatUsd(value: number): string {
  return (Math.abs(value) >= 1000 ? largeDollars : dollars).format(value);
}

const smallDollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumSignificantDigits: 3,
});

/** A cost per unit (a line): "$0.0412" below a dollar, as {@link formatUsd} above. */
export function formatUnitCost(value: number): string {
  return Math.abs(value) < 1 ? smallDollars.format(value) : formatUsd(value);
}

/** 4.2 M, 870 k, 512: large counts (tokens) at a glance. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${oneDecimal.format(value / 1e9)} G`;
  if (abs >= 1e6) return `${oneDecimal.format(value / 1e6)} M`;
  if (abs >= 1e4) return `${integer.format(value / 1e3)} k`;
  return integer.format(value);
}

/** Seconds as hours: "41.5 h". */
export function formatHours(seconds: number): string {
  return `${oneDecimal.format(seconds / 3600)} h`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A time as the charts show it (UTC, as the backend's windows are): "2026-11-03" or "11-03 14:00". */
export function formatTime(ms: number, stepSeconds: number): string {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(
    d.getUTCDate(),
  )}`;
  if (stepSeconds >= 86400) return date;
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(
    d.getUTCHours(),
  )}:${pad(d.getUTCMinutes())}`;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * A tick label for a time axis covering `spanMs`: "11-05" for ranges over two days; for
 * shorter ones the hour ("14:00"), with the date at midnight ("11-05").
 */
export function formatTick(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const day = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (spanMs > 2 * DAY_MS || d.getUTCHours() === 0) return day;
  return `${pad(d.getUTCHours())}:00`;
}

/**
 * Ticks for a time axis from `start` to `end` (ms, UTC): midnights, at most about eight, for
 * ranges over two days; otherwise hours divisible by three (or six, over a day).
 */
export function timeTicks(start: number, end: number): number[] {
  if (!(end > start)) return [];
  const span = end - start;
  const step =
    span > 2 * DAY_MS
      ? Math.ceil(span / DAY_MS / 8) * DAY_MS
      : (span > DAY_MS ? 6 : 3) * HOUR_MS;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
    ticks.push(t);
  }
  return ticks;
}

/** An ISO time for CSV files and tables. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** An ISO timestamp as a reader sees it, in UTC: "2026-11-03 14:05 UTC". */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(
    d.getUTCDate(),
  )} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}
