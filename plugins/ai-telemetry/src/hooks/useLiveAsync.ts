import { useSignal } from '@backstage/plugin-signals-react';
import {
  AI_TELEMETRY_DATA_CHANNEL,
  DataChangedMessage,
} from '@fawkes/plugin-ai-telemetry-common';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

/** A load's state, as react-use's useAsyncRetry gives it. */
export type LiveAsyncState<T> = {
  loading: boolean;
  error?: Error;
  value?: T;
  /** Loads again in the foreground (`loading` while it does). */
  retry: () => void;
};

type Loaded<T> = Omit<LiveAsyncState<T>, 'retry'>;

/**
 * Loads with `load` as react-use's useAsyncRetry does (a new `load` loads again; keep it
 * memoised), and loads again in the background whenever the backend announces new data on
 * the `ai-telemetry:data` signals channel (docs/architecture.md#live-pages). A background load
 * keeps the figures on show: `loading` stays false, an equal answer changes nothing, and a
 * failed one leaves the old figures (the next announcement tries again). Without the signals
 * API (an app without the signals plugin) it loads once, like useAsyncRetry; it never polls.
 */
export function useLiveAsync<T>(load: () => Promise<T>): LiveAsyncState<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: true });
  const latestCall = useRef(0);

  const run = useCallback(
    (background: boolean) => {
      // Only the newest load may set the state: an older answer is for an older view.
      const call = ++latestCall.current;
      if (!background) setState(current => ({ ...current, loading: true }));
      load().then(
        value => {
          if (call !== latestCall.current) return;
          setState(current =>
            background && !current.loading && isSame(current.value, value)
              ? current
              : { loading: false, value },
          );
        },
        (error: Error) => {
          if (call !== latestCall.current) return;
          setState(current =>
            background && !current.loading
              ? current
              : { loading: false, error },
          );
        },
      );
    },
    [load],
  );

  useEffect(() => {
    run(false);
  }, [run]);

  const { lastSignal } = useSignal<DataChangedMessage>(
    AI_TELEMETRY_DATA_CHANNEL,
  );
  const handledSignal = useRef(lastSignal);
  useEffect(() => {
    if (!lastSignal || lastSignal === handledSignal.current) return;
    handledSignal.current = lastSignal;
    run(true);
  }, [lastSignal, run]);

  const retry = useCallback(() => run(false), [run]);
  return useMemo(() => ({ ...state, retry }), [state, retry]);
}

/** Answers are JSON: an equal one is not worth drawing again. */
function isSame(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
