/**
 * The privacy API of the ai-telemetry backend (docs/privacy-model.md): everything stored about
 * the caller (`GET /v1/me/data`), erasure jobs (`/v1/me/erasure`, `/v1/admin/erasure`) and the
 * audit log (`GET /v1/admin/audit`). Times are ISO 8601 strings.
 */
import { MyDataGithubImport } from '../github';
import { MeResponse, OptInHistoryEntry, OptInRequest } from './ingestion';

/** The steps of an erasure job, in the order they run (docs/privacy-model.md#erasure). */
export const ERASURE_STEPS = [
  'stop_ingestion',
  'delete_counters',
  'delete_pushgateway_groups',
  'wait_for_scrapes',
  'delete_prometheus_series',
  'verify',
  'drop_cached_results',
] as const;
/** @public */
export type ErasureStepName = (typeof ERASURE_STEPS)[number];

/** @public */
export type ErasureState =
  | 'pending'
  | 'running'
  | 'retrying'
  | 'done'
  | 'failed';

/** One step of an erasure job, as recorded. */
export type ErasureStep = {
  name: ErasureStepName;
  state: 'pending' | 'running' | 'done' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  attempts: number;
  /** The last error of this step, e.g. "Prometheus at http://… is unreachable (ECONNREFUSED)". */
  lastError?: string;
  /** What the step found or did, e.g. "deleted 14 counters", "0 series remain over 90 days". */
  detail?: string;
};

/** An erasure job for one user. */
export type ErasureJob = {
  id: string;
  /** Whose data: the caller's own ref on /me routes. */
  userEntityRef: string;
  /** Who asked: the user themselves or an administrator (requests that arrive by mail). */
  requestedBy: string;
  state: ErasureState;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** When the next attempt is due while retrying (or when the wait for scrapes ends). */
  nextAttemptAt?: string;
  /** The last failed attempt's error, naming the upstream, while the job is retrying. */
  lastError?: string;
  /** Failed attempts so far, over every step (each one counts in `ai_telemetry_erasure_failures_total`). */
  failedAttempts?: number;
  /** Why an administrator started it, e.g. "request by mail of 3 November". */
  reason?: string;
  steps: ErasureStep[];
};

/** `GET /v1/me/erasure`: the caller's jobs, newest first. */
export type ErasureJobsResponse = { jobs: ErasureJob[] };

/** The body of `POST /v1/admin/erasure` (permission `ai-telemetry.data.erase`). */
export type AdminErasureRequest = { userEntityRef: string; reason?: string };

/** `GET /v1/admin/erasure?userEntityRef=…` (permission `ai-telemetry.data.erase`): that user's jobs. */
export type AdminErasureJobsResponse = ErasureJobsResponse;

/**
 * The body of `PUT /v1/me/opt-in`, with the option to erase: `{ enabled: false, erase: true }`
 * turns telemetry off and starts an erasure job in the same request (answered 202 with
 * {@link OptOutWithErasureResponse}). `erase: true` is refused with `enabled: true`.
 */
export type OptInChangeRequest = OptInRequest & { erase?: boolean };

/** `PUT /v1/me/opt-in` with `{ enabled: false, erase: true }`: the new state and the job. */
export type OptOutWithErasureResponse = MeResponse & { erasureJob: ErasureJob };

/** The formats of `GET /v1/me/data?format=`. */
export const MY_DATA_FORMATS = ['json', 'csv'] as const;
/** @public */
export type MyDataExportFormat = (typeof MY_DATA_FORMATS)[number];

/**
 * The columns of the CSV export, in order: one row per sample of a Prometheus series
 * (`source` = `prometheus`, at the export's step) and one per running total in the database
 * (`source` = `database`, at its last update), and one per running total of the GitHub import
 * (`source` = `github_import`, at the end of its last day). Label columns are empty where a series has no such
 * label; `other_labels` holds any further label as `name=value` pairs joined by `;`.
 * `timestamp` is ISO 8601 (UTC).
 */
export const MY_DATA_CSV_COLUMNS = [
  'source',
  'metric',
  'user_hash',
  'language',
  'accepted',
  'assistant',
  'activity',
  'feature',
  'job',
  'instance',
  'other_labels',
  'timestamp',
  'value',
] as const;

/** One series stored about the caller, with its samples over the retention. */
export type MyDataSeries = {
  metric: string;
  /** Every label of the series, `user_hash` (the caller's own) included. */
  labels: Record<string, string>;
  /** [time ms, value] at the export's step. */
  samples: Array<[number, number]>;
};

/** A running total kept in the backend's database (the source of truth Prometheus scrapes). */
export type MyDataCounter = {
  metric: string;
  labels: Record<string, string>;
  value: number;
  firstSeen: string;
  updatedAt: string;
};

/** `GET /v1/me/data?format=json`: everything stored about the caller. */
export type MyDataResponse = {
  userEntityRef: string;
  optedIn: boolean;
  userHash?: string;
  since?: string;
  history: OptInHistoryEntry[];
  /** The running totals in the database. */
  counters: MyDataCounter[];
  /** Every Prometheus series with the caller's `user_hash`, over the retention. */
  series: MyDataSeries[];
  /** Seconds between the samples of {@link MyDataResponse.series}. */
  step: number;
  /** The window the series cover (ISO). */
  from: string;
  to: string;
  erasureJobs: ErasureJob[];
  /** Legacy Pushgateway groups found for the pseudonym. */
  pushgatewayGroups: Array<{ labels: Record<string, string> }>;
  /** What the GitHub Copilot import keeps (its series are in `series`, with `source="github"`). */
  githubImport?: MyDataGithubImport;
};

/** What the audit log records. */
export const AUDIT_ACTIONS = [
  'opt_in',
  'opt_out',
  'token_rotated',
  'data_exported',
  'erasure_requested',
  'erasure_step',
  'erasure_attempt_failed',
  'erasure_done',
  'raw_query',
] as const;
/** @public */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One entry of the audit log. */
export type AuditEntry = {
  id: string;
  at: string;
  /** One of {@link AUDIT_ACTIONS}. */
  action: AuditAction;
  /** Who did it (an entity ref, or `system` for the erasure worker). */
  actor: string;
  /** Whose data it concerns. */
  subject: string;
  detail?: string;
};

/**
 * `GET /v1/admin/audit?limit=&before=&subject=`: entries newest first. `before` is an entry id
 * (the `nextBefore` of the previous page); `subject` keeps one user's entries.
 */
export type AuditLogResponse = {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  nextBefore?: string;
};
