/**
 * The GitHub Copilot import of the ai-telemetry backend (docs/architecture.md#the-github-copilot-import):
 * the import's state (`GET /v1/github/status`), the organisation's Copilot seats
 * (`GET /v1/github/seats`) and the caller's own import (`GET /v1/me/github`). Days are UTC
 * calendar days as GitHub reports them (`YYYY-MM-DD`); times are ISO 8601 strings.
 */

/** The `assistant` label of every imported figure. */
export const GITHUB_IMPORT_ASSISTANT = 'copilot';

/**
 * The extra label of every series the import writes into Prometheus (`source="github"`), so that
 * imported series are told apart from the scraped ones; panels sum it away.
 */
export const GITHUB_SOURCE_LABEL = 'source';
/** The value of {@link GITHUB_SOURCE_LABEL} on imported series. */
export const GITHUB_SOURCE_VALUE = 'github';

/** The catalog annotation that gives a User's GitHub login (set by Backstage's GitHub org provider). */
export const GITHUB_USER_LOGIN_ANNOTATION = 'github.com/user-login';

/** Which reports the import reads: an organisation's or an enterprise's. */
export type GithubImportScope = {
  kind: 'organization' | 'enterprise';
  /** The organisation's login or the enterprise's slug. */
  name: string;
};

/**
 * Who counts Copilot (`aiTelemetry.github.sourceOfTruth`): the GitHub import (the default; Copilot
 * counts that IDE clients send for an imported developer are then not counted), or the clients
 * (the import then reads seats only).
 */
export const GITHUB_SOURCES_OF_TRUTH = ['import', 'clients'] as const;
/** @public */
export type GithubSourceOfTruth = (typeof GITHUB_SOURCES_OF_TRUTH)[number];

/**
 * Why the last run of the import failed, as shown to telemetry admins:
 * - `credentials`: GitHub answered 401 (a wrong, expired or revoked token or GitHub App key);
 * - `forbidden`: 403 without a rate limit (the token lacks the scope or permission, or the
 *   "Copilot usage metrics" policy is off);
 * - `not_found`: 404 (no such organisation or enterprise, or Copilot metrics not enabled for it);
 * - `rate_limited`: 429, or 403 with `Retry-After` or an exhausted `x-ratelimit-remaining`
 *   (primary or secondary rate limit); `retryAt` says when GitHub allows the next request;
 * - `link_expired`: a report's download link had expired (403/404 from the link) more often
 *   than fresh links could be fetched;
 * - `github_unavailable`: GitHub did not answer, or answered 5xx;
 * - `invalid_report`: a report was not the documented JSON or NDJSON;
 * - `prometheus`: the imported figures could not be written to Prometheus (they are kept in the
 *   database and written on the next run);
 * - `catalog`: the catalog could not be read to find the opted-in developers' logins;
 * - `integration`: no `integrations.github` entry (or no credentials) for the GitHub host;
 * - `internal`: the import itself failed (its database, say); the message says how.
 */
export const GITHUB_IMPORT_ERROR_REASONS = [
  'credentials',
  'forbidden',
  'not_found',
  'rate_limited',
  'link_expired',
  'github_unavailable',
  'invalid_report',
  'prometheus',
  'catalog',
  'integration',
  'internal',
] as const;
/** @public */
export type GithubImportErrorReason =
  (typeof GITHUB_IMPORT_ERROR_REASONS)[number];

/** The last failure of the import, for telemetry admins only. Never names a developer. */
export type GithubImportError = {
  reason: GithubImportErrorReason;
  /** What failed and how, e.g. "GitHub answered 401 Bad credentials to GET /orgs/fawkes/copilot/metrics/reports/users-1-day". */
  message: string;
  /** The HTTP status GitHub (or Prometheus) answered, when it answered. */
  status?: number;
  /** When it happened. */
  at: string;
  /** The report day the run was at, when the failure concerned one. */
  day?: string;
  /** When the import tries again: GitHub's `Retry-After` or rate-limit reset, else the next run. */
  retryAt?: string;
  /** Runs that failed in a row, this one included. */
  consecutiveFailures: number;
};

/** One run of the import task. */
export type GithubImportRun = {
  startedAt: string;
  /** Absent while the run is going on. */
  finishedAt?: string;
  outcome: 'running' | 'succeeded' | 'failed';
  /** Report days read and counted in this run. */
  daysImported: number;
  /** Report days not published by GitHub yet when the run asked (tried again on the next run). */
  daysNotPublished: number;
};

/**
 * `GET /v1/github/status`, for any signed-in user or service: whether the import runs, what it
 * reads, and up to which day the portal's Copilot figures come from it. Figures only about the
 * organisation, never about a developer; `lastError` only for telemetry admins.
 */
export type GithubImportStatusResponse =
  | {
      enabled: false;
      /** `not_configured`: no `aiTelemetry.github` in the configuration. */
      reason: 'not_configured';
      /** Why, in words the portal shows. */
      message: string;
    }
  | {
      enabled: true;
      scope: GithubImportScope;
      sourceOfTruth: GithubSourceOfTruth;
      /** Whether usage is imported (false when the clients are the source of truth: seats only). */
      usageImported: boolean;
      /** `aiTelemetry.github.backfillDays`: how far back a newly covered developer is imported. */
      backfillDays: number;
      /** The earliest day imported that is still within the retention; absent before the first. */
      importedFrom?: string;
      /** The latest day imported (the portal's Copilot figures come from the import up to it). */
      importedThrough?: string;
      /** The latest day GitHub had published when last asked. */
      latestPublishedDay?: string;
      /** Developers with imported days within the retention (a count, never who). */
      importedDevelopers: number;
      lastRun?: GithubImportRun;
      /** When the last run that succeeded finished. */
      lastSuccessAt?: string;
      /** When the next run is due (GitHub's Retry-After when it asked for one). */
      nextRunAt?: string;
      /** Whether the last run failed (everyone may know; admins also see `lastError`). */
      failing: boolean;
      /** Only for telemetry admins: the last failure, with its reason. */
      lastError?: GithubImportError;
    };

