import { SignalApi, SignalSubscriber } from '@backstage/plugin-signals-react';
import {
  AI_TELEMETRY_DATA_CHANNEL,
  DataChangedMessage,
} from '@fawkes/plugin-ai-telemetry-common';
import { act } from '@testing-library/react';

type Listener = Parameters<SignalApi['subscribe']>[1];

/** The signals API of the app, in memory: tests send the backend's messages themselves. */
export class FakeSignalApi implements SignalApi {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe: SignalApi['subscribe'] = (channel, onMessage) => {
    const listeners = this.listeners.get(channel) ?? new Set<Listener>();
    listeners.add(onMessage as Listener);
    this.listeners.set(channel, listeners);
    const subscriber: SignalSubscriber = {
      unsubscribe: () => listeners.delete(onMessage as Listener),
    };
    return subscriber;
  };

  /** How many subscribers a channel has. */
  subscribers(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }

  /** What the backend sends when new data can be seen (LiveUpdates). */
  announceNewData(): void {
    const message: DataChangedMessage = {
      kind: 'counters-updated',
      at: Date.now(),
    };
    act(() => {
      for (const listener of this.listeners.get(AI_TELEMETRY_DATA_CHANNEL) ??
        []) {
        listener({ ...message });
      }
    });
  }
}
