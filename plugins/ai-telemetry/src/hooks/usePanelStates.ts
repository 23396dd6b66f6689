import { ResponseError } from '@backstage/errors';
import {
  DashboardResponse,
  isPanelError,
  PANEL_IDS,
  PanelId,
  PanelResponseById,
} from '@fawkes/plugin-ai-telemetry-common';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

/** Why a panel has no figures: the server's message, and the status it answered with. */
export type PanelFailure = {
  name: string;
  message: string;
  statusCode?: number;
};

/** One panel's state on the page. */
export type PanelState<P> = {
  loading: boolean;
  error?: PanelFailure;
  panel?: P;
  /** Loads this panel again (only this one when the API allows it). */
  retry: () => void;
};

/** The state of every panel of a dashboard. */
export type PanelStates = { [K in PanelId]: PanelState<PanelResponseById[K]> };

/** The server's error (name, message, status) of a failed request, or the error itself. */
export function failureOf(error: Error): PanelFailure {
  if (error instanceof ResponseError || error.name === 'ResponseError') {
    const response = error as ResponseError;
    return {
      name: response.cause?.name ?? response.name,
      message: response.cause?.message ?? response.message,
      statusCode: response.statusCode,
    };
  }
  return { name: error.name, message: error.message };
}

type Override = { loading: boolean; error?: PanelFailure; panel?: unknown };

/**
 * Splits a dashboard request into one state per panel: while it loads, every panel loads;
 * when it fails, every panel shows its error; a panel the server could not compute shows its
 * own error while the others show their figures. Retrying a panel reloads that panel alone
 * when `loadPanel` is given, otherwise the whole dashboard.
 */
export function usePanelStates(
  dashboard: {
    loading: boolean;
    error?: Error;
    value?: Pick<DashboardResponse, 'panels'>;
    retry: () => void;
  },
  loadPanel?: (id: PanelId) => Promise<PanelResponseById[PanelId]>,
): PanelStates {
  const [overrides, setOverrides] = useState<
    Partial<Record<PanelId, Override>>
  >({});
  const generation = useRef(0);
  const { loading, error, value, retry } = dashboard;

  useEffect(() => {
    generation.current += 1;
    setOverrides({});
  }, [value, error, loadPanel]);

  const retryPanel = useCallback(
    (id: PanelId) => {
      if (!loadPanel) {
        retry();
        return;
      }
      const started = generation.current;
      const set = (override: Override) => {
        if (generation.current === started) {
          setOverrides(current => ({ ...current, [id]: override }));
        }
      };
      set({ loading: true });
      loadPanel(id).then(
        panel => set({ loading: false, panel }),
        (e: Error) => set({ loading: false, error: failureOf(e) }),
      );
    },
    [loadPanel, retry],
  );

  return useMemo(() => {
    const stateOf = (id: PanelId): PanelState<unknown> => {
      const retryThis = () => retryPanel(id);
      const override = overrides[id];
      if (override) return { ...override, retry: retryThis };
      if (loading) return { loading: true, retry: retryThis };
      if (error) return { loading: false, error: failureOf(error), retry };
      const panel = value?.panels[id];
      if (!panel) {
        return {
          loading: false,
          error: { name: 'Error', message: `The answer has no ${id} panel` },
          retry,
        };
      }
      if (isPanelError(panel)) {
        return { loading: false, error: panel.error, retry: retryThis };
      }
      return { loading: false, panel, retry: retryThis };
    };
    return Object.fromEntries(
      PANEL_IDS.map(id => [id, stateOf(id)]),
    ) as PanelStates;
  }, [overrides, loading, error, value, retry, retryPanel]);
}
