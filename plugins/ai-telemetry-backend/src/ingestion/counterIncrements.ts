import {
  METRICS,
  TelemetryEvent,
  normaliseLabel,
  timeSavedSeconds,
} from '@fawkes/plugin-ai-telemetry-common';
import { CounterIncrement } from '../database/CounterStore';

/**
 * What the counters depend on besides the events (docs/metric-contract.md#from-events-to-counters):
 * the configured allow-lists and estimate (docs/operations.md#configuration).
 */
export type IncrementSettings = {
  languages: readonly string[];
  assistants: readonly string[];
  secondsPerLine: number;
};

/** The default activity of a suggestion's time saved. */
const DEFAULT_ACTIVITY = 'code_completion';

/** Seconds to thousandths, the unit counters are stored in. */
function toMilli(value: number): number {
  return Math.round(value * 1000);
}

/**
 * The counter increments of a batch's events, under the metric contract:
 * - a suggestion adds `count` to `ai_copilot_suggestions_total{language, accepted, assistant}`;
 *   an accepted one also adds `count × lines` to `ai_copilot_lines_generated{language, assistant}`
 *   and `count × max(0, lines × secondsPerLine − waitMs / 1000)` to
 *   `ai_copilot_time_saved_seconds{activity, assistant}` (`count` suggestions alike: `lines` and
 *   `waitMs` are each one's);
 * - a feature event adds `count` to `ai_copilot_feature_usage{feature, assistant}`;
 * - a time-saved event adds its `seconds` to `ai_copilot_time_saved_seconds{activity, assistant}`.
 * Languages and assistants outside the configured lists count as `other`; nothing adds 0.
 */
export function toCounterIncrements(
  events: readonly TelemetryEvent[],
  settings: IncrementSettings,
): CounterIncrement[] {
  const increments: CounterIncrement[] = [];
  for (const event of events) {
    const assistant = normaliseLabel(event.assistant, settings.assistants);
    switch (event.kind) {
      case 'suggestion': {
        const count = event.count ?? 1;
        const language = normaliseLabel(event.language, settings.languages);
        increments.push({
          metric: METRICS.suggestions,
          labels: {
            language,
            accepted: event.accepted ? 'true' : 'false',
            assistant,
          },
          valueMilli: count * 1000,
        });
        if (event.accepted) {
          const lines = event.lines ?? 0;
          const saved = toMilli(
            timeSavedSeconds(
              lines,
              (event.waitMs ?? 0) / 1000,
              settings.secondsPerLine,
            ),
          );
          if (lines > 0) {
            increments.push({
              metric: METRICS.linesGenerated,
              labels: { language, assistant },
              valueMilli: count * lines * 1000,
            });
          }
          if (saved > 0) {
            increments.push({
              metric: METRICS.timeSaved,
              labels: {
                activity: event.activity ?? DEFAULT_ACTIVITY,
                assistant,
              },
              valueMilli: count * saved,
            });
          }
        }
        break;
      }
      case 'feature':
        increments.push({
          metric: METRICS.featureUsage,
          labels: { feature: event.feature, assistant },
          valueMilli: (event.count ?? 1) * 1000,
        });
        break;
      case 'time_saved': {
        const saved = toMilli(event.seconds);
        if (saved > 0) {
          increments.push({
            metric: METRICS.timeSaved,
            labels: { activity: event.activity, assistant },
            valueMilli: saved,
          });
        }
        break;
      }
      default:
        throw new Error(
          `unknown event kind ${(event as { kind: string }).kind}`,
        );
    }
  }
  return increments;
}
