import {
  GITHUB_IMPORT_ASSISTANT,
  METRICS,
  OTLP_METRICS,
  normaliseLabel,
  OTHER,
} from '@fawkes/plugin-ai-telemetry-common';
import { CounterIncrement } from '../database/CounterStore';
import { languageLabel } from '../otlp/mapping';

/**
 * The report's feature that counts no suggestions: edits an agent writes into files, which
 * follow no "suggest, then accept" flow (GitHub: "`agent_edit` is not included in
 * suggestion-based metrics").
 */
const AGENT_EDIT = 'agent_edit';
/** The report's inline completions; every other feature is chat, inline chat or an agent. */
const CODE_COMPLETION = 'code_completion';
/** The chat features of `totals_by_feature`, whose prompts count as `chat` feature use. */
const CHAT_FEATURE = /^chat_(panel_[a-z]+_mode|inline)$/;

/** What the mapping needs from the configuration. */
export type ReportMappingSettings = {
  languages: readonly string[];
  assistants: readonly string[];
  secondsPerLine: number;
};

/** A line of a `users-1-day` report, reduced to what the contract counts. */
export type MappedReportLine = {
  /** `user_login`, lower case: whose line it is. Never stored. */
  login: string;
  increments: CounterIncrement[];
};

/** The largest count a report field may hold (its thousandths stay exact in a double). */
const MAX_COUNT = 1e12;

/** Why a line of an opted-in developer could not be counted (the line itself is never quoted). */
export class ReportLineError extends Error {
  name = 'ReportLineError' as const;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A count field: absent is 0; anything but a non-negative integer is an invalid report. */
function count(record: Json, field: string, where: string): number {
  const value = record[field];
  if (value === undefined || value === null) return 0;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_COUNT
  ) {
    throw new ReportLineError(
      `${where}.${field} is not a count (a non-negative integer)`,
    );
  }
  return value;
}

function entries(record: Json, field: string): Json[] | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every(isObject)) {
    throw new ReportLineError(`${field} is not a list of objects`);
  }
  return value;
}

/** Whose line it is (`user_login`, lower case), or undefined for a line without one. */
export function loginOf(line: unknown): string | undefined {
  if (!isObject(line)) return undefined;
  const login = line.user_login;
  return typeof login === 'string' && login !== ''
    ? login.toLowerCase()
    : undefined;
}

/** The `day` of a line, when it has one. */
export function dayOf(line: unknown): string | undefined {
  return isObject(line) && typeof line.day === 'string' ? line.day : undefined;
}

/**
 * Maps one line of a `users-1-day` report onto the contract, with `assistant="copilot"`
 * (docs/metric-contract.md#from-github-copilot-reports-to-counters). Only the documented fields
 * named here are read; every other field of the line is ignored.
 *
 * - Suggestions by language, from `totals_by_language_feature` without `agent_edit`:
 *   `code_acceptance_activity_count` accepted, and `code_generation_activity_count` minus it
 *   (at least 0) not accepted.
 * - Lines accepted by language: `loc_added_sum` of every feature (agent edits included), and
 *   the time they saved, lines × `secondsPerLine` (`code_completion` for completions,
 *   `code_generation` for everything else).
 * - Without `totals_by_language_feature`, the same from `totals_by_feature` (language
 *   `unknown`), else from the line's totals (language `unknown`, every feature).
 * - Feature use from `totals_by_feature`: completions shown (`code_generation_activity_count`
 *   of `code_completion`) as `completion`; prompts (`user_initiated_interaction_count`) of the
 *   chat panel's modes and inline chat as `chat`.
 * - Copilot CLI (`totals_by_cli`): `session_count` as sessions; `token_usage.prompt_tokens_sum`
 *   and `output_tokens_sum` as input and output tokens of model `other` (the report names none).
 */
export function mapReportLine(
  line: unknown,
  settings: ReportMappingSettings,
): CounterIncrement[] {
  if (!isObject(line)) throw new ReportLineError('the line is not an object');
  const assistant = normaliseLabel(
    GITHUB_IMPORT_ASSISTANT,
    settings.assistants,
  );
  const increments: CounterIncrement[] = [];
  const add = (
    metric: CounterIncrement['metric'],
    labels: Record<string, string>,
    value: number,
  ) => {
    if (value > 0) {
      increments.push({ metric, labels, valueMilli: Math.round(value * 1000) });
    }
  };

  type Row = { language?: string; feature?: string; record: Json };
  const byLanguage = entries(line, 'totals_by_language_feature');
  const byFeature = entries(line, 'totals_by_feature');
  let rows: Row[];
  if (byLanguage && byLanguage.length > 0) {
    rows = byLanguage.map(record => ({
      language:
        typeof record.language === 'string' ? record.language : undefined,
      feature: typeof record.feature === 'string' ? record.feature : undefined,
      record,
    }));
  } else if (byFeature && byFeature.length > 0) {
    rows = byFeature.map(record => ({
      feature: typeof record.feature === 'string' ? record.feature : undefined,
      record,
    }));
  } else {
    rows = [{ record: line }];
  }

  let source = 'the line';
  if (byLanguage && byLanguage.length > 0)
    source = 'totals_by_language_feature';
  else if (byFeature && byFeature.length > 0) source = 'totals_by_feature';
  rows.forEach((row, index) => {
    const where = source === 'the line' ? source : `${source}[${index}]`;
    const language = languageLabel(row.language, settings.languages);
    const generated = count(
      row.record,
      'code_generation_activity_count',
      where,
    );
    const accepted = count(row.record, 'code_acceptance_activity_count', where);
    const linesAdded = count(row.record, 'loc_added_sum', where);
    if (row.feature !== AGENT_EDIT) {
      add(
        METRICS.suggestions,
        { language, accepted: 'true', assistant },
        accepted,
      );
      add(
        METRICS.suggestions,
        { language, accepted: 'false', assistant },
        Math.max(0, generated - accepted),
      );
    }
    add(METRICS.linesGenerated, { language, assistant }, linesAdded);
    add(
      METRICS.timeSaved,
      {
        activity:
          row.feature === CODE_COMPLETION
            ? 'code_completion'
            : 'code_generation',
        assistant,
      },
      linesAdded * settings.secondsPerLine,
    );
  });

  (byFeature ?? []).forEach((record, index) => {
    const where = `totals_by_feature[${index}]`;
    const feature = typeof record.feature === 'string' ? record.feature : '';
    if (feature === CODE_COMPLETION) {
      add(
        METRICS.featureUsage,
        { feature: 'completion', assistant },
        count(record, 'code_generation_activity_count', where),
      );
    } else if (CHAT_FEATURE.test(feature)) {
      add(
        METRICS.featureUsage,
        { feature: 'chat', assistant },
        count(record, 'user_initiated_interaction_count', where),
      );
    }
  });

  const cli = line.totals_by_cli;
  if (isObject(cli)) {
    add(
      OTLP_METRICS.sessions,
      { assistant },
      count(cli, 'session_count', 'totals_by_cli'),
    );
    const tokens = cli.token_usage;
    if (isObject(tokens)) {
      const where = 'totals_by_cli.token_usage';
      add(
        OTLP_METRICS.tokens,
        { assistant, model: OTHER, type: 'input' },
        count(tokens, 'prompt_tokens_sum', where),
      );
      add(
        OTLP_METRICS.tokens,
        { assistant, model: OTHER, type: 'output' },
        count(tokens, 'output_tokens_sum', where),
      );
    }
  }
  return increments;
}
