import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config, ConfigReader, JsonObject } from '@backstage/config';
import {
  DEFAULT_ASSISTANTS,
  GITHUB_SOURCES_OF_TRUTH,
  GithubImportScope,
  GithubSourceOfTruth,
  DEFAULT_LANGUAGES,
  DEFAULT_MODEL_PATTERNS,
  DEFAULT_SECONDS_PER_LINE,
  INGEST_LIMITS,
  OTHER,
} from '@fawkes/plugin-ai-telemetry-common';

/** The plugin's configuration, read and validated once at start-up. */
export type AiTelemetryConfig = {
  prometheus: {
    baseUrl: string;
    headers: Record<string, string>;
    /** Where back-dated samples are written (the GitHub import): `<baseUrl>/api/v1/write` by default. */
    remoteWriteUrl: string;
  };
  pushgateway: { baseUrl: string };
  pseudonymKey: string;
  privacy: { minGroupSize: number; retentionDays: number };
  estimates: {
    secondsPerLine: number;
    hourlyCost: number;
    seatCostPerMonth: number;
  };
  languages: string[];
  assistants: string[];
  /** Allow-list of model name patterns (`*` is any characters); other models count as `other`. */
  models: string[];
  /** Prices per million tokens, for assistants that report no cost of their own. */
  pricing: ModelPrice[];
  otlp: {
    /** Days an OTLP stream's state is kept after its last data point. */
    streamRetentionDays: number;
  };
  metrics: {
    /** The only principal that may read the metrics endpoint (a static external-access subject). */
    scrapeSubject: string;
    /** How long a new label combination is served at 0 after a scrape first served it. */
    newSeriesZeroSeconds: number;
  };
  ingestion: {
    /** How long a batch id is remembered, so that a retried batch is counted once. */
    batchIdRetentionDays: number;
  };
  /** What one caller may ask of the backend (docs/operations.md#limits). */
  limits: LimitSettings;
  /** Erasure jobs (docs/privacy-model.md#erasure): how often they run, wait and retry. */
  erasure: ErasureSettings;
  /** The adoption panel: who counts as regular, and the cohorts' bounds. */
  adoption: AdoptionSettings;
  /** Live pages (docs/architecture.md#live-pages): when new data is announced to them. */
  live: LiveSettings;
  /** Development only: opt in the catalog's users and write their tokens to a file. */
  demo?: { tokenFile: string; excludeUsers: string[] };
  /** The GitHub Copilot import; absent when `aiTelemetry.github` is not configured. */
  github?: GithubImportSettings;
};

/** `aiTelemetry.github`: what the GitHub Copilot import reads, when, and how far back. */
export type GithubImportSettings = {
  scope: GithubImportScope;
  /** The `integrations.github` host whose credentials and API base URL are used. */
  host: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  backfillDays: number;
  sourceOfTruth: GithubSourceOfTruth;
};

/** The import's schedule when `aiTelemetry.github.schedule` is not given. */
export const DEFAULT_GITHUB_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { hours: 1 },
  timeout: { minutes: 30 },
  initialDelay: { minutes: 1 },
};

/** The longest `backfillDays`: GitHub keeps a year of reports. */
export const MAX_GITHUB_BACKFILL_DAYS = 365;

/** An organisation login or enterprise slug: what GitHub allows in one. */
const GITHUB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,98}[A-Za-z0-9])?$/;

/**
 * What one million tokens of a model cost, in US dollars, by token type. A type without a price
 * adds no cost; a model no entry matches has no cost at all.
 */
export type ModelPrice = {
  /** A normalised model name or pattern (`*` is any characters), e.g. `gemini-2.5-pro`. */
  model: string;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheCreation?: number;
  reasoning?: number;
};

/** The price keys of a {@link ModelPrice}, as config spells them. */
export const PRICE_KEYS = [
  'input',
  'output',
  'cacheRead',
  'cacheCreation',
  'reasoning',
] as const;

/** The limits of `aiTelemetry.limits`; each is kept per backend instance. */
export type LimitSettings = {
  ingestion: {
    /** Events a developer may send a minute; an event with `count` n counts n. */
    eventsPerMinute: number;
    /** OTLP data points a developer may export a minute. */
    otlpPointsPerMinute: number;
  };
  portal: {
    /** Requests a signed-in user (or service) may make a minute to the portal's routes. */
    requestsPerMinute: number;
  };
  rawQueries: {
    /** Raw queries a user may run at once. */
    concurrent: number;
    /** Seconds Prometheus may spend evaluating one raw query. */
    timeoutSeconds: number;
  };
};

