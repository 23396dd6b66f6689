import { PanelState } from '../hooks/usePanelStates';

/** A panel state with an answer. */
export function loaded<P>(panel: P, retry = jest.fn()): PanelState<P> {
  return { loading: false, panel, retry };
}

/** A panel state while the answer is on its way. */
export function loading<P>(): PanelState<P> {
  return { loading: true, retry: jest.fn() };
}

/** A panel state after the server answered with an error. */
export function failed<P>(message: string, retry = jest.fn()): PanelState<P> {
  return {
    loading: false,
    error: { name: 'ServiceUnavailableError', message, statusCode: 503 },
    retry,
  };
}
