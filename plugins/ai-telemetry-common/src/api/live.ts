/**
 * Live pages (docs/architecture.md#live-pages): the backend announces new data on a Backstage
 * signals channel, and open pages load their figures again when it does.
 */

/** The signals channel the backend announces new data on, to every signed-in user. */
export const AI_TELEMETRY_DATA_CHANNEL = 'ai-telemetry:data';

/**
 * The message on {@link AI_TELEMETRY_DATA_CHANNEL}: counters were added to (and can be in
 * Prometheus by now) or erased. It goes to everyone, so it says only that something changed and
 * when: never whose data, never a figure.
 */
export type DataChangedMessage = {
  kind: 'counters-updated';
  /** When the message was sent, in milliseconds since the epoch. */
  at: number;
};