/**
 * The limits' defaults, each far above what real use reaches:
 * - 1,000 events a minute: a developer's IDE shows at most about one suggestion a second
 *   (60 a minute) while they type; the rest is room for a queue sent after a day offline,
 *   and a whole batch of 1,000 events fits in one go;
 * - 10,000 OTLP points a minute: the most one export may hold, so that every export the
 *   receiver takes fits; an assistant exports a few dozen points a minute;
 * - 600 requests a minute: a page load makes a handful (the dashboard, the caller, health);
 * - 2 raw queries at once, each at most 10 s of Prometheus's time.
 */
export const DEFAULT_LIMITS: LimitSettings = {
  ingestion: { eventsPerMinute: 1000, otlpPointsPerMinute: 10_000 },
  portal: { requestsPerMinute: 600 },
  rawQueries: { concurrent: 2, timeoutSeconds: 10 },
};

/** How erasure jobs run; every value in seconds. */
export type ErasureSettings = {
  /** How often a backend instance looks for due erasure jobs (a global scheduler task). */
  workerIntervalSeconds: number;
  /** Step 4's wait: longer than one scrape interval plus its timeout. */
  scrapeGraceSeconds: number;
  /** The delay before retrying a failed step; it doubles with each further failure of the step. */
  retryBaseSeconds: number;
  /** The longest delay between retries. */
  retryMaxSeconds: number;
  /**
   * How long an instance holds a job it works on (and how long one run of the worker may take):
   * a job whose instance died is picked up by another after this.
   */
  leaseSeconds: number;
};

/**
 * How the adoption panel counts (`aiTelemetry.adoption`; the panel's module,
 * src/query/panels/adoption.ts, explains it).
 */
export type AdoptionSettings = {
  /**
   * A developer active on at least this many days of the window is regular; at most the
   * window's days. When unset, `regularShare` of the window's days (rounded up, at least 1).
   */
  regularDays?: number;
  /** The share of the window's days a regular developer is active on, when `regularDays` is unset. */
  regularShare: number;
  /** Suggestions shown per active day from which a developer is moderate (below: light). */
  moderateFrom: number;
  /** Suggestions shown per active day from which a developer is heavy. */
  heavyFrom: number;
};

/** The adoption panel's defaults: regular on a quarter of the days; 50 and 200 suggestions a day. */
export const DEFAULT_ADOPTION_SETTINGS: AdoptionSettings = {
  regularShare: 0.25,
  moderateFrom: 50,
  heavyFrom: 200,
};

/** When open pages are told about new data; both in seconds. */
export type LiveSettings = {
  /**
   * Prometheus's scrape interval of the metrics endpoint: counters are announced once a scrape
   * can have carried them to Prometheus.
   */
  scrapeIntervalSeconds: number;
  /** The shortest time between two announcements of one backend instance. */
  signalIntervalSeconds: number;
};

/** The external-access subject Prometheus scrapes the metrics endpoint with, by default. */
export const DEFAULT_SCRAPE_SUBJECT = 'prometheus-scrape';
/** Two scrapes at Prometheus's usual 30 s interval. */
const DEFAULT_NEW_SERIES_ZERO_SECONDS = 60;

const LABEL_VALUE = /^[a-z0-9][a-z0-9_+#.-]{0,31}$/;
/** The shortest pseudonym key accepted in development and tests. */
const MIN_KEY_LENGTH = 16;
/** The shortest pseudonym key accepted anywhere else. */
export const MIN_PRODUCTION_KEY_LENGTH = 32;
/**
 * The key app-config.yaml sets for development. It is public, so anyone holding it can map
 * pseudonyms back to the staff directory: refused outside development.
 */
export const DEVELOPMENT_PSEUDONYM_KEY = 'fawkes-development-pseudonym-key';

/** Development and tests may use short or public keys; every other environment may not. */
function isDevelopment(nodeEnv: string | undefined): boolean {
  return nodeEnv === 'development' || nodeEnv === 'test';
}

class ConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`Invalid configuration: aiTelemetry.${key} ${problem}`);
    this.name = 'ConfigError';
  }
}

