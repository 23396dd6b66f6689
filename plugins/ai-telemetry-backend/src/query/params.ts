import { InputError } from '@backstage/errors';
import {
  DASHBOARD_RANGES,
  DashboardRange,
  DEFAULT_DASHBOARD_RANGE,
  PanelFilters,
} from '@fawkes/plugin-ai-telemetry-common';
import { PanelParameterError, resolveWindow, WindowSpec } from './window';

/** What a request is checked against. */
export type PanelRequestOptions = {
  /** `aiTelemetry.languages`: the only values `language=` may take. */
  languages: readonly string[];
  /** `aiTelemetry.assistants`: the only values `assistant=` may take. */
  assistants: readonly string[];
  /** `aiTelemetry.privacy.retentionDays`. */
  retentionDays: number;
  /** Now, in unix seconds. */
  now: number;
};

/** A request that passed validation: the window to cover and the filters to apply. */
export type PanelRequest = {
  window: WindowSpec;
  filters: PanelFilters;
};

const QUERY_FIELDS = ['range', 'from', 'to', 'language', 'assistant'];
const MAX_FIELD_LENGTH = 64;

const UNIX_SECONDS = /^\d{1,11}(\.\d{1,3})?$/;
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function shortString(field: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new PanelParameterError(
      field,
      `${field} must be given once, as text`,
    );
  }
  if (value.length > MAX_FIELD_LENGTH) {
    throw new PanelParameterError(
      field,
      `${field} is longer than ${MAX_FIELD_LENGTH} characters`,
    );
  }
  return value;
}

/** A time given as unix seconds or ISO 8601 (with a time zone when it has a time), in unix seconds. */
function readTime(field: string, value: unknown): number {
  const text =
    typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : shortString(field, value);
  if (UNIX_SECONDS.test(text)) {
    return Number(text);
  }
  if (ISO_8601.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw new PanelParameterError(
    field,
    `${field} must be unix seconds or an ISO 8601 time such as 2026-11-01T00:00:00Z`,
  );
}

/**
 * A time given as unix seconds or ISO 8601 (with a time zone when it has a time), in unix
 * seconds: the raw query's `start` and `end`. Anything else (`"abc"`, `-1`, `1e21`, a list) is
 * an InputError, a 400 that names the field.
 */
export function parseTime(field: string, value: unknown): number {
  try {
    return readTime(field, value);
  } catch (error) {
    if (error instanceof PanelParameterError) {
      throw new InputError(`Invalid ${field}: ${error.message}`);
    }
    throw error;
  }
}

function oneOf(
  field: string,
  value: unknown,
  allowed: readonly string[],
): string {
  const text = shortString(field, value);
  if (!allowed.includes(text)) {
    throw new PanelParameterError(
      field,
      `${field} must be one of ${allowed.join(', ')}`,
    );
  }
  return text;
}

/**
 * Validates the query string of a dashboard or panel request: the range (`range=`, or `from=`
 * with `to=`) and the filters, each against its allow-list. Unknown fields are refused, so a
 * misspelt filter is not silently ignored. Throws {@link PanelParameterError} naming the field.
 */
export function parsePanelRequest(
  query: Record<string, unknown>,
  options: PanelRequestOptions,
): PanelRequest {
  for (const field of Object.keys(query)) {
    if (!QUERY_FIELDS.includes(field)) {
      // The name is cut short where a message names it: it is the caller's text.
      throw new PanelParameterError(
        field.slice(0, MAX_FIELD_LENGTH),
        `unknown parameter ${JSON.stringify(
          field.slice(0, MAX_FIELD_LENGTH),
        )}; ` + `use ${QUERY_FIELDS.join(', ')}`,
      );
    }
  }
  const { range, from, to, language, assistant } = query;

  let window: WindowSpec;
  const clock = { now: options.now, retentionDays: options.retentionDays };
  if (from !== undefined || to !== undefined) {
    if (range !== undefined) {
      throw new PanelParameterError(
        'range',
        'give either range or from and to',
      );
    }
    if (from === undefined || to === undefined) {
      throw new PanelParameterError(
        from === undefined ? 'from' : 'to',
        'from and to must be given together',
      );
    }
    const fromSeconds = readTime('from', from);
    const toSeconds = readTime('to', to);
    if (toSeconds <= fromSeconds) {
      throw new PanelParameterError('to', 'to must be later than from');
    }
    window = resolveWindow({ from: fromSeconds, to: toSeconds }, clock);
  } else {
    const name =
      range === undefined
        ? DEFAULT_DASHBOARD_RANGE
        : (oneOf('range', range, DASHBOARD_RANGES) as DashboardRange);
    window = resolveWindow({ range: name }, clock);
  }

  const filters: PanelFilters = {};
  if (language !== undefined) {
    filters.language = oneOf('language', language, options.languages);
  }
  if (assistant !== undefined) {
    filters.assistant = oneOf('assistant', assistant, options.assistants);
  }
  return { window, filters };
}
