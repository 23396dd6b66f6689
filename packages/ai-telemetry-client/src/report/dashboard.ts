/**
 * The part of the answer of `GET /v1/dashboard` that a report reads: the window and three
 * panels. The backend's full type is `DashboardResponse` of `@fawkes/plugin-ai-telemetry-common`;
 * `contract.test.ts` checks that it fits this one.
 */

/** A language's share of the suggestions. */
export type LanguageShare = {
  language: string;
  suggestions: number;
  accepted: number;
  /** accepted / suggestions, 0..1. */
  acceptanceRate: number | null;
  /** This language's suggestions / all suggestions, 0..1. */
  share: number;
};

/** A panel of a dashboard that could not be computed while others could. */
export type PanelError = {
  id: string;
  error: {
    name: string;
    message: string;
    /** The HTTP status the panel alone would have been answered with (502, 503, 504...). */
    statusCode: number;
  };
};

/** The headline figures. */
export type OverviewPanel = {
  data: {
    totalSuggestions: number;
    acceptedSuggestions: number;
    /** accepted / shown, 0..1; null when nothing was shown. */
    acceptanceRate: number | null;
    activeUsers: number;
    /** The five languages with the most suggestions, most first. */
    topLanguages: LanguageShare[];
  };
};

export type LinesGeneratedPanel = { data: { totalLines: number } };

export type TimeSavedPanel = { data: { totalHours: number } };

/** A dashboard answer, as far as a report reads it. */
export type ReportDashboard = {
  /** The window the backend aligned the request to (ms since the epoch, `end` exclusive). */
  window: { start: number; end: number };
  panels: {
    overview: OverviewPanel | PanelError;
    linesGenerated: LinesGeneratedPanel | PanelError;
    timeSaved: TimeSavedPanel | PanelError;
  };
};

/**
 * The organisation's answer when fewer than `minGroupSize` developers have data in the period
 * (or the figures would let someone subtract views): no figures at all.
 */
export type ReportTooFewParticipants = {
  tooFewParticipants: true;
  reason: string;
  minGroupSize: number;
  window: { start: number; end: number };
};

/** What `GET /v1/dashboard` answers, as far as a report reads it. */
export type ReportAnswer = ReportDashboard | ReportTooFewParticipants;

/** Tells a panel answer from a {@link PanelError}. */
export function isPanelError(panel: object): panel is PanelError {
  return 'error' in panel;
}
