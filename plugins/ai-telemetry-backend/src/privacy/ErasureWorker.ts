import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ERASURE_STEPS,
  GITHUB_SOURCE_LABEL,
  GITHUB_SOURCE_VALUE,
  ErasureStep,
  ErasureStepName,
} from '@fawkes/plugin-ai-telemetry-common';
import { randomUUID } from 'crypto';
import { ErasureSettings } from '../config/AiTelemetryConfig';
import { OptInStore } from '../database/OptInStore';
import { PrometheusClient } from '../upstream/PrometheusClient';
import { PushgatewayClient } from '../upstream/PushgatewayClient';
import { AuditLog, SYSTEM_ACTOR } from '../audit/AuditLog';
import { ErasureJobRecord, ErasureStore } from '../database/ErasureStore';
import { PersonalDataStore } from '../database/PersonalDataStore';
import { GithubImportStore } from '../database/GithubImportStore';
import { PseudonymSeries, windowOfDays } from './PseudonymSeries';
import {
  describeGroup,
  holdsPseudonym,
  isPseudonymGroup,
} from './pushgatewayGroups';

/**
 * Verification looks back over the retention and a tenth more: Prometheus drops whole blocks
 * only once they are entirely past the retention, and a block spans up to 10% of it.
 */
function verifiedDays(retentionDays: number): number {
  return Math.ceil((retentionDays * 11) / 10);
}

/** What the worker needs of the rest of the plugin; narrow, so that tests can stand in. */
export type ErasureWorkerOptions = {
  store: ErasureStore;
  optIns: Pick<OptInStore, 'optOut'>;
  personalData: Pick<PersonalDataStore, 'deleteCountersOf'>;
  /** The GitHub import's records: step 2 deletes its ledger rows and imported totals too. */
  githubImport?: Pick<GithubImportStore, 'deleteUser'>;
  pushgateway: Pick<PushgatewayClient, 'listGroups' | 'deleteGroup'>;
  prometheus: Pick<
    PrometheusClient,
    'deleteSeries' | 'cleanTombstones' | 'rangeQuery' | 'labelValues'
  >;
  /** The query side's cache (the QueryService has it): step 7 drops every cached result. */
  queries: { dropCachedResults(): Promise<void> };
  audit: AuditLog;
  settings: ErasureSettings & { retentionDays: number };
  logger: LoggerService;
  /** The clock; tests move it by hand. */
  now?: () => Date;
};

/** Verification found data: the job goes back to the step that deletes it. */
class DataRemainsError extends Error {
  constructor(message: string, readonly backTo: ErasureStepName) {
    super(message);
    this.name = 'DataRemainsError';
  }
}

/**
 * Verification found only series of the GitHub import (`source="github"`), whose back-dated
 * samples Prometheus keeps in its out-of-order head until its next head compaction (about every
 * two hours) and cannot delete before (prometheus/prometheus#11790). The job waits for that and
 * deletes again; it is no failed attempt.
 */
class PendingCompactionError extends DataRemainsError {
  name = 'PendingCompactionError';
}

