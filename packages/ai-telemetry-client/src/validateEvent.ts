import {
  ACTIVITIES,
  Activity,
  EVENT_KINDS,
  FEATURES,
  Feature,
  INGEST_LIMITS,
  LABEL_VALUE_PATTERN,
  OTHER,
  TelemetryEvent,
} from './contract';
import { InputError } from './errors';

/** The label lists an event's `language` and `assistant` are mapped onto. */
export type LabelLists = {
  languages: readonly string[];
  assistants: readonly string[];
};

/** Editor language ids that are another id's variant (VS Code's ids for JSX/TSX files). */
const LANGUAGE_ALIASES: Record<string, string> = {
  typescriptreact: 'typescript',
  javascriptreact: 'javascript',
};

const FIELDS: Record<TelemetryEvent['kind'], readonly string[]> = {
  suggestion: [
    'kind',
    'language',
    'accepted',
    'lines',
    'waitMs',
    'activity',
    'assistant',
    'count',
  ],
  feature: ['kind', 'feature', 'assistant', 'count'],
  time_saved: ['kind', 'activity', 'seconds', 'assistant'],
};

type Raw = Record<string, unknown>;

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function fail(field: string, rule: string, value: unknown): never {
  throw new InputError(
    `Invalid telemetry event: ${field} ${rule}, got ${describe(value)}`,
  );
}

function oneOf<T extends string>(
  raw: Raw,
  field: string,
  allowed: readonly T[],
): T {
  const value = raw[field];
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    fail(field, `must be one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

function numberIn(
  raw: Raw,
  field: string,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  const value = raw[field];
  if (value === undefined) {
    return undefined;
  }
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    fail(
      field,
      `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
      value,
    );
  }
  return value;
}

/**
 * A label value is an identifier (never a sentence or code); identifiers outside the
 * list become `other` here, so that only allow-listed values leave the machine.
 */
function label(
  raw: Raw,
  field: string,
  allowed: readonly string[],
  aliases: Record<string, string> = {},
): string | undefined {
  const value = raw[field];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || !LABEL_VALUE_PATTERN.test(value)) {
    fail(
      field,
      'must be an identifier such as an editor language id (letters, digits, _ . + # -, at most 40)',
      value,
    );
  }
  const lower = value.toLowerCase();
  const id = aliases[lower] ?? lower;
  return allowed.includes(id) ? id : OTHER;
}

/** Drops the fields that are undefined, so that they are not written at all. */
function compact<T extends object>(event: T): T {
  return Object.fromEntries(
    Object.entries(event).filter(([, v]) => v !== undefined),
  ) as T;
}

/**
 * Checks an event by the rules the backend applies and returns the copy that will be
 * queued: known fields only, counts in range, labels mapped onto the allow-lists.
 * Throws an InputError naming the field otherwise.
 */
export function validateEvent(
  input: unknown,
  lists: LabelLists,
): TelemetryEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    fail('event', 'must be an object', input);
  }
  const raw = input as Raw;
  const kind = oneOf(raw, 'kind', EVENT_KINDS);
  const unknown = Object.keys(raw).find(key => !FIELDS[kind].includes(key));
  if (unknown) {
    fail(
      unknown,
      `is not a field of a ${kind} event (fields: ${FIELDS[kind].join(', ')})`,
      raw[unknown],
    );
  }
  const assistant = label(raw, 'assistant', lists.assistants);

  if (kind === 'suggestion') {
    if (typeof raw.accepted !== 'boolean') {
      fail('accepted', 'must be true or false', raw.accepted);
    }
    if (raw.language === undefined) {
      fail('language', 'is required', raw.language);
    }
    return compact({
      kind,
      language: label(raw, 'language', lists.languages, LANGUAGE_ALIASES)!,
      accepted: raw.accepted,
      lines: numberIn(raw, 'lines', 0, INGEST_LIMITS.maxLines, true),
      waitMs: numberIn(raw, 'waitMs', 0, INGEST_LIMITS.maxWaitMs, false),
      activity:
        raw.activity === undefined
          ? undefined
          : oneOf<Activity>(raw, 'activity', ACTIVITIES),
      assistant,
      count: numberIn(raw, 'count', 1, INGEST_LIMITS.maxCount, true),
    });
  }
  if (kind === 'feature') {
    return compact({
      kind,
      feature: oneOf<Feature>(raw, 'feature', FEATURES),
      assistant,
      count: numberIn(raw, 'count', 1, INGEST_LIMITS.maxCount, true),
    });
  }
  if (raw.seconds === undefined) {
    fail('seconds', 'is required', raw.seconds);
  }
  const seconds = numberIn(raw, 'seconds', 0, INGEST_LIMITS.maxSeconds, false)!;
  return compact({
    kind,
    activity: oneOf<Activity>(raw, 'activity', ACTIVITIES),
    seconds,
    assistant,
  });
}
