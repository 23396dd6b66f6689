import {
  METRICS,
  MetricName,
  OTLP_METRICS,
  TokenType,
  UNKNOWN_LANGUAGE,
  modelLabel,
  modelMatchesPattern,
  normaliseLabel,
  normaliseModelName,
} from '@fawkes/plugin-ai-telemetry-common';
import { ModelPrice } from '../config/AiTelemetryConfig';

/** The assistants whose OTLP metrics the receiver knows, as the `assistant` label spells them. */
export type OtlpAssistant = 'claude-code' | 'gemini-cli' | 'codex' | 'copilot';

/** What the mapping needs from the configuration. */
export type MappingSettings = {
  languages: readonly string[];
  assistants: readonly string[];
  models: readonly string[];
  pricing: readonly ModelPrice[];
  secondsPerLine: number;
};

/**
 * One contract counter a data point adds to: the stream's value times `factor` (1 for a plain
 * count; seconds per line for time saved; the price of one token for a computed cost).
 */
export type Target = {
  metric: MetricName;
  labels: Record<string, string>;
  factor: number;
};

/**
 * Why a data point was refused (the `reason` of `ai_telemetry_otlp_points_dropped_total`).
 * Every refused point is reported in the export's `partialSuccess` too.
 */
export const DROP_REASONS = [
  /** No source metric of that name (or of that name from that service) is mapped. */
  'unknown_metric',
  /** A known metric whose attributes the contract does not count (e.g. lines removed). */
  'not_counted',
  /** Another metric of the same assistant is the source of truth for the same figure. */
  'duplicate_source',
  /** Not a monotonic sum or histogram as documented, or no aggregation temporality. */
  'unsupported_type',
  /** No value, NaN or infinite. */
  'invalid_value',
  'negative_value',
  /** Above the largest value a data point may carry. */
  'value_out_of_range',
  /** No time, or a start after the end. */
  'invalid_timestamps',
  /** Older than what its stream counted, or overlapping it: cannot be counted exactly once. */
  'out_of_order',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** The largest value one data point may carry (its thousandths stay exact in a double). */
export const MAX_POINT_VALUE = 1e12;

/** Display names some sources give languages, as editor language ids. */
const LANGUAGE_ALIASES: Record<string, string> = {
  'c++': 'cpp',
  'c#': 'csharp',
};

/**
 * The `language` label: the source's language, lower-cased, bounded by the configured list
 * (`other` outside it); `unknown` when the source reports none, or says it does not know.
 */
export function languageLabel(
  value: string | undefined,
  languages: readonly string[],
): string {
  const language = (value ?? '').trim().toLowerCase();
  if (language === '' || language === UNKNOWN_LANGUAGE) return UNKNOWN_LANGUAGE;
  return normaliseLabel(LANGUAGE_ALIASES[language] ?? language, languages);
}

const PRICE_KEY: Record<TokenType, keyof Omit<ModelPrice, 'model'>> = {
  input: 'input',
  output: 'output',
  cache_read: 'cacheRead',
  cache_creation: 'cacheCreation',
  reasoning: 'reasoning',
};

/**
 * The configured price of one million tokens of a type of a model (the first entry whose
 * pattern matches the normalised model name), or `undefined`: then no cost is computed.
 */
export function pricePerMillion(
  model: string | undefined,
  type: TokenType,
  pricing: readonly ModelPrice[],
): number | undefined {
  const name = normaliseModelName(model);
  if (name === undefined) return undefined;
  const entry = pricing.find(price => modelMatchesPattern(name, price.model));
  return entry?.[PRICE_KEY[type]];
}

/** Builds the targets of one assistant's data points under the configuration. */
export class Targets {
  readonly assistant: string;

  constructor(
    assistant: OtlpAssistant,
    private readonly settings: MappingSettings,
  ) {
    this.assistant = normaliseLabel(assistant, settings.assistants);
  }

  /** Suggestions shown and accepted or rejected, e.g. an edit the user approved. */
  suggestion(accepted: boolean, language: string | undefined): Target[] {
    return [
      {
        metric: METRICS.suggestions,
        labels: {
          language: languageLabel(language, this.settings.languages),
          accepted: String(accepted),
          assistant: this.assistant,
        },
        factor: 1,
      },
    ];
  }

  /** Lines added by the assistant, and the time they saved (lines × seconds per line). */
  linesAdded(language: string | undefined): Target[] {
    return [
      {
        metric: METRICS.linesGenerated,
        labels: {
          language: languageLabel(language, this.settings.languages),
          assistant: this.assistant,
        },
        factor: 1,
      },
      {
        metric: METRICS.timeSaved,
        labels: { activity: 'code_generation', assistant: this.assistant },
        factor: this.settings.secondsPerLine,
      },
    ];
  }

  /**
   * Tokens of a type; with `priced`, also their cost at the configured price (for assistants
   * that report no cost of their own). No price configured, no cost.
   */
  tokens(
    model: string | undefined,
    type: TokenType,
    options: { priced: boolean },
  ): Target[] {
    const label = modelLabel(model, this.settings.models);
    const targets: Target[] = [
      {
        metric: OTLP_METRICS.tokens,
        labels: { assistant: this.assistant, model: label, type },
        factor: 1,
      },
    ];
    const price = options.priced
      ? pricePerMillion(model, type, this.settings.pricing)
      : undefined;
    if (price !== undefined && price > 0) {
      targets.push({
        metric: OTLP_METRICS.costUsd,
        labels: { assistant: this.assistant, model: label },
        factor: price / 1_000_000,
      });
    }
    return targets;
  }

  /** A cost the assistant reports itself, in US dollars. */
  cost(model: string | undefined): Target[] {
    return [
      {
        metric: OTLP_METRICS.costUsd,
        labels: {
          assistant: this.assistant,
          model: modelLabel(model, this.settings.models),
        },
        factor: 1,
      },
    ];
  }

  /** Seconds of active use, by the developer (`user`) or the agent working (`agent`). */
  activeSeconds(type: 'user' | 'agent'): Target[] {
    return [
      {
        metric: OTLP_METRICS.activeSeconds,
        labels: { assistant: this.assistant, type },
        factor: 1,
      },
    ];
  }

  /** A plain count labelled by assistant only: sessions, commits, pull requests. */
  count(
    metric:
      | typeof OTLP_METRICS.sessions
      | typeof OTLP_METRICS.commits
      | typeof OTLP_METRICS.pullRequests,
  ): Target[] {
    return [{ metric, labels: { assistant: this.assistant }, factor: 1 }];
  }
}
