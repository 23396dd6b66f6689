import {
  DASHBOARD_RANGES,
  DashboardQuery,
  DashboardRange,
  DEFAULT_DASHBOARD_RANGE,
} from '@fawkes/plugin-ai-telemetry-common';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The time ranges of the picker: the named ones, or a custom from–to. */
export type RangeChoice = DashboardRange | 'custom';

/** What a dashboard shows, as kept in the URL's query string so that a view can be shared. */
export type DashboardView = {
  range: RangeChoice;
  /** Custom range: first day, YYYY-MM-DD (UTC). */
  from?: string;
  /** Custom range: last day, included, YYYY-MM-DD (UTC). */
  to?: string;
  language?: string;
  assistant?: string;
};

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC date as YYYY-MM-DD. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Reads a view from a query string; anything missing or unknown falls back to the default. */
export function viewFromParams(params: URLSearchParams): DashboardView {
  const from = params.get('from') ?? undefined;
  const to = params.get('to') ?? undefined;
  const named = params.get('range');
  const range: RangeChoice =
    from && to && DATE.test(from) && DATE.test(to)
      ? 'custom'
      : DASHBOARD_RANGES.find(r => r === named) ?? DEFAULT_DASHBOARD_RANGE;
  return {
    range,
    ...(range === 'custom' && { from, to }),
    ...(params.get('language') && { language: params.get('language')! }),
    ...(params.get('assistant') && { assistant: params.get('assistant')! }),
  };
}

/** Writes a view as a query string (the default range is left out). */
export function viewToParams(view: DashboardView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.range === 'custom') {
    if (view.from) params.set('from', view.from);
    if (view.to) params.set('to', view.to);
  } else if (view.range !== DEFAULT_DASHBOARD_RANGE) {
    params.set('range', view.range);
  }
  if (view.language) params.set('language', view.language);
  if (view.assistant) params.set('assistant', view.assistant);
  return params;
}

/**
 * The API query of a view. A custom range covers whole UTC days, its last day included, so the
 * end sent is the midnight after it.
 */
export function viewToQuery(view: DashboardView): DashboardQuery {
  const filters: DashboardQuery = {
    ...(view.language && { language: view.language }),
    ...(view.assistant && { assistant: view.assistant }),
  };
  if (view.range === 'custom' && view.from && view.to) {
    const end = Date.parse(`${view.to}T00:00:00Z`) + DAY_MS;
    return {
      from: `${view.from}T00:00:00Z`,
      to: new Date(end).toISOString().replace('.000Z', 'Z'),
      ...filters,
    };
  }
  const range = view.range === 'custom' ? DEFAULT_DASHBOARD_RANGE : view.range;
  return { range, ...filters };
}

/** The dashboard view of the current URL, and a way to change it. */
export function useDashboardView(): {
  view: DashboardView;
  query: DashboardQuery;
  setView: (change: Partial<DashboardView>) => void;
} {
  const [params, setParams] = useSearchParams();
  // The params object may change without its content changing: the view follows the content.
  const search = params.toString();
  const view = useMemo(
    () => viewFromParams(new URLSearchParams(search)),
    [search],
  );
  const query = useMemo(() => viewToQuery(view), [view]);
  const setView = useCallback(
    (change: Partial<DashboardView>) => {
      const next: DashboardView = { ...view, ...change };
      if (change.range === 'custom' && (!next.from || !next.to)) {
        const now = Date.now();
        next.from = next.from ?? utcDate(now - 30 * DAY_MS);
        next.to = next.to ?? utcDate(now);
      }
      setParams(viewToParams(next));
    },
    [view, setParams],
  );
  return { view, query, setView };
}
