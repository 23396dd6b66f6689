import { parseArgs } from 'node:util';
import { UsageError } from '../cli/args';
import { CliIo, EXIT, USAGE } from '../cli/usage';
import { isError } from '../errors';
import { ENV } from '../settings';
import {
  DashboardClient,
  DashboardError,
  REPORT_TOKEN_ENV,
} from './DashboardClient';
import { formatMarkdown } from './formatReport';
import {
  customPeriod,
  isoWeekPeriod,
  lastCompleteIsoWeek,
  PeriodError,
  ReportPeriod,
} from './week';
import { createWeeklyReport } from './weeklyReport';

const DEFAULT_ENDPOINT = 'http://localhost:7007/api/ai-telemetry';

const REPORT_OPTIONS = {
  week: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  json: { type: 'boolean' },
  endpoint: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The period the flags ask for; the last complete ISO week when they name none. */
export function periodFromFlags(
  flags: { week?: string; from?: string; to?: string },
  now: Date,
): ReportPeriod {
  const { week, from, to } = flags;
  if (week !== undefined && (from !== undefined || to !== undefined)) {
    throw new UsageError('give either --week or --from and --to, not both');
  }
  if ((from === undefined) !== (to === undefined)) {
    throw new UsageError(
      `--${from === undefined ? 'from' : 'to'} is required with --${
        from === undefined ? 'to' : 'from'
      }`,
    );
  }
  try {
    if (week !== undefined) return isoWeekPeriod(week);
    if (from !== undefined && to !== undefined) return customPeriod(from, to);
  } catch (error) {
    if (error instanceof PeriodError) throw new UsageError(error.message);
    throw error;
  }
  return lastCompleteIsoWeek(now);
}

/**
 * `fawkes-ai-telemetry report`: the organisation's figures for a week (by default the last
 * complete ISO week) against the week before, from the backend's dashboard API. Markdown by
 * default, JSON with `--json`. Resolves to the exit code.
 */
export async function runReport(
  argv: string[],
  io: CliIo,
  now: () => Date = () => new Date(),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: REPORT_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"`);
  }
  const period = periodFromFlags(values, now());
  const token = values.token ?? io.env[REPORT_TOKEN_ENV];
  if (!token) {
    throw new UsageError(
      `the report needs the reporting service's token: --token or ${REPORT_TOKEN_ENV}`,
    );
  }
  const client = new DashboardClient({
    endpoint: values.endpoint ?? io.env[ENV.endpoint] ?? DEFAULT_ENDPOINT,
    token,
  });
  try {
    const report = await createWeeklyReport(client, period);
    io.out(
      values.json
        ? JSON.stringify(report, null, 2)
        : formatMarkdown(report, period),
    );
    return EXIT.ok;
  } catch (error) {
    if (!isError(error)) throw error;
    io.err(`fawkes-ai-telemetry report: ${error.message}`);
    return error instanceof DashboardError && error.refused
      ? EXIT.refused
      : EXIT.failed;
  }
}