/** How long a job waits for Prometheus's compaction before deleting again. */
const PENDING_COMPACTION_RETRY_SECONDS = 600;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Carries out erasure jobs (docs/privacy-model.md#erasure), driven by a scheduler task on every
 * backend instance: each run claims due jobs one by one, with a lease, and takes each
 * through the steps of ERASURE_STEPS in order, recording every step with its times, attempts and outcome in the
 * database and the audit log. A step that fails (Prometheus or the Pushgateway down, say) is
 * retried with a growing delay, and counts in `ai_telemetry_erasure_failures_total`; the wait
 * of step 4 and every retry release the job, so that whichever instance runs next resumes it.
 * A job is done only once verification finds nothing left.
 */
export class ErasureWorker {
  private readonly now: () => Date;
  private readonly series: PseudonymSeries;

  constructor(private readonly options: ErasureWorkerOptions) {
    this.now = options.now ?? (() => new Date());
    this.series = new PseudonymSeries(options.prometheus);
  }

  /**
   * One run: works on due jobs until none is due, half the lease has passed (the rest is left to
   * the next run), or `signal` aborts.
   */
  async run(signal?: AbortSignal): Promise<void> {
    const { store, settings } = this.options;
    const started = this.now().getTime();
    const budgetMs = (settings.leaseSeconds * 1000) / 2;
    while (!signal?.aborted && this.now().getTime() - started < budgetMs) {
      const owner = randomUUID();
      const job = await store.claimDue({
        owner,
        now: this.now(),
        leaseUntil: this.leaseUntil(),
      });
      if (!job) return;
      await this.work(job, owner, signal);
    }
  }

  private leaseUntil(): Date {
    return new Date(
      this.now().getTime() + this.options.settings.leaseSeconds * 1000,
    );
  }

  /** Takes a claimed job as far as it can go now. */
  private async work(
    job: ErasureJobRecord,
    owner: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const { store, settings, audit } = this.options;
    const save = (
      leaseUntil: Date | null,
      options: { failedAttempt?: boolean } = {},
    ) => store.update(job.id, job, { owner, leaseUntil, ...options });

    while (job.stepIndex < ERASURE_STEPS.length) {
      if (signal?.aborted) {
        await save(null);
        return;
      }
      const step = job.steps[job.stepIndex];
      const now = this.now();

      if (step.name === 'wait_for_scrapes') {
        const waitMs = settings.scrapeGraceSeconds * 1000;
        if (step.state !== 'running' || !step.startedAt) {
          Object.assign(step, {
            state: 'running',
            startedAt: now.toISOString(),
            attempts: step.attempts + 1,
            detail: `waiting ${settings.scrapeGraceSeconds} s, longer than a scrape interval and its timeout`,
          });
          job.state = 'running';
          job.nextAttemptAt = new Date(now.getTime() + waitMs);
          await save(null);
          return;
        }
        const until = Date.parse(step.startedAt) + waitMs;
        if (now.getTime() < until) {
          job.nextAttemptAt = new Date(until);
          await save(null);
          return;
        }
        this.finishStep(job, step, `waited ${settings.scrapeGraceSeconds} s`);
        if (!(await save(this.leaseUntil()))) return;
        await this.auditStep(job, step);
        continue;
      }

      Object.assign(step, {
        state: 'running',
        startedAt: step.startedAt ?? now.toISOString(),
        attempts: step.attempts + 1,
      });
      delete step.finishedAt;
      job.state = 'running';
      if (!(await save(this.leaseUntil()))) return;

      let detail: string;
      try {
        detail = await this.runStep(step.name, job);
      } catch (error) {
        await this.fail(job, step, error, save);
        return;
      }
      this.finishStep(job, step, detail);
      if (!(await save(this.leaseUntil()))) return;
      await this.auditStep(job, step);
    }

    job.state = 'done';
    job.finishedAt = this.now();
    job.lastError = undefined;
    job.nextAttemptAt = job.finishedAt;
    if (await save(null)) {
      await audit.record({
        action: 'erasure_done',
        actor: SYSTEM_ACTOR,
        subject: job.userEntityRef,
        detail: `job ${job.id}: nothing with the pseudonym remains; ${job.failedAttempts} failed attempts on the way`,
      });
    }
  }

  /** Marks the step done and moves the job on to the next. */
  private finishStep(
    job: ErasureJobRecord,
    step: ErasureStep,
    detail: string,
  ): void {
    Object.assign(step, {
      state: 'done',
      finishedAt: this.now().toISOString(),
      detail,
    });
    job.stepIndex += 1;
    job.lastError = undefined;
  }

  /** Audit-logs a step once it is recorded as done. */
  private async auditStep(
    job: ErasureJobRecord,
    step: ErasureStep,
  ): Promise<void> {
    await this.options.audit.record({
      action: 'erasure_step',
      actor: SYSTEM_ACTOR,
      subject: job.userEntityRef,
      detail: `job ${job.id}, step ${ERASURE_STEPS.indexOf(step.name) + 1} ${
        step.name
      }: ${step.detail}`,
    });
  }

  /** Records a failed attempt and when the next is due; verification may send the job back. */
  private async fail(
    job: ErasureJobRecord,
    step: ErasureStep,
    error: unknown,
    save: (
      leaseUntil: Date | null,
      options: { failedAttempt?: boolean },
    ) => Promise<boolean>,
  ): Promise<void> {
    const { settings, audit, logger } = this.options;
    const message = errorMessage(error);
    const now = this.now();
    step.state = 'failed';
    step.lastError = message;
    step.finishedAt = now.toISOString();
    if (error instanceof DataRemainsError) {
      const back = ERASURE_STEPS.indexOf(error.backTo);
      for (let i = back; i < job.stepIndex; i++) {
        const s = job.steps[i];
        s.state = 'pending';
        delete s.startedAt;
        delete s.finishedAt;
      }
      job.stepIndex = back;
    }
    const pending = error instanceof PendingCompactionError;
    if (pending) {
      step.state = 'pending';
      delete step.lastError;
      step.detail = message;
      const delaySeconds = Math.min(
        settings.retryMaxSeconds,
        PENDING_COMPACTION_RETRY_SECONDS,
      );
      job.state = 'retrying';
      job.lastError = `${step.name}: ${message}`;
      job.nextAttemptAt = new Date(now.getTime() + delaySeconds * 1000);
      logger.info(
        `Erasure job ${job.id} (${job.userEntityRef}) waits for Prometheus's compaction; deleting again in ${delaySeconds} s: ${message}`,
      );
      if (await save(null, {})) {
        await audit.record({
          action: 'erasure_step',
          actor: SYSTEM_ACTOR,
          subject: job.userEntityRef,
          detail: `job ${job.id}, step ${step.name}: ${message}; deleting again in ${delaySeconds} s`,
        });
      }
      return;
    }
    const delaySeconds = Math.min(
      settings.retryMaxSeconds,
      settings.retryBaseSeconds * 2 ** Math.max(0, step.attempts - 1),
    );
    job.state = 'retrying';
    job.failedAttempts += 1;
    job.lastError = `${step.name}: ${message}`;
    job.nextAttemptAt = new Date(now.getTime() + delaySeconds * 1000);
    logger.warn(
      `Erasure job ${job.id} (${job.userEntityRef}), step ${step.name}, attempt ${step.attempts} failed; retrying in ${delaySeconds} s: ${message}`,
    );
    if (await save(null, { failedAttempt: true })) {
      await audit.record({
        action: 'erasure_attempt_failed',
        actor: SYSTEM_ACTOR,
        subject: job.userEntityRef,
        detail: `job ${job.id}, step ${step.name}, attempt ${step.attempts}: ${message}; next attempt in ${delaySeconds} s`,
        error: error instanceof Error ? error : new Error(message),
      });
    }
  }

  /** Runs one step; answers what it did, in words for the user and the audit log. */
  private async runStep(
    name: ErasureStepName,
    job: ErasureJobRecord,
  ): Promise<string> {
    const { optIns, personalData, prometheus, queries } = this.options;
    const { userHash } = job;
    switch (name) {
      case 'stop_ingestion': {
        const record = await optIns.optOut({
          userEntityRef: job.userEntityRef,
          source: 'portal',
        });
        return record
          ? 'telemetry turned off and every telemetry token revoked'
          : 'was never opted in: nothing is ingested, no token exists';
      }
      case 'delete_counters': {
        const deleted = await personalData.deleteCountersOf(userHash);
        const detail = `deleted ${deleted.counters} counters and ${deleted.batchIds} batch ids from the database`;
        if (!this.options.githubImport) return detail;
        const imported = await this.options.githubImport.deleteUser(userHash);
        return `${detail}, and ${imported.days} imported GitHub report days with ${imported.totals} imported totals`;
      }
      case 'delete_pushgateway_groups':
        return this.deletePushgatewayGroups(userHash);
      case 'delete_prometheus_series': {
        const matcher = `{user_hash="${userHash}"}`;
        await prometheus.deleteSeries([matcher]);
        const cleaned = await prometheus.cleanTombstones();
        return `deleted every series matching ${matcher}${
          cleaned ? ' and cleaned the tombstones' : ''
        }`;
      }
      case 'verify':
        return this.verify(userHash);
      case 'drop_cached_results':
        await queries.dropCachedResults();
        return 'dropped every cached query result';
      default:
        // wait_for_scrapes: work() keeps the wait, nothing runs.
        throw new Error(`step ${name} is not one to run`);
    }
  }

  /**
   * Deletes the groups whose grouping labels carry the pseudonym (`instance/<hash>`,
   * `user_hash/<hash>`, under any job). A group that holds the pseudonym only in some of its
   * series cannot be deleted without other users' data: that fails the step, loudly.
   */
  private async deletePushgatewayGroups(userHash: string): Promise<string> {
    const { pushgateway } = this.options;
    const groups = (await pushgateway.listGroups()).filter(g =>
      holdsPseudonym(g, userHash),
    );
    const own = groups.filter(g => isPseudonymGroup(g, userHash));
    const shared = groups.filter(g => !own.includes(g));
    for (const group of own) {
      await pushgateway.deleteGroup(group.labels);
    }
    if (shared.length > 0) {
      throw new Error(
        `Pushgateway groups ${shared
          .map(describeGroup)
          .join(
            ', ',
          )} hold series with the pseudonym among other series; the Pushgateway deletes whole groups only, so push those groups again without them`,
      );
    }
    return own.length === 0
      ? 'no Pushgateway group held the pseudonym'
      : `deleted ${own.length} Pushgateway group(s): ${own
          .map(describeGroup)
          .join(', ')}`;
  }

  /** Fails, sending the job back to the deleting step, while anything remains. */
  private async verify(userHash: string): Promise<string> {
    const { pushgateway, settings } = this.options;
    const groups = (await pushgateway.listGroups()).filter(g =>
      holdsPseudonym(g, userHash),
    );
    if (groups.length > 0) {
      throw new DataRemainsError(
        `the Pushgateway holds the pseudonym again: ${groups
          .map(describeGroup)
          .join(', ')}`,
        'delete_pushgateway_groups',
      );
    }
    const days = verifiedDays(settings.retentionDays);
    const remaining = await this.series.remaining(
      userHash,
      windowOfDays(this.now(), days),
    );
    if (
      remaining.length > 0 &&
      remaining.every(
        s => s.labels[GITHUB_SOURCE_LABEL] === GITHUB_SOURCE_VALUE,
      )
    ) {
      throw new PendingCompactionError(
        `${remaining.length} series of the GitHub import remain: Prometheus deletes back-dated (out-of-order) samples only once its next head compaction (about every two hours) has written them into a block`,
        'delete_prometheus_series',
      );
    }
    if (remaining.length > 0) {
      const examples = remaining
        .slice(0, 3)
        .map(s => `${s.metric} (${s.samples} samples)`)
        .join(', ');
      throw new DataRemainsError(
        `${remaining.length} series with the pseudonym remain in Prometheus over ${days} days, e.g. ${examples}`,
        'delete_prometheus_series',
      );
    }
    return `no series with the pseudonym over ${days} days, and no Pushgateway group holds it`;
  }
}
