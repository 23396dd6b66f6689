import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  INGEST_LIMITS,
  TELEMETRY_ENV,
} from './contract';
import { InputError } from './errors';

/** The environment variables the client reads: the IDE's three, and the queue's place. */
export const ENV = {
  ...TELEMETRY_ENV,
  queueDir: 'FAWKES_AI_TELEMETRY_QUEUE_DIR',
} as const;

/** Retries of one batch when the backend is unreachable, busy (429) or failing (5xx). */
export type RetryOptions = {
  /** Sends of one batch within one flush before the flush gives up for now (default 4). */
  maxAttempts?: number;
  /** Delay before the first retry; it doubles with every failure (default 1 s). */
  baseDelayMs?: number;
  /** Upper bound of any delay, across flushes too (default 5 min). */
  maxDelayMs?: number;
};

/** Options of a {@link TelemetryClient}; each defaults to its environment variable. */
export type TelemetryClientOptions = {
  /** Defaults to `FAWKES_AI_TELEMETRY === 'enabled'`. Off means nothing is stored or sent. */
  enabled?: boolean;
  /** The plugin's base URL, e.g. `http://localhost:7007/api/ai-telemetry`. */
  endpoint?: string;
  /** The telemetry token issued at opt-in (portal: Settings → AI Telemetry). */
  token?: string;
  /** The queue directory (default `~/.fawkes/ai-telemetry/queue`). */
  queueDir?: string;
  /** Language ids sent as such; any other becomes `other` (default: the contract's list). */
  languages?: readonly string[];
  /** Assistant ids sent as such; any other becomes `other` (default: the contract's list). */
  assistants?: readonly string[];
  /** Most events in one batch (default and maximum 1,000). */
  maxBatchEvents?: number;
  /** Most bytes of one batch's JSON body (default and maximum 256 KB). */
  maxBatchBytes?: number;
  /** Automatic flush period; 0 turns it off (default 60 s). */
  flushIntervalMs?: number;
  /** A flush starts as soon as this many events wait (default 200); 0 turns it off. */
  flushAtEvents?: number;
  /** Events kept at most while the backend is unreachable; newer ones are dropped (default 100,000). */
  maxQueuedEvents?: number;
  /** Timeout of one HTTP request (default 10 s). */
  requestTimeoutMs?: number;
  /** After a 403 (not opted in), how long before sending is tried again (default 1 h). */
  optInRecheckMs?: number;
  retry?: RetryOptions;
  /** Where the client reports what goes wrong; silent by default. */
  logger?: TelemetryLogger;
  /** Overrides for tests: the environment, the clock, randomness and waiting. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The HTTP implementation (default: the global fetch). */
  fetch?: typeof fetch;
};

/** The few logging calls the client makes; an IDE passes its output channel. */
export type TelemetryLogger = {
  info(message: string): void;
  warn(message: string): void;
};

/** The options resolved once, at construction. */
export type ClientSettings = {
  enabled: boolean;
  endpoint?: string;
  token?: string;
  queueDir: string;
  languages: readonly string[];
  assistants: readonly string[];
  maxBatchEvents: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
  flushAtEvents: number;
  maxQueuedEvents: number;
  requestTimeoutMs: number;
  optInRecheckMs: number;
  retry: Required<RetryOptions>;
};

/** The default queue directory: `~/.fawkes/ai-telemetry/queue`. */
export function defaultQueueDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env[ENV.queueDir] ||
    path.join(os.homedir(), '.fawkes', 'ai-telemetry', 'queue')
  );
}

function integerOption(
  name: string,
  value: number,
  min: number,
  max?: number,
): number {
  if (
    !Number.isInteger(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    throw new InputError(
      `Telemetry client option ${name} must be an integer from ${min}${
        max !== undefined ? ` to ${max}` : ''
      }, got ${value}`,
    );
  }
  return value;
}

/** Checks and normalises an endpoint: an http(s) URL without a trailing slash. */
export function normaliseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError(
      `${ENV.endpoint} must be a URL such as http://localhost:7007/api/ai-telemetry, got "${value}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(
      `${ENV.endpoint} must be an http or https URL, got "${value}"`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}

/** Resolves options against the environment; throws InputError naming a bad option. */
export function readClientSettings(
  options: TelemetryClientOptions = {},
): ClientSettings {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? env[ENV.endpoint];
  const token = (options.token ?? env[ENV.token])?.trim();
  const retry = options.retry ?? {};
  return {
    enabled: options.enabled ?? env[ENV.enabled]?.trim() === 'enabled',
    endpoint: endpoint ? normaliseEndpoint(endpoint) : undefined,
    token: token || undefined,
    queueDir: path.resolve(options.queueDir ?? defaultQueueDir(env)),
    languages: options.languages ?? DEFAULT_LANGUAGES,
    assistants: options.assistants ?? DEFAULT_ASSISTANTS,
    maxBatchEvents: integerOption(
      'maxBatchEvents',
      options.maxBatchEvents ?? INGEST_LIMITS.maxEventsPerBatch,
      1,
      INGEST_LIMITS.maxEventsPerBatch,
    ),
    maxBatchBytes: integerOption(
      'maxBatchBytes',
      options.maxBatchBytes ?? INGEST_LIMITS.maxBatchBytes,
      1024,
      INGEST_LIMITS.maxBatchBytes,
    ),
    flushIntervalMs: integerOption(
      'flushIntervalMs',
      options.flushIntervalMs ?? 60_000,
      0,
    ),
    flushAtEvents: integerOption(
      'flushAtEvents',
      options.flushAtEvents ?? 200,
      0,
    ),
    maxQueuedEvents: integerOption(
      'maxQueuedEvents',
      options.maxQueuedEvents ?? 100_000,
      0,
    ),
    requestTimeoutMs: integerOption(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? 10_000,
      1,
    ),
    optInRecheckMs: integerOption(
      'optInRecheckMs',
      options.optInRecheckMs ?? 3_600_000,
      0,
    ),
    retry: {
      maxAttempts: integerOption(
        'retry.maxAttempts',
        retry.maxAttempts ?? 4,
        1,
      ),
      baseDelayMs: integerOption(
        'retry.baseDelayMs',
        retry.baseDelayMs ?? 1000,
        0,
      ),
      maxDelayMs: integerOption(
        'retry.maxDelayMs',
        retry.maxDelayMs ?? 300_000,
        0,
      ),
    },
  };
}
