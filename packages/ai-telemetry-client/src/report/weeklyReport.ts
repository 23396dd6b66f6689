import {
  isPanelError,
  LanguageShare,
  LinesGeneratedPanel,
  OverviewPanel,
  PanelError,
  ReportAnswer,
  ReportDashboard,
  TimeSavedPanel,
} from './dashboard';
import {
  backendError,
  DashboardClient,
  DashboardError,
} from './DashboardClient';
import { periodFromWindow, previousPeriod, ReportPeriod } from './week';

/** The figures of one period, exactly as the dashboard API computed them. */
export type ReportFigures = {
  /** Suggestions shown. */
  totalSuggestions: number;
  acceptedSuggestions: number;
  /** accepted / shown, 0..1; null when nothing was shown. */
  acceptanceRate: number | null;
  /** Lines accepted from assistants. */
  linesGenerated: number;
  /** Estimated time saved, in hours. */
  timeSavedHours: number;
  /** Distinct developers who were shown a suggestion. */
  activeUsers: number;
};

export type FigureName = keyof ReportFigures;

/** The order in which a report lists its figures. */
export const FIGURE_NAMES: FigureName[] = [
  'totalSuggestions',
  'acceptedSuggestions',
  'acceptanceRate',
  'linesGenerated',
  'timeSavedHours',
  'activeUsers',
];

/**
 * A figure against the period before. For the acceptance rate, `absolute` is the difference of
 * the two rates (0.02 = 2 percentage points).
 */
export type FigureChange = {
  /** current − previous; null when either is undefined. */
  absolute: number | null;
  /** (current − previous) / previous × 100; null when the previous value is 0 or undefined. */
  percent: number | null;
};

/** A period as a report shows it (ISO 8601, UTC, `to` exclusive). */
export type ReportPeriodJson = { label: string; from: string; to: string };

/** `fawkes-ai-telemetry report --json`. */
export type WeeklyReport = {
  /** The period the figures cover, as the backend aligned it. */
  period: ReportPeriodJson;
  /** The period of the same length just before, that `change` compares with. */
  previousPeriod: ReportPeriodJson;
  figures: ReportFigures;
  previous: ReportFigures;
  change: Record<FigureName, FigureChange>;
  /** The five languages with the most suggestions in the period, most first. */
  topLanguages: LanguageShare[];
};

type ReportPanels = {
  overview: OverviewPanel;
  linesGenerated: LinesGeneratedPanel;
  timeSaved: TimeSavedPanel;
};

function panelsOf(answer: ReportAnswer, endpoint: string): ReportPanels {
  if ('tooFewParticipants' in answer && answer.tooFewParticipants) {
    throw new DashboardError(
      `The backend at ${endpoint} withholds the organisation's figures for this period (${
        answer.reason === 'differencing'
          ? 'they would let someone single out fewer than'
          : 'fewer than'
      } ${answer.minGroupSize} developers${
        answer.reason === 'differencing' ? '' : ' have data'
      }); there is nothing to report`,
    );
  }
  const dashboard = answer as ReportDashboard;
  const wanted = ['overview', 'linesGenerated', 'timeSaved'] as const;
  const failed = wanted
    .map(id => dashboard.panels[id])
    .find((panel): panel is PanelError => isPanelError(panel));
  if (failed) {
    throw backendError(
      endpoint,
      failed.error.statusCode,
      failed.error.message,
      `the ${failed.id} panel`,
    );
  }
  return {
    overview: dashboard.panels.overview as OverviewPanel,
    linesGenerated: dashboard.panels.linesGenerated as LinesGeneratedPanel,
    timeSaved: dashboard.panels.timeSaved as TimeSavedPanel,
  };
}

/** The report's figures from a dashboard answer; throws when a panel they come from failed. */
export function figuresOf(
  dashboard: ReportAnswer,
  endpoint: string,
): ReportFigures {
  const { overview, linesGenerated, timeSaved } = panelsOf(dashboard, endpoint);
  return {
    totalSuggestions: overview.data.totalSuggestions,
    acceptedSuggestions: overview.data.acceptedSuggestions,
    acceptanceRate: overview.data.acceptanceRate,
    linesGenerated: linesGenerated.data.totalLines,
    timeSavedHours: timeSaved.data.totalHours,
    activeUsers: overview.data.activeUsers,
  };
}

function changeOf(current: number | null, previous: number | null) {
  if (current === null || previous === null) {
    return { absolute: null, percent: null };
  }
  const absolute = current - previous;
  return {
    absolute,
    percent: previous === 0 ? null : (absolute / previous) * 100,
  };
}

function periodJson(period: ReportPeriod): ReportPeriodJson {
  return {
    label: period.label,
    from: period.from.toISOString(),
    to: period.to.toISOString(),
  };
}

/** The report of two dashboard answers: the period's and the one before. */
export function buildWeeklyReport(
  current: ReportAnswer,
  previous: ReportAnswer,
  endpoint: string,
): WeeklyReport {
  const figures = figuresOf(current, endpoint);
  const before = figuresOf(previous, endpoint);
  const change = Object.fromEntries(
    FIGURE_NAMES.map(name => [name, changeOf(figures[name], before[name])]),
  ) as Record<FigureName, FigureChange>;
  return {
    period: periodJson(periodFromWindow(current.window)),
    previousPeriod: periodJson(periodFromWindow(previous.window)),
    figures,
    previous: before,
    change,
    topLanguages: panelsOf(current, endpoint).overview.data.topLanguages,
  };
}

/** Asks the backend for the period and the one before, and compares them. */
export async function createWeeklyReport(
  client: DashboardClient,
  period: ReportPeriod,
): Promise<WeeklyReport> {
  const [current, previous] = await Promise.all([
    client.dashboard(period),
    client.dashboard(previousPeriod(period)),
  ]);
  return buildWeeklyReport(current, previous, client.endpoint);
}