function readUrl(config: Config, key: string): string {
  const value = config.getOptionalString(key);
  if (!value) {
    throw new ConfigError(key, 'is missing; set it to the upstream base URL');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, `is not a valid URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(key, `must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

function readNumber(
  config: Config,
  key: string,
  fallback: number,
  { min, integer }: { min: number; integer?: boolean },
): number {
  let value: number | undefined;
  try {
    value = config.getOptionalNumber(key);
  } catch {
    throw new ConfigError(key, 'must be a number');
  }
  if (value === undefined) return fallback;
  if (
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    throw new ConfigError(
      key,
      `must be ${
        integer ? 'an integer' : 'a number'
      } of at least ${min}, got ${value}`,
    );
  }
  return value;
}

function readLabelList(
  config: Config,
  key: string,
  fallback: readonly string[],
): string[] {
  let values: string[] | undefined;
  try {
    values = config.getOptionalStringArray(key);
  } catch {
    throw new ConfigError(key, 'must be a list of strings');
  }
  const list = values ?? [...fallback];
  for (const value of list) {
    if (!LABEL_VALUE.test(value)) {
      throw new ConfigError(
        key,
        `holds "${value}", which is not a lowercase label value (letters, digits, _ + # . -)`,
      );
    }
  }
  return list.includes(OTHER) ? list : [...list, OTHER];
}

/** A model name pattern: lowercase letters, digits, `. _ : -` and `*`. */
const MODEL_PATTERN = /^[a-z0-9*][a-z0-9._:*-]{0,63}$/;

function readModelPatterns(config: Config): string[] {
  let values: string[] | undefined;
  try {
    values = config.getOptionalStringArray('models');
  } catch {
    throw new ConfigError(
      'models',
      "must be a list of model name patterns, e.g. ['claude-*', 'gpt-*']",
    );
  }
  const list = values ?? [...DEFAULT_MODEL_PATTERNS];
  for (const value of list) {
    if (!MODEL_PATTERN.test(value)) {
      throw new ConfigError(
        'models',
        `holds "${value}", which is not a lowercase model name pattern (letters, digits, . _ : - and * for any characters)`,
      );
    }
  }
  return list;
}

function readPricing(config: Config): ModelPrice[] {
  let entries: Config[] | undefined;
  try {
    entries = config.getOptionalConfigArray('pricing');
  } catch {
    throw new ConfigError(
      'pricing',
      'must be a list of { model, input, output, cacheRead, cacheCreation, reasoning } entries (USD per million tokens)',
    );
  }
  return (entries ?? []).map((entry, index) => {
    const key = `pricing[${index}]`;
    let model: string | undefined;
    try {
      model = entry.getOptionalString('model');
    } catch {
      throw new ConfigError(`${key}.model`, 'must be a string');
    }
    if (!model || !MODEL_PATTERN.test(model)) {
      throw new ConfigError(
        `${key}.model`,
        `must be a lowercase model name or pattern, e.g. gemini-2.5-pro or gpt-5*, got ${JSON.stringify(
          model ?? null,
        )}`,
      );
    }
    const unknown = entry
      .keys()
      .filter(
        name =>
          name !== 'model' && !(PRICE_KEYS as readonly string[]).includes(name),
      );
    if (unknown.length > 0) {
      throw new ConfigError(
        `${key}.${unknown[0]}`,
        `is not a price; the keys are model, ${PRICE_KEYS.join(', ')}`,
      );
    }
    const price: ModelPrice = { model };
    for (const name of PRICE_KEYS) {
      let value: number | undefined;
      try {
        value = entry.getOptionalNumber(name);
      } catch {
        throw new ConfigError(
          `${key}.${name}`,
          'must be a number (USD per million tokens)',
        );
      }
      if (value === undefined) continue;
      if (!Number.isFinite(value) || value < 0) {
        throw new ConfigError(
          `${key}.${name}`,
          `must be a number of at least 0 (USD per million tokens), got ${value}`,
        );
      }
      price[name] = value;
    }
    if (PRICE_KEYS.every(name => price[name] === undefined)) {
      throw new ConfigError(
        key,
        `gives no price for ${model}; set at least one of ${PRICE_KEYS.join(
          ', ',
        )}`,
      );
    }
    return price;
  });
}

function readSubject(config: Config, key: string): string {
  let value: string | undefined;
  try {
    value = config.getOptionalString(key);
  } catch {
    throw new ConfigError(key, 'must be a string');
  }
  if (value === undefined) return DEFAULT_SCRAPE_SUBJECT;
  if (!/^\S+$/.test(value)) {
    throw new ConfigError(
      key,
      `must be a subject of backend.auth.externalAccess (no spaces), got "${value}"`,
    );
  }
  return value;
}

function readDemo(config: Config): AiTelemetryConfig['demo'] {
  const demo = config.getOptionalConfig('demo');
  if (!demo) return undefined;
  let tokenFile: string | undefined;
  let excludeUsers: string[] | undefined;
  try {
    tokenFile = demo.getOptionalString('tokenFile');
  } catch {
    throw new ConfigError('demo.tokenFile', 'must be a file path');
  }
  try {
    excludeUsers = demo.getOptionalStringArray('excludeUsers');
  } catch {
    throw new ConfigError(
      'demo.excludeUsers',
      'must be a list of user entity refs',
    );
  }
  if (!tokenFile) {
    throw new ConfigError(
      'demo.tokenFile',
      'is missing; set it to the file the demo tokens are written to, or remove aiTelemetry.demo',
    );
  }
  return { tokenFile, excludeUsers: excludeUsers ?? [] };
}

/**
 * Reads `aiTelemetry` from the app config. Throws an error that names the offending key when
 * a value is missing or invalid, so that a misconfigured backend stops at start-up.
 */
export function readAiTelemetryConfig(
  root: Config,
  options: { nodeEnv?: string } = { nodeEnv: process.env.NODE_ENV },
): AiTelemetryConfig {
  const config = root.getOptionalConfig('aiTelemetry');
  if (!config) {
    throw new Error(
      'Invalid configuration: aiTelemetry is missing; at least aiTelemetry.prometheus.baseUrl, ' +
        'aiTelemetry.pushgateway.baseUrl and aiTelemetry.pseudonymKey are required',
    );
  }

  const headers: Record<string, string> = {};
  const headerConfig = config.getOptionalConfig('prometheus.headers');
  for (const name of headerConfig?.keys() ?? []) {
    const value = headerConfig!.getOptional(name);
    if (typeof value !== 'string') {
      throw new ConfigError(`prometheus.headers.${name}`, 'must be a string');
    }
    headers[name] = value;
  }

  const pseudonymKey = readPseudonymKey(config, options.nodeEnv);

  return {
    prometheus: {
      baseUrl: readUrl(config, 'prometheus.baseUrl'),
      headers,
      remoteWriteUrl: config.has('prometheus.remoteWriteUrl')
        ? readUrl(config, 'prometheus.remoteWriteUrl')
        : `${readUrl(config, 'prometheus.baseUrl')}/api/v1/write`,
    },
    pushgateway: { baseUrl: readUrl(config, 'pushgateway.baseUrl') },
    pseudonymKey,
    privacy: {
      minGroupSize: readNumber(config, 'privacy.minGroupSize', 5, {
        min: 1,
        integer: true,
      }),
      retentionDays: readNumber(config, 'privacy.retentionDays', 90, {
        min: 1,
        integer: true,
      }),
    },
    estimates: {
      secondsPerLine: readNumber(
        config,
        'estimates.secondsPerLine',
        DEFAULT_SECONDS_PER_LINE,
        { min: 0 },
      ),
      hourlyCost: readNumber(config, 'estimates.hourlyCost', 85, { min: 0 }),
      seatCostPerMonth: readNumber(config, 'estimates.seatCostPerMonth', 19, {
        min: 0,
      }),
    },
    languages: readLabelList(config, 'languages', DEFAULT_LANGUAGES),
    assistants: readLabelList(config, 'assistants', DEFAULT_ASSISTANTS),
    models: readModelPatterns(config),
    pricing: readPricing(config),
    otlp: {
      streamRetentionDays: readNumber(config, 'otlp.streamRetentionDays', 7, {
        min: 1,
        integer: true,
      }),
    },
    metrics: {
      scrapeSubject: readSubject(config, 'metrics.scrapeSubject'),
      newSeriesZeroSeconds: readNumber(
        config,
        'metrics.newSeriesZeroSeconds',
        DEFAULT_NEW_SERIES_ZERO_SECONDS,
        { min: 0 },
      ),
    },
    ingestion: {
      batchIdRetentionDays: readNumber(
        config,
        'ingestion.batchIdRetentionDays',
        30,
        { min: 1, integer: true },
      ),
    },
    limits: readLimits(config),
    erasure: readErasure(config),
    adoption: readAdoption(config),
    live: {
      // deploy/prometheus/prometheus.yml scrapes every 30 s.
      scrapeIntervalSeconds: readNumber(
        config,
        'live.scrapeIntervalSeconds',
        30,
        {
          min: 1,
        },
      ),
      signalIntervalSeconds: readNumber(
        config,
        'live.signalIntervalSeconds',
        5,
        { min: 1 },
      ),
    },
    demo: readDemo(config),
    github: readGithub(config),
  };
}

function readGithub(config: Config): GithubImportSettings | undefined {
  const github = config.getOptionalConfig('github');
  if (!github) return undefined;
  const readName = (key: 'organization' | 'enterprise') => {
    let value: string | undefined;
    try {
      value = github.getOptionalString(key);
    } catch {
      throw new ConfigError(`github.${key}`, 'must be a string');
    }
    if (value !== undefined && !GITHUB_NAME.test(value)) {
      throw new ConfigError(
        `github.${key}`,
        `is not a GitHub ${
          key === 'organization' ? 'organisation login' : 'enterprise slug'
        }: "${value}"`,
      );
    }
    return value;
  };
  const organization = readName('organization');
  const enterprise = readName('enterprise');
  if ((organization === undefined) === (enterprise === undefined)) {
    throw new ConfigError(
      'github',
      'needs exactly one of organization and enterprise (whose Copilot reports to import)',
    );
  }
  let host: string | undefined;
  try {
    host = github.getOptionalString('host');
  } catch {
    throw new ConfigError('github.host', 'must be a host name');
  }
  let schedule = DEFAULT_GITHUB_SCHEDULE;
  if (github.has('schedule')) {
    try {
      // A schedule given without a timeout or initial delay keeps the default ones.
      schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
        new ConfigReader({
          timeout: DEFAULT_GITHUB_SCHEDULE.timeout,
          initialDelay: DEFAULT_GITHUB_SCHEDULE.initialDelay,
          ...github.getConfig('schedule').get<JsonObject>(),
        } as JsonObject),
      );
    } catch (error) {
      throw new ConfigError(
        'github.schedule',
        `is not a schedule (${(error as Error).message})`,
      );
    }
  }
  const backfillDays = readNumber(config, 'github.backfillDays', 28, {
    min: 1,
    integer: true,
  });
  if (backfillDays > MAX_GITHUB_BACKFILL_DAYS) {
    throw new ConfigError(
      'github.backfillDays',
      `must be at most ${MAX_GITHUB_BACKFILL_DAYS} (GitHub keeps a year of reports), got ${backfillDays}`,
    );
  }
  let sourceOfTruth: string | undefined;
  try {
    sourceOfTruth = github.getOptionalString('sourceOfTruth');
  } catch {
    throw new ConfigError('github.sourceOfTruth', 'must be a string');
  }
  if (
    sourceOfTruth !== undefined &&
    !(GITHUB_SOURCES_OF_TRUTH as readonly string[]).includes(sourceOfTruth)
  ) {
    throw new ConfigError(
      'github.sourceOfTruth',
      `must be one of ${GITHUB_SOURCES_OF_TRUTH.join(
        ', ',
      )}, got "${sourceOfTruth}"`,
    );
  }
  return {
    scope: organization
      ? { kind: 'organization', name: organization }
      : { kind: 'enterprise', name: enterprise! },
    host: host ?? 'github.com',
    schedule,
    backfillDays,
    sourceOfTruth: (sourceOfTruth as GithubSourceOfTruth) ?? 'import',
  };
}

function readPseudonymKey(config: Config, nodeEnv: string | undefined): string {
  const pseudonymKey = config.getOptionalString('pseudonymKey');
  if (!pseudonymKey) {
    throw new ConfigError(
      'pseudonymKey',
      'is missing; set it to a secret (for example ${AI_TELEMETRY_PSEUDONYM_KEY})',
    );
  }
  if (isDevelopment(nodeEnv)) {
    if (pseudonymKey.length < MIN_KEY_LENGTH) {
      throw new ConfigError(
        'pseudonymKey',
        `is too short; use at least ${MIN_KEY_LENGTH} characters`,
      );
    }
    return pseudonymKey;
  }
  if (pseudonymKey === DEVELOPMENT_PSEUDONYM_KEY) {
    throw new ConfigError(
      'pseudonymKey',
      `is the public development key of app-config.yaml, which would let anyone map pseudonyms ` +
        `back to people (NODE_ENV is ${
          nodeEnv ?? 'unset'
        }); set AI_TELEMETRY_PSEUDONYM_KEY to a secret of at least ${MIN_PRODUCTION_KEY_LENGTH} characters`,
    );
  }
  if (pseudonymKey.length < MIN_PRODUCTION_KEY_LENGTH) {
    throw new ConfigError(
      'pseudonymKey',
      `is too short for NODE_ENV=${
        nodeEnv ?? 'unset'
      }; use a secret of at least ${MIN_PRODUCTION_KEY_LENGTH} characters, e.g. \`openssl rand -hex 32\``,
    );
  }
  return pseudonymKey;
}

function readLimits(config: Config): LimitSettings {
  const defaults = DEFAULT_LIMITS;
  const whole = (key: string, fallback: number, min: number) =>
    readNumber(config, `limits.${key}`, fallback, { min, integer: true });
  return {
    ingestion: {
      // One event of the largest count must fit, or the client could never send it.
      eventsPerMinute: whole(
        'ingestion.eventsPerMinute',
        defaults.ingestion.eventsPerMinute,
        INGEST_LIMITS.maxCount,
      ),
      otlpPointsPerMinute: whole(
        'ingestion.otlpPointsPerMinute',
        defaults.ingestion.otlpPointsPerMinute,
        1,
      ),
    },
    portal: {
      requestsPerMinute: whole(
        'portal.requestsPerMinute',
        defaults.portal.requestsPerMinute,
        1,
      ),
    },
    rawQueries: {
      concurrent: whole(
        'rawQueries.concurrent',
        defaults.rawQueries.concurrent,
        1,
      ),
      timeoutSeconds: readNumber(
        config,
        'limits.rawQueries.timeoutSeconds',
        defaults.rawQueries.timeoutSeconds,
        { min: 1 },
      ),
    },
  };
}

function readErasure(config: Config): ErasureSettings {
  const erasure: ErasureSettings = {
    workerIntervalSeconds: readNumber(
      config,
      'erasure.workerIntervalSeconds',
      5,
      { min: 1 },
    ),
    // Prometheus's default scrape interval (30 s) plus its timeout (10 s), and a margin.
    scrapeGraceSeconds: readNumber(config, 'erasure.scrapeGraceSeconds', 45, {
      min: 0,
    }),
    retryBaseSeconds: readNumber(config, 'erasure.retryBaseSeconds', 5, {
      min: 1,
    }),
    retryMaxSeconds: readNumber(config, 'erasure.retryMaxSeconds', 300, {
      min: 1,
    }),
    leaseSeconds: readNumber(config, 'erasure.leaseSeconds', 120, { min: 2 }),
  };
  if (erasure.retryMaxSeconds < erasure.retryBaseSeconds) {
    throw new ConfigError(
      'erasure.retryMaxSeconds',
      `must be at least erasure.retryBaseSeconds (${erasure.retryBaseSeconds}), got ${erasure.retryMaxSeconds}`,
    );
  }
  return erasure;
}

function readAdoption(config: Config): AdoptionSettings {
  const defaults = DEFAULT_ADOPTION_SETTINGS;
  let regularDays: number | undefined;
  if (config.has('adoption.regularDays')) {
    regularDays = readNumber(config, 'adoption.regularDays', 1, {
      min: 1,
      integer: true,
    });
  }
  const regularShare = readNumber(
    config,
    'adoption.regularShare',
    defaults.regularShare,
    { min: 0 },
  );
  if (regularShare <= 0 || regularShare > 1) {
    throw new ConfigError(
      'adoption.regularShare',
      `must be a share of the window's days, more than 0 and at most 1, got ${regularShare}`,
    );
  }
  const moderateFrom = readNumber(
    config,
    'adoption.moderateFrom',
    defaults.moderateFrom,
    { min: 0 },
  );
  const heavyFrom = readNumber(
    config,
    'adoption.heavyFrom',
    defaults.heavyFrom,
    { min: 0 },
  );
  if (heavyFrom <= moderateFrom) {
    throw new ConfigError(
      'adoption.heavyFrom',
      `must be more than adoption.moderateFrom (${moderateFrom}), got ${heavyFrom}`,
    );
  }
  return {
    ...(regularDays !== undefined ? { regularDays } : {}),
    regularShare,
    moderateFrom,
    heavyFrom,
  };
}
