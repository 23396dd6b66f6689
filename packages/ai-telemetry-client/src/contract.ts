/**
 * The part of the ingestion contract the client needs: the event types, the label lists, the
 * limits and the environment variables. A copy of what `@fawkes/plugin-ai-telemetry-common`
 * defines, so that the published client depends on no Backstage package; `contract.test.ts`
 * checks that the two agree.
 */

/** The environment variables an IDE (or the `fawkes-ai-telemetry` command) reads. */
export const TELEMETRY_ENV = {
  /** `enabled` turns the client on; anything else leaves it off. */
  enabled: 'FAWKES_AI_TELEMETRY',
  /** The plugin's base URL, e.g. `https://backstage.example.com/api/ai-telemetry`. */
  endpoint: 'FAWKES_AI_TELEMETRY_ENDPOINT',
  /** The telemetry token shown once at opt-in or rotation. */
  token: 'FAWKES_AI_TELEMETRY_TOKEN',
} as const;

/** Activities that time saved is attributed to. */
export const ACTIVITIES = [
  'code_completion',
  'code_generation',
  'documentation',
] as const;
/** @public */
export type Activity = (typeof ACTIVITIES)[number];

/** Assistant features whose use is counted. */
export const FEATURES = [
  'completion',
  'chat',
  'explain',
  'document',
  'test',
] as const;
/** @public */
export type Feature = (typeof FEATURES)[number];

/** The value every language or assistant outside the configured lists becomes. */
export const OTHER = 'other';

/** Default editor language ids (the backend's default `aiTelemetry.languages`). */
export const DEFAULT_LANGUAGES = [
  'python',
  'typescript',
  'javascript',
  'java',
  'go',
  'rust',
  'csharp',
  'cpp',
  'ruby',
  'kotlin',
  OTHER,
] as const;

/** Default assistants (the backend's default `aiTelemetry.assistants`). */
export const DEFAULT_ASSISTANTS = [
  'copilot',
  'continue',
  'cody',
  'claude-code',
  'cursor',
  'gemini-cli',
  'codex',
  OTHER,
] as const;

/** The event kinds, as the `kind` field spells them. */
export const EVENT_KINDS = ['suggestion', 'feature', 'time_saved'] as const;

/**
 * Suggestions an assistant showed, by outcome. `count` suggestions alike (default 1);
 * for an accepted suggestion `lines` are the lines accepted and `waitMs` how long the
 * developer waited for it, from which the backend estimates the time saved.
 * `language` is an editor language id, `assistant` an assistant id: values outside
 * the configured lists are counted as `other`.
 * @public
 */
export type SuggestionEvent = {
  kind: 'suggestion';
  language: string;
  accepted: boolean;
  lines?: number;
  waitMs?: number;
  activity?: Activity;
  assistant?: string;
  count?: number;
};

/** Invocations of an assistant feature (`count` of them, default 1). @public */
export type FeatureEvent = {
  kind: 'feature';
  feature: Feature;
  assistant?: string;
  count?: number;
};

/** Seconds saved, as estimated by a client that computes its own estimate. @public */
export type TimeSavedEvent = {
  kind: 'time_saved';
  activity: Activity;
  seconds: number;
  assistant?: string;
};

/** One event of a batch. @public */
export type TelemetryEvent = SuggestionEvent | FeatureEvent | TimeSavedEvent;

/** The body of `POST /v1/events`. @public */
export type IngestEventsRequest = {
  /** Chosen by the client when it forms the batch and reused on every retry. */
  batchId: string;
  events: TelemetryEvent[];
};

/** The 202 answer of `POST /v1/events`. @public */
export type IngestEventsResponse = {
  /** Events counted by this request (those of the first delivery, for a duplicate). */
  accepted: number;
  /** True when this batch id had been counted before and nothing was added now. */
  duplicate: boolean;
};

/** Limits the backend enforces on `POST /v1/events`, and the client before it sends. */
export const INGEST_LIMITS = {
  /** Events per batch (413 beyond). */
  maxEventsPerBatch: 1000,
  /** Bytes of the JSON body (413 beyond). */
  maxBatchBytes: 256 * 1024,
  /**
   * `count` of a suggestion or feature event: 1 to this. A count stands for that many
   * suggestions or invocations alike, gathered over a minute or so: an IDE shows at most
   * about one suggestion a second.
   */
  maxCount: 100,
  /**
   * `lines` of one suggestion event. An inline completion is a few lines; an edit applied
   * from a chat or an agent, a file of a few hundred.
   */
  maxLines: 1000,
  /** `waitMs` of one suggestion event (one hour; a wait only lowers the time saved). */
  maxWaitMs: 3_600_000,
  /**
   * `seconds` of one time-saved event (one hour): a client's own estimate for one piece of
   * work, such as generated documentation or tests.
   */
  maxSeconds: 3600,
} as const;

/**
 * The shape a `language` or `assistant` value must have to be considered at all (an
 * identifier, never a sentence or code); allowed shapes outside the configured lists
 * are then counted as `other`.
 */
export const LABEL_VALUE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.+#-]{0,39}$/;