/** Seats figures withheld, and why. */
export type CopilotSeatsWithheldReason =
  /** No `aiTelemetry.github` configured. */
  | 'not_configured'
  /** The import has not read the seats yet. */
  | 'not_fetched'
  /** Fewer seats than `aiTelemetry.privacy.minGroupSize`: activity counts would single people out. */
  | 'threshold';

/** The organisation's (or enterprise's) Copilot seats, counts only. */
export type CopilotSeatCounts = {
  /** Seats being billed (GitHub's `total_seats`). */
  total: number;
  /** Seats whose holder used Copilot in the last 7, 14 and 28 days (`last_activity_at`). */
  activeLast7Days: number;
  activeLast14Days: number;
  activeLast28Days: number;
  /** Seats never used (no `last_activity_at`). */
  neverUsed: number;
  /** Seats that end with the billing cycle (`pending_cancellation_date` set). */
  pendingCancellation: number;
  /** Seats not used in the last 28 days, never-used ones included. */
  idle: number;
  /** Organisation scope only: seats whose holder has not accepted the invitation yet. */
  pendingInvitation?: number;
};

/**
 * `GET /v1/github/seats`, for any signed-in user or service: the Copilot seats as counts, and
 * what the idle ones cost a month. No login, no per-seat data: the import keeps none.
 */
export type CopilotSeatsResponse =
  | {
      withheld: CopilotSeatsWithheldReason;
      /** Why, in words the portal shows. */
      message: string;
      scope?: GithubImportScope;
      /** When the seats were read (absent when never). */
      fetchedAt?: string;
      /** With `threshold`: the smallest number of seats shown. */
      minGroupSize?: number;
    }
  | {
      withheld?: undefined;
      scope: GithubImportScope;
      /** When GitHub was asked; the counts are as of then. */
      fetchedAt: string;
      seats: CopilotSeatCounts;
      /** `aiTelemetry.estimates.seatCostPerMonth` (US dollars per seat and month). */
      seatCostPerMonth: number;
      /** idle × seatCostPerMonth. */
      idleCostPerMonth: number;
      /** total × seatCostPerMonth. */
      totalCostPerMonth: number;
      /** Set when the last read failed: the counts are from `fetchedAt`, older than intended. */
      stale?: boolean;
    };

/**
 * Why a developer's Copilot usage is not imported:
 * - `not_configured`: the import is off (no `aiTelemetry.github`);
 * - `clients_are_source_of_truth`: the import reads seats only;
 * - `not_opted_in`: telemetry is off for the developer;
 * - `no_login`: their catalog User has no `github.com/user-login` annotation;
 * - `not_in_catalog`: no catalog User for the signed-in identity.
 */
export const GITHUB_NOT_IMPORTED_REASONS = [
  'not_configured',
  'clients_are_source_of_truth',
  'not_opted_in',
  'no_login',
  'not_in_catalog',
] as const;
/** @public */
export type GithubNotImportedReason =
  (typeof GITHUB_NOT_IMPORTED_REASONS)[number];

/** One imported report day of the caller. */
export type MyGithubImportDay = {
  /** The report day (`YYYY-MM-DD`, UTC). */
  day: string;
  /** When it was imported. */
  importedAt: string;
  /** Whether GitHub's report had a line for the developer that day (false: no Copilot use). */
  active: boolean;
};

/**
 * `GET /v1/me/github`: whether the signed-in developer's Copilot usage is imported, under which
 * GitHub login, and the days imported (newest first). The days stay listed until erasure, also
 * after an opt-out, since what was imported stays until then.
 */
export type MyGithubImportResponse = {
  /** Whether the next run imports the developer's usage. */
  imported: boolean;
  /** Why not, when `imported` is false. */
  reason?: GithubNotImportedReason;
  /** Why, in words the portal shows. */
  message: string;
  /** The login from their catalog User's `github.com/user-login` annotation, when there is one. */
  login?: string;
  scope?: GithubImportScope;
  days: MyGithubImportDay[];
};

/** A running total of one imported series of the caller, as `GET /v1/me/data` lists it. */
export type MyDataGithubCounter = {
  metric: string;
  /** Its labels besides `user_hash` and `source`. */
  labels: Record<string, string>;
  /** The total through `throughDay`: the value the import wrote to Prometheus at that day's end. */
  value: number;
  /** The latest day that added to it. */
  throughDay: string;
};

/** One series a report day added to, as the import's ledger keeps it. */
export type MyDataGithubDayChange = {
  metric: string;
  /** Its labels besides `user_hash` and `source`. */
  labels: Record<string, string>;
  /** The series' total before the day and after it (what Prometheus holds around 23:00 UTC). */
  before: number;
  after: number;
};

/** In `GET /v1/me/data`: what the GitHub import keeps about the caller in the database. */
export type MyDataGithubImport = {
  /** The days imported for the caller (the import's ledger), newest first, with what each added. */
  days: Array<MyGithubImportDay & { changes: MyDataGithubDayChange[] }>;
  counters: MyDataGithubCounter[];
};
