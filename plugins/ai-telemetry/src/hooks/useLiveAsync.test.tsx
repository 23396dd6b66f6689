import { TestApiProvider } from '@backstage/test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { ReactNode } from 'react';
import { FakeSignalApi } from '../__testUtils__/signals';
import { useLiveAsync } from './useLiveAsync';

/** A promise the test settles itself. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function renderLive<T>(load: () => Promise<T>, signals?: FakeSignalApi) {
  const wrapper = ({ children }: { children: ReactNode }) =>
    signals ? (
      <TestApiProvider apis={[[signalApiRef, signals]]}>
        {children}
      </TestApiProvider>
    ) : (
      <TestApiProvider apis={[]}>{children}</TestApiProvider>
    );
  const states: Array<{ loading: boolean; value?: T; error?: Error }> = [];
  const hook = renderHook(
    () => {
      const state = useLiveAsync(load);
      states.push(state);
      return state;
    },
    { wrapper },
  );
  return { ...hook, states };
}

describe('useLiveAsync', () => {
  it('loads again in the background when new data is announced, keeping the old value on show', async () => {
    const signals = new FakeSignalApi();
    const refresh = deferred<{ total: number }>();
    const load = jest
      .fn()
      .mockResolvedValueOnce({ total: 1 })
      .mockReturnValueOnce(refresh.promise);
    const { result, states } = renderLive(load, signals);
    await waitFor(() => expect(result.current.value).toEqual({ total: 1 }));
    const shownBefore = states.length;

    signals.announceNewData();
    expect(load).toHaveBeenCalledTimes(2);
    expect(result.current).toMatchObject({
      loading: false,
      value: { total: 1 },
    });

    refresh.resolve({ total: 2 });
    await waitFor(() => expect(result.current.value).toEqual({ total: 2 }));
    // Never a loading state between the old figure and the new one.
    expect(states.slice(shownBefore).every(s => !s.loading)).toBe(true);
  });

  it('keeps the old value when a background load fails or answers the same', async () => {
    const signals = new FakeSignalApi();
    const first = { total: 1 };
    const load = jest
      .fn()
      .mockResolvedValueOnce(first)
      .mockRejectedValueOnce(new Error('Prometheus is down'))
      .mockResolvedValueOnce({ total: 1 });
    const { result } = renderLive(load, signals);
    await waitFor(() => expect(result.current.value).toBe(first));

    signals.announceNewData();
    await waitFor(() => expect(load).toHaveBeenCalledTimes(2));
    signals.announceNewData();
    await waitFor(() => expect(load).toHaveBeenCalledTimes(3));
    await new Promise(resolve => setTimeout(resolve, 10));

    expect(result.current.error).toBeUndefined();
    expect(result.current.loading).toBe(false);
    // The same object: nothing is drawn again.
    expect(result.current.value).toBe(first);
  });

  it('shows an error when a background load fails before anything was shown', async () => {
    const signals = new FakeSignalApi();
    const initial = deferred<number>();
    const load = jest
      .fn()
      .mockReturnValueOnce(initial.promise)
      .mockRejectedValueOnce(new Error('Prometheus is down'));
    const { result } = renderLive(load, signals);

    signals.announceNewData();
    initial.resolve(1);

    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.error?.message).toBe('Prometheus is down');
  });

  it('loads once and never polls without the signals API', async () => {
    jest.useFakeTimers();
    try {
      const load = jest.fn().mockResolvedValue(1);
      const { result } = renderLive(load);
      await waitFor(() => expect(result.current.value).toBe(1));
      await jest.advanceTimersByTimeAsync(10 * 60_000);
      expect(load).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('retries in the foreground, and unsubscribes when unmounted', async () => {
    const signals = new FakeSignalApi();
    const load = jest.fn().mockRejectedValueOnce(new Error('502'));
    load.mockResolvedValueOnce(2);
    const { result, unmount } = renderLive(load, signals);
    await waitFor(() => expect(result.current.error?.message).toBe('502'));
    expect(signals.subscribers('ai-telemetry:data')).toBe(1);

    act(() => result.current.retry());
    await waitFor(() => expect(result.current.value).toBe(2));
    expect(result.current.error).toBeUndefined();

    unmount();
    expect(signals.subscribers('ai-telemetry:data')).toBe(0);
  });
});
